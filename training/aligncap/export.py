"""ONNX export of the serving pipeline and the model package (models/FORMAT.md, version 2).

Graphs: ``preprocess`` (uint8 pixels of any size → the model input), ``image_encoder``
(the detector with its box decoding and NMS, the region features, the generators' image
vectors and the region embeddings), ``box_encoder`` (region features of boxes a client
names), the BRNN ``sentence_encoder``, and one ``decoder`` step per generator (the region
generator is optional). The package is built in a temporary folder and moved into place
only once it validates, so a failed export never touches an existing package.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from PIL import Image

from .catalog import KINDS
from .dataset import TOKEN_REGEX, load_karpathy
from .detect import Detector
from .features import load_detector
from .preprocess import PREPROCESS_VERSION, decode_image, resize_square
from .train import load_alignment, load_generator

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
OPSET = 17
TOLERANCE = 1e-4


class PreprocessGraph(nn.Module):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def forward(self, pixels):
        return resize_square(pixels, self.size)


class ImageEncoderGraph(nn.Module):
    """image (B,S,S,3) uint8 → b_v of the full-image generator, the 20 regions (19
    detections, then the whole image) with boxes, scores, v_i and the region generator's
    b_v, and the feature map for ``box_encoder``."""

    def __init__(self, detector: Detector, align, full_head, region_head):
        super().__init__()
        self.detector, self.align, self.full_head, self.region_head = (
            detector,
            align,
            full_head,
            region_head,
        )

    def forward(self, image):
        fmap, boxes, scores = self.detector.encode(image)
        vec, code = self.detector.describe(fmap, boxes, scores)  # (B,R,D), (B,3F)
        B = boxes.shape[0]
        whole = torch.tensor([0.0, 0.0, 1.0, 1.0]).view(1, 1, 4).expand(B, 1, 4)
        out = [
            self.full_head(code),
            torch.cat([boxes, whole], 1),
            torch.cat([scores, torch.ones(B, 1)], 1),
            self.align.W_m(vec),
        ]
        if self.region_head is not None:
            out.append(self.region_head(vec))
        return (*out, fmap)


class BoxEncoderGraph(nn.Module):
    """One image's feature map (1,C,G,G) and boxes (N,4) normalised → v_i and the region
    generator's b_v of each box (the same RoI head as the detections)."""

    def __init__(self, detector: Detector, align, region_head):
        super().__init__()
        self.detector, self.align, self.region_head = detector, align, region_head

    def forward(self, feature_map, boxes):
        vec = self.detector.box_vectors(feature_map, boxes)
        out = (self.align.W_m(vec),)
        return (*out, self.region_head(vec)) if self.region_head is not None else out[0]


class SentenceEncoderGraph(nn.Module):
    def __init__(self, align):
        super().__init__()
        self.sentence = align.sentence

    def forward(self, tokens, lengths):
        return self.sentence(tokens, lengths)


