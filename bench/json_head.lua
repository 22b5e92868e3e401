-- SPDX-License-Identifier: MIT
-- wrk script for the json-head workload: counts answers in which json_head did not report a
-- successful HEAD of its upstream ({"ok":true,...}) and prints "Wrong answers: N" at the end.
--
-- Usage: wrk -t1 -c64 -d8s -s bench/json_head.lua 'http://127.0.0.1:18080/?url=http://...'

local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  wrong = 0
end

response = function(status, headers, body)
  if not string.find(body, '"ok":true', 1, true) then
    wrong = wrong + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("wrong")
  end
  io.write(string.format("Wrong answers: %d\n", total))
end
