"""Evaluation as in the paper: image↔sentence retrieval (Table 1 protocol), alignment
accuracy on the corpus's ground-truth phrases (pointing game), and caption metrics
(BLEU-1..4, METEOR, ROUGE-L, CIDEr via pycocoevalcap) for the generators against the
nearest-neighbour baseline and the human-agreement ceiling (§4.2, §4.3).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from . import mrf
from .dataset import load_images, load_karpathy
from .decode import beam_search
from .model import region_boxes, region_features, score_matrix
from .train import encode_images, encode_sentences, load_alignment, load_generator, pick_device

log = logging.getLogger(__name__)


# --- retrieval ---------------------------------------------------------------------------

def retrieval_metrics(S: np.ndarray, sent_image: np.ndarray) -> dict:
    """S (N_images, N_sentences); sent_image[l] = the image sentence l describes.
    Image→sentence: rank of the best-ranked true sentence; sentence→image: rank of its
    image. Ranks are 1-based; R@K in percent; ties count against the true item."""
    S = np.asarray(S, dtype=np.float64)
    n_img = S.shape[0]
    true = S[sent_image, np.arange(S.shape[1])]  # (L,) score of each sentence with its image
    t2i = (S >= true[None, :]).sum(0)  # the true image itself counts once: rank ≥ 1
    i2t = np.empty(n_img, dtype=np.int64)
    for k in range(n_img):
        own = S[k, sent_image == k]
        i2t[k] = int((S[k] >= own.max()).sum() - (own == own.max()).sum() + 1)
    return {"image_to_sentence": _recalls(i2t), "sentence_to_image": _recalls(t2i)}


def _recalls(ranks: np.ndarray) -> dict:
    r = np.asarray(ranks)
    return {"R@1": 100 * float((r <= 1).mean()), "R@5": 100 * float((r <= 5).mean()),
            "R@10": 100 * float((r <= 10).mean()), "median_rank": float(np.median(r)), "n": int(len(r))}


@torch.no_grad()
def score_all(regions: torch.Tensor, words: list[torch.Tensor], device, chunk: int = 250) -> np.ndarray:
    """S_kl for every image and sentence (paper eq. 8), in chunks to bound memory."""
    lens = torch.tensor([len(w) for w in words])
    W = torch.zeros(len(words), int(lens.max()), words[0].shape[1])
    for i, w in enumerate(words):
        W[i, : len(w)] = w
    out = np.empty((len(regions), len(words)), dtype=np.float64)
    W, lens = W.to(device), lens.to(device)
    for i in range(0, len(regions), chunk):
        for j in range(0, len(words), chunk * 5):
            s = score_matrix(regions[i : i + chunk].to(device), W[j : j + chunk * 5], lens[j : j + chunk * 5])
            out[i : i + chunk, j : j + chunk * 5] = s.double().cpu().numpy()
    return out


# --- alignment accuracy ------------------------------------------------------------------

def pointing(unary: np.ndarray, span: tuple[int, int], labels: list[int], cell_boxes: np.ndarray,
             obj_boxes: list[np.ndarray]) -> dict:
    """For one ground-truth phrase: does the region its head word (the span's last token)
    aligns to fall on the object? argmax over grid cells, and the MRF's label (the
    whole-image region never counts as a hit: it localises nothing)."""
    head = span[1] - 1
    grid_cells = len(cell_boxes)
    out = {}
    for name, region in (("argmax", int(unary[head, :grid_cells].argmax())), ("mrf", labels[head])):
        hit = iou_hit = False
        if region < grid_cells:
            box = cell_boxes[region]
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            hit = any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in obj_boxes)
            iou_hit = any(iou(box, b) >= 0.5 for b in obj_boxes)
        out[name] = (hit, iou_hit)
    return out


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def image_size(ds, item) -> np.ndarray:
    """(w, h, w, h) of the image file: annotation boxes are in its pixels, not the model's."""
    with Image.open(ds.image_path(item)) as im:
        return np.array([im.width, im.height] * 2, dtype=np.float64)


