-- wrk script (bench/e2e.py): POST one image to /v1/captions, print a RESULT line that
-- bench/e2e.py reads (wrk's own summary has no p95). BENCH_IMAGE: the file; BENCH_TYPE: its
-- media type; BENCH_PATH: path and query.
local f = assert(io.open(os.getenv("BENCH_IMAGE"), "rb"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = os.getenv("BENCH_TYPE") or "image/png"
wrk.path = os.getenv("BENCH_PATH") or "/v1/captions?beam_size=3"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT mean=%.3f p50=%.3f p95=%.3f p99=%.3f rps=%.2f n=%d errors=%d non2xx=%d\n",
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
