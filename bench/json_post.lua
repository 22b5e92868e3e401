-- SPDX-License-Identifier: MIT
-- wrk script: POSTs the JSON document in FILE (bench/run writes a 10 KB one) on every request.
--
-- Usage: wrk -t1 -c64 -d8s -s bench/json_post.lua http://127.0.0.1:18080/json-post -- FILE

init = function(args)
  local file = assert(io.open(args[1], "rb"), "bench/json_post.lua: cannot open the body file")
  local body = file:read("*a")
  file:close()
  local headers = {["Content-Type"] = "application/json"}
  -- wrk.format() adds Content-Length for the body; the path comes from wrk's URL.
  post = wrk.format("POST", nil, headers, body)
end

request = function()
  return post
end
