-- Sends each path of the file named by WRK_PATHS in turn (each thread from its own place in
-- the list), then prints wrk-report.lua's JSON line.
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

-- The report: the same JSON line as wrk-report.lua (the bench scripts run from the checkout).
dofile("bench/wrk-report.lua")
