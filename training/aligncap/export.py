"""ONNX export of the serving pipeline and the model package (models/FORMAT.md).

Graphs: the image encoder (uint8 pixels of any size → generator image vectors, region
embeddings, region boxes), the BRNN sentence encoder, and one decoder step for each
generator. ``OnnxPipeline`` runs a package through onnxruntime: it is the reference
decoder that writes the golden parity file and that the Java service must match.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from PIL import Image

from . import mrf
from .dataset import TOKEN_REGEX, Vocabulary, load_karpathy, tokenize
from .decode import beam_search
from .model import region_boxes, region_features
from .train import load_alignment, load_generator

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
OPSET = 17
TOLERANCE = 1e-4


class ImageEncoderGraph(nn.Module):
    def __init__(self, align, full_head, region_head):
        super().__init__()
        self.align, self.full_head, self.region_head = align, full_head, region_head
        self.register_buffer("boxes", region_boxes(align.cfg.grid))

    def forward(self, pixels):
        fmap = self.align.features(pixels)
        feats = region_features(fmap)
        return self.full_head(fmap), self.align.W_m(feats), self.region_head(feats), self.boxes * 1.0


class SentenceEncoderGraph(nn.Module):
    def __init__(self, align):
        super().__init__()
        self.sentence = align.sentence

    def forward(self, tokens, lengths):
        return self.sentence(tokens, lengths)


def _io(name, dtype, shape):
    return {"name": name, "dtype": dtype, "shape": list(shape)}


def export_graphs(run: Path, out: Path) -> dict:
    """Write the four graphs; returns the manifest's "graphs" section and sizes."""
    align, vocab, ck = load_alignment(run / "align.pt")
    cfg = align.cfg
    C, G = align.cnn.out_channels, cfg.grid
    full, fcfg, _ = load_generator(run / "gen_full.pt", len(vocab), C, G)
    region, rcfg, _ = load_generator(run / "gen_region.pt", len(vocab), C, G)
    R, h, V = cfg.regions, cfg.embed_size, len(vocab)
    graphs = {}

    img = ImageEncoderGraph(align, full.head, region.head).eval()
    pixels = torch.randint(0, 256, (2, 96, 160, 3), dtype=torch.uint8)
    graphs["image_encoder"] = _export(
        img, (pixels,), out / "image_encoder.onnx",
        [_io("pixels", "uint8", ["batch", "height", "width", 3])],
        [_io("image_bias", "float32", ["batch", fcfg.bias_size]),
         _io("region_embeddings", "float32", ["batch", R, h]),
         _io("region_bias", "float32", ["batch", R, rcfg.bias_size]),
         _io("region_boxes", "float32", [R, 4])])

    sent = SentenceEncoderGraph(align).eval()
    toks = torch.randint(4, V, (3, 7))
    lens = torch.tensor([7, 4, 1])
    graphs["sentence_encoder"] = _export(
        sent, (toks, lens), out / "sentence_encoder.onnx",
        [_io("tokens", "int64", ["batch", "length"]), _io("lengths", "int64", ["batch"])],
        [_io("word_vectors", "float32", ["batch", "length", h])])

    for name, gen, gcfg in (("decoder", full, fcfg), ("region_decoder", region, rcfg)):
        step = gen.step.eval()
        B = 3
        args = (torch.randint(4, V, (B,)), torch.randn(B, gcfg.bias_size),
                *[torch.randn(B, gcfg.hidden_size).abs() for _ in gcfg.state_names])
        graphs[name] = _export(
            step, args, out / f"{name}.onnx",
            [_io("token", "int64", ["batch"]), _io("image_bias", "float32", ["batch", gcfg.bias_size])]
            + [_io(s, "float32", ["batch", gcfg.hidden_size]) for s in gcfg.state_names],
            [_io("log_probs", "float32", ["batch", V])]
            + [_io(f"{s}_out", "float32", ["batch", gcfg.hidden_size]) for s in gcfg.state_names])
    return graphs


