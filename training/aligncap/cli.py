"""``aligncap`` command line: one subcommand per pipeline stage, and ``pipeline`` for all.

    aligncap corpus         --out data/scenes
    aligncap corpus         --out data/detect --seed 9001 --train 10000 --val 500 --test 0
    aligncap train-detector --data data/detect --run-dir runs/scenes-v2
    aligncap train-align    --data data/scenes --run-dir runs/scenes-v2
    aligncap train-gen      --data data/scenes --run-dir runs/scenes-v2 --kind full
    aligncap train-gen      --data data/scenes --run-dir runs/scenes-v2 --kind region
    aligncap evaluate       --data data/scenes --run-dir runs/scenes-v2
    aligncap export         --data data/scenes --run-dir runs/scenes-v2 --out models/scenes-v2
    aligncap validate       models/scenes-v2

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
ALIGN_TRAIN = TrainConfig(epochs=10, optimizer="adam", lr=1e-3, weight_decay=0.0)
DETECT_TRAIN = TrainConfig(epochs=6, batch_size=32, optimizer="adam", lr=2e-3, weight_decay=1e-5)


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

    generate_corpus(
        Path(a.out),
        seed=a.seed,
        n_train=a.train,
        n_val=a.val,
        n_test=a.test,
        image_size=a.image_size,
        workers=a.workers,
    )


def cmd_train_detector(a):
    from .detect import DetectorConfig
    from .train import train_detector

    cfg, tc = split_overrides(a.set, DetectorConfig(), DETECT_TRAIN)
    train_detector(a.data, a.run, cfg, tc)


def cmd_front_end(a):
    from .pretrained import PretrainedConfig, build_front_end

    cfg = PretrainedConfig(image_size=a.image_size, backbone=a.backbone, detector=a.detector)
    print(build_front_end(a.run, cfg, a.backbone_weights, a.detector_weights))


def cmd_train_align(a):
    from .train import train_alignment

    cfg, tc = split_overrides(a.set, AlignConfig(), ALIGN_TRAIN)
    train_alignment(a.data, a.run, cfg, tc, a.images_dir, a.detector)


def cmd_train_gen(a):
    from .train import train_generator

    gcfg, tc = split_overrides(
        a.set, GenConfig(max_length=20 if a.kind == "full" else 8), GEN_TRAIN
    )
    train_generator(
        Path(a.run) / "align.pt",
        a.data,
        a.run,
        a.kind,
        gcfg,
        tc,
        beta=a.beta,
        min_snippet=a.min_snippet,
        images_dir=a.images_dir,
    )


def cmd_evaluate(a):
    from .evaluate import evaluate, print_table, score_captions, write_report

    out = Path(a.out or Path(a.run) / f"eval_{a.split}.json")
    if a.score_only:  # captions generated earlier (e.g. on a GPU machine without Java)
        report = json.loads(out.read_text())
        report["captions"] = score_captions(
            json.loads((Path(a.run) / f"captions_{a.split}.json").read_text())
        )
    else:
        report = evaluate(
            a.run,
            a.data,
            split=a.split,
            beam_size=a.beam_size,
            device=a.device,
            images_dir=a.images_dir,
            limit=a.limit,
            captions=not a.no_captions,
            metrics=not a.no_metrics,
        )
    report["table"] = print_table(report)
    write_report(report, out)
    log.info("figures written to %s", out)


def cmd_export(a):
    from .export import build_package

    eval_path = Path(a.eval) if a.eval else Path(a.run) / "eval_test.json"
    evaluation = json.loads(eval_path.read_text()) if eval_path.exists() else None
    if evaluation:
        evaluation.pop("table", None)
    elif a.eval:
        raise SystemExit(
            f"{a.eval}: no such evaluation file (aligncap evaluate writes RUN/eval_test.json)"
        )
    build_package(
        a.run,
        a.data,
        a.out,
        model_id=a.model_id or Path(a.out).name,
        model_version=a.model_version,
        golden_images=a.golden,
        evaluation=evaluation,
        images_dir=a.images_dir,
        photos=[Path(p) for p in a.golden_photo],
    )


def cmd_validate(a):
    from .export import validate

    problems = validate(a.package)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        raise SystemExit(1)
    print(f"{a.package}: valid")


def cmd_caption(a):
    from .pipeline import OnnxPipeline

    pipe = OnnxPipeline(a.model)
    enc = pipe.encode(a.image)  # the service's preprocessing: EXIF orientation, subsampling
    for hyp in pipe.caption(enc["image_bias"], beam_size=a.beam_size)[: a.results]:
        print(f"{hyp['score']:8.3f}  {' '.join(hyp['words'])}")
    if a.dense:
        w, h = enc["size"][:2]
        for d in pipe.dense(enc):
            x0, y0, x1, y1 = (enc["region_boxes"][d["region"]] * [w, h, w, h]).round().astype(int)
            print(f"  [{x0},{y0},{x1},{y1}] {d['score']:.2f}  {' '.join(d['words'])}")


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="aligncap", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
        s.add_argument(
            "--data",
            default="data/scenes",
            help="a Karpathy data set JSON file (dataset_flickr8k.json...) or a folder holding dataset.json",
        )
        s.add_argument(
            "--images-dir", help="image folder relative to --data (default: each image's filepath)"
        )
        s.add_argument(
            "--run-dir",
            dest="run",
            default="runs/scenes-v2",
            help="folder for checkpoints and figures",
        )

    s = sub.add_parser(
        "train-detector", help="train the detector on a detection split (boxes + kinds)"
    )
    s.add_argument(
        "--data", default="data/detect", help="folder with dataset.json + annotations.json"
    )
    s.add_argument(
        "--run-dir", dest="run", default="runs/scenes-v2", help="folder for checkpoints and figures"
    )
    s.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="DetectorConfig/TrainConfig fields",
    )
    s.set_defaults(fn=cmd_train_detector)

    s = sub.add_parser(
        "front-end",
        help="real photos: a pretrained torchvision detector and backbone from local weights",
    )
    s.add_argument("--run-dir", dest="run", required=True, help="folder for detector.pt")
    s.add_argument(
        "--backbone",
        default="resnet50",
        help="torchvision classification model (resnet18..101, vgg16/19)",
    )
    s.add_argument(
        "--backbone-weights", required=True, help="its state dict, e.g. resnet50-0676ba61.pth"
    )
    s.add_argument(
        "--detector", default="fasterrcnn_resnet50_fpn", help="torchvision detection model"
    )
    s.add_argument(
        "--detector-weights",
        required=True,
        help="its state dict, e.g. fasterrcnn_resnet50_fpn_coco-258fb6c6.pth",
    )
    s.add_argument("--image-size", type=int, default=224)
    s.set_defaults(fn=cmd_front_end)

    s = sub.add_parser("train-align", help="train the alignment model (paper §3.1)")
    data_args(s)
    s.add_argument("--detector", help="the detector checkpoint (default: RUN/detector.pt)")
    s.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help=f"AlignConfig/TrainConfig fields: {[f.name for f in dataclasses.fields(AlignConfig)]}, "
        f"{[f.name for f in dataclasses.fields(TrainConfig)]}",
    )
    s.set_defaults(fn=cmd_train_align)

    s = sub.add_parser("train-gen", help="train a multimodal RNN generator (paper §3.2, §3.3)")
    data_args(s)
    s.add_argument("--kind", choices=["full", "region"], default="full")
    s.add_argument("--beta", type=float, default=1.5, help="MRF smoothness for region snippets")
    s.add_argument(
        "--min-snippet", type=int, default=2, help="shortest snippet kept for the region model"
    )
    s.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help=f"GenConfig/TrainConfig fields: {[f.name for f in dataclasses.fields(GenConfig)]}",
    )
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
    s.add_argument(
        "--out",
        required=True,
        help="the package folder to write (replaced only once the new one validates)",
    )
    s.add_argument("--model-id")
    s.add_argument("--model-version", default="1.0.0")
    s.add_argument(
        "--eval",
        help="evaluation JSON to embed in the manifest (default: RUN/eval_test.json if present)",
    )
    s.add_argument(
        "--golden",
        type=int,
        default=24,
        help="golden parity images copied from the test split (0: none; they are copies of test photos)",
    )
    s.add_argument(
        "--golden-photo",
        action="append",
        default=[],
        metavar="FILE",
        help="an encoded photo (EXIF-rotated, large, gray, CMYK...) added to the golden file as is",
    )
    s.set_defaults(fn=cmd_export)

    s = sub.add_parser("validate", help="check a model package (files, hashes, graph signatures)")
    s.add_argument("package")
    s.set_defaults(fn=cmd_validate)

    s = sub.add_parser("caption", help="caption an image with a model package (onnxruntime)")
    s.add_argument("image")
    s.add_argument("--model", default="models/scenes-v2")
    s.add_argument(
        "--dense", action="store_true", help="also print the dense captions (detected regions)"
    )
    s.add_argument("--beam-size", type=int, default=3)
    s.add_argument("--results", type=int, default=1)
    s.set_defaults(fn=cmd_caption)

    a = p.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if a.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    a.fn(a)


if __name__ == "__main__":
    main()
