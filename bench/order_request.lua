-- wrk script of bench/heavy_reads.sh: POST one order request ($BENCH_BODY) per request, as
-- the client user whose access token is $BENCH_TOKEN.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