def alignment_accuracy(ds, items, regions, words_by_sent, grid: int, beta: float) -> dict:
    annotations = ds.annotations
    unit_cells = region_boxes(grid).numpy()[:-1].astype(np.float64)  # normalised grid cells
    tallies = {k: [0, 0] for k in ("argmax", "mrf")}
    iou_tallies = {k: [0, 0] for k in ("argmax", "mrf")}
    n = 0
    for k, it in enumerate(items):
        ann = annotations[str(it.imgid)]
        size = image_size(ds, it)
        cells = unit_cells * size  # the grid in the image's pixels
        boxes = {o["id"]: np.asarray(o["box"], dtype=np.float64) for o in ann["objects"]}
        for sentid in it.sentids:
            phrases = ann["phrases"].get(str(sentid), [])
            if not phrases:
                continue
            w = words_by_sent[sentid]
            unary = (w.double() @ regions[k].double().T).numpy()
            labels = mrf.viterbi(unary, beta)
            for ph in phrases:
                res = pointing(unary, (ph["start"], ph["end"]), labels, cells,
                               [boxes[i] for i in ph["object_ids"]])
                n += 1
                for name, (hit, iou_hit) in res.items():
                    tallies[name][0] += hit
                    iou_tallies[name][0] += iou_hit
    pct = lambda c: 100.0 * c / max(1, n)  # noqa: E731
    return {"phrases": n,
            "pointing_argmax": pct(tallies["argmax"][0]), "pointing_mrf": pct(tallies["mrf"][0]),
            "iou50_argmax": pct(iou_tallies["argmax"][0]), "iou50_mrf": pct(iou_tallies["mrf"][0])}


# --- caption metrics ---------------------------------------------------------------------

def caption_metrics(gts: dict[str, list[str]], res: dict[str, str]) -> dict:
    """pycocoevalcap's reference scorers on pre-tokenised lower-case strings. METEOR runs
    its jar with Java; without Java on the machine it is reported as null."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    keys = sorted(res)
    g = {k: gts[k] for k in keys}
    r = {k: [res[k]] for k in keys}
    bleu, _ = Bleu(4).compute_score(g, r, verbose=0)
    out = {f"BLEU-{i + 1}": 100 * float(b) for i, b in enumerate(bleu)}
    out["ROUGE-L"] = 100 * float(Rouge().compute_score(g, r)[0])
    out["CIDEr"] = 100 * float(Cider().compute_score(g, r)[0])
    out["METEOR"] = None
    if shutil.which("java"):
        from pycocoevalcap.meteor.meteor import Meteor

        m = Meteor()
        try:
            out["METEOR"] = 100 * float(m.compute_score(g, r)[0])
        finally:
            with m.lock:
                m.meteor_p.stdin.close()
                m.meteor_p.kill()
                m.meteor_p.wait()
    else:
        log.warning("java not found: METEOR skipped")
    out["n"] = len(keys)
    return out


def human_ceiling(gts: dict[str, list[str]]) -> dict:
    """Each reference scored against the others of its image, averaged over leave-one-out."""
    folds = min(len(v) for v in gts.values())
    scores = []
    for j in range(folds):
        res = {k: v[j] for k, v in gts.items()}
        refs = {k: v[:j] + v[j + 1 :] for k, v in gts.items()}
        scores.append(caption_metrics(refs, res))
    return {k: (None if scores[0][k] is None else float(np.mean([s[k] for s in scores])))
            for k in scores[0]}


def consensus_caption(captions: list[str]) -> str:
    """The caption agreeing most with its siblings (mean unigram F1): the NN baseline's
    'best caption' of the nearest training image."""
    toks = [c.split() for c in captions]

    def f1(a, b):
        common = sum(min(a.count(w), b.count(w)) for w in set(a))
        return 0.0 if not common else 2 * common / (len(a) + len(b))

    best = max(range(len(toks)), key=lambda i: (np.mean([f1(toks[i], toks[j]) for j in range(len(toks)) if j != i]), -i))
    return captions[best]


# --- the whole evaluation ----------------------------------------------------------------

def decode_batch(gen, biases: torch.Tensor, vocab, *, beam_size: int, max_length: int, alpha: float = 0.0):
    """Beam-search each bias row with the PyTorch step; returns token lists (END dropped)."""
    step_mod = gen.step

    @torch.no_grad()
    def step(tokens, bias, states):
        out = step_mod(torch.from_numpy(tokens), torch.from_numpy(np.asarray(bias, np.float32)),
                       *[torch.from_numpy(s) for s in states])
        return out[0].numpy(), [s.numpy() for s in out[1:]]

    init = [np.zeros(gen.step.cfg.hidden_size, np.float32) for _ in gen.step.cfg.state_names]
    banned = (vocab.pad_id, vocab.start_id, vocab.unk_id)
    results = []
    for b in tqdm(biases.numpy(), desc=f"beam {beam_size}", leave=False):
        hyp = beam_search(step, b, init, beam_size=beam_size, max_length=max_length,
                          start_id=vocab.start_id, end_id=vocab.end_id, banned=banned, alpha=alpha)[0]
        results.append([t for t in hyp.tokens if t != vocab.end_id])
    return results


def pooled_cells(fmap_regions: torch.Tensor, box_norm, grid: int) -> torch.Tensor:
    """The FORMAT.md region rule: mean over the grid cells whose centres lie in the box,
    else the cell holding the box's centre. fmap_regions (R,C) → (C,)."""
    x0, y0, x1, y1 = box_norm
    centres = [((c + 0.5) / grid, (r + 0.5) / grid) for r in range(grid) for c in range(grid)]
    idx = [i for i, (cx, cy) in enumerate(centres) if x0 <= cx <= x1 and y0 <= cy <= y1]
    if not idx:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        idx = [min(int(cy * grid), grid - 1) * grid + min(int(cx * grid), grid - 1)]
    return fmap_regions[idx].mean(0)