def _export(module: nn.Module, args: tuple, path: Path, inputs: list[dict], outputs: list[dict]) -> dict:
    """Export, run onnx.checker, and compare onnxruntime with PyTorch on the example
    inputs (max abs difference ≤ TOLERANCE) — also on a second batch size, so the
    dynamic axes really are dynamic."""
    dynamic = {io["name"]: {i: d for i, d in enumerate(io["shape"]) if isinstance(d, str)}
               for io in inputs + outputs}
    torch.onnx.export(module, args, str(path), input_names=[i["name"] for i in inputs],
                      output_names=[o["name"] for o in outputs], dynamic_axes=dynamic,
                      opset_version=OPSET, dynamo=False)
    _name_outputs(path, [o["name"] for o in outputs])
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for trial in (args, tuple(a[:1] for a in args)):
        with torch.no_grad():
            want = module(*trial)
        want = want if isinstance(want, tuple) else (want,)
        got = sess.run(None, {i["name"]: a.numpy() for i, a in zip(inputs, trial, strict=True)})
        for o, w, g in zip(outputs, want, got, strict=True):
            diff = float(np.abs(w.numpy() - g).max())
            assert diff <= TOLERANCE, f"{path.name}: output {o['name']} differs from PyTorch by {diff:.2e} > {TOLERANCE}"
    log.info("exported %s (%.1f MB), matches PyTorch within %g", path.name, path.stat().st_size / 1e6, TOLERANCE)
    return {"file": path.name, "inputs": inputs, "outputs": outputs}


def _name_outputs(path: Path, names: list[str]) -> None:
    """The exporter renames an output it folds to a constant (region_boxes does not depend
    on the pixels); route such an output through an Identity node carrying its name."""
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


# --- the reference pipeline --------------------------------------------------------------

