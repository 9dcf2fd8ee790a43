"""Per-stage timings, Java against Python, interleaved in one run (issue 12, section 1).

The Python side is the project's reference pipeline (training/aligncap/pipeline.py,
OnnxPipeline, on Python's onnxruntime); the Java side is the service's own stage classes
(bench/java/io/aligncap/inference/StageServer.java) in a JVM started once and driven over
stdin. Same model package, same images, same ONNX Runtime thread settings (one intra-op
thread: OnnxPipeline's setting, passed to Java as aligncap.inference.intra-op-threads=1),
and the two sides take turns: each round runs every stage on Python, then on Java (the
order flips every round), so that a change in the machine's load hits both.

Each iteration records wall time and the calling thread's CPU time (with one intra-op
thread ONNX Runtime runs on the caller, so that is the stage's whole cost); CPU time is what
competing load inflates least, so the ratios use it, with wall time beside it.

  .venv/bin/python bench/stages.py --model DIR --classpath target-bench/classpath.jar --out FILE
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))

from aligncap.pipeline import OnnxPipeline  # noqa: E402
from aligncap.preprocess import decode_image  # noqa: E402

SENTENCES = ["a dog runs on the grass", "two people stand next to a red car in the street",
             "a cat"]


class Java:
    """The StageServer process: one JSON command per line in, one JSON reply per line out."""

    def __init__(self, classpath: str, model: Path, jvm_args: list[str]):
        self.proc = subprocess.Popen(
            ["java", *jvm_args, "-Daligncap.inference.intra-op-threads=1",
             "-Daligncap.inference.inter-op-threads=1", "-Daligncap.inference.providers=cpu",
             "-cp", classpath, "io.aligncap.inference.StageServer", str(model)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        hello = json.loads(self.proc.stdout.readline())
        assert hello["ready"], "StageServer did not start"
        self.onnxruntime = hello["onnxruntime"]

    def run(self, cmd: dict) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if "error" in reply:
            raise RuntimeError(f"Java {cmd['op']}: {reply['error']}")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


class Python:
    """The same operations on OnnxPipeline, timed the same way."""

    def __init__(self, model: Path):
        self.p = OnnxPipeline(model)
        self.m = self.p.manifest

    def prepare(self, op: str, cmd: dict, data: bytes):
        p, m = self.p, self.m
        beam = cmd.get("beam", 3)
        if op == "decode":
            return lambda: decode_image(data, m["image"]["max_subsample_side"])
        if op == "preprocess":
            pixels = decode_image(data, m["image"]["max_subsample_side"])
            return lambda: p.sessions["preprocess"].run(None, {"pixels": pixels[None]})
        image, _ = p.model_input(data)
        if op == "image_encoder":
            batch = np.repeat(image[None], cmd.get("batch", 1), 0)
            return lambda: p.sessions["image_encoder"].run(None, {"image": batch})
        bias = p.encode(data)["image_bias"]
        if op == "decoder_step":
            spec = m["decoder"]
            feed = {"token": np.full(beam, m["vocabulary"]["start_id"], np.int64),
                    "image_bias": np.repeat(bias[None], beam, 0).astype(np.float32)}
            feed.update({s: np.zeros((beam, spec["hidden_size"]), np.float32) for s in spec["state_names"]})
            return lambda: p.sessions["decoder"].run(None, feed)
        if op == "beam_search":
            return lambda: p.caption(bias, beam_size=beam)
        if op == "request":  # the reference pipeline's whole caption request, as the Java side's
            def request():
                enc = p.encode(data)
                best = p.caption(enc["image_bias"], beam_size=beam)
                if best[0]["words"]:
                    p.align(enc, " ".join(best[0]["words"]))  # the best caption's MRF snippets
                return best
            return request
        raise ValueError(op)

    def run(self, cmd: dict) -> dict:
        work = [self.prepare(cmd["op"], cmd, Path(f).read_bytes()) for f in cmd.get("images", [])]
        work += [(lambda s=s: self.p.word_vectors(s)) for s in cmd.get("sentences", [])]
        wall, cpu, tokens = [], [], []
        for i in range(cmd["n"]):
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            result = work[i % len(work)]()
            wall.append(time.perf_counter_ns() - t0)
            cpu.append(time.thread_time_ns() - c0)
            if i < len(work) and cmd["op"] == "beam_search":
                tokens.append([t for t in result[0]["tokens"] if t != self.m["vocabulary"]["end_id"]])
        return {"wall_ns": wall, "cpu_ns": cpu, "tokens": tokens}


def stages(images: list[str]) -> list[tuple[str, dict]]:
    """(label, command) for every stage the issue lists."""
    out = [("image decode", {"op": "decode", "images": images}),
           ("preprocess graph (rule 5)", {"op": "preprocess", "images": images}),
           ("image encoder", {"op": "image_encoder", "images": images}),
           ("image encoder, batch 4", {"op": "image_encoder", "images": images[:2], "batch": 4}),
           ("image encoder, batch 8", {"op": "image_encoder", "images": images[:2], "batch": 8}),
           ("one decoder step (3 beams)", {"op": "decoder_step", "images": images, "beam": 3})]
    out += [(f"beam search, beam {k}", {"op": "beam_search", "images": images, "beam": k}) for k in (1, 3, 7)]
    out += [("sentence encoder", {"op": "sentence_encoder", "sentences": SENTENCES}),
            ("whole caption request, beam 3 (in process)", {"op": "request", "images": images, "beam": 3})]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--classpath", required=True, help="the bench classpath jar (bench/run.sh makes it)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-image", type=int, default=2, help="iterations per image per round")
    ap.add_argument("--warmup-calls", type=int, default=1000, help="untimed Java calls per stage first (or 10 s)")
    ap.add_argument("--jvm-arg", action="append", default=[])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    golden = json.loads((args.model / "golden" / "golden.json").read_text())
    images = [str(args.model / "golden" / g["file"]) for g in golden["images"]]
    java, py = Java(args.classpath, args.model, args.jvm_arg), Python(args.model)
    plan = stages(images)
    # warm-up, untimed: ONNX Runtime's first runs on both sides, and on the Java side the JIT,
    # which compiles a method after thousands of calls: each stage --warmup-calls calls there, or
    # 10 s (a few dozen calls left the sentence encoder 8 times slower than when compiled)
    for _, cmd in plan:
        n = len(cmd.get("images", cmd.get("sentences", []))) * 3
        py.run({**cmd, "n": n})
        calls, t0 = 0, time.monotonic()
        while calls < args.warmup_calls and time.monotonic() - t0 < 10:
            java.run({**cmd, "n": n})
            calls += n
    results = {label: {"java": {"wall": [], "cpu": [], "rounds": []}, "python": {"wall": [], "cpu": [], "rounds": []}}
               for label, _ in plan}
    mismatches = []
    for r in range(args.rounds):
        for label, cmd in plan:
            n = len(cmd.get("images", cmd.get("sentences", []))) * args.per_image
            sides = [("python", py), ("java", java)]
            if r % 2:
                sides.reverse()
            got = {}
            for name, side in sides:
                reply = side.run({**cmd, "n": n})
                got[name] = reply
                res = results[label][name]
                res["wall"] += reply["wall_ns"]
                res["cpu"] += reply["cpu_ns"]
                res["rounds"].append(statistics.median(reply["cpu_ns"]))
            if r == 0 and got["java"]["tokens"] != got["python"]["tokens"]:
                mismatches.append(label)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    java.close()
    summary = {}
    for label, res in results.items():
        row = {}
        for name in ("java", "python"):
            v = res[name]
            row[name] = {"cpu_ms": statistics.median(v["cpu"]) / 1e6, "wall_ms": statistics.median(v["wall"]) / 1e6,
                         "cpu_round_min_ms": min(v["rounds"]) / 1e6, "cpu_round_max_ms": max(v["rounds"]) / 1e6,
                         "n": len(v["cpu"])}
        row["ratio_cpu"] = row["java"]["cpu_ms"] / row["python"]["cpu_ms"]
        row["ratio_wall"] = row["java"]["wall_ms"] / row["python"]["wall_ms"]
        summary[label] = row
    import onnxruntime

    versions = {"java": java.onnxruntime, "python": onnxruntime.__version__}
    args.out.write_text(json.dumps({"images": len(images), "rounds": args.rounds, "onnxruntime": versions,
                                    "stages": summary,
                                    "token_mismatches": mismatches}, indent=1))
    for label, row in summary.items():
        print(f"{label:45s} java {row['java']['cpu_ms']:8.3f} ms  python {row['python']['cpu_ms']:8.3f} ms  "
              f"ratio {row['ratio_cpu']:.2f} (wall {row['ratio_wall']:.2f})")
    if mismatches:
        print(f"token mismatches between Java and Python: {mismatches}", file=sys.stderr)


if __name__ == "__main__":
    main()