def evaluate(run: str | Path, data: str | Path, *, split: str = "test", beam_size: int = 3,
             beta: float | None = None, device: str = "auto", images_dir: str | None = None,
             limit: int | None = None, captions: bool = True, metrics: bool = True) -> dict:
    """Evaluate the models in ``run`` (align.pt, gen_full.pt, gen_region.pt if present).
    Generated captions are kept in ``run/captions_<split>.json``; with metrics=False they
    are only generated (e.g. on a GPU machine without Java) and scored later by
    ``score_captions``."""
    run = Path(run)
    dev = pick_device(device)
    align, vocab, ck = load_alignment(run / "align.pt", dev)
    ds = load_karpathy(data, images_dir)
    items = ds.split(split)[:limit]
    cfg = align.cfg
    beta = beta if beta is not None else _beta(run)
    pixels = load_images(ds, items, cfg.image_size)
    fmaps, regions = encode_images(align, pixels, dev)
    sent_ids = [sid for it in items for sid in it.sentids]
    seqs = [vocab.encode(s) for it in items for s in it.sentences]
    words = encode_sentences(align, seqs, dev)
    sent_image = np.array([k for k, it in enumerate(items) for _ in it.sentences])
    report: dict = {"split": split, "images": len(items), "sentences": len(seqs),
                    "sentence_encoder": cfg.sentence_encoder}
    report["retrieval"] = retrieval_metrics(score_all(regions, words, dev), sent_image)
    if ds.annotations is not None:
        report["alignment"] = alignment_accuracy(ds, items, regions, dict(zip(sent_ids, words, strict=True)),
                                                 cfg.grid, beta)
        report["alignment"]["beta"] = beta
    if captions:
        generated = caption_report(run, ds, items, fmaps, vocab, cfg, beam_size, dev)
        (run / f"captions_{split}.json").write_text(json.dumps(generated) + "\n")
        if metrics:
            report["captions"] = score_captions(generated)
    return report


def _beta(run: Path) -> float:
    p = run / "gen_region.pt"
    return float(torch.load(p, map_location="cpu", weights_only=False)["beta"]) if p.exists() else 1.5


def caption_report(run, ds, items, fmaps, vocab, cfg, beam_size, dev) -> dict:
    """Generated captions and their references, per model kind: {kind: {"references":
    {key: [refs]}, "model": {key: caption}, "nearest_neighbour": {key: caption}}}."""
    out: dict = {}
    train_items = ds.split("train")
    align, _, _ = load_alignment(run / "align.pt", dev)
    train_f, _ = encode_images(align, load_images(ds, train_items, cfg.image_size), dev)
    if (run / "gen_full.pt").exists():
        gts = {str(it.imgid): [" ".join(s) for s in it.sentences] for it in items}
        gen, gcfg, _ = load_generator(run / "gen_full.pt", len(vocab), fmaps.shape[1], fmaps.shape[2])
        with torch.no_grad():
            bias = gen.head(fmaps)
        toks = decode_batch(gen, bias, vocab, beam_size=beam_size, max_length=gcfg.max_length)
        res = {str(it.imgid): " ".join(vocab.decode(t)) for it, t in zip(items, toks, strict=True)}
        out["full"] = {"cell": gcfg.cell, "beam_size": beam_size, "references": gts, "model": res,
                       "nearest_neighbour": nearest_neighbour(items, fmaps, train_items, train_f, dev)}
    if (run / "gen_region.pt").exists() and ds.annotations is not None:
        out["region"] = region_captions(run, ds, items, fmaps, vocab, cfg, train_f, dev)
    return out


def score_captions(captions: dict) -> dict:
    """Caption metrics for each kind: the model, the nearest-neighbour baseline and the
    human-agreement ceiling, side by side."""
    out = {}
    for kind, c in captions.items():
        gts = c["references"]
        out[kind] = {"model": caption_metrics(gts, c["model"]),
                     "nearest_neighbour": caption_metrics(gts, c["nearest_neighbour"]),
                     "human": human_ceiling(gts),
                     "examples": {k: {"model": c["model"][k], "references": gts[k][:2]}
                                  for k in list(c["model"])[:5]}}
        out[kind].update({k: v for k, v in c.items()
                          if k not in ("references", "model", "nearest_neighbour")})
    return out


