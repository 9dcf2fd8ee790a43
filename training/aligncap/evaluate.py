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
from .dataset import load_karpathy
from .decode import beam_search
from .features import load_detector, region_bank
from .model import score_matrix
from .train import embed_bank, encode_sentences, load_alignment, load_generator, pick_device

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
    return {
        "R@1": 100 * float((r <= 1).mean()),
        "R@5": 100 * float((r <= 5).mean()),
        "R@10": 100 * float((r <= 10).mean()),
        "median_rank": float(np.median(r)),
        "n": int(len(r)),
    }


@torch.no_grad()
def score_all(
    regions: torch.Tensor, words: list[torch.Tensor], device, chunk: int = 250
) -> np.ndarray:
    """S_kl for every image and sentence (paper eq. 8), in chunks to bound memory."""
    lens = torch.tensor([len(w) for w in words])
    W = torch.zeros(len(words), int(lens.max()), words[0].shape[1])
    for i, w in enumerate(words):
        W[i, : len(w)] = w
    out = np.empty((len(regions), len(words)), dtype=np.float64)
    W, lens = W.to(device), lens.to(device)
    for i in range(0, len(regions), chunk):
        for j in range(0, len(words), chunk * 5):
            s = score_matrix(
                regions[i : i + chunk].to(device), W[j : j + chunk * 5], lens[j : j + chunk * 5]
            )
            out[i : i + chunk, j : j + chunk * 5] = s.double().cpu().numpy()
    return out


# --- alignment accuracy ------------------------------------------------------------------


def pointing(
    unary: np.ndarray,
    span: tuple[int, int],
    labels: list[int],
    region_boxes: np.ndarray,
    obj_boxes: list[np.ndarray],
) -> dict:
    """For one ground-truth phrase: does the region its head word (the span's last token)
    aligns to fall on the object? ``region_boxes`` are the detections' boxes (the whole
    image, the last region, is not among them and never counts as a hit: it localises
    nothing). Argmax over the detections, and the MRF's label. Returns, per method,
    (box centre inside the object, box IoU ≥ 0.5 with the object)."""
    head = span[1] - 1
    dets = len(region_boxes)
    out = {}
    for name, region in (("argmax", int(unary[head, :dets].argmax())), ("mrf", labels[head])):
        hit = iou_hit = False
        if region < dets:
            box = region_boxes[region]
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


def alignment_accuracy(
    ds, items, regions: torch.Tensor, det_boxes: torch.Tensor, words_by_sent: dict, beta: float
) -> dict:
    """Pointing game and box IoU of every ground-truth object phrase (scenes corpus).
    regions (N,R,h) embedded, det_boxes (N,K,4) normalised (K = R − 1 detections)."""
    tallies = {k: [0, 0] for k in ("argmax", "mrf")}
    n = 0
    for k, it in enumerate(items):
        ann = ds.annotations[str(it.imgid)]
        boxes = {
            o["id"]: np.asarray(o["box"], dtype=np.float64) / ds.scene_size for o in ann["objects"]
        }
        dets = det_boxes[k].double().numpy()
        for sentid in it.sentids:
            phrases = ann["phrases"].get(str(sentid), [])
            if not phrases:
                continue
            unary = (words_by_sent[sentid].double() @ regions[k].double().T).numpy()
            labels = mrf.viterbi(unary, beta)
            for ph in phrases:
                res = pointing(
                    unary,
                    (ph["start"], ph["end"]),
                    labels,
                    dets,
                    [boxes[i] for i in ph["object_ids"]],
                )
                n += 1
                for name, (hit, iou_hit) in res.items():
                    tallies[name][0] += hit
                    tallies[name][1] += iou_hit
    pct = lambda c: 100.0 * c / max(1, n)  # noqa: E731
    return {
        "phrases": n,
        "pointing_argmax": pct(tallies["argmax"][0]),
        "pointing_mrf": pct(tallies["mrf"][0]),
        "iou50_argmax": pct(tallies["argmax"][1]),
        "iou50_mrf": pct(tallies["mrf"][1]),
    }


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