def _io(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": list(shape)}


def export_graphs(run: Path, out: Path) -> tuple[dict, dict]:
    """Write the graphs; returns the manifest's "graphs" section and the loaded pieces."""
    align, vocab, ck = load_alignment(run / "align.pt")
    detector, det_ck = load_detector(ck["detector"])
    dcfg = detector.cfg
    full, fcfg, _ = load_generator(run / "gen_full.pt", len(vocab))
    region = rcfg = None
    if (run / "gen_region.pt").exists():
        region, rcfg, _ = load_generator(run / "gen_region.pt", len(vocab))
    R, h, V, S = dcfg.regions, align.cfg.embed_size, len(vocab), dcfg.image_size
    with torch.no_grad():
        C, G = detector.features(torch.zeros(1, S, S, 3, dtype=torch.uint8)).shape[1:3]
    graphs = {}

    pixels = torch.randint(0, 256, (1, 96, 160, 3), dtype=torch.uint8)
    graphs["preprocess"] = _export(
        PreprocessGraph(S),
        (pixels,),
        out / "preprocess.onnx",
        [_io("pixels", "uint8", ["batch", "height", "width", 3])],
        [_io("image", "uint8", ["batch", S, S, 3])],
    )

    img = ImageEncoderGraph(detector, align, full.head, region.head if region else None).eval()
    # the pretrained (torchvision) front end traces one image at a time: batch fixed at 1
    batch = "batch" if getattr(detector, "batchable", True) else 1
    image = _clear_example(img, 2 if batch == "batch" else 1, S)
    outputs = [
        _io("image_bias", "float32", [batch, fcfg.bias_size]),
        _io("region_boxes", "float32", [batch, R, 4]),
        _io("region_scores", "float32", [batch, R]),
        _io("region_embeddings", "float32", [batch, R, h]),
    ]
    if region:
        outputs.append(_io("region_bias", "float32", [batch, R, rcfg.bias_size]))
    outputs.append(_io("feature_map", "float32", [batch, C, G, G]))
    graphs["image_encoder"] = _export(
        img,
        (image,),
        out / "image_encoder.onnx",
        [_io("image", "uint8", [batch, S, S, 3])],
        outputs,
    )

    box = BoxEncoderGraph(detector, align, region.head if region else None).eval()
    with torch.no_grad():
        fmap = detector.features(image[:1])
    boxes = torch.tensor([[0.1, 0.2, 0.5, 0.6], [0.0, 0.0, 1.0, 1.0], [0.7, 0.1, 0.9, 0.3]])
    outputs = [_io("region_embeddings", "float32", ["boxes", h])]
    if region:
        outputs.append(_io("region_bias", "float32", ["boxes", rcfg.bias_size]))
    graphs["box_encoder"] = _export(
        box,
        (fmap, boxes),
        out / "box_encoder.onnx",
        [_io("feature_map", "float32", [1, C, G, G]), _io("boxes", "float32", ["boxes", 4])],
        outputs,
    )

    sent = SentenceEncoderGraph(align).eval()
    toks = torch.randint(4, V, (3, 7))
    lens = torch.tensor([7, 4, 1])
    graphs["sentence_encoder"] = _export(
        sent,
        (toks, lens),
        out / "sentence_encoder.onnx",
        [_io("tokens", "int64", ["batch", "length"]), _io("lengths", "int64", ["batch"])],
        [_io("word_vectors", "float32", ["batch", "length", h])],
    )

    for name, gen, gcfg in (("decoder", full, fcfg), ("region_decoder", region, rcfg)):
        if gen is None:
            continue
        step = gen.step.eval()
        B = 3
        args = (
            torch.randint(4, V, (B,)),
            torch.randn(B, gcfg.bias_size),
            *[torch.randn(B, gcfg.hidden_size).abs() for _ in gcfg.state_names],
        )
        graphs[name] = _export(
            step,
            args,
            out / f"{name}.onnx",
            [
                _io("token", "int64", ["batch"]),
                _io("image_bias", "float32", ["batch", gcfg.bias_size]),
            ]
            + [_io(s, "float32", ["batch", gcfg.hidden_size]) for s in gcfg.state_names],
            [_io("log_probs", "float32", ["batch", V])]
            + [_io(f"{s}_out", "float32", ["batch", gcfg.hidden_size]) for s in gcfg.state_names],
        )
    return graphs, {
        "align": align,
        "vocab": vocab,
        "align_ck": ck,
        "detector": detector,
        "detector_ck": det_ck,
    }


def _clear_example(img: nn.Module, n: int, size: int, tries: int = 10) -> torch.Tensor:
    """A noise image batch whose detections have a defined order: top scores at least
    1e-5 apart. Where two scores tie, PyTorch and onnxruntime may rank the boxes either
    way (both right), which a comparison row by row would report as a difference."""
    for seed in range(tries):
        g = torch.Generator().manual_seed(seed)
        image = torch.randint(0, 256, (n, size, size, 3), dtype=torch.uint8, generator=g)
        with torch.no_grad():
            scores = img(image)[2]
        gaps = scores[:, :-1] - scores[:, 1:]
        if bool(((gaps > 1e-5) | (scores[:, 1:] == 0)).all()):
            return image
    log.warning("no example image in %d without tied detection scores: comparing seed 0", tries)
    g = torch.Generator().manual_seed(0)
    return torch.randint(0, 256, (n, size, size, 3), dtype=torch.uint8, generator=g)


def _export(
    module: nn.Module, args: tuple, path: Path, inputs: list[dict], outputs: list[dict]
) -> dict:
    """Export, run onnx.checker, and compare onnxruntime with PyTorch on the example
    inputs (max abs difference ≤ TOLERANCE) — also on a second batch size, so the
    dynamic axes really are dynamic."""
    dynamic = {
        io["name"]: {i: d for i, d in enumerate(io["shape"]) if isinstance(d, str)}
        for io in inputs + outputs
    }
    module.eval()
    torch.onnx.export(
        module,
        args,
        str(path),
        input_names=[i["name"] for i in inputs],
        output_names=[o["name"] for o in outputs],
        dynamic_axes=dynamic,
        opset_version=OPSET,
        dynamo=False,
    )
    _name_outputs(path, [o["name"] for o in outputs])
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    first = inputs[0]["shape"][0]
    trials = (args, tuple(a[:1] for a in args)) if isinstance(first, str) else (args,)
    for trial in trials:
        with torch.no_grad():
            want = module(*trial)
        want = want if isinstance(want, tuple) else (want,)
        got = sess.run(None, {i["name"]: a.numpy() for i, a in zip(inputs, trial, strict=True)})
        for o, w, g in zip(outputs, want, got, strict=True):
            diff = (
                float(np.abs(w.numpy().astype(np.float64) - g.astype(np.float64)).max())
                if w.numel()
                else 0.0
            )
            assert diff <= TOLERANCE or (o["dtype"] == "uint8" and diff <= 1), (
                f"{path.name}: output {o['name']} differs from PyTorch by {diff:.2e} > {TOLERANCE} (max {float(np.abs(w.numpy()).max()) if w.numel() else 0:.3g})"
            )
    log.info(
        "exported %s (%.1f MB), matches PyTorch within %g",
        path.name,
        path.stat().st_size / 1e6,
        TOLERANCE,
    )
    return {"file": path.name, "inputs": inputs, "outputs": outputs}


def _name_outputs(path: Path, names: list[str]) -> None:
    """The exporter renames an output it folds to a constant or passes through; route
    such an output through an Identity node carrying its name."""
    model = onnx.load(str(path))
    changed = False
    for out, name in zip(model.graph.output, names, strict=True):
        if out.name != name:
            model.graph.node.append(onnx.helper.make_node("Identity", [out.name], [name]))
            out.name = name
            changed = True
    if changed:
        onnx.save(model, str(path))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- the package -------------------------------------------------------------------------


def build_package(
    run: str | Path,
    data: str | Path,
    out: str | Path,
    *,
    model_id: str,
    model_version: str = "1.0.0",
    golden_images: int = 24,
    mrf_beta: float | None = None,
    evaluation: dict | None = None,
    images_dir: str | None = None,
    photos: list[Path] | None = None,
) -> Path:
    """Export ``run`` into the package folder ``out``. Everything is written to a
    temporary folder beside ``out`` and validated there; only then does it replace
    ``out``, so a failed export leaves an existing package as it was."""
    run, out = Path(run), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_package(
            run,
            data,
            tmp,
            model_id=model_id,
            model_version=model_version,
            golden_images=golden_images,
            mrf_beta=mrf_beta,
            evaluation=evaluation,
            images_dir=images_dir,
            photos=photos or [],
        )
        problems = validate(tmp)
        assert not problems, "package does not validate:\n" + "\n".join(problems)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log.info("model package %s: %.1f MB", out, total / 1e6)
    return out


def _write_package(
    run: Path,
    data,
    out: Path,
    *,
    model_id,
    model_version,
    golden_images,
    mrf_beta,
    evaluation,
    images_dir,
    photos,
) -> None:
    graphs, parts = export_graphs(run, out)
    align, vocab, ck, detector = (
        parts["align"],
        parts["vocab"],
        parts["align_ck"],
        parts["detector"],
    )
    dcfg = detector.cfg
    full_ck = torch.load(run / "gen_full.pt", map_location="cpu", weights_only=False)
    region_path = run / "gen_region.pt"
    region_ck = (
        torch.load(region_path, map_location="cpu", weights_only=False)
        if region_path.exists()
        else None
    )
    vocab.save(out / "vocab.json")
    beta = mrf_beta if mrf_beta is not None else float(region_ck["beta"]) if region_ck else 1.5
    manifest = {
        "format": "aligncap-model",
        "format_version": FORMAT_VERSION,
        "model_id": model_id,
        "model_version": model_version,
        "created": _dt.datetime.now(_dt.UTC)
        .replace(microsecond=0)
        .isoformat()
        .replace("+00:00", "Z"),
        "vocabulary": {
            "file": "vocab.json",
            "size": len(vocab),
            "pad_id": vocab.pad_id,
            "start_id": vocab.start_id,
            "end_id": vocab.end_id,
            "unk_id": vocab.unk_id,
        },
        "tokenizer": {"lowercase": True, "token_regex": TOKEN_REGEX},
        "image": {
            "input_size": dcfg.image_size,
            "layout": "NHWC",
            "dtype": "uint8",
            "channels": "RGB",
            "max_subsample_side": 2 * dcfg.image_size,
            "preprocessing": PREPROCESS_VERSION,
        },
        "regions": {
            "count": dcfg.regions,
            "detections": dcfg.detections,
            "whole_image_index": dcfg.regions - 1,
            "score_threshold": dcfg.score_threshold,
            "box_format": "xyxy, normalised to [0,1] of the image",
        },
        "alignment": {
            "embedding_size": align.cfg.embed_size,
            "mrf_beta": beta,
            "sentence_encoder": align.cfg.sentence_encoder,
        },
        "decoder": _decoder_spec(full_ck),
        "graphs": graphs,
        "detector": {
            "kind": parts["detector_ck"].get("kind", "scenes"),
            "kinds": [k.noun for k in KINDS][: getattr(dcfg, "kinds", 0)],
            "config": parts["detector_ck"]["config"],
            "train": parts["detector_ck"]["train"],
            "dataset": parts["detector_ck"].get("dataset", {}),
            "weights": parts["detector_ck"].get("weights", {}),
        },
        "training": {
            "alignment": {"model": ck["config"], "train": ck["train"]},
            "full_generator": {"model": full_ck["config"], "train": full_ck["train"]},
        },
        "dataset": ck.get("dataset", {}),
        "evaluation": evaluation or {},
    }
    if region_ck:
        manifest["region_decoder"] = _decoder_spec(region_ck)
        manifest["training"]["region_generator"] = {
            "model": region_ck["config"],
            "train": region_ck["train"],
            "mrf_beta": region_ck["beta"],
            "min_snippet": region_ck["min_snippet"],
            "snippets": region_ck["pairs"],
        }
    _write_manifest(out, manifest)
    write_golden(out, data, golden_images, images_dir, photos)
    _write_manifest(out, manifest)  # again: the golden files are now part of the package


def _decoder_spec(ck: dict) -> dict:
    c = ck["config"]
    bias = c["hidden_size"] * (4 if c["cell"] == "lstm" else 1)
    return {
        "cell": c["cell"],
        "hidden_size": c["hidden_size"],
        "bias_size": bias,
        "state_names": ["h", "c"] if c["cell"] == "lstm" else ["h"],
        "max_length": c["max_length"],
    }


def _write_manifest(out: Path, manifest: dict) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest["files"] = {
        p.relative_to(out).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)}
        for p in files
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def write_golden(
    out: Path, data, n: int, images_dir=None, photos: list[Path] | None = None
) -> None:
    """Parity cases for the Java service: test images as PNG (lossless, so both sides see
    the same pixels), a few resized to non-square sizes so the preprocess graph's resize is
    exercised, and ``photos`` (encoded files copied as they are: EXIF-rotated, large,
    gray, CMYK...) with the pixels that preprocessing must give for them."""
    from .pipeline import OnnxPipeline

    gdir = out / "golden"
    gdir.mkdir(exist_ok=True)
    pipe = OnnxPipeline(out)
    cases = []
    if n:
        ds = load_karpathy(data, images_dir)
        items = ds.split("test")[:n]
        for k, it in enumerate(items):
            with Image.open(ds.image_path(it)) as im:
                im = im.convert("RGB")
                if k % 6 == 5:  # non-square, larger than the model input
                    im = im.resize((im.width * 3 // 2, im.height), Image.BILINEAR)
                name = f"{k:03d}.png"
                im.save(gdir / name, optimize=False, compress_level=6)
            other = items[(k + 1) % len(items)]
            case = pipe.golden_case(gdir / name, [it.raws[0], other.raws[0], "A cat and a DOG!"])
            case["model_input"] = _save_model_input(pipe, gdir / name)
            if ds.annotations is not None:
                boxes = [
                    (np.asarray(o["box"], np.float64) / ds.scene_size).round(4).tolist()
                    for o in ds.annotations[str(it.imgid)]["objects"][:2]
                ]
                case["box_captions"] = pipe.box_captions_case(gdir / name, boxes)
            cases.append(case)
    for photo in photos or []:
        (gdir / "photos").mkdir(exist_ok=True)
        dest = gdir / "photos" / Path(photo).name
        shutil.copyfile(photo, dest)
        case = pipe.golden_case(dest, ["A dog on the grass."])
        decoded = decode_image(dest, pipe.manifest["image"]["max_subsample_side"])
        Image.fromarray(decoded).save(
            gdir / "photos" / f"{dest.name}.decoded.png", compress_level=6
        )
        case["decoded"] = f"photos/{dest.name}.decoded.png"
        case["model_input"] = _save_model_input(pipe, dest)
        cases.append(case)
    m = pipe.manifest
    golden = {
        "decoding": {
            "max_length": m["decoder"]["max_length"],
            "alpha": 0.0,
            "region_max_length": m.get("region_decoder", {}).get("max_length"),
        },
        "tolerance": TOLERANCE,
        "images": cases,
    }
    (gdir / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")


def _save_model_input(pipe, path: Path) -> str:
    """The S×S pixels the reference fed to the image encoder, as a PNG beside the image."""
    image, _ = pipe.model_input(path)
    out = path.with_name(f"{path.name}.input.png")
    Image.fromarray(image).save(out, compress_level=6)
    return out.relative_to(
        path.parent.parent if path.parent.name == "photos" else path.parent
    ).as_posix()


# --- validation --------------------------------------------------------------------------

_ONNX_TYPES = {
    onnx.TensorProto.FLOAT: "float32",
    onnx.TensorProto.INT64: "int64",
    onnx.TensorProto.UINT8: "uint8",
}
REQUIRED_GRAPHS = ("preprocess", "image_encoder", "box_encoder", "sentence_encoder", "decoder")


def validate(package: str | Path) -> list[str]:
    """Every problem with a package, each naming the file; [] when it is sound."""
    d = Path(package)
    mpath = d / "manifest.json"
    if not mpath.exists():
        return [f"{mpath}: missing"]
    try:
        m = json.loads(mpath.read_text())
    except json.JSONDecodeError as e:
        return [f"{mpath}: not JSON ({e})"]
    problems = []
    if m.get("format") != "aligncap-model" or m.get("format_version") != FORMAT_VERSION:
        problems.append(
            f"{mpath}: format {m.get('format')!r} version {m.get('format_version')!r}, "
            f"expected 'aligncap-model' version {FORMAT_VERSION}"
        )
        return problems
    for key in (
        "model_id",
        "model_version",
        "vocabulary",
        "tokenizer",
        "image",
        "regions",
        "alignment",
        "decoder",
        "graphs",
        "files",
    ):
        if key not in m:
            problems.append(f"{mpath}: missing key {key!r}")
    if problems:
        return problems
    for g in REQUIRED_GRAPHS:
        if g not in m["graphs"]:
            problems.append(f"{mpath}: graphs has no {g!r}")
    if ("region_decoder" in m) != ("region_decoder" in m["graphs"]):
        problems.append(
            f"{mpath}: region_decoder must be described and listed in graphs together, or not at all"
        )
    for rel, meta in m["files"].items():
        p = d / rel
        if not p.exists():
            problems.append(f"{p}: listed in the manifest but missing")
        elif p.stat().st_size != meta["bytes"]:
            problems.append(f"{p}: {p.stat().st_size} bytes, manifest says {meta['bytes']}")
        elif sha256(p) != meta["sha256"]:
            problems.append(
                f"{p}: SHA-256 {sha256(p)[:12]}… does not match the manifest's {meta['sha256'][:12]}…"
            )
    for p in d.rglob("*"):
        rel = p.relative_to(d).as_posix()
        if p.is_file() and p.name != "manifest.json" and rel not in m["files"]:
            problems.append(f"{p}: not listed in the manifest")
    vpath = d / m["vocabulary"]["file"]
    if vpath.exists():
        size = len(json.loads(vpath.read_text())["tokens"])
        if size != m["vocabulary"]["size"]:
            problems.append(f"{vpath}: {size} tokens, manifest says {m['vocabulary']['size']}")
    for g in m["graphs"].values():
        problems += _check_graph(d / g["file"], g)
    return problems


def _check_graph(gpath: Path, g: dict) -> list[str]:
    if not gpath.exists():
        return []  # reported above
    try:
        model = onnx.load(str(gpath))
        onnx.checker.check_model(model)
    except Exception as e:  # noqa: BLE001 — any parse failure is the file's problem
        return [f"{gpath}: not a valid ONNX model ({e})"]
    problems = []
    for kind, declared, actual in (
        ("input", g["inputs"], model.graph.input),
        ("output", g["outputs"], model.graph.output),
    ):
        got = {v.name: v for v in actual}
        if [x["name"] for x in declared] != [v.name for v in actual]:
            problems.append(
                f"{gpath}: {kind}s {[v.name for v in actual]}, manifest says {[x['name'] for x in declared]}"
            )
            continue
        for x in declared:
            t = got[x["name"]].type.tensor_type
            dims = [dim.dim_param or dim.dim_value for dim in t.shape.dim]
            # a named (dynamic) dimension must stay dynamic; a fixed one must match where
            # the file fixes it (shape inference leaves some fixed sizes symbolic)
            bad_dims = len(dims) != len(x["shape"]) or any(
                (isinstance(w, str) and isinstance(h, int) and h > 0)
                or (isinstance(w, int) and isinstance(h, int) and h > 0 and h != w)
                for w, h in zip(x["shape"], dims, strict=False)
            )
            if _ONNX_TYPES.get(t.elem_type) != x["dtype"] or bad_dims:
                problems.append(
                    f"{gpath}: {kind} {x['name']} is {_ONNX_TYPES.get(t.elem_type)}{dims}, "
                    f"manifest says {x['dtype']}{x['shape']}"
                )
    return problems
