"""Measure the service's memory under load, for sizing a pod's requests and limits.

Starts the fast-jar as a container would run it (heap from -XX:MaxRAMPercentage of a
given memory limit, ONNX Runtime intra-op threads and JVM processor count from a given
CPU request), waits for /q/health/ready, then posts images to /v1/captions from
--concurrency clients and samples the process's resident set (VmRSS) every 50 ms.
Reports RSS at ready, the peak (VmHWM), RSS after the load, and the JVM's own share
(Native Memory Tracking: heap committed, everything else the JVM allocates); what is
left of RSS is ONNX Runtime's arenas and malloc, image decoding's native buffers, and
the shared libraries' pages.

    mvn -B -ntp -Dbuild.dir=target-b package -DskipTests
    python3 deploy/k8s/measure_memory.py --app target-b/quarkus-app --limit 1536m --cpus 2 \
        --concurrency 8 --requests 400 models/scenes-v2/golden/000.png
    # a large PNG under aligncap.image.max-pixels (25 Mpx); the worst case, a progressive JPEG at
    # that limit, is what .ci/steps/26-budget.sh asserts the budget with
    python3 deploy/k8s/measure_memory.py ... --concurrency 4 --requests 8 --synthetic 5000x5000

Standard library only; loopback traffic only; bounded in requests and time.
"""

import argparse
import concurrent.futures
import http.client
import os
import pathlib
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def synthetic_png(width, height):
    """A width x height RGB PNG of a gradient (compresses well, decodes to 3 bytes a pixel)."""
    row = bytes(b for x in range(width) for b in (x % 256, (x // 256) % 256, 128))
    raw = b"".join(b"\x00" + row for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def get(port, path, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def post_images(port, body, content_type, n, timeout):
    """n sequential POSTs on one keep-alive connection; returns the status codes."""
    codes = []
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        for _ in range(n):
            c.request("POST", "/v1/captions", body=body, headers={"Content-Type": content_type})
            r = c.getresponse()
            r.read()
            codes.append(r.status)
    finally:
        c.close()
    return codes


def parse_size(text):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    m = re.fullmatch(r"(\d+)([kmg]?)i?", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"expected a size like 1536m or 2g, got {text!r}")
    return int(m.group(1)) * units.get(m.group(2), 1)


def nmt_committed_mb(pid):
    """JVM-side committed memory from Native Memory Tracking: (total, Java heap), MB."""
    out = subprocess.run(["jcmd", str(pid), "VM.native_memory", "summary"],
                         capture_output=True, text=True, timeout=60).stdout
    total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", out)
    heap = re.search(r"Java Heap \(reserved=\d+KB, committed=(\d+)KB\)", out)
    if not (total and heap):
        return None, None
    return int(total.group(1)) // 1024, int(heap.group(1)) // 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image", nargs="?", help="image to post (default: --synthetic)")
    ap.add_argument("--app", default="target/quarkus-app", help="fast-jar directory")
    ap.add_argument("--limit", type=parse_size, default=parse_size("1536m"),
                    help="container memory limit the JVM sizes its heap from (-XX:MaxRAM)")
    ap.add_argument("--ram-percentage", type=float, default=50.0, help="-XX:MaxRAMPercentage")
    ap.add_argument("--cpus", type=int, default=2,
                    help="CPU request: -XX:ActiveProcessorCount and ONNX Runtime intra-op threads")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400, help="in total, split over the clients")
    ap.add_argument("--synthetic", help="WxH: post a generated PNG of that size instead of IMAGE")
    ap.add_argument("--timeout", type=float, default=600, help="seconds for the whole run")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the service")
    args = ap.parse_args()
    if bool(args.image) == bool(args.synthetic):
        ap.error("give an IMAGE or --synthetic WxH")

    if args.synthetic:
        w, h = map(int, args.synthetic.lower().split("x"))
        body, ctype, what = synthetic_png(w, h), "image/png", f"synthetic {w}x{h} PNG"
    else:
        path = pathlib.Path(args.image)
        body = path.read_bytes()
        ctype = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}.get(
            path.suffix.lower(), "application/octet-stream")
        what = path.name
    jar = pathlib.Path(args.app) / "quarkus-run.jar"
    if not jar.is_file():
        sys.exit(f"{jar} not found: build with mvn -B -ntp -Dbuild.dir=target-b package -DskipTests")

    port = free_port()
    tmp = tempfile.mkdtemp(prefix="aligncap-mem-")
    env = dict(os.environ, QUARKUS_HTTP_PORT=str(port), QUARKUS_HTTP_HOST="127.0.0.1",
               ALIGNCAP_INFERENCE_PROVIDERS="cpu",
               ALIGNCAP_INFERENCE_INTRA_OP_THREADS=str(args.cpus))
    env.update(kv.split("=", 1) for kv in args.env)
    cmd = ["java", f"-XX:MaxRAM={args.limit}", f"-XX:MaxRAMPercentage={args.ram_percentage}",
           f"-XX:ActiveProcessorCount={args.cpus}", "-XX:+ExitOnOutOfMemoryError",
           "-XX:NativeMemoryTracking=summary", f"-Djava.io.tmpdir={tmp}",
           "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", str(jar)]
    log = open(pathlib.Path(tmp) / "service.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + args.timeout
    try:
        t0 = time.monotonic()
        while True:
            if proc.poll() is not None:
                sys.exit(f"service exited with {proc.returncode}; log: {log.name}")
            try:
                if get(port, "/q/health/ready")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("service not ready in time")
            time.sleep(0.25)
        ready_s = time.monotonic() - t0
        rss_ready = status_kb(proc.pid, "VmRSS") // 1024
        jvm_ready, heap_ready = nmt_committed_mb(proc.pid)

        peak = [rss_ready]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], status_kb(proc.pid, "VmRSS") // 1024)
                except (OSError, AttributeError):
                    return
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        per_client = [args.requests // args.concurrency + (i < args.requests % args.concurrency)
                      for i in range(args.concurrency)]
        t1 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            futures = [pool.submit(post_images, port, body, ctype, n, max(1.0, deadline - t1))
                       for n in per_client if n]
            codes = [c for f in futures for c in f.result()]
        load_s = time.monotonic() - t1
        jvm_load, heap_load = nmt_committed_mb(proc.pid)
        stop.set()
        sampler.join()
        rss_after = status_kb(proc.pid, "VmRSS") // 1024
        hwm = status_kb(proc.pid, "VmHWM") // 1024
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    by_code = {c: codes.count(c) for c in sorted(set(codes))}
    heap_max = int(args.limit * args.ram_percentage / 100) >> 20
    print(f"settings      limit {args.limit >> 20} MB, MaxRAMPercentage {args.ram_percentage:g} "
          f"(max heap {heap_max} MB), {args.cpus} CPUs / intra-op threads")
    print(f"load          {what} ({len(body)} bytes), {args.concurrency} clients, "
          f"{len(codes)} requests in {load_s:.1f} s, status {by_code}")
    print(f"ready         {ready_s:.1f} s, RSS {rss_ready} MB (JVM committed {jvm_ready} MB, heap {heap_ready} MB)")
    print(f"under load    RSS peak {max(peak[0], hwm)} MB (VmHWM {hwm} MB), "
          f"JVM committed after {jvm_load} MB (heap {heap_load} MB)")
    print(f"after         RSS {rss_after} MB")
    # 503: the decode bulkhead's refusal (every slot busy for aligncap.image.decode-wait), by design
    if any(c >= 500 and c != 503 for c in codes):
        sys.exit("5xx answers under load: see " + log.name)


if __name__ == "__main__":
    main()