def cider(gts: dict[str, list[str]], res: dict[str, str]) -> float:
    """CIDEr alone (fast, no Java): for validation during training."""
    from pycocoevalcap.cider.cider import Cider

    keys = sorted(res)
    return 100 * float(
        Cider().compute_score({k: gts[k] for k in keys}, {k: [res[k]] for k in keys})[0]
    )


def human_ceiling(gts: dict[str, list[str]]) -> dict:
    """Each reference scored against the others of its image, averaged over leave-one-out."""
    folds = min(len(v) for v in gts.values())
    scores = []
    for j in range(folds):
        res = {k: v[j] for k, v in gts.items()}
        refs = {k: v[:j] + v[j + 1 :] for k, v in gts.items()}
        scores.append(caption_metrics(refs, res))
    return {
        k: (None if scores[0][k] is None else float(np.mean([s[k] for s in scores])))
        for k in scores[0]
    }


def consensus_caption(captions: list[str]) -> str:
    """The caption agreeing most with its siblings (mean unigram F1): the NN baseline's
    'best caption' of the nearest training image."""
    toks = [c.split() for c in captions]

    def f1(a, b):
        common = sum(min(a.count(w), b.count(w)) for w in set(a))
        return 0.0 if not common else 2 * common / (len(a) + len(b))

    best = max(
        range(len(toks)),
        key=lambda i: (np.mean([f1(toks[i], toks[j]) for j in range(len(toks)) if j != i]), -i),
    )
    return captions[best]


# --- what captions say: kinds, counts, sizes -----------------------------------------------

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3}


def kind_words() -> dict[str, str]:
    """Word → kind noun, for the words that name exactly one kind (nouns, plurals and
    synonyms; category words such as "animal" or "fruit" name none)."""
    from .catalog import KINDS

    owners: dict[str, set[str]] = {}
    for k in KINDS:
        for w in (k.noun, k.plural, *k.synonyms):
            if w != k.category:
                owners.setdefault(w, set()).add(k.noun)
    return {w: next(iter(o)) for w, o in owners.items() if len(o) == 1}


def size_words() -> dict[str, str]:
    from .corpus import SIZE_WORDS

    return {
        w: size
        for size, words in SIZE_WORDS.items()
        for phrase in words
        for w in phrase.split()[:1]
    }


def mentions(tokens: list[str]) -> list[dict]:
    """The kinds a caption names, in order: {"kind", "count" (None if unsaid), "size"
    (None if unsaid)}. The count is the number word before a plural (one for a singular);
    the size is a size word among the three tokens before the noun."""
    from .catalog import BY_NOUN

    words, sizes = kind_words(), size_words()
    out = []
    for i, t in enumerate(tokens):
        kind = words.get(t)
        if kind is None:
            continue
        before = tokens[max(0, i - 4) : i]
        plural = t == BY_NOUN[kind].plural and t != BY_NOUN[kind].noun
        count = (
            next((NUMBER_WORDS[w] for w in reversed(before) if w in NUMBER_WORDS), None)
            if plural
            else 1
        )
        size = next((sizes[w] for w in reversed(before[-3:]) if w in sizes), None)
        out.append({"kind": kind, "count": count, "size": size})
    return out


def scene_facts(ann: dict) -> dict[str, dict]:
    """Kind noun → {"count", "size" (None when the objects of the kind differ)}."""
    facts: dict[str, dict] = {}
    for o in ann["objects"]:
        f = facts.setdefault(o["kind"], {"count": 0, "sizes": set()})
        f["count"] += 1
        f["sizes"].add(o["size"])
    return {
        k: {"count": f["count"], "size": next(iter(f["sizes"])) if len(f["sizes"]) == 1 else None}
        for k, f in facts.items()
    }


