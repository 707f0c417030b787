-- wrk script for scripts/load-bench.sh: optional POST body (server fns), per-status counting, and
-- one machine-readable result line. wrk's own "Non-2xx or 3xx" count treats redirects as success,
-- which would hide a bench that measures redirects to /login, so every non-2xx is counted here.
--
-- Environment (read once per thread):
--   WRK_METHOD   GET (default) or POST
--   WRK_BODY     request body (POST)
--   WRK_CTYPE    Content-Type of the body (default application/x-www-form-urlencoded)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  statuses = {}
  local method = os.getenv("WRK_METHOD") or "GET"
  local body = os.getenv("WRK_BODY")
  if method ~= "GET" then
    wrk.method = method
    wrk.body = body or ""
    wrk.headers["Content-Type"] = os.getenv("WRK_CTYPE") or "application/x-www-form-urlencoded"
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, codes = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    -- per-status counts, as "code:count" strings, for the first few codes seen
    local s = t:get("statuses")
    if s then
      for code, n in pairs(s) do codes[code] = (codes[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, code .. "x" .. n) end
  local secs = summary.duration / 1e6
  local sock = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d codes=%s\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, sock, (#parts > 0) and table.concat(parts, ",") or "-"))
end
