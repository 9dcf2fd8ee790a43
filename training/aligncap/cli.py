"""``aligncap`` command line: one subcommand per pipeline stage, and ``pipeline`` for all.

    aligncap corpus      --out data/scenes
    aligncap train-align --data data/scenes --run-dir runs/scenes-v1
    aligncap train-gen   --data data/scenes --run-dir runs/scenes-v1 --kind full
    aligncap train-gen   --data data/scenes --run-dir runs/scenes-v1 --kind region
    aligncap evaluate    --data data/scenes --run-dir runs/scenes-v1
    aligncap export      --data data/scenes --run-dir runs/scenes-v1 --out models/scenes-v1
    aligncap validate    models/scenes-v1

Model and training settings are dataclass fields, overridden with ``--set key=value``
(an unknown key is an error); the resolved settings are saved with each checkpoint.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from .model import AlignConfig, GenConfig
from .train import TrainConfig, apply_overrides

log = logging.getLogger("aligncap")

GEN_TRAIN = TrainConfig(epochs=12, optimizer="adam", lr=1e-3, weight_decay=0.0)


def split_overrides(overrides: list[str], *cfgs):
    """Route each key=value to the first config that has the key."""
    out = [[] for _ in cfgs]
    for item in overrides or []:
        key = item.partition("=")[0]
        for n, cfg in enumerate(cfgs):
            if key in {f.name for f in dataclasses.fields(cfg)}:
                out[n].append(item)
                break
        else:
            names = sorted({f.name for c in cfgs for f in dataclasses.fields(c)})
            raise SystemExit(f"unknown setting {item!r}; expected one of {names}")
    return [apply_overrides(c, o) for c, o in zip(cfgs, out, strict=True)]


def cmd_corpus(a):
    from .corpus import generate_corpus

    generate_corpus(Path(a.out), seed=a.seed, n_train=a.train, n_val=a.val, n_test=a.test,
                    image_size=a.image_size, workers=a.workers)


def cmd_train_align(a):
    from .train import train_alignment

    cfg, tc = split_overrides(a.set, AlignConfig(), TrainConfig())
    train_alignment(a.data, a.run, cfg, tc, a.images_dir)


def cmd_train_gen(a):
    from .train import train_generator

    gcfg, tc = split_overrides(a.set, GenConfig(max_length=20 if a.kind == "full" else 8), GEN_TRAIN)
    train_generator(Path(a.run) / "align.pt", a.data, a.run, a.kind, gcfg, tc, beta=a.beta,
                    min_snippet=a.min_snippet, images_dir=a.images_dir)


def cmd_evaluate(a):
    from .evaluate import evaluate, print_table, score_captions, write_report

    out = Path(a.out or Path(a.run) / f"eval_{a.split}.json")
    if a.score_only:  # captions generated earlier (e.g. on a GPU machine without Java)
        report = json.loads(out.read_text())
        report["captions"] = score_captions(json.loads((Path(a.run) / f"captions_{a.split}.json").read_text()))
    else:
        report = evaluate(a.run, a.data, split=a.split, beam_size=a.beam_size, device=a.device,
                          images_dir=a.images_dir, limit=a.limit, captions=not a.no_captions,
                          metrics=not a.no_metrics)
    report["table"] = print_table(report)
    write_report(report, out)
    log.info("figures written to %s", out)


def cmd_export(a):
    from .export import build_package

    evaluation = json.loads(Path(a.eval).read_text()) if a.eval else None
    if evaluation:
        evaluation.pop("table", None)
    build_package(a.run, a.data, a.out, model_id=a.model_id or Path(a.out).name,
                  model_version=a.model_version, golden_images=a.golden, evaluation=evaluation,
                  images_dir=a.images_dir)


def cmd_validate(a):
    from .export import validate

    problems = validate(a.package)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        raise SystemExit(1)
    print(f"{a.package}: valid")


def cmd_caption(a):
    import numpy as np
    from PIL import Image

    from .export import OnnxPipeline

    pipe = OnnxPipeline(a.model)
    pixels = np.asarray(Image.open(a.image).convert("RGB"), dtype=np.uint8)
    enc = pipe.encode_image(pixels)
    for hyp in pipe.caption(enc["image_bias"], beam_size=a.beam_size)[: a.results]:
        print(f"{hyp['score']:8.3f}  {' '.join(hyp['words'])}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="aligncap", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("corpus", help="generate the captioned-scene corpus")
    s.add_argument("--out", default="data/scenes")
    s.add_argument("--seed", type=int, default=123)
    s.add_argument("--train", type=int, default=20000)
    s.add_argument("--val", type=int, default=1000)
    s.add_argument("--test", type=int, default=1000)
    s.add_argument("--image-size", type=int, default=128)
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(fn=cmd_corpus)

    def data_args(s):
        s.add_argument("--data", default="data/scenes", help="folder with a Karpathy dataset.json")
        s.add_argument("--images-dir", help="image folder relative to --data (default: each image's filepath)")
        s.add_argument("--run-dir", dest="run", default="runs/scenes-v1", help="folder for checkpoints and figures")

    s = sub.add_parser("train-align", help="train the alignment model (paper §3.1)")
    data_args(s)
    s.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help=f"AlignConfig/TrainConfig fields: {[f.name for f in dataclasses.fields(AlignConfig)]}, "
                        f"{[f.name for f in dataclasses.fields(TrainConfig)]}")
    s.set_defaults(fn=cmd_train_align)

    s = sub.add_parser("train-gen", help="train a multimodal RNN generator (paper §3.2, §3.3)")
    data_args(s)
    s.add_argument("--kind", choices=["full", "region"], default="full")
    s.add_argument("--beta", type=float, default=1.5, help="MRF smoothness for region snippets")
    s.add_argument("--min-snippet", type=int, default=2, help="shortest snippet kept for the region model")
    s.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help=f"GenConfig/TrainConfig fields: {[f.name for f in dataclasses.fields(GenConfig)]}")
    s.set_defaults(fn=cmd_train_gen)

    s = sub.add_parser("evaluate", help="retrieval, alignment accuracy and caption metrics")
    data_args(s)
    s.add_argument("--split", default="test")
    s.add_argument("--beam-size", type=int, default=3)
    s.add_argument("--device", default="auto")
    s.add_argument("--limit", type=int)
    s.add_argument("--no-captions", action="store_true", help="retrieval and alignment only")
    s.add_argument("--no-metrics", action="store_true", help="generate captions, score them later")
    s.add_argument("--score-only", action="store_true", help="score captions generated earlier")
    s.add_argument("--out", help="JSON file for the figures (default: RUN/eval_SPLIT.json)")
    s.set_defaults(fn=cmd_evaluate)

    s = sub.add_parser("export", help="export ONNX graphs and write the model package")
    data_args(s)
    s.add_argument("--out", default="models/scenes-v1")
    s.add_argument("--model-id")
    s.add_argument("--model-version", default="1.0.0")
    s.add_argument("--eval", help="evaluation JSON to embed in the manifest")
    s.add_argument("--golden", type=int, default=24, help="number of golden parity images")
    s.set_defaults(fn=cmd_export)

    s = sub.add_parser("validate", help="check a model package (files, hashes, graph signatures)")
    s.add_argument("package")
    s.set_defaults(fn=cmd_validate)

    s = sub.add_parser("caption", help="caption an image with a model package (onnxruntime)")
    s.add_argument("image")
    s.add_argument("--model", default="models/scenes-v1")
    s.add_argument("--beam-size", type=int, default=3)
    s.add_argument("--results", type=int, default=1)
    s.set_defaults(fn=cmd_caption)

    a = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    a.fn(a)


if __name__ == "__main__":
    main()