def kind_accuracy(ds, items, captions: dict[str, str]) -> dict:
    """Object-kind precision and recall of one caption per image (micro-averaged over
    images: kinds named that are in the scene / kinds named; kinds in the scene that are
    named / kinds in the scene), count accuracy of the named kinds that are there, and
    size-word accuracy where a size word is said and the kind's objects share a size."""
    named = right = present = recalled = counted = count_ok = sized = size_ok = 0
    per_kind: dict[str, int] = {}
    for it in items:
        facts = scene_facts(ds.annotations[str(it.imgid)])
        said = mentions(captions[str(it.imgid)].split())
        kinds = {m["kind"] for m in said}
        for k in kinds:
            per_kind[k] = per_kind.get(k, 0) + 1
        named += len(kinds)
        right += len(kinds & set(facts))
        present += len(facts)
        recalled += len(set(facts) & kinds)
        for m in said:
            f = facts.get(m["kind"])
            if f is None:
                continue
            if m["count"] is not None:
                counted += 1
                count_ok += m["count"] == f["count"]
            if m["size"] is not None and f["size"] is not None:
                sized += 1
                size_ok += m["size"] == f["size"]
    pct = lambda a, b: 100.0 * a / b if b else None  # noqa: E731
    return {
        "kind_precision": pct(right, named),
        "kind_recall": pct(recalled, present),
        "count_accuracy": pct(count_ok, counted),
        "size_accuracy": pct(size_ok, sized),
        "kinds_named": named,
        "kinds_present": present,
        "distinct_kinds_named": len(per_kind),
    }


def region_kind_accuracy(keys: list[str], kinds: list[str], captions: dict[str, str]) -> dict:
    """For each ground-truth box (key → its kind): does the region caption name that kind?"""
    ok = sum(
        any(m["kind"] == k for m in mentions(captions[key].split()))
        for key, k in zip(keys, kinds, strict=True)
    )
    return {"region_kind_accuracy": 100.0 * ok / max(1, len(keys)), "boxes": len(keys)}


# --- the retrieval ceiling ------------------------------------------------------------------


def sentence_facts(tokens: list[str]) -> dict:
    """What a sentence says of the scene: its background (from the corpus's phrases) and
    the kinds it names with their counts."""
    from .corpus import BACKGROUNDS

    text = " " + " ".join(tokens) + " "
    background = None
    for name, bg in BACKGROUNDS.items():
        if any(f" {p} " in text for p in (*bg.where, *bg.scene)):
            background = name
            break
    return {"background": background, "kinds": {m["kind"]: m["count"] for m in mentions(tokens)}}


def oracle_scores(ds, items) -> np.ndarray:
    """S[k, l] of an oracle that knows every test scene's description (background, kinds,
    counts): +1 per fact of sentence l that holds in image k, −100 per fact that does not,
    −0.01 per kind of image k that the sentence leaves out (it prefers the image with
    nothing unsaid). Its R@K is the ceiling that the corpus's ambiguity leaves."""
    truth = [
        (ds.annotations[str(it.imgid)]["background"], scene_facts(ds.annotations[str(it.imgid)]))
        for it in items
    ]
    sents = [sentence_facts(s) for it in items for s in it.sentences]
    S = np.zeros((len(items), len(sents)))
    for k, (bg, facts) in enumerate(truth):
        for j, f in enumerate(sents):
            score = 0.0
            if f["background"] is not None:
                score += 1 if f["background"] == bg else -100
            for kind, count in f["kinds"].items():
                if kind not in facts or (count is not None and count != facts[kind]["count"]):
                    score -= 100
                else:
                    score += 1
            score -= 0.01 * len(set(facts) - set(f["kinds"]))
            S[k, j] = score
    return S


# --- the whole evaluation ----------------------------------------------------------------


