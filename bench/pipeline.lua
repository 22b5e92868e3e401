-- SPDX-License-Identifier: MIT
-- wrk script: sends DEPTH pipelined GETs per write (TechEmpower style), path from wrk's URL.
--
-- Usage: wrk -t1 -c64 -d8s -s bench/pipeline.lua http://127.0.0.1:18080/plaintext -- 16

init = function(args)
  local depth = tonumber(args[1]) or 16
  local requests = {}
  for i = 1, depth do
    -- wrk.format() with no arguments uses wrk's method, headers and the URL's path.
    requests[i] = wrk.format()
  end
  pipelined = table.concat(requests)
end

request = function()
  return pipelined
end