class OnnxPipeline:
    """A model package run through onnxruntime, following models/FORMAT.md to the letter."""

    def __init__(self, package: str | Path):
        self.dir = Path(package)
        self.manifest = json.loads((self.dir / "manifest.json").read_text())
        self.vocab = Vocabulary.load(self.dir / self.manifest["vocabulary"]["file"])
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # deterministic, and the golden file is small
        self.sessions = {name: ort.InferenceSession(str(self.dir / g["file"]), opts,
                                                    providers=["CPUExecutionProvider"])
                         for name, g in self.manifest["graphs"].items()}

    def encode_image(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        names = [o["name"] for o in self.manifest["graphs"]["image_encoder"]["outputs"]]
        out = self.sessions["image_encoder"].run(None, {"pixels": pixels[None]})
        return {n: (v if n == "region_boxes" else v[0]) for n, v in zip(names, out, strict=True)}

    def word_vectors(self, sentence: str) -> tuple[list[int], np.ndarray]:
        ids = self.vocab.encode(tokenize(sentence))
        w = self.sessions["sentence_encoder"].run(None, {"tokens": np.array([ids], np.int64),
                                                         "lengths": np.array([len(ids)], np.int64)})[0][0]
        return ids, w

    def align(self, enc: dict, sentence: str) -> dict:
        ids, w = self.word_vectors(sentence)
        unary = w.astype(np.float64) @ enc["region_embeddings"].astype(np.float64).T  # (T,R)
        labels = mrf.viterbi(unary, self.manifest["alignment"]["mrf_beta"])
        return {"raw": sentence, "tokens": ids, "score": float(unary.max(1).sum()),
                "word_regions": [int(r) for r in unary.argmax(1)],
                "snippets": [{"start": s, "end": e, "region": r} for s, e, r in mrf.snippets(labels)]}

    def caption(self, bias: np.ndarray, *, beam_size: int = 1, max_length: int | None = None,
                alpha: float = 0.0, graph: str = "decoder") -> list[dict]:
        spec = self.manifest[graph]
        sess = self.sessions[graph]
        states = spec["state_names"]

        def step(tokens, image_bias, st):
            feed = {"token": tokens, "image_bias": image_bias.astype(np.float32)}
            feed.update({n: s for n, s in zip(states, st, strict=True)})
            out = sess.run(None, feed)
            return out[0], out[1:]

        v = self.manifest["vocabulary"]
        hyps = beam_search(step, bias, [np.zeros(spec["hidden_size"], np.float32) for _ in states],
                           beam_size=beam_size, max_length=max_length or spec["max_length"],
                           start_id=v["start_id"], end_id=v["end_id"],
                           banned=(v["pad_id"], v["start_id"], v["unk_id"]), alpha=alpha)
        return [{"tokens": h.tokens, "words": self.vocab.decode([t for t in h.tokens if t != v["end_id"]]),
                 "log_prob": h.log_prob, "score": h.score} for h in hyps]

    def region_bias(self, enc: dict, box) -> np.ndarray:
        """FORMAT.md: mean region_bias of the cells whose centres lie in the box."""
        g = self.manifest["regions"]["grid"]
        x0, y0, x1, y1 = box
        idx = [r * g + c for r in range(g) for c in range(g)
               if x0 <= (c + 0.5) / g <= x1 and y0 <= (r + 0.5) / g <= y1]
        if not idx:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            idx = [min(int(cy * g), g - 1) * g + min(int(cx * g), g - 1)]
        return enc["region_bias"][idx].astype(np.float64).mean(0).astype(np.float32)


# --- the package -------------------------------------------------------------------------

def build_package(run: str | Path, data: str | Path, out: str | Path, *, model_id: str,
                  model_version: str = "1.0.0", golden_images: int = 24, mrf_beta: float | None = None,
                  evaluation: dict | None = None, images_dir: str | None = None) -> Path:
    run, out = Path(run), Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    align, vocab, ck = load_alignment(run / "align.pt")
    full_ck = torch.load(run / "gen_full.pt", map_location="cpu", weights_only=False)
    region_ck = torch.load(run / "gen_region.pt", map_location="cpu", weights_only=False)
    graphs = export_graphs(run, out)
    vocab.save(out / "vocab.json")
    cfg = align.cfg
    beta = mrf_beta if mrf_beta is not None else float(region_ck["beta"])
    manifest = {
        "format": "aligncap-model", "format_version": FORMAT_VERSION,
        "model_id": model_id, "model_version": model_version,
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "vocabulary": {"file": "vocab.json", "size": len(vocab), "pad_id": vocab.pad_id,
                       "start_id": vocab.start_id, "end_id": vocab.end_id, "unk_id": vocab.unk_id},
        "tokenizer": {"lowercase": True, "token_regex": TOKEN_REGEX},
        "image": {"input_size": cfg.image_size, "layout": "NHWC", "dtype": "uint8", "channels": "RGB",
                  "max_subsample_side": 2 * cfg.image_size},
        "regions": {"grid": cfg.grid, "count": cfg.regions, "whole_image_index": cfg.regions - 1,
                    "box_format": "xyxy, normalised to [0,1] of the image"},
        "alignment": {"embedding_size": cfg.embed_size, "mrf_beta": beta,
                      "sentence_encoder": cfg.sentence_encoder},
        "decoder": _decoder_spec(full_ck), "region_decoder": _decoder_spec(region_ck),
        "graphs": graphs,
        "training": {"alignment": {"model": ck["config"], "train": ck["train"]},
                     "full_generator": {"model": full_ck["config"], "train": full_ck["train"]},
                     "region_generator": {"model": region_ck["config"], "train": region_ck["train"],
                                          "mrf_beta": region_ck["beta"], "min_snippet": region_ck["min_snippet"],
                                          "snippets": region_ck["pairs"]}},
        "dataset": ck.get("dataset", {}),
        "evaluation": evaluation or {},
    }
    _write_manifest(out, manifest)
    write_golden(out, data, golden_images, images_dir)
    _write_manifest(out, manifest)  # again: the golden files are now part of the package
    problems = validate(out)
    assert not problems, "package does not validate:\n" + "\n".join(problems)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    log.info("model package %s: %.1f MB in %d files", out, total / 1e6, len(manifest["files"]) + 1)
    return out


def _decoder_spec(ck: dict) -> dict:
    c = ck["config"]
    bias = c["hidden_size"] * (4 if c["cell"] == "lstm" else 1)
    return {"cell": c["cell"], "hidden_size": c["hidden_size"], "bias_size": bias,
            "state_names": ["h", "c"] if c["cell"] == "lstm" else ["h"], "max_length": c["max_length"]}


def _write_manifest(out: Path, manifest: dict) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest["files"] = {p.relative_to(out).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)}
                         for p in files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def write_golden(out: Path, data, n: int, images_dir=None) -> None:
    """Parity cases for the Java service: test images as PNG (lossless, so both sides
    see the same pixels) and the reference decoder's outputs. A few images are resized
    to non-square sizes so the in-graph resize is exercised too."""
    ds = load_karpathy(data, images_dir)
    items = ds.split("test")[:n]
    gdir = out / "golden"
    gdir.mkdir()
    pipe = OnnxPipeline(out)
    m = pipe.manifest
    cases = []
    for k, it in enumerate(items):
        with Image.open(ds.image_path(it)) as im:
            im = im.convert("RGB")
            orig = np.array([im.width, im.height] * 2, dtype=np.float64)
            if k % 6 == 5:  # non-square, larger than the model input
                im = im.resize((im.width * 3 // 2, im.height), Image.BILINEAR)
            name = f"{k:03d}.png"
            im.save(gdir / name, optimize=False, compress_level=6)
        pixels = np.asarray(Image.open(gdir / name).convert("RGB"), dtype=np.uint8)
        enc = pipe.encode_image(pixels)
        other = items[(k + 1) % len(items)]
        sentences = [it.raws[0], other.raws[0], "A cat and a DOG!"]
        case = {"file": name, "width": int(pixels.shape[1]), "height": int(pixels.shape[0]),
                "region_boxes": enc["region_boxes"].round(6).tolist(),
                "image_bias_l2": float(np.linalg.norm(enc["image_bias"])),
                "greedy": pipe.caption(enc["image_bias"], beam_size=1)[0],
                "beam3": pipe.caption(enc["image_bias"], beam_size=3),
                "sentences": [pipe.align(enc, s) for s in sentences],
                "region_captions": []}
        if ds.annotations is not None:
            for obj in ds.annotations[str(it.imgid)]["objects"][:2]:
                box = (np.asarray(obj["box"], np.float64) / orig).round(4).tolist()
                cap = pipe.caption(pipe.region_bias(enc, box), beam_size=1, graph="region_decoder")[0]
                case["region_captions"].append({"box": box, **cap})
        cases.append(case)
    golden = {"decoding": {"max_length": m["decoder"]["max_length"], "alpha": 0.0,
                           "region_max_length": m["region_decoder"]["max_length"]},
              "tolerance": TOLERANCE, "images": cases}
    (gdir / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")


# --- validation --------------------------------------------------------------------------

_ONNX_TYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64",
               onnx.TensorProto.UINT8: "uint8"}


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
        problems.append(f"{mpath}: format {m.get('format')!r} version {m.get('format_version')!r}, "
                        f"expected 'aligncap-model' version {FORMAT_VERSION}")
        return problems
    for key in ("model_id", "model_version", "vocabulary", "tokenizer", "image", "regions",
                "alignment", "decoder", "region_decoder", "graphs", "files"):
        if key not in m:
            problems.append(f"{mpath}: missing key {key!r}")
    if problems:
        return problems
    for rel, meta in m["files"].items():
        p = d / rel
        if not p.exists():
            problems.append(f"{p}: listed in the manifest but missing")
        elif p.stat().st_size != meta["bytes"]:
            problems.append(f"{p}: {p.stat().st_size} bytes, manifest says {meta['bytes']}")
        elif sha256(p) != meta["sha256"]:
            problems.append(f"{p}: SHA-256 {sha256(p)[:12]}… does not match the manifest's {meta['sha256'][:12]}…")
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
        gpath = d / g["file"]
        if not gpath.exists():
            continue  # reported above
        try:
            model = onnx.load(str(gpath))
            onnx.checker.check_model(model)
        except Exception as e:  # noqa: BLE001 — any parse failure is the file's problem
            problems.append(f"{gpath}: not a valid ONNX model ({e})")
            continue
        for kind, declared, actual in (("input", g["inputs"], model.graph.input),
                                       ("output", g["outputs"], model.graph.output)):
            got = {v.name: v for v in actual}
            if [x["name"] for x in declared] != [v.name for v in actual]:
                problems.append(f"{gpath}: {kind}s {[v.name for v in actual]}, manifest says {[x['name'] for x in declared]}")
                continue
            for x in declared:
                t = got[x["name"]].type.tensor_type
                dims = [dim.dim_param or dim.dim_value for dim in t.shape.dim]
                # a named (dynamic) dimension must stay dynamic; a fixed one must match where
                # the file fixes it (shape inference leaves some fixed sizes symbolic)
                bad_dims = len(dims) != len(x["shape"]) or any(
                    (isinstance(w, str) and isinstance(h, int) and h > 0)
                    or (isinstance(w, int) and isinstance(h, int) and h > 0 and h != w)
                    for w, h in zip(x["shape"], dims, strict=False))
                if _ONNX_TYPES.get(t.elem_type) != x["dtype"] or bad_dims:
                    problems.append(f"{gpath}: {kind} {x['name']} is {_ONNX_TYPES.get(t.elem_type)}{dims}, "
                                    f"manifest says {x['dtype']}{x['shape']}")
    return problems