def decode_batch(
    gen, biases: torch.Tensor, vocab, *, beam_size: int, max_length: int, alpha: float = 0.0
):
    """Beam-search each bias row with the PyTorch step; returns token lists (END dropped)."""
    step_mod = gen.step

    @torch.no_grad()
    def step(tokens, bias, states):
        out = step_mod(
            torch.from_numpy(tokens),
            torch.from_numpy(np.asarray(bias, np.float32)),
            *[torch.from_numpy(s) for s in states],
        )
        return out[0].numpy(), [s.numpy() for s in out[1:]]

    init = [np.zeros(gen.step.cfg.hidden_size, np.float32) for _ in gen.step.cfg.state_names]
    banned = (vocab.pad_id, vocab.start_id, vocab.unk_id)
    results = []
    for b in tqdm(biases.numpy(), desc=f"beam {beam_size}", leave=False):
        hyp = beam_search(
            step,
            b,
            init,
            beam_size=beam_size,
            max_length=max_length,
            start_id=vocab.start_id,
            end_id=vocab.end_id,
            banned=banned,
            alpha=alpha,
        )[0]
        results.append([t for t in hyp.tokens if t != vocab.end_id])
    return results


def evaluate(
    run: str | Path,
    data: str | Path,
    *,
    split: str = "test",
    beam_size: int = 3,
    beta: float | None = None,
    device: str = "auto",
    images_dir: str | None = None,
    limit: int | None = None,
    captions: bool = True,
    metrics: bool = True,
    contact_sheet: int = 12,
) -> dict:
    """Evaluate the models in ``run`` (detector.pt, align.pt, gen_full.pt, gen_region.pt
    when present). Generated captions are kept in ``run/captions_<split>.json``; with
    metrics=False they are only generated (e.g. on a GPU machine without Java) and scored
    later by ``score_captions``."""
    run = Path(run)
    dev = pick_device(device)
    align, vocab, ck = load_alignment(run / "align.pt", dev)
    ds = load_karpathy(data, images_dir)
    items = ds.split(split)[:limit]
    beta = beta if beta is not None else _beta(run)
    bank = region_bank(ck["detector"], ds, items, dev)
    regions = embed_bank(align, bank, dev)
    sent_ids = [sid for it in items for sid in it.sentids]
    seqs = [vocab.encode(s) for it in items for s in it.sentences]
    words = encode_sentences(align, seqs, dev)
    sent_image = np.array([k for k, it in enumerate(items) for _ in it.sentences])
    report: dict = {
        "split": split,
        "images": len(items),
        "sentences": len(seqs),
        "sentence_encoder": align.cfg.sentence_encoder,
    }
    report["retrieval"] = retrieval_metrics(score_all(regions, words, dev), sent_image)
    if ds.annotations is not None:
        report["retrieval_oracle"] = retrieval_metrics(oracle_scores(ds, items), sent_image)
        report["alignment"] = alignment_accuracy(
            ds, items, regions, bank.boxes, dict(zip(sent_ids, words, strict=True)), beta
        )
        report["alignment"]["beta"] = beta
        detector, _ = load_detector(ck["detector"], dev)
        report["detection"] = detection_map(detector, ds, items, dev)
    if captions:
        generated = caption_report(run, ds, items, bank, vocab, ck, beam_size, dev)
        (run / f"captions_{split}.json").write_text(json.dumps(generated) + "\n")
        if ds.annotations is not None:
            report["kinds"] = kind_report(ds, items, generated)
        if metrics:
            report["captions"] = score_captions(generated)
        if contact_sheet and "full" in generated:
            write_contact_sheet(
                run / f"contact_sheet_{split}.png", ds, items[:contact_sheet], bank, generated
            )
    return report


def _beta(run: Path) -> float:
    p = run / "gen_region.pt"
    return (
        float(torch.load(p, map_location="cpu", weights_only=False)["beta"]) if p.exists() else 1.5
    )