@torch.no_grad()
def nearest_neighbour(items, fmaps, train_items, train_f, dev) -> dict[str, str]:
    """Paper's baseline: the best caption of the nearest training image in CNN feature space."""
    a = torch.nn.functional.normalize(fmaps.flatten(1), dim=1).to(dev)
    b = torch.nn.functional.normalize(train_f.flatten(1), dim=1).to(dev)
    nn_idx = torch.cat([(a[i : i + 256] @ b.T).argmax(1) for i in range(0, len(a), 256)]).cpu()
    return {str(it.imgid): consensus_caption([" ".join(s) for s in train_items[int(j)].sentences])
            for it, j in zip(items, nn_idx, strict=True)}


@torch.no_grad()
def region_captions(run, ds, items, fmaps, vocab, cfg, train_f, dev) -> dict:
    """The paper's region-level protocol on ground-truth boxes: references are the
    phrases that name each object in the test captions (objects named at least twice)."""
    gen, gcfg, ck = load_generator(run / "gen_region.pt", len(vocab), fmaps.shape[1], fmaps.shape[2])
    feats = region_features(fmaps)  # (N,R,C)
    keys, pooled, gts = [], [], {}
    for k, it in enumerate(items):
        ann = ds.annotations[str(it.imgid)]
        for obj in ann["objects"]:
            refs = [" ".join(toks[ph["start"] : ph["end"]])
                    for sid, toks in zip(it.sentids, it.sentences, strict=True)
                    for ph in ann["phrases"].get(str(sid), []) if obj["id"] in ph["object_ids"]]
            if len(refs) < 2:
                continue
            key = f"{it.imgid}/{obj['id']}"
            keys.append(key)
            gts[key] = refs
            pooled.append(pooled_cells(feats[k], np.asarray(obj["box"]) / image_size(ds, it), cfg.grid))
    pooled_t = torch.stack(pooled)
    toks = decode_batch(gen, gen.head(pooled_t), vocab, beam_size=1, max_length=gcfg.max_length)
    res = {key: " ".join(vocab.decode(t)) for key, t in zip(keys, toks, strict=True)}
    # nearest-neighbour region baseline: the training snippet whose region feature is closest
    snips = torch.load(run / "snippets.pt", weights_only=False)
    train_regions = region_features(train_f)
    bank = torch.stack([train_regions[i, r] for i, r, _ in snips])
    a = torch.nn.functional.normalize(pooled_t, dim=1).to(dev)
    b = torch.nn.functional.normalize(bank, dim=1).to(dev)
    nn_idx = torch.cat([(a[i : i + 256] @ b.T).argmax(1) for i in range(0, len(a), 256)]).cpu()
    nn_res = {key: " ".join(vocab.decode(snips[int(j)][2])) for key, j in zip(keys, nn_idx, strict=True)}
    return {"cell": gcfg.cell, "beam_size": 1, "references": gts, "model": res, "nearest_neighbour": nn_res,
            "regions": len(keys), "training_snippets": len(snips)}


def print_table(report: dict) -> str:
    lines = []
    r = report.get("retrieval", {})
    if r:
        lines.append(f"Retrieval on {report['images']} {report['split']} images ({report['sentence_encoder']}):")
        lines.append(f"  {'direction':<20}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'Med r':>8}")
        for name, m in r.items():
            lines.append(f"  {name:<20}{m['R@1']:>8.1f}{m['R@5']:>8.1f}{m['R@10']:>8.1f}{m['median_rank']:>8.1f}")
    a = report.get("alignment")
    if a:
        lines.append(f"Alignment on {a['phrases']} object phrases: pointing argmax {a['pointing_argmax']:.1f}%, "
                     f"MRF {a['pointing_mrf']:.1f}%; IoU≥0.5 argmax {a['iou50_argmax']:.1f}%, MRF {a['iou50_mrf']:.1f}%")
    for kind, c in report.get("captions", {}).items():
        lines.append(f"Captions ({kind}):")
        names = ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr"]
        lines.append("  " + f"{'':<20}" + "".join(f"{n:>9}" for n in names))
        for who in ("model", "nearest_neighbour", "human"):
            m = c[who]
            lines.append("  " + f"{who:<20}" + "".join(f"{'-' if m[n] is None else f'{m[n]:.1f}':>9}" for n in names))
    text = "\n".join(lines)
    print(text)
    return text


def write_report(report: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2) + "\n")
