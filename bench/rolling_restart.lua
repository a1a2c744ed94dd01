-- wrk script of bench/rolling_restart.sh: POSTs one order request per call and counts the
-- answers (201 = an acknowledged write) per thread; done() prints the totals on one line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created, failed = 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  wrk.body = '{"status":"submitted","items":[{"product_id":"' .. os.getenv("PRODUCT") .. '","quantity":1}]}'
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
end

function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    f = f + t:get("failed")
  end
  local e = summary.errors
  io.write(string.format("RESULT created=%d failed=%d socket_errors=%d p99_ms=%.1f\n",
    c, f, e.connect + e.read + e.write + e.timeout, latency:percentile(99) / 1000))
end
