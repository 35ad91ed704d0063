-- Sends each path of the file named by WRK_PATHS in turn (each thread from its own place in
-- the list), then prints the same JSON line as wrk-report.lua.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0

setup = function(thread)
  thread:set("offset", counter * 97)
  counter = counter + 1
end

local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + offset) % #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"mean_us":%.1f,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency.mean, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