def kind_report(ds, items, generated: dict) -> dict:
    out = {}
    if "full" in generated:
        g = generated["full"]
        out["full"] = {
            "model": kind_accuracy(ds, items, g["model"]),
            "nearest_neighbour": kind_accuracy(ds, items, g["nearest_neighbour"]),
        }
    if "region" in generated:
        g = generated["region"]
        out["region"] = {
            "model": region_kind_accuracy(g["keys"], g["kinds"], g["model"]),
            "nearest_neighbour": region_kind_accuracy(
                g["keys"], g["kinds"], g["nearest_neighbour"]
            ),
        }
    return out


def caption_report(run, ds, items, bank, vocab, ck, beam_size, dev) -> dict:
    """Generated captions and their references, per model kind: {kind: {"references":
    {key: [refs]}, "model": {key: caption}, "nearest_neighbour": {key: caption}}}, plus
    the dense captions of each image's detections (region generator) for the contact sheet."""
    out: dict = {}
    train_items = ds.split("train")
    train_bank = region_bank(ck["detector"], ds, train_items, dev)
    if (run / "gen_full.pt").exists():
        gts = {str(it.imgid): [" ".join(s) for s in it.sentences] for it in items}
        gen, gcfg, _ = load_generator(run / "gen_full.pt", len(vocab), dev)
        with torch.no_grad():
            bias = gen.head(bank.full_codes(range(len(bank))).to(dev)).cpu()
        toks = decode_batch(gen, bias, vocab, beam_size=beam_size, max_length=gcfg.max_length)
        res = {str(it.imgid): " ".join(vocab.decode(t)) for it, t in zip(items, toks, strict=True)}
        out["full"] = {
            "cell": gcfg.cell,
            "beam_size": beam_size,
            "references": gts,
            "model": res,
            "nearest_neighbour": nearest_neighbour(items, bank, train_items, train_bank, dev),
        }
    if (run / "gen_region.pt").exists() and ds.annotations is not None:
        out["region"] = region_captions(run, ds, items, ck, vocab, train_bank, dev)
        out["dense"] = dense_captions(run, items, bank, vocab, dev)
    return out


def score_captions(captions: dict) -> dict:
    """Caption metrics for each kind: the model, the nearest-neighbour baseline and the
    human-agreement ceiling, side by side."""
    out = {}
    for kind, c in captions.items():
        if "references" not in c:
            continue
        gts = c["references"]
        out[kind] = {
            "model": caption_metrics(gts, c["model"]),
            "nearest_neighbour": caption_metrics(gts, c["nearest_neighbour"]),
            "human": human_ceiling(gts),
            "examples": {
                k: {"model": c["model"][k], "references": gts[k][:2]} for k in list(c["model"])[:5]
            },
        }
        out[kind].update(
            {
                k: v
                for k, v in c.items()
                if k not in ("references", "model", "nearest_neighbour", "keys", "kinds")
            }
        )
    return out


@torch.no_grad()
def nearest_neighbour(items, bank, train_items, train_bank, dev) -> dict[str, str]:
    """Paper's baseline: the best caption of the nearest training image by the code the
    full-image generator reads (cosine)."""
    a = torch.nn.functional.normalize(bank.full_codes(range(len(bank))), dim=1).to(dev)
    b = torch.nn.functional.normalize(train_bank.full_codes(range(len(train_bank))), dim=1).to(dev)
    nn_idx = torch.cat([(a[i : i + 256] @ b.T).argmax(1) for i in range(0, len(a), 256)]).cpu()
    return {
        str(it.imgid): consensus_caption([" ".join(s) for s in train_items[int(j)].sentences])
        for it, j in zip(items, nn_idx, strict=True)
    }


