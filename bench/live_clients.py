#!/usr/bin/env python3
"""SSE clients for bench/live_stream.sh (standard library only).

Opens --streams concurrent `GET /api/v1/me/stream` connections, waits until every one has
its first `id:` line (open), writes the server's RSS then to --ready, and reads for --secs.
Every stream counts the events it receives; --sample of them also parse each event's
payload.sent_at (epoch seconds, taken by the writer just before COMMIT) and record
receive time - sent_at: the commit-to-client latency. Prints one JSON object.
"""
import argparse, asyncio, json, time
from urllib.parse import urlparse


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def stream(i, host, port, path, token, opened, stop, out, sample):
    r, w = await asyncio.open_connection(host, port)
    w.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Accept: text/event-stream\r\n\r\n".encode())
    await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        out["refused"] += 1
        opened.set_result(False) if not opened.done() else None
        return
    buf = b""
    events = 0
    is_open = False
    while not stop.is_set():
        if not sample:
            # Unsampled streams only count events: reading in batches keeps this process
            # from being the bottleneck (the server's socket buffers hold the backlog).
            await asyncio.sleep(0.25)
        try:
            chunk = await asyncio.wait_for(r.read(1 << 20), 0.5)
        except asyncio.TimeoutError:
            continue
        if not chunk:
            break
        now = time.time()
        if not is_open and b"id:" in chunk:
            is_open = True
            opened.set_result(True)
        n = chunk.count(b"\nevent: ") + chunk.startswith(b"event: ")
        events += n
        if sample and n:
            buf += chunk
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: ") and b"sent_at" in line:
                        sent = json.loads(line[6:])["payload"]["sent_at"]
                        out["latencies"].append(now - float(sent))
    out["events"].append(events)
    w.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--streams", type=int, default=1000)
    p.add_argument("--sample", type=int, default=50)
    p.add_argument("--secs", type=float, default=20)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--ready", required=True)
    a = p.parse_args()
    u = urlparse(a.url)
    stop = asyncio.Event()
    out = {"events": [], "latencies": [], "refused": 0}
    before = rss_kib(a.pid)
    loop = asyncio.get_running_loop()
    openers = [loop.create_future() for _ in range(a.streams)]
    tasks = []
    t0 = time.time()
    for i in range(a.streams):
        tasks.append(asyncio.create_task(stream(i, u.hostname, u.port, u.path, a.token,
                                                openers[i], stop, out, i < a.sample)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*openers), 120)
    open_secs = time.time() - t0
    after = rss_kib(a.pid)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    await asyncio.sleep(a.secs)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    lat = sorted(out["latencies"])
    q = lambda x: round(lat[min(len(lat) - 1, int(x * len(lat)))] * 1000, 1) if lat else None
    ev = out["events"]
    print(json.dumps({
        "streams": a.streams, "refused": out["refused"], "open_secs": round(open_secs, 2),
        "rss_before_kib": before, "rss_open_kib": after,
        "kib_per_stream": round((after - before) / a.streams, 1),
        "events_min": min(ev) if ev else 0, "events_max": max(ev) if ev else 0,
        "latency_samples": len(lat), "p50_ms": q(0.5), "p99_ms": q(0.99), "max_ms": q(1.0),
    }))


asyncio.run(main())
