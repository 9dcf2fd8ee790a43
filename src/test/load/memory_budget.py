"""The decode memory budget under the worst uploads (issue 11), measured, not timed.

Starts the packaged service as a 2 GiB pod runs it (the JVM told the machine has 2 GiB and to
take 25 % of it as heap: deploy/k8s's MaxRAMPercentage=25), sends CLIENTS concurrent uploads of
the costliest image the default limits accept -- a progressive JPEG without chroma subsampling at
aligncap.image.max-pixels, whose decode keeps 6 bytes of DCT coefficients per pixel outside the
heap -- ROUNDS times each, and then reads the service's peak RSS (VmHWM) from /proc/<pid>/status.

Then BODIES connections each send all but the last byte of a JSON body just under
quarkus.http.limits.max-body-size and finish together: without aligncap.api.max-buffered-body-bytes
two dozen of them fill the heap before any decode starts (the JVM runs with
-XX:+ExitOnOutOfMemoryError, as in the pod, so that would end it).

Passes when every upload got 200 or 503 (the bulkhead's refusal, problem+json with Retry-After),
images over the pixel limit and over the decode budget (a CMYK progressive JPEG: 8 bytes a pixel)
got 413 before they were decoded, every large body got 400 (it is no image) or 503 with
Retry-After, the service is still up, and the peak RSS stayed under --bound-mib.

    python memory_budget.py --jar target/quarkus-app/quarkus-run.jar [--clients 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw


def worst_jpeg(side: int, mode: str = "RGB") -> bytes:
    """A smooth picture, so the file is small (a few MB) while its decode is as costly as any."""
    gradient = Image.linear_gradient("L").resize((side, side))
    im = Image.merge("RGB", (gradient, gradient.rotate(90), gradient.rotate(45)))
    draw = ImageDraw.Draw(im)
    for i in range(0, side, side // 20):
        draw.line([(i, 0), (side - i, side)], fill=(255, 0, 0), width=3)
    out = io.BytesIO()
    # 4:4:4: every component at full resolution (CMYK: four of them)
    im.convert(mode).save(out, "JPEG", progressive=True, subsampling=0, quality=90)
    return out.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def post(port: int, body: bytes) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("POST", "/v1/captions?beam_size=1", body, {"Content-Type": "image/jpeg"})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def held_bodies(port: int, count: int, size: int) -> dict[str, int]:
    """COUNT connections send all but the last byte of a SIZE-byte JSON body, then all finish;
    the status line of each answer (or the error that came instead), counted."""
    body = b'{"image": "' + b"A" * (size - 14) + b'"}'
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=300)
        s.sendall(b"POST /v1/captions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        try:
            s.sendall(body[:-1])
        except OSError:
            pass  # refused before the end: its answer is waiting
        socks.append(s)
    counts: dict[str, int] = {}
    for s in socks:
        try:
            try:
                s.sendall(body[-1:])
            except OSError:
                pass
            answer = s.recv(65536).decode("latin-1")
            head, _, rest = answer.partition("\r\n\r\n")
            status = head.split("\r\n")[0].split(" ")[1]
            if status == "503" and ("retry-after:" not in head.lower()
                                    or "application/problem+json" not in head.lower()):
                status = "503 without Retry-After or problem+json"
        except (OSError, IndexError) as e:
            status = f"no answer ({e!r})"
        finally:
            s.close()
        counts[status] = counts.get(status, 0) + 1
    return counts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jar", default="target/quarkus-app/quarkus-run.jar")
    p.add_argument("--clients", type=int, default=8, help="concurrent uploads (above the bulkhead)")
    p.add_argument("--rounds", type=int, default=3, help="uploads per client")
    p.add_argument("--side", type=int, default=5000,
                   help="side of the square worst case: 5000 = the default aligncap.image.max-pixels")
    p.add_argument("--over-side", type=int, default=7000, help="a side the defaults refuse (413)")
    p.add_argument("--pod-memory", default="2g", help="the memory the JVM is told it has")
    p.add_argument("--bodies", type=int, default=24, help="concurrent large JSON bodies")
    p.add_argument("--body-bytes", type=int, default=24_000_000,
                   help="their size: just under quarkus.http.limits.max-body-size (24M)")
    # heap at most 512 MiB + 2 decodes x aligncap.image.max-decode-bytes (160 MiB) outside it +
    # the JVM and ONNX Runtime at ready and their arenas (~450 MiB): 1280 MiB of the 2 GiB limit
    p.add_argument("--bound-mib", type=int, default=1280, help="the peak RSS allowed")
    p.add_argument("--log", default=None, help="where the service's output goes")
    a = p.parse_args()

    image = worst_jpeg(a.side)
    refused = {
        f"{a.over_side}x{a.over_side} progressive JPEG (over the pixel limit)": worst_jpeg(a.over_side),
        # under the pixel limit, but 8 bytes of coefficients a pixel: over the decode budget
        f"{a.side}x{a.side} progressive CMYK JPEG (over the decode budget)": worst_jpeg(a.side, "CMYK"),
    }
    port = free_port()
    log = open(a.log, "w") if a.log else tempfile.TemporaryFile("w+")
    env = dict(os.environ, QUARKUS_HTTP_HOST="127.0.0.1", QUARKUS_HTTP_PORT=str(port),
               ALIGNCAP_INFERENCE_PROVIDERS="cpu")
    service = subprocess.Popen(
        ["java", f"-XX:MaxRAM={a.pod_memory}", "-XX:MaxRAMPercentage=25",
         "-XX:+ExitOnOutOfMemoryError", "-jar", a.jar],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(480):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/q/health/ready")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if service.poll() is not None:
                raise SystemExit(f"the service exited with {service.returncode}")
            time.sleep(0.5)
        else:
            raise SystemExit("the service did not become ready")
        ready_rss = status_kib(service.pid, "VmRSS") // 1024

        results: list[tuple[int, dict, bytes]] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(a.rounds):
                r = post(port, image)
                with lock:
                    results.append(r)

        start = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.monotonic() - start
        peak = status_kib(service.pid, "VmHWM") // 1024
        counts: dict[int, int] = {}
        for status, _, _ in results:
            counts[status] = counts.get(status, 0) + 1
        print(f"{a.clients} clients x {a.rounds} uploads of a {a.side}x{a.side} progressive 4:4:4 JPEG "
              f"({len(image) // 1024} KiB) in {seconds:.0f} s: statuses {counts}; RSS {ready_rss} MiB at "
              f"ready, peak (VmHWM) {peak} MiB; bound {a.bound_mib} MiB "
              f"(-XX:MaxRAM={a.pod_memory} -XX:MaxRAMPercentage=25)")
        failed = False
        for what, body in refused.items():
            status, _, answer = post(port, body)
            if status == 413:
                print(f"{what} refused before decoding: {json.loads(answer)['detail']}")
            else:
                print(f"FAIL: a {what} got {status}, expected 413: {answer[:300]!r}")
                failed = True
        for status, headers, body in results:
            if status == 503:
                problem = json.loads(body)
                if "retry-after" not in headers or not headers.get("content-type", "").startswith(
                        "application/problem+json") or problem.get("status") != 503:
                    print(f"FAIL: a 503 without Retry-After or problem+json: {headers} {body[:200]!r}")
                    failed = True
            elif status != 200:
                print(f"FAIL: status {status}: {body[:300]!r}")
                failed = True
        if counts.get(200, 0) == 0:
            print("FAIL: no upload was captioned")
            failed = True
        bodies = held_bodies(port, a.bodies, a.body_bytes)
        print(f"{a.bodies} JSON bodies of {a.body_bytes} bytes held open, then finished together: "
              f"statuses {bodies}")
        if set(bodies) - {"400", "503"} or service.poll() is not None:
            print(f"FAIL: a large body got something else than 400 or 503 with Retry-After, or the "
                  f"service ended (exit {service.poll()}): {bodies}")
            failed = True
        peak = status_kib(service.pid, "VmHWM") // 1024 if service.poll() is None else peak
        print(f"peak RSS (VmHWM) after both: {peak} MiB; bound {a.bound_mib} MiB")
        if peak > a.bound_mib:
            print(f"FAIL: peak RSS {peak} MiB is over the {a.bound_mib} MiB bound")
            failed = True
        return 1 if failed else 0
    finally:
        service.terminate()
        try:
            service.wait(30)
        except subprocess.TimeoutExpired:
            service.kill()


if __name__ == "__main__":
    sys.exit(main())