@torch.no_grad()
def region_captions(run, ds, items, ck, vocab, train_bank, dev) -> dict:
    """The paper's region-level protocol on ground-truth boxes: references are the
    phrases that name each object in the test captions (objects named at least twice).
    The boxes go through the detector's RoI head, as the service's box_encoder does."""
    from .dataset import batch_pixels, image_store

    gen, gcfg, _ = load_generator(run / "gen_region.pt", len(vocab), dev)
    detector, _ = load_detector(ck["detector"], dev)
    store = image_store(ds, items, detector.cfg.image_size)
    keys, kinds, vectors, gts = [], [], [], {}
    for k, it in enumerate(items):
        ann = ds.annotations[str(it.imgid)]
        boxes, objs = [], []
        for obj in ann["objects"]:
            refs = [
                " ".join(toks[ph["start"] : ph["end"]])
                for sid, toks in zip(it.sentids, it.sentences, strict=True)
                for ph in ann["phrases"].get(str(sid), [])
                if obj["id"] in ph["object_ids"]
            ]
            if len(refs) < 2:
                continue
            key = f"{it.imgid}/{obj['id']}"
            keys.append(key)
            kinds.append(obj["kind"])
            gts[key] = refs
            boxes.append(np.asarray(obj["box"], np.float32) / ds.scene_size)
            objs.append(obj)
        if boxes:
            fmap = detector.features(batch_pixels(store, [k]).to(dev))
            vectors.append(
                detector.box_vectors(fmap, torch.from_numpy(np.stack(boxes)).to(dev)).cpu()
            )
    vec = torch.cat(vectors)
    toks = decode_batch(
        gen, gen.head(vec.to(dev)).cpu(), vocab, beam_size=1, max_length=gcfg.max_length
    )
    res = {key: " ".join(vocab.decode(t)) for key, t in zip(keys, toks, strict=True)}
    # nearest-neighbour region baseline: the training snippet whose region vector is closest
    snips = torch.load(run / "snippets.pt", weights_only=False)
    refs = train_bank.region_rows((i, r) for i, r, _ in snips)
    a = torch.nn.functional.normalize(vec, dim=1).to(dev)
    b = torch.nn.functional.normalize(refs, dim=1).to(dev)
    nn_idx = torch.cat([(a[i : i + 256] @ b.T).argmax(1) for i in range(0, len(a), 256)]).cpu()
    nn_res = {
        key: " ".join(vocab.decode(snips[int(j)][2])) for key, j in zip(keys, nn_idx, strict=True)
    }
    return {
        "cell": gcfg.cell,
        "beam_size": 1,
        "references": gts,
        "model": res,
        "nearest_neighbour": nn_res,
        "keys": keys,
        "kinds": kinds,
        "regions": len(keys),
        "training_snippets": len(snips),
    }


@torch.no_grad()
def dense_captions(run, items, bank, vocab, dev, threshold: float | None = None) -> dict:
    """Greedy region captions of each image's confident detections: {imgid: [{"box",
    "score", "caption"}]}, as the service's dense captions."""
    gen, gcfg, _ = load_generator(run / "gen_region.pt", len(vocab), dev)
    if threshold is None:
        from .detect import DetectorConfig

        threshold = DetectorConfig.score_threshold
    out = {}
    for k, it in enumerate(items[:50]):
        keep = [j for j in range(bank.scores.shape[1]) if float(bank.scores[k, j]) >= threshold]
        if not keep:
            out[str(it.imgid)] = []
            continue
        bias = gen.head(bank.region_rows((k, j) for j in keep).to(dev)).cpu()
        toks = decode_batch(gen, bias, vocab, beam_size=1, max_length=gcfg.max_length)
        out[str(it.imgid)] = [
            {
                "box": bank.boxes[k, j].tolist(),
                "score": float(bank.scores[k, j]),
                "caption": " ".join(vocab.decode(t)),
            }
            for j, t in zip(keep, toks, strict=True)
        ]
    return out


