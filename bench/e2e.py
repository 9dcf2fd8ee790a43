"""End to end over HTTP, start-up and growth (issue 12, sections 2-4).

Starts the packaged service (target-bench/quarkus-app) the way the container runs it (the
JVM options of deploy/docker/Dockerfile.jvm and deploy/k8s/base, a 2 GiB limit emulated with
-XX:MaxRAM, 2 CPUs) and measures, with wrk (Debian's, driven by bench/post.lua):

- start-up: process start to /q/health/ready, and to the first caption, without and with a
  dynamic AppCDS archive (class-data sharing, -XX:SharedArchiveFile);
- latency p50/p95/p99, throughput and errors at concurrency 1, 4, 16, 64, with batching on
  and off (two services up at once, their runs taking turns); the service's CPU time per request (from /proc, which competing load inflates far
  less than wall time); RSS idle and its peak under load;
- the ratio of c=1 HTTP latency to the compute inside the service during the same run (mean
  against mean: the service's stage timers in /q/metrics, decode included);
- growth: latency and RSS against image size (256², 1024², 4096² px, JPEG and PNG, drawn
  with Pillow) and beam size (1, 3, 7);
- optionally a soak (RSS every 10 s under c=16 for --soak seconds);
- JFR recordings (--jfr) in extra c=1 and c=16 runs of their own, so that the sampling's cost
  stays out of the measured figures.

  .venv/bin/python bench/e2e.py --app target-bench/quarkus-app --model DIR --out FILE
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")

# deploy/docker/Dockerfile.jvm + deploy/k8s/base/deployment.yaml (2 CPUs, 2 GiB), as shipped
CONTAINER_JVM = ["-XX:MaxRAM=2g", "-XX:ActiveProcessorCount=2"]


def shipped_jvm_options() -> list[str]:
    """JAVA_TOOL_OPTIONS of the shipped Dockerfile, less the in-image native path."""
    text = (HERE.parent / "deploy/docker/Dockerfile.jvm").read_text()
    m = re.search(r'JAVA_TOOL_OPTIONS="([^"]*)"', text)
    return [o for o in m.group(1).split() if not o.startswith("-Donnxruntime.native.path")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Service:
    def __init__(self, app: Path, model: Path, env: dict, jvm: list[str], log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, ALIGNCAP_MODEL_PATH=str(model), ALIGNCAP_INFERENCE_PROVIDERS="cpu",
                        ALIGNCAP_INFERENCE_INTRA_OP_THREADS="2", QUARKUS_HTTP_PORT=str(self.port),
                        JAVA_TOOL_OPTIONS=" ".join(shipped_jvm_options() + CONTAINER_JVM + jvm), **env)
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(["java", "-jar", str(app / "quarkus-run.jar")], env=full_env,
                                     stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=180) -> float:
        while time.monotonic() - self.t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("the service exited during start-up")
            try:
                with urllib.request.urlopen(self.base + "/q/health/ready", timeout=1) as r:
                    if r.status == 200:
                        return time.monotonic() - self.t0
            except OSError:
                pass
            time.sleep(0.01)
        raise TimeoutError("not ready")

    def caption(self, body: bytes, ctype: str, query: str = "beam_size=3") -> dict:
        req = urllib.request.Request(f"{self.base}/v1/captions?{query}", data=body,
                                     headers={"Content-Type": ctype})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(svc: Service, image: Path, ctype: str, query: str, conns: int, seconds: int) -> dict:
    """One wrk run; RSS sampled every 0.2 s meanwhile; the service's CPU time per request."""
    env = dict(os.environ, BENCH_IMAGE=str(image), BENCH_TYPE=ctype, BENCH_PATH=f"/v1/captions?{query}")
    peak = [0.0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(svc.pid))
            stop.wait(0.2)

    t = threading.Thread(target=sample)
    t.start()
    cpu0 = proc_cpu_s(svc.pid)
    stages0 = stage_seconds(svc)
    out = subprocess.run(["wrk", "-t", str(min(conns, 4)), "-c", str(conns), "-d", f"{seconds}s",
                          "--timeout", "30s", "-s", str(HERE / "post.lua"), svc.base],
                         env=env, capture_output=True, text=True, check=True).stdout
    cpu = proc_cpu_s(svc.pid) - cpu0
    stages1 = stage_seconds(svc)
    stop.set()
    t.join()
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    r = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    r.update(conns=conns, rss_peak_mb=peak[0], rss_after_mb=rss_mb(svc.pid), load=load(),
             cpu_ms_per_request=1000 * cpu / max(1, r["n"]),
             # the compute inside the service during this run, per request: its stage timers
             compute_ms_per_request=1000 * (stages1[0] - stages0[0]) / max(1, stages1[1] - stages0[1]))
    return r


