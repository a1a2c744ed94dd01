-- wrk script of bench/shipment_events.sh: every request posts a distinct scan (its own
-- event_time) to one of the shipments listed in $BENCH_PATHS, round robin per thread.
local token = os.getenv("BENCH_TOKEN")
dofile(os.getenv("BENCH_PATHS"))
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
local base = os.time({year = 2024, month = 6, day = 1, hour = 0})

function request()
  n = n + 1
  local k = n * 16 + tid
  local path = paths[(k % #paths) + 1]
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ", base + k)
  local body = '{"status":"in_transit","event_time":"' .. at ..
    '","location":"Hub ' .. (k % 50) .. '","raw":{"seq":' .. k .. '}}'
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end
