"""Writes docs/benchmarks.md from bench/run.sh's results (issue 12). Figures only; the
analysis of a run (what limits a target) is bench/notes.md, included as it is.

  .venv/bin/python bench/report.py --model DIR --results target-bench/results --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ms(v: float) -> str:
    return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def num(v) -> str:
    """A JMH figure: a number, or "NaN" (a string) when there were too few iterations for it."""
    return f"{v:.2f}" if isinstance(v, int | float) else str(v)


def table(head: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def coldstart(text: str) -> dict:
    runs = re.findall(r"init ([\d.]+) s, init \+ first POST /v1/captions ([\d.]+) s \(HTTP (\d+)\); "
                      r"init CPU ([\d.]+) s, ([\d.]+) s of it on the busiest thread; peak RSS ([\d.]+) MB", text)
    load = text.split("load average:")[1].split("\n")[0].strip() if "load average:" in text else "?"
    return {"runs": [tuple(float(x) for x in r) for r in runs], "load": load,
            "estimate": next((l for l in text.splitlines() if l.startswith("init estimate")), "")}


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def targets(stages: dict, e2e: dict, r: Path) -> list[str]:
    """The issue's targets against this run's figures; notes.md says what limits those not met."""
    st = stages["stages"]
    rows = []
    per_stage = {k: v["ratio_cpu"] for k, v in st.items() if not k.startswith("beam search")}
    over = [f"{k} {v:.2f}" for k, v in per_stage.items() if v > 1.0]
    rows.append(["Java ≤ Python per stage (CPU time ratio ≤ 1.0)",
                 "over 1.0: " + "; ".join(over) if over else "all ≤ 1.0", verdict(not over)])
    beams = {k: v["ratio_cpu"] for k, v in st.items() if k.startswith("beam search")}
    rows.append(["Java ≤ Python for the whole beam search",
                 ", ".join(f"{k.split(', ')[1]} {v:.2f}" for k, v in beams.items()),
                 verdict(all(v <= 1.0 for v in beams.values()))])
    on, off = e2e["runs"]["batching on"], e2e["runs"]["batching off"]
    c1 = next(w for w in on["wrk"] if w["conns"] == 1)
    ratio = c1["mean"] / c1["compute_ms_per_request"]
    rows.append(["c=1 HTTP latency ≤ 1.15 × the in-process compute",
                 f"mean {ms(c1['mean'])} ms against {ms(c1['compute_ms_per_request'])} ms inside: ×{ratio:.2f}",
                 verdict(ratio <= 1.15)])
    c16 = {m: next((w for w in e2e["runs"][m]["wrk"] if w["conns"] == 16), None) for m in e2e["runs"]}
    if all(c16.values()):
        gain = c16["batching on"]["rps"] / c16["batching off"]["rps"]
        rows.append(["c=16 throughput with batching ≥ 1.5 × without",
                     f"{c16['batching on']['rps']:.0f} against {c16['batching off']['rps']:.0f} requests/s: ×{gain:.2f}",
                     verdict(gain >= 1.5)])
        peak = max(w["rss_peak_mb"] for w in c16.values())
        rows.append(["RSS ≤ 400 MB at c=16, shipped container settings",
                     f"peak {c16['batching on']['rss_peak_mb']:.0f} MB (batching on), "
                     f"{c16['batching off']['rss_peak_mb']:.0f} MB (off)", verdict(peak <= 400)])
    soak = on.get("soak")
    if soak:
        rss = [v for _, v in soak["rss_mb"]]
        half = rss[len(rss) // 2:]
        flat = max(half) - min(half) <= 0.05 * max(half) and max(rss) <= 400
        rows.append([f"… flat over a {soak['rss_mb'][-1][0] + 10} s soak at c=16",
                     f"{rss[0]:.0f} → {rss[-1]:.0f} MB, highest {max(rss):.0f} MB", verdict(flat)])
    else:
        rows.append(["… flat over a 10-minute soak", "not run (BENCH_SOAK=600)", "not measured"])
    ready = sorted(s["ready_s"] for s in e2e["startup"])[len(e2e["startup"]) // 2]
    cds = e2e.get("startup_cds")
    cds_ready = sorted(s["ready_s"] for s in cds)[len(cds) // 2] if cds else None
    rows.append(["JVM start to ready ≤ 2 s", f"median {ready:.2f} s"
                 + (f"; with the AppCDS archive {cds_ready:.2f} s" if cds_ready else ""),
                 verdict(min(ready, cds_ready or ready) <= 2.0)])
    f = r / "coldstart-warmup-false.txt"
    if f.exists():
        runs = coldstart(f.read_text())["runs"]
        best = min(x[1] for x in runs)
        rows.append(["Lambda cold start to first caption ≤ 1.5 s without SnapStart (local harness)",
                     f"{best:.2f} s at best (start-up warm-up off, as the SAM template sets without SnapStart)",
                     verdict(best <= 1.5)])
    g = on["growth"]
    big = next(x for x in g if x["image"] == "4096² JPEG")["p50"] / next(x for x in g if x["image"] == "256² JPEG")["p50"]
    rows.append(["4096² JPEG ≤ 3 × a 256² one in latency", f"×{big:.1f} (p50 at c=1)", verdict(big <= 3.0)])
    return ["## Targets", "", "The issue's targets against this run (what limits those not met: the notes below).", "",
            table(["target", "this run", ""], rows), ""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--results", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    r = a.results
    stages = json.loads((r / "stages.json").read_text())
    e2e = json.loads((r / "e2e.json").read_text())
    manifest = json.loads((a.model / "manifest.json").read_text())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    root = HERE.parent.resolve()
    model = a.model.absolute()
    shown = model.relative_to(root) if model.is_relative_to(root) else model
    command = "bash bench/run.sh" + ("" if shown == Path("models/scenes-v2") else f" {shown}")
    versions = stages.get("onnxruntime", {})
    md = [
        "# Benchmarks",
        "",
        f"Written by `{command}` "
        f"({datetime.date.today().isoformat()}, commit {commit}{' with local changes' if dirty else ''}). "
        "Figures are reported, never asserted in tests; rerun after the default model changes. "
        "How the harness works: [bench/README.md](../bench/README.md).",
        "",
        f"- **Model**: `{manifest['model_id']}` {manifest['model_version']} from `{shown}` "
        f"(input {manifest['image']['input_size']}², {manifest['regions']['count']} regions, "
        f"decoder hidden {manifest['decoder']['hidden_size']}, vocabulary {manifest['vocabulary']['size']}).",
        f"- **Machine**: {os.cpu_count()} cores ({cpu_name()}), Linux {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]}; "
        f"ONNX Runtime {versions.get('java', '?')} in Java (the service's, pom.xml), "
        f"{versions.get('python', '?')} in Python (the training venv's).",
        f"- **Load** (1/5/15-minute averages) at the start: `{(r / 'load-start.txt').read_text().split('load average:')[1].strip()}`, "
        f"at the end: `{(r / 'load-end.txt').read_text().split('load average:')[1].strip()}`; each figure below "
        "carries the load at its time. The machine is shared (a training run, other builds): wall times "
        "are upper bounds, CPU times are the steadier measure.",
        "",
    ]
    if "scratch" in manifest["model_version"]:
        md += [f"**Scratch model**: `{manifest['model_version']}` is a small stand-in package used while the "
               "default model was being trained; these figures describe the harness and the service's fixed "
               "costs, not the shipped model. Rerun `bash bench/run.sh` once it lands.", ""]
    md += targets(stages, e2e, r)
    notes = HERE / "notes.md"
    if notes.exists():
        md += [notes.read_text().strip(), ""]

    md += ["## 1. Per stage: Java against the Python reference pipeline", "",
           f"`bench/stages.py`: {stages['images']} golden images, {stages['rounds']} rounds, Java and Python "
           "taking turns each round; ONNX Runtime with one intra-op thread on both sides (the reference "
           "pipeline's setting). Median per call of the calling thread's CPU time (ONNX Runtime runs on it) and "
           "of wall time; the spread is the lowest and highest round median. Ratio = Java / Python (≤ 1: Java "
           "at least as fast).", ""]
    rows = []
    for label, s in stages["stages"].items():
        j, p = s["java"], s["python"]
        rows.append([label, ms(j["cpu_ms"]), f"{ms(j['cpu_round_min_ms'])}–{ms(j['cpu_round_max_ms'])}",
                     ms(p["cpu_ms"]), f"{ms(p['cpu_round_min_ms'])}–{ms(p['cpu_round_max_ms'])}",
                     f"**{s['ratio_cpu']:.2f}**", f"{s['ratio_wall']:.2f}"])
    md += [table(["stage", "Java CPU ms", "(rounds)", "Python CPU ms", "(rounds)", "ratio CPU", "ratio wall"], rows), ""]
    if stages["token_mismatches"]:
        md += [f"Token mismatches between the two sides: {stages['token_mismatches']}.", ""]
    else:
        md += ["Both sides decoded the same tokens for every image and beam size.", ""]

    md += ["## 2. End to end over HTTP", "",
           f"`bench/e2e.py`: the fast-jar with the shipped container settings (`{' '.join(e2e['jvm'])}`, "
           "`ALIGNCAP_INFERENCE_INTRA_OP_THREADS=2`), wrk (Debian 4.1.0) posting "
           f"`{Path(e2e['image']).name}` to `/v1/captions?beam_size=3` for {e2e.get('seconds', '?')} s a run, "
           "after 200 sequential requests and 10 s at c=16 of warm-up; the services with batching on and off run "
           "side by side and their runs take turns at each concurrency; "
           "CPU ms/request is the service process's CPU time over the run divided by the requests served "
           "(steady under competing load, unlike requests/s).", ""]
    for mode, run in e2e["runs"].items():
        md += [f"**{mode}** (RSS idle {run['rss_idle_mb']:.0f} MB, peak over the whole run "
               f"{run['rss_hwm_mb']:.0f} MB):", ""]
        md += [table(["clients", "p50 ms", "p95 ms", "p99 ms", "requests/s", "errors", "CPU ms/request",
                      "RSS peak MB", "load"],
                     [[w["conns"], ms(w["p50"]), ms(w["p95"]), ms(w["p99"]), f"{w['rps']:.0f}",
                       int(w["errors"] + w["non2xx"]), f"{w['cpu_ms_per_request']:.2f}", f"{w['rss_peak_mb']:.0f}",
                       w["load"]] for w in run["wrk"]]), ""]
    on, off = e2e["runs"]["batching on"], e2e["runs"]["batching off"]
    c16 = {m: next((w for w in e2e["runs"][m]["wrk"] if w["conns"] == 16), None) for m in e2e["runs"]}
    c1 = next(w for w in on["wrk"] if w["conns"] == 1)
    if all(c16.values()):
        md += [f"- **Dynamic batching at c=16**: {c16['batching on']['rps']:.0f} against "
               f"{c16['batching off']['rps']:.0f} requests/s (×{c16['batching on']['rps'] / c16['batching off']['rps']:.2f}); "
               f"CPU per request {c16['batching on']['cpu_ms_per_request']:.2f} against "
               f"{c16['batching off']['cpu_ms_per_request']:.2f} ms "
               f"(throughput on this CPU budget ×{c16['batching off']['cpu_ms_per_request'] / c16['batching on']['cpu_ms_per_request']:.2f})."]
    md += [f"- **c=1 against the compute inside the service**, over the same run: wrk's mean latency "
           f"{ms(c1['mean'])} ms (p50 {ms(c1['p50'])} ms) against the service's own stage timers (decode to "
           f"alignment, `aligncap_inference_seconds` in `/q/metrics`) {ms(c1['compute_ms_per_request'])} ms a request: "
           f"ratio **{c1['mean'] / c1['compute_ms_per_request']:.2f}**; the rest is HTTP, the body, JSON and the "
           "hand-off to a worker thread.", ""]
    if on.get("soak"):
        s = on["soak"]
        early = [x for x in s["rss_mb"] if x[0] < 60]
        every_minute = [x for x in s["rss_mb"] if x[0] >= 60 and x[0] % 60 < 10]
        md += [f"- **Soak**, c=16 for {s['rss_mb'][-1][0] + 10} s"
               + (" (from the previous run of the same build)" if e2e.get("soak_from_earlier_run") else "")
               + ": RSS " + ", ".join(f"{t} s {v:.0f} MB" for t, v in early + every_minute)
               + f"; at the end {s['rss_end_mb']:.0f} MB "
               f"(load {s['load']}); wrk `{s['wrk']}`.", ""]

    md += ["## 3. Start-up", "", "JVM (the fast-jar, the container settings above), fresh starts, without and "
           "with class-data sharing (a dynamic AppCDS archive written by one earlier start and caption, "
           "`-XX:ArchiveClassesAtExit`, then `-XX:SharedArchiveFile`):", ""]
    md += [table(["class-data sharing", "start to ready s", "start to first caption s",
                  "process CPU s to first caption", "Quarkus \"started in\" s", "of it: model ready s "
                  "(package read and verified s)", "load"],
                 [[label, f"{s['ready_s']:.2f}", f"{s['first_caption_s']:.2f}", f"{s['cpu_s_to_first_caption']:.2f}",
                   f"{s.get('quarkus_started_s', float('nan')):.2f}",
                   f"{s.get('model_ready_ms', float('nan')) / 1000:.2f} ({s.get('model_load_ms', float('nan')) / 1000:.2f})",
                   s["load"]]
                  for label, key in (("JDK default", "startup"), ("AppCDS archive", "startup_cds"))
                  for s in e2e.get(key, [])]), ""]
    md += ["Lambda cold start, `deploy/sam/coldstart.py` (AWS's runtime interface client against a local "
           "Runtime API, JVM launch to the first API Gateway `POST /v1/captions` answered, no SnapStart; "
           "`JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1` and batching off as the SAM template sets). Warm-up off "
           "(`ALIGNCAP_INFERENCE_WARM_UP=false`) is what the template sets without SnapStart: init skips the warm-up "
           "inference and the first request pays for it; warm-up on is the SnapStart configuration's init (there "
           "the snapshot is taken after it, and the priming hook runs one more inference). Peak RSS is the JVM's "
           "after the first response.", ""]
    rows = []
    for warm in ("true", "false"):
        f = r / f"coldstart-warmup-{warm}.txt"
        if f.exists():
            c = coldstart(f.read_text())
            for run in c["runs"]:
                rows.append([f"warm-up {'on' if warm == 'true' else 'off'}", f"{run[0]:.2f}", f"{run[1]:.2f}",
                             int(run[2]), f"{run[3]:.2f} ({run[4]:.2f})", f"{run[5]:.0f}", c["load"]])
    md += [table(["start-up", "init s", "init + first caption s", "HTTP", "init CPU s (busiest thread)",
                  "peak RSS MB", "load"], rows), ""]
    estimates = [coldstart(f.read_text())["estimate"] for f in sorted(r.glob("coldstart-warmup-*.txt"))]
    md += [f"- warm-up {'on' if 'true' in f.name else 'off'}: {e}."
           for f, e in zip(sorted(r.glob("coldstart-warmup-*.txt")), estimates) if e] + [""]

    md += ["## 4. Growth", "", "Latency at c=1 (wrk) and RSS against the image's size (beam 3; the JPEGs are "
           "gradients plus noise at quality 90, the PNGs gradients only) and against the beam size "
           "(the golden image):", ""]
    g = on["growth"]
    base = {fmt: next(x for x in g if x["image"] == f"256² {fmt}")["p50"] for fmt in ("JPEG", "PNG")}
    md += [table(["image", "bytes", "p50 ms", "× 256²", "p99 ms", "CPU ms/request", "RSS peak MB", "load"],
                 [[x["image"], x["bytes"], ms(x["p50"]), f"{x['p50'] / base[x['image'].split()[1]]:.1f}", ms(x["p99"]),
                   f"{x['cpu_ms_per_request']:.1f}", f"{x['rss_peak_mb']:.0f}", x["load"]] for x in g]), ""]
    md += [table(["beam", "p50 ms", "p99 ms", "CPU ms/request", "load"],
                 [[b["beam"], ms(b["p50"]), ms(b["p99"]), f"{b['cpu_ms_per_request']:.2f}", b["load"]]
                  for b in on["beams"]]), ""]
    batch_rows = [[label.split("batch ")[1], ms(s["java"]["cpu_ms"]),
                   ms(s["java"]["cpu_ms"] / int(label.split("batch ")[1])), ms(s["python"]["cpu_ms"]),
                   f"{s['ratio_cpu']:.2f}"]
                  for label, s in stages["stages"].items() if label.startswith("image encoder, batch")]
    if batch_rows:
        md += ["Image encoder against its batch (one run of B copies of a golden image, one intra-op thread, CPU):", "",
               table(["batch", "Java ms per run", "Java ms per image", "Python ms per run", "ratio"], batch_rows), ""]

    md += ["## Profiles (JFR)", "", "`bench/profile.py` over JFR recordings (`settings=profile`) of extra c=1 and "
           "c=16 runs with batching on, after the measured ones: share of busy samples of Java threads "
           "(execution and native-method "
           "samples; threads parked in epoll or waiting are idle and left out). ONNX Runtime's own intra-op "
           "worker thread is not a Java thread, so JFR does not see it: the ONNX Runtime shares below are the "
           "calling threads' part of each run.", ""]
    parts, loops = {}, []
    for c in (1, 16):
        f = r / f"profile-c{c}.json"
        if f.exists():
            prof = json.loads(f.read_text())
            for p in prof["parts"]:
                parts.setdefault(p["part"], {})[c] = p["share"]
            parts.setdefault("(busy samples)", {})[c] = prof["samples"]
            if "core_samples" in prof:
                loops.append(f"{prof['core_samples_on_event_loop']} of {prof['core_samples']} at c={c}")
    busy = parts.pop("(busy samples)", {})
    md += [table(["part", f"c=1 ({busy.get(1, 0)} samples)", f"c=16 ({busy.get(16, 0)} samples)"],
                 [[p, f"{v.get(1, 0) * 100:.1f} %", f"{v.get(16, 0) * 100:.1f} %"]
                  for p, v in sorted(parts.items(), key=lambda kv: -kv[1].get(16, 0))]), ""]
    if loops:
        md += ["Decode off the event loop: samples of decoding or inference (`io.aligncap.image`, "
               "`io.aligncap.inference`) taken on a Vert.x event-loop thread: " + ", ".join(loops) +
               " (Quarkus REST runs the resources, which return plain objects, on worker threads).", ""]

    md += ["## 5. JMH micro-benchmarks", ""]
    cmd = (r / "jmh.command")
    if cmd.exists():
        md += ["```", cmd.read_text().strip(), "```", ""]
    jmh = json.loads((r / "jmh.json").read_text()) if (r / "jmh.json").exists() else []
    md += [table(["benchmark", "params", "score", "± error", "unit"],
                 [[b["benchmark"].rsplit(".", 1)[1], ", ".join(f"{k}={v}" for k, v in b.get("params", {}).items()),
                   f"{b['primaryMetric']['score']:.2f}", num(b["primaryMetric"]["scoreError"]),
                   b["primaryMetric"]["scoreUnit"]] for b in jmh]), ""]
    a.out.write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