def draw(out: Path) -> dict[str, tuple[Path, str]]:
    """Test images at 256², 1024², 4096²: JPEG (gradients plus noise, quality 90) and PNG
    (the gradients alone)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    images = {}
    for side in (256, 1024, 4096):
        y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
        smooth = np.stack([x * 255, y * 255, (1 - x) * y * 255], -1)
        noisy = (smooth + rng.normal(0, 12, smooth.shape)).clip(0, 255).astype(np.uint8)
        for fmt, ext, ctype in (("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png")):
            path = out / f"growth-{side}.{ext}"
            buf = io.BytesIO()
            if fmt == "JPEG":
                Image.fromarray(noisy).save(buf, fmt, quality=90)
            else:  # noise-free: a noisy 4096² PNG is over the 16 MiB upload limit
                Image.fromarray(smooth.astype(np.uint8)).save(buf, fmt, compress_level=6)
            path.write_bytes(buf.getvalue())
            images[f"{side}² {fmt}"] = (path, ctype)
    return images


def stage_seconds(svc: Service) -> tuple[float, float]:
    """From /q/metrics: the seconds all stages took so far (the timer aligncap.inference, decode
    included) and the number of decodes (one per request)."""
    with urllib.request.urlopen(svc.base + "/q/metrics", timeout=10) as r:
        text = r.read().decode()
    total = decodes = 0.0
    for kind, labels, value in re.findall(r'^aligncap_inference_seconds_(sum|count)\{([^}]*)\}\s+(\S+)', text, re.M):
        if kind == "sum":
            total += float(value)
        elif 'stage="decode"' in labels:
            decodes += float(value)
    return total, decodes


def startups(args, image: Path, ctype: str, work: Path, jvm: list[str], runs: int = 3) -> list[dict]:
    """Fresh JVMs: process start to ready and to the first caption, and the CPU time spent."""
    starts = []
    for i in range(runs):
        log = work / f"start-{len(jvm)}-{i}.log"
        svc = Service(args.app, args.model, {}, jvm, log)
        ready = svc.wait_ready()
        svc.caption(image.read_bytes(), ctype)
        first = time.monotonic() - svc.t0
        cpu = proc_cpu_s(svc.pid)
        svc.stop()
        starts.append({"ready_s": ready, "first_caption_s": first, "cpu_s_to_first_caption": cpu, "load": load(),
                       **startup_log(log.read_text())})
    return starts


def startup_log(text: str) -> dict:
    """Where start-up went, from the service's own log lines: the model package read and verified,
    the model ready (sessions opened and the warm-up inference), and Quarkus' "started in"."""
    found = {}
    for key, pattern in (("model_load_ms", r"loaded and verified from .* in (\d+) ms"),
                         ("model_ready_ms", r"ready on \S+ in (\d+) ms"),
                         ("quarkus_started_s", r"started in ([\d.]+)s")):
        m = re.search(pattern, text)
        if m:
            found[key] = float(m.group(1))
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--app", type=Path, required=True)
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--seconds", type=int, default=15, help="per wrk run")
    ap.add_argument("--conns", default="1,4,16,64")
    ap.add_argument("--soak", type=int, default=0, help="seconds of c=16 with RSS sampled (0: none)")
    ap.add_argument("--jfr", type=Path, help="record JFR profiles at c=1 and c=16 into this folder")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    golden = json.loads((args.model / "golden" / "golden.json").read_text())
    image = args.model / "golden" / golden["images"][0]["file"]
    ctype = "image/png" if image.suffix == ".png" else "image/jpeg"
    conns = [int(c) for c in args.conns.split(",")]
    work = Path(tempfile.mkdtemp(prefix="aligncap-bench-"))
    result = {"image": str(image), "jvm": shipped_jvm_options() + CONTAINER_JVM, "seconds": args.seconds, "runs": {}}

    result["startup"] = startups(args, image, ctype, work, [])
    # class-data sharing (issue 12, start-up): a dynamic AppCDS archive of every class a start and a
    # caption load (JEP 350), written by one training start that exits normally, then used
    cds = work / "app-cds.jsa"
    startups(args, image, ctype, work, [f"-XX:ArchiveClassesAtExit={cds}"], runs=1)
    if cds.exists():
        result["startup_cds"] = startups(args, image, ctype, work, [f"-XX:SharedArchiveFile={cds}"])

    # batching on and off: both services up at once, their wrk runs taking turns at each
    # concurrency (the order flips each time), so that a change in the machine's load hits both
    modes = (("batching on", {}), ("batching off", {"ALIGNCAP_BATCHING_ENABLED": "false"}))
    svcs, runs = {}, result["runs"]
    body = image.read_bytes()
    for mode, env in modes:
        svcs[mode] = Service(args.app, args.model, env, [], work / f"{mode}.log")
        svcs[mode].wait_ready()
    for mode, svc in svcs.items():
        for _ in range(200):  # JIT warm-up
            svc.caption(body, ctype)
    time.sleep(2)
    for mode, svc in svcs.items():
        runs[mode] = {"rss_idle_mb": rss_mb(svc.pid), "load": load(), "wrk": []}
    for mode, svc in svcs.items():
        wrk(svc, image, ctype, "beam_size=3", 16, 10)  # warm-up under concurrency
    for i, c in enumerate(conns):
        for mode in (list(svcs) if i % 2 == 0 else list(reversed(list(svcs)))):
            runs[mode]["wrk"].append(wrk(svcs[mode], image, ctype, "beam_size=3", c, args.seconds))
    off = svcs.pop("batching off")
    runs["batching off"]["rss_hwm_mb"] = rss_mb(off.pid, "VmHWM")
    off.stop()
    svc, run = svcs["batching on"], runs["batching on"]
    if args.jfr:
        # JFR in runs of their own after the measured ones (its sampling costs CPU), each
        # recording one concurrency alone
        run["profiled"] = []
        for c in (1, 16):
            subprocess.run(["jcmd", str(svc.pid), "JFR.start", f"name=c{c}", "settings=profile"],
                           check=True, capture_output=True)
            run["profiled"].append(wrk(svc, image, ctype, "beam_size=3", c, args.seconds))
            subprocess.run(["jcmd", str(svc.pid), "JFR.stop", f"name=c{c}", f"filename={args.jfr}/c{c}.jfr"],
                           check=True, capture_output=True)
    run["beams"] = [dict(beam=k, **wrk(svc, image, ctype, f"beam_size={k}", 1, args.seconds)) for k in (1, 3, 7)]
    growth = []
    for label, (path, gtype) in draw(work).items():
        for _ in range(5):
            svc.caption(path.read_bytes(), gtype)
        growth.append(dict(image=label, bytes=path.stat().st_size,
                           **wrk(svc, path, gtype, "beam_size=3", 1, args.seconds)))
    run["growth"] = growth
    if args.soak:
        soak, t_end = [], time.monotonic() + args.soak
        env_w = dict(os.environ, BENCH_IMAGE=str(image), BENCH_TYPE=ctype, BENCH_PATH="/v1/captions?beam_size=3")
        w = subprocess.Popen(["wrk", "-t", "4", "-c", "16", "-d", f"{args.soak}s", "-s", str(HERE / "post.lua"),
                              svc.base], env=env_w, stdout=subprocess.PIPE, text=True)
        while time.monotonic() < t_end:
            soak.append((round(args.soak - (t_end - time.monotonic())), rss_mb(svc.pid)))
            time.sleep(10)
        out = w.communicate()[0]
        run["soak"] = {"rss_mb": soak, "wrk": next(x for x in out.splitlines() if x.startswith("RESULT")),
                       "rss_end_mb": rss_mb(svc.pid), "load": load()}
    run["rss_hwm_mb"] = rss_mb(svc.pid, "VmHWM")
    svc.stop()
    for mode in runs:
        print(json.dumps({mode: runs[mode]["wrk"]}, indent=None))
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
