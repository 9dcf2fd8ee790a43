"""Where the time goes: a JFR recording summarised (issue 12, "profile first").

Reads jdk.ExecutionSample (threads running Java code) and jdk.NativeMethodSample (threads
inside a native method: ONNX Runtime's session runs, the JDK's JPEG/zlib decoders) with the
JDK's `jfr` tool, and attributes every sample to the first frame of its stack that names a
known part of a request, so the table reads as "share of busy samples per stage".

  python3 bench/profile.py service.jfr [--out FILE.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

# first match wins: (part, a frame must contain one of these, and one of these too if given)
RUN = "ai.onnxruntime.OrtSession.run"
PARTS = [
    ("ONNX Runtime: image encoder", (RUN,), ("ImageEncoder.run",)),
    ("ONNX Runtime: preprocess graph", (RUN,), ("ImageEncoder.modelInput",)),
    ("ONNX Runtime: decoder steps", (RUN,), ("DecoderStep.run",)),
    ("ONNX Runtime: sentence encoder", (RUN,), ("SentenceEncoder",)),
    ("ONNX Runtime: box encoder", (RUN,), ("BoxEncoder",)),
    ("ONNX Runtime: other", ("ai.onnxruntime.",), None),
    ("image decode (ImageIO PNG/JPEG, inflate, pixel copies)",
     ("io.aligncap.image.", "com.sun.imageio.", "javax.imageio.", "com.twelvemonkeys.", "sun.awt.image.",
      "java.awt.image.", "java.util.zip.Inflater"), None),
    ("beam search (Java)", ("io.aligncap.inference.BeamSearch",), None),
    ("decoder step copies (Java)", ("io.aligncap.inference.DecoderStep",), None),
    ("image encoder copies (Java)", ("io.aligncap.inference.ImageEncoder",), None),
    ("alignment, MRF, scoring", ("io.aligncap.inference.Alignments", "io.aligncap.inference.MrfAligner",
                                 "io.aligncap.inference.Scorer"), None),
    ("other inference core", ("io.aligncap.inference.",), None),
    ("JSON (Jackson)", ("com.fasterxml.jackson.",), None),
    ("metrics (Micrometer)", ("io.micrometer.",), None),
    ("request handling (api)", ("io.aligncap.api.",), None),
    ("HTTP, REST (Vert.x, Netty, Quarkus REST)", ("io.vertx.", "io.netty.", "org.jboss.resteasy.",
                                                  "io.quarkus.vertx", "io.quarkus.resteasy"), None),
    ("JIT compiler, GC, JDK", ("",), None),
]


def frames(stack: dict) -> list[str]:
    return [f"{f['method']['type']['name']}.{f['method']['name']}".replace("/", ".")
            for f in stack.get("frames", [])]


def classify(fs: list[str]) -> str:
    for part, any_of, also in PARTS:
        if any(n in f for f in fs for n in any_of) and (also is None or any(n in f for f in fs for n in also)):
            return part
    return "other"


def summarise(jfr: Path) -> dict:
    out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample",
                          str(jfr)], capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    counts = collections.Counter()
    on_event_loop = collections.Counter()  # issue 12: decoding and inference must run on workers
    for e in events:
        stack = e["values"].get("stackTrace")
        if not stack:
            continue
        fs = frames(stack)
        # a thread parked in a native wait (epoll, futex) is idle, not busy
        if e["type"] == "jdk.NativeMethodSample" and fs and any(
                k in fs[0] for k in ("epollWait", "Unsafe.park", "accept", "socketRead", "EPoll", "poll")):
            continue
        part = classify(fs)
        counts[part] += 1
        thread = (e["values"].get("sampledThread") or {}).get("javaName") or ""
        if "eventloop" in thread and any(f.startswith(("io.aligncap.image.", "io.aligncap.inference.")) for f in fs):
            on_event_loop[part] += 1
    total = sum(counts.values())
    core = sum(c for p, c in counts.items() if p.startswith(("ONNX", "image decode", "beam", "decoder", "image encoder",
                                                             "alignment", "other inference")))
    return {"samples": total, "parts": [{"part": p, "share": c / total} for p, c in counts.most_common()],
            "core_samples": core, "core_samples_on_event_loop": sum(on_event_loop.values())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jfr", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    s = summarise(args.jfr)
    for p in s["parts"]:
        print(f"{p['share'] * 100:5.1f} %  {p['part']}")
    print(f"({s['samples']} busy samples; decoding and inference {s['core_samples']}, "
          f"{s['core_samples_on_event_loop']} of them on a Vert.x event-loop thread)", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(s, indent=1))


if __name__ == "__main__":
    main()