def write_contact_sheet(
    path: Path, ds, items, bank, generated: dict, cols: int = 4, scale: int = 2
) -> None:
    """A PNG of test scenes: each with its dense-caption boxes (numbered, with their
    captions) and the full-image caption underneath."""
    from PIL import ImageDraw, ImageFont

    font = ImageFont.load_default()
    colours = [
        (230, 25, 75),
        (60, 180, 75),
        (255, 225, 25),
        (0, 130, 200),
        (245, 130, 48),
        (145, 30, 180),
        (70, 240, 240),
        (240, 50, 230),
    ]
    side = ds.scene_size * scale if ds.scene_size else 256
    line = 12
    tile_h = side + line * 7
    sheet = Image.new(
        "RGB", (cols * (side + 8), ((len(items) + cols - 1) // cols) * (tile_h + 8)), "white"
    )
    draw = ImageDraw.Draw(sheet)
    for n, it in enumerate(items):
        x0, y0 = (n % cols) * (side + 8) + 4, (n // cols) * (tile_h + 8) + 4
        with Image.open(ds.image_path(it)) as im:
            sheet.paste(im.convert("RGB").resize((side, side), Image.NEAREST), (x0, y0))
        texts = [_wrap(generated["full"]["model"][str(it.imgid)], side)]
        for j, d in enumerate(generated.get("dense", {}).get(str(it.imgid), [])):
            c = colours[j % len(colours)]
            bx = [
                x0 + d["box"][0] * side,
                y0 + d["box"][1] * side,
                x0 + d["box"][2] * side,
                y0 + d["box"][3] * side,
            ]
            draw.rectangle(bx, outline=c, width=2)
            draw.text((bx[0] + 2, bx[1] + 1), str(j + 1), fill=c, font=font)
            texts.append((f"{j + 1}. {d['caption']} ({d['score']:.2f})", c))
        y = y0 + side + 2
        for t in texts:
            text, c = t if isinstance(t, tuple) else (t, (0, 0, 0))
            for part in text if isinstance(text, list) else [text]:
                draw.text((x0, y), part, fill=c, font=font)
                y += line
    sheet.save(path)


def _wrap(text: str, width_px: int, char_px: int = 6) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if len(cur) + len(w) + 1 > width_px // char_px and cur:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return [*lines, cur][:2]


def print_table(report: dict) -> str:
    lines = []
    r = report.get("retrieval", {})
    if r:
        lines.append(
            f"Retrieval on {report['images']} {report['split']} images ({report['sentence_encoder']}):"
        )
        lines.append(f"  {'direction':<28}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'Med r':>8}")
        for label, rr in (("", r), (" (oracle)", report.get("retrieval_oracle", {}))):
            for name, m in rr.items():
                lines.append(
                    f"  {name + label:<28}{m['R@1']:>8.1f}{m['R@5']:>8.1f}{m['R@10']:>8.1f}{m['median_rank']:>8.1f}"
                )
    a = report.get("alignment")
    if a:
        lines.append(
            f"Alignment on {a['phrases']} object phrases: pointing argmax {a['pointing_argmax']:.1f}%, "
            f"MRF {a['pointing_mrf']:.1f}%; IoU≥0.5 argmax {a['iou50_argmax']:.1f}%, MRF {a['iou50_mrf']:.1f}%"
        )
    d = report.get("detection")
    if d:
        lines.append(
            f"Detection: mAP@0.5 {d['mAP@0.5']:.1f} over {d['kinds']} kinds, {d['objects']} objects"
        )
    for kind, k in report.get("kinds", {}).items():
        for who, m in k.items():
            lines.append(
                f"Kinds ({kind}, {who}): "
                + ", ".join(
                    f"{n} {v:.1f}" if isinstance(v, float) else f"{n} {v}"
                    for n, v in m.items()
                    if v is not None
                )
            )
    for kind, c in report.get("captions", {}).items():
        lines.append(f"Captions ({kind}):")
        names = ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr"]
        lines.append("  " + f"{'':<20}" + "".join(f"{n:>9}" for n in names))
        for who in ("model", "nearest_neighbour", "human"):
            m = c[who]
            lines.append(
                "  "
                + f"{who:<20}"
                + "".join(f"{'-' if m[n] is None else f'{m[n]:.1f}':>9}" for n in names)
            )
    text = "\n".join(lines)
    print(text)
    return text


def write_report(report: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2) + "\n")


# --- detection -------------------------------------------------------------------------


@torch.no_grad()
def detections(
    detector, store, device, batch: int = 200
) -> list[list[tuple[list[float], int, float]]]:
    """Per image: (box normalised, kind, confidence) of each detection with a score > 0;
    kind is the RoI head's most likely class other than "no object", confidence the
    detection score times that class's probability."""
    from .dataset import batch_pixels

    out = []
    S = float(detector.cfg.image_size)
    for i in range(0, len(store), batch):
        fmap = detector.features(
            batch_pixels(store, range(i, min(i + batch, len(store)))).to(device)
        )
        boxes, scores = detector.detect(fmap)
        B, K = scores.shape
        idx = torch.arange(B, device=device, dtype=boxes.dtype).view(B, 1, 1).expand(B, K, 1)
        rois = torch.cat([idx, boxes * S], 2).reshape(-1, 5)
        probs = torch.softmax(detector.roi_cls(detector.roi_features(fmap, rois)), 1)[:, :-1].view(
            B, K, -1
        )
        p, kind = probs.max(2)
        conf = (scores * p).cpu()
        for b in range(B):
            out.append(
                [
                    (boxes[b, k].tolist(), int(kind[b, k]), float(conf[b, k]))
                    for k in range(K)
                    if float(scores[b, k]) > 0
                ]
            )
    return out


def average_precision(found: list[tuple[float, bool]], n_true: int) -> float:
    """VOC all-point interpolated AP of (confidence, is true positive) detections."""
    if n_true == 0:
        return float("nan")
    found = sorted(found, key=lambda f: -f[0])
    tp = np.cumsum([f[1] for f in found], dtype=np.float64)
    fp = np.cumsum([not f[1] for f in found], dtype=np.float64)
    recall = np.concatenate([[0.0], tp / n_true, [1.0]])
    precision = np.concatenate([[1.0], tp / np.maximum(tp + fp, 1e-9), [0.0]])
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    steps = np.where(recall[1:] != recall[:-1])[0]
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


def detection_map(detector, ds, items, device, iou_threshold: float = 0.5) -> dict:
    """mAP@0.5 over the kinds, against the annotation boxes (scenes corpus)."""
    from .dataset import image_store
    from .train import KIND_INDEX

    store = image_store(ds, items, detector.cfg.image_size)
    dets = detections(detector, store, device)
    per_kind: dict[int, list] = {}
    n_true: dict[int, int] = {}
    for it, found in zip(items, dets, strict=True):
        ann = ds.annotations[str(it.imgid)]
        size = ds.scene_size
        truth = [
            (np.asarray(o["box"], np.float64) / size, KIND_INDEX[o["kind"]]) for o in ann["objects"]
        ]
        for _, k in truth:
            n_true[k] = n_true.get(k, 0) + 1
        used = set()
        for box, k, conf in sorted(found, key=lambda f: -f[2]):
            best, best_j = 0.0, None
            for j, (tb, tk) in enumerate(truth):
                if tk == k and j not in used and (v := iou(box, tb)) > best:
                    best, best_j = v, j
            hit = best >= iou_threshold
            if hit:
                used.add(best_j)
            per_kind.setdefault(k, []).append((conf, hit))
    aps = {k: average_precision(per_kind.get(k, []), n) for k, n in n_true.items()}
    return {
        "mAP@0.5": 100 * float(np.mean(list(aps.values()))),
        "kinds": len(aps),
        "objects": sum(n_true.values()),
    }
