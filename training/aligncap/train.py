"""Training: the detector (the visual front end), the alignment model (§3.1) and the
multimodal RNN generators (§3.2, §3.3).

The detector trains on pixels; then its CNN is frozen and every image's region features
are cached (``features.py``), so the alignment model and the generators train on vectors,
as in the paper. Runs on one CPU/GPU or under ``torchrun`` (DDP): each process trains on
its shard, DistributedDataParallel averages gradients, rank 0 writes files.

Every stage checkpoints after each epoch (weights, optimiser, schedule, generator state),
resumes with ``resume=true``, validates on the val split each epoch, keeps the best
epoch's weights, and writes its curve to ``curves_<stage>.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import math
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from tqdm import tqdm

from . import mrf
from .catalog import KINDS
from .dataset import Vocabulary, batch_pixels, image_store, load_karpathy, pad_batch
from .detect import Detector, DetectorConfig, detector_loss, proposal_targets
from .features import RegionBank, load_detector, region_bank
from .model import (
    AlignConfig,
    AlignmentModel,
    DecoderStep,
    GenConfig,
    Generator,
    ImageHead,
    ranking_loss,
    score_matrix,
)

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: int = 30
    batch_size: int = 100  # paper: 100 image–sentence pairs
    optimizer: str = "sgd"  # "sgd" (paper, momentum 0.9), "adam" or "rmsprop"
    lr: float = 0.02
    momentum: float = 0.9
    weight_decay: float = 1e-4
    grad_clip: float = 5.0  # the paper clips gradients at 5
    warmup: float = 0.03  # fraction of all steps spent warming the learning rate up
    margin: float = 1.0  # of the ranking loss
    min_word_count: int = 5  # vocabulary threshold (paper: 5)
    seed: int = 1
    device: str = "auto"
    init: str = ""  # start from this checkpoint's weights (same vocabulary and model settings)
    resume: bool = False  # continue this run from its last epoch checkpoint


def apply_overrides(cfg, overrides: list[str]):
    """``["lr=0.1", "channels=32,64"]`` → a new dataclass; an unknown key is an error."""
    fields = {f.name: f for f in dataclasses.fields(cfg)}
    changes = {}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            raise ValueError(
                f"unknown setting {item!r} for {type(cfg).__name__}; expected one of {sorted(fields)}"
            )
        current = getattr(cfg, key)
        if isinstance(current, tuple):
            changes[key] = tuple(type(current[0])(v) for v in value.split(","))
        elif isinstance(current, bool):
            changes[key] = value.lower() in ("1", "true", "yes")
        else:
            changes[key] = type(current)(value)
    return dataclasses.replace(cfg, **changes)


def from_dict(cls, d: dict):
    """A config dataclass from its saved dict (JSON turns tuples into lists)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in names})


def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        torch.backends.cudnn.benchmark = True  # fixed input sizes: let cuDNN pick its kernels
    return torch.device(name)


# --- distributed -----------------------------------------------------------------------


def setup_distributed(device: torch.device) -> tuple[int, int, torch.device]:
    """(rank, world, device); a no-op unless launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, device
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    rank = dist.get_rank()
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    return rank, world, device


def finish_distributed(world: int) -> None:
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def wrap(model: torch.nn.Module, world: int, device: torch.device) -> torch.nn.Module:
    if world == 1:
        return model
    return DDP(model, device_ids=[device.index] if device.type == "cuda" else None)


def shard(n: int, rank: int, world: int, generator: torch.Generator) -> torch.Tensor:
    """This rank's slice of one shuffled epoch; every rank gets the same number of items."""
    perm = torch.randperm(n, generator=generator)
    per = n // world
    return perm[rank * per : (rank + 1) * per]


def length_batches(
    order: torch.Tensor, lengths: list[int] | None, batch_size: int, generator: torch.Generator
) -> list[torch.Tensor]:
    """Batches of ``order``; with lengths, bucketed: chunks of 50 batches are sorted by
    length before they are cut, so a batch pads little, then the batches are shuffled."""
    n = len(order) // batch_size
    if lengths is None:
        return [order[b * batch_size : (b + 1) * batch_size] for b in range(n)]
    chunk = batch_size * 50
    out = []
    for c in range(0, n * batch_size, chunk):
        part = order[c : min(c + chunk, n * batch_size)]
        part = part[torch.argsort(torch.tensor([lengths[i] for i in part.tolist()]), stable=True)]
        out += [part[b : b + batch_size] for b in range(0, len(part), batch_size)]
    return [out[i] for i in torch.randperm(len(out), generator=generator).tolist()]


def make_optimizer(params, tc: TrainConfig) -> torch.optim.Optimizer:
    if tc.optimizer == "sgd":
        return torch.optim.SGD(params, lr=tc.lr, momentum=tc.momentum, weight_decay=tc.weight_decay)
    if tc.optimizer == "adam":
        return torch.optim.Adam(params, lr=tc.lr, weight_decay=tc.weight_decay)
    if tc.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=tc.lr, weight_decay=tc.weight_decay)
    raise ValueError(f"unknown optimizer {tc.optimizer!r}; expected sgd, adam or rmsprop")


def schedule(step: int, total: int, base_lr: float, warmup: float) -> float:
    """Linear warm-up over ``warmup`` × total steps, then cosine decay to 0."""
    w = max(1, round(warmup * total))
    return base_lr * min(1.0, (step + 1) / w) * 0.5 * (1 + math.cos(math.pi * step / max(1, total)))


def fit(
    model: torch.nn.Module,
    net: torch.nn.Module,
    n_items: int,
    batch_loss,
    tc: TrainConfig,
    rank: int,
    world: int,
    name: str,
    out: Path,
    validate=None,
    lengths: list[int] | None = None,
) -> dict:
    """The one training loop: epochs over this rank's shard (length-bucketed when
    ``lengths`` is given), warm-up then cosine learning rate, gradient clipping.
    ``batch_loss(indices, generator)`` gives one batch's loss; ``validate()`` (rank 0)
    gives a dict of val figures whose "metric" is higher-is-better. After each epoch:
    the checkpoint ``out/<name>.ckpt`` and a row of ``out/curves_<name>.csv``. Returns
    {"history": [...], "best_state": state dict of the best epoch, "best": figures}."""
    opt = make_optimizer(model.parameters(), tc)
    gen = torch.Generator().manual_seed(tc.seed)
    per_rank = n_items // world
    steps_per_epoch = max(1, per_rank // tc.batch_size)
    total = tc.epochs * steps_per_epoch
    ckpt = out / f"{name}.ckpt"
    state = {"epoch": 0, "step": 0, "history": [], "best": None, "best_state": None, "seconds": 0.0}
    if tc.resume and ckpt.exists():
        saved = torch.load(ckpt, map_location="cpu", weights_only=False)
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        gen.set_state(saved["generator"])
        state = {k: saved[k] for k in state}
        log.info("%s: resuming after epoch %d of %d", name, state["epoch"], tc.epochs)
    t0 = time.time() - state["seconds"]
    for epoch in range(state["epoch"], tc.epochs):
        order = shard(n_items, rank, world, gen)
        batches = length_batches(order, lengths, tc.batch_size, gen)[:steps_per_epoch]
        net.train()
        running = 0.0
        bar = tqdm(
            batches,
            desc=f"{name} epoch {epoch + 1}/{tc.epochs}",
            disable=True if rank else None,
            leave=False,
        )
        for idx in bar:
            loss = batch_loss(idx, gen)
            for g in opt.param_groups:
                g["lr"] = schedule(state["step"], total, tc.lr, tc.warmup)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
            opt.step()
            running += loss.item()
            state["step"] += 1
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if rank == 0 and state["step"] % 100 == 0:
                log.info(
                    "%s step %d/%d: loss %.4f (%.0fs)",
                    name,
                    state["step"],
                    total,
                    loss.item(),
                    time.time() - t0,
                )
        state["history"].append(running / max(1, len(batches)))
        state["epoch"] = epoch + 1
        state["seconds"] = time.time() - t0
        if rank == 0:
            figures = {}
            if validate is not None:
                model.eval()
                with torch.no_grad():
                    figures = validate()
            metric = figures.get(
                "metric", -state["history"][-1]
            )  # without validation: the lowest loss
            if state["best"] is None or metric >= state["best"]["metric"]:
                state["best"] = {"epoch": epoch + 1, **figures, "metric": metric}
                state["best_state"] = {
                    k: v.detach().cpu().clone() for k, v in model.state_dict().items()
                }
            _curve(
                out / f"curves_{name}.csv",
                epoch + 1,
                state["history"][-1],
                figures,
                state["seconds"],
            )
            log.info(
                "%s epoch %d/%d: loss %.4f%s (%.0fs)",
                name,
                epoch + 1,
                tc.epochs,
                state["history"][-1],
                "".join(f", {k} {v:.3f}" for k, v in figures.items() if isinstance(v, float)),
                state["seconds"],
            )
            out.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    **state,
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "generator": gen.get_state(),
                },
                ckpt,
            )
    return state


def _curve(path: Path, epoch: int, loss: float, figures: dict, seconds: float) -> None:
    row = {
        "epoch": epoch,
        "loss": loss,
        **{k: v for k, v in figures.items() if isinstance(v, int | float)},
        "seconds": round(seconds, 1),
    }
    new = not path.exists() or epoch == 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w" if new else "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new:
            w.writeheader()
        w.writerow(row)


def _init_from(
    model: torch.nn.Module, path: str, what: str, vocab: Vocabulary | None = None
) -> None:
    """Start from a checkpoint's weights. With another vocabulary (fine-tuning on a new
    data set), the word layers are re-initialised except the rows of the words both
    vocabularies share; every other weight must match in shape."""
    ck = torch.load(path, map_location="cpu", weights_only=False)
    old_tokens = ck.get("vocab")
    if vocab is None or old_tokens is None or old_tokens == vocab.tokens:
        model.load_state_dict(ck["state"])
        log.info("%s: starting from %s", what, path)
        return
    old_index = {t: i for i, t in enumerate(old_tokens)}
    shared = [(i, old_index[t]) for i, t in enumerate(vocab.tokens) if t in old_index]
    new_rows = torch.tensor([i for i, _ in shared])
    old_rows = torch.tensor([j for _, j in shared])
    state = model.state_dict()
    for name, w in ck["state"].items():
        mine = state[name]
        if mine.shape == w.shape:
            state[name] = w
        elif mine.dim() >= 1 and mine.shape[0] == len(vocab) and w.shape[0] == len(old_tokens):
            mine[new_rows] = w[old_rows]  # embeddings (V,E), output weights (V,H), biases (V,)
        else:
            raise ValueError(
                f"{path}: {name} has shape {tuple(w.shape)}, this model {tuple(mine.shape)}"
            )
    model.load_state_dict(state)
    log.info(
        "%s: starting from %s; %d of %d words carried over, the others re-initialised",
        what,
        path,
        len(shared),
        len(vocab),
    )


# --- stage 1: the detector ---------------------------------------------------------------

KIND_INDEX = {k.noun: i for i, k in enumerate(KINDS)}


def detection_targets(ds, items, cfg: DetectorConfig):
    """Per image: boxes in model-input pixels, kind indices, background index."""
    from .corpus import BACKGROUNDS

    backgrounds = {name: i for i, name in enumerate(BACKGROUNDS)}
    assert ds.annotations is not None, (
        f"{ds.root}: detection training needs annotations.json (boxes and kinds)"
    )
    boxes, kinds, bgs = [], [], []
    for it in items:
        ann = ds.annotations[str(it.imgid)]
        scale = cfg.image_size / ds.scene_size
        boxes.append([tuple(v * scale for v in o["box"]) for o in ann["objects"]])
        kinds.append([KIND_INDEX[o["kind"]] for o in ann["objects"]])
        bgs.append(backgrounds[ann["background"]])
    return boxes, kinds, bgs


def train_detector(data: str | Path, out: str | Path, cfg: DetectorConfig, tc: TrainConfig) -> Path:
    """Train the detector on a detection split (boxes + kinds, no captions); writes
    ``out/detector.pt``. Validation: mAP@0.5 on the data set's val split."""
    from .evaluate import detection_map

    out = Path(out)
    device = pick_device(tc.device)
    rank, world, device = setup_distributed(device)
    torch.manual_seed(tc.seed)
    ds = load_karpathy(data)
    items = ds.split("train")
    store = image_store(ds, items, cfg.image_size)
    boxes, kinds, bgs = detection_targets(ds, items, cfg)
    maps = proposal_targets(boxes, cfg)  # (N,...) each, computed once
    val = ds.split("val")[:500]
    model = Detector(cfg)
    if tc.init:
        _init_from(model, tc.init, "detector")
    model = model.to(device)
    net = wrap(model, world, device)

    def batch_loss(idx, gen):
        i = idx.tolist()
        loss, _ = detector_loss(
            net,
            batch_pixels(store, i).to(device),
            [boxes[j] for j in i],
            [kinds[j] for j in i],
            [bgs[j] for j in i],
            gen,
            [t[idx] for t in maps],
        )
        return loss

    def validate():
        m = detection_map(model, ds, val, device)
        return {"metric": m["mAP@0.5"], "mAP@0.5": m["mAP@0.5"]}

    state = fit(
        model,
        net,
        len(items),
        batch_loss,
        tc,
        rank,
        world,
        "detector",
        out,
        validate if val else None,
    )
    if rank == 0:
        torch.save(
            {
                "config": asdict(cfg),
                "train": asdict(tc),
                "history": state["history"],
                "best": state["best"],
                "dataset": {"name": ds.name, "root": str(ds.root), "train_images": len(items)},
                "world_size": world,
                "seconds": state["seconds"],
                "state": state["best_state"],
            },
            out / "detector.pt",
        )
    finish_distributed(world)
    return out / "detector.pt"


# --- stage 2: the alignment model ----------------------------------------------------------


def sentences_of(items, vocab: Vocabulary) -> list[list[list[int]]]:
    return [[vocab.encode(s) for s in it.sentences] for it in items]


def train_alignment(
    data: str | Path,
    out: str | Path,
    cfg: AlignConfig,
    tc: TrainConfig,
    images_dir: str | None = None,
    detector: str | Path | None = None,
) -> Path:
    """Train the alignment model on the train split's cached region features; writes
    ``out/align.pt`` (the best epoch by validation R@1, both directions averaged)."""
    from .evaluate import retrieval_metrics, score_all

    out = Path(out)
    device = pick_device(tc.device)
    rank, world, device = setup_distributed(device)
    torch.manual_seed(tc.seed)
    ds = load_karpathy(data, images_dir)
    items = ds.split("train")
    vocab = Vocabulary.build((s for it in items for s in it.sentences), tc.min_word_count)
    log.info("vocabulary: %d tokens (min count %d)", len(vocab), tc.min_word_count)
    det_path = Path(detector or out / "detector.pt")
    bank = region_bank(det_path, ds, items, device)
    sents = sentences_of(items, vocab)
    val_items = ds.split("val")[:1000]
    val_bank = region_bank(det_path, ds, val_items, device) if val_items else None
    val_sents = [s for ss in sentences_of(val_items, vocab) for s in ss]
    val_owner = np.array([k for k, it in enumerate(val_items) for _ in it.sentences])

    check_vocabulary(vocab)
    model = AlignmentModel(len(vocab), bank.region_size, cfg)
    if tc.init:
        _init_from(model, tc.init, "alignment model", vocab)
    model = model.to(device)
    net = wrap(model, world, device)
    # one sentence per image per step: the diagonal pairs are the true ones
    flat = [(i, j) for i, ss in enumerate(sents) for j in range(len(ss))]

    def batch_loss(idx, gen):
        pairs = [flat[k] for k in idx.tolist()]
        imgs = [i for i, _ in pairs]
        if len(set(imgs)) < len(imgs):  # two sentences of one image would be false negatives
            keep = {i: n for n, i in enumerate(imgs)}
            pairs = [pairs[n] for n in sorted(keep.values())]
            imgs = [i for i, _ in pairs]
        toks, lens = pad_batch([sents[i][j] for i, j in pairs])
        regions, words = net(bank.vectors(imgs).to(device), toks.to(device), lens.to(device))
        return ranking_loss(score_matrix(regions, words, lens.to(device)), tc.margin) / len(pairs)

    def validate():
        regions = model.embed_regions(val_bank.vectors(range(len(val_items))).to(device)).cpu()
        words = encode_sentences(model, val_sents, device)
        r = retrieval_metrics(score_all(regions, words, device), val_owner)
        r1 = (r["image_to_sentence"]["R@1"] + r["sentence_to_image"]["R@1"]) / 2
        return {
            "metric": r1,
            "i2t_R@1": r["image_to_sentence"]["R@1"],
            "t2i_R@1": r["sentence_to_image"]["R@1"],
        }

    lengths = [len(sents[i][j]) for i, j in flat]
    state = fit(
        model,
        net,
        len(flat),
        batch_loss,
        tc,
        rank,
        world,
        f"align-{cfg.sentence_encoder}",
        out,
        validate if val_bank is not None else None,
        lengths,
    )
    if rank == 0:
        torch.save(
            {
                "vocab": vocab.tokens,
                "config": asdict(cfg),
                "train": asdict(tc),
                "region_size": bank.region_size,
                "detector": str(det_path),
                "history": state["history"],
                "best": state["best"],
                "dataset": {"name": ds.name, "root": str(ds.root), "train_images": len(items)},
                "world_size": world,
                "seconds": state["seconds"],
                "state": state["best_state"] or model.state_dict(),
            },
            out / "align.pt",
        )
    finish_distributed(world)
    return out / "align.pt"


def check_vocabulary(vocab: Vocabulary) -> list[str]:
    """Tokens the service's tokenizer (lower-case runs of [a-z0-9]) can never produce: a
    data set tokenised another way (upper case, punctuation) would train words that no
    request can match. Warns and returns them."""
    from .dataset import TOKEN_REGEX

    rule = re.compile(TOKEN_REGEX)
    bad = [t for t in vocab.tokens[4:] if not rule.fullmatch(t)]
    if bad:
        log.warning(
            "%d of %d vocabulary tokens can never come out of the tokenizer (%s), e.g. %s",
            len(bad),
            len(vocab),
            TOKEN_REGEX,
            bad[:10],
        )
    return bad


def load_alignment(path: str | Path, device="cpu") -> tuple[AlignmentModel, Vocabulary, dict]:
    ck = torch.load(path, map_location=device, weights_only=False)
    vocab = Vocabulary(ck["vocab"])
    model = AlignmentModel(len(vocab), ck["region_size"], from_dict(AlignConfig, ck["config"]))
    model.load_state_dict(ck["state"])
    return model.to(device).eval(), vocab, ck


@torch.no_grad()
def encode_sentences(model: AlignmentModel, seqs: list[list[int]], device, batch: int = 500):
    """Word vectors for each sentence: list of (T_l, h) tensors on CPU."""
    out = []
    for i in range(0, len(seqs), batch):
        toks, lens = pad_batch(seqs[i : i + batch])
        w = model.sentence(toks.to(device), lens.to(device)).cpu()
        out += [w[j, : lens[j]] for j in range(len(lens))]
    return out


@torch.no_grad()
def embed_bank(model: AlignmentModel, bank: RegionBank, device, batch: int = 500) -> torch.Tensor:
    """v_i of every region of every image in the bank: (N, R, h) on CPU."""
    return torch.cat(
        [
            model.embed_regions(bank.vectors(range(i, min(i + batch, len(bank)))).to(device)).cpu()
            for i in range(0, len(bank), batch)
        ]
    )


# --- stage 3: the generators ---------------------------------------------------------------


def infer_snippets(
    model: AlignmentModel,
    regions: torch.Tensor,
    sents: list[list[list[int]]],
    device,
    beta: float,
    min_len: int,
    max_len: int,
) -> list[tuple[int, int, list[int]]]:
    """Paper §3.3: the region–snippet pairs the alignment model infers with the MRF.
    Returns (image index, region index, snippet token ids) for snippets of min_len..max_len words."""
    flat = [(i, s) for i, ss in enumerate(sents) for s in ss]
    words = encode_sentences(model, [s for _, s in flat], device)
    pairs = []
    for (i, seq), w in zip(tqdm(flat, desc="MRF snippets", leave=False), words, strict=True):
        unary = (w.double() @ regions[i].double().T).numpy()  # (T, R)
        for start, end, region in mrf.snippets(mrf.viterbi(unary, beta)):
            if min_len <= end - start <= max_len:
                pairs.append((i, region, seq[start:end]))
    return pairs


def train_generator(
    align_path: str | Path,
    data: str | Path,
    out: str | Path,
    kind: str,
    gcfg: GenConfig,
    tc: TrainConfig,
    beta: float = 1.5,
    min_snippet: int = 2,
    images_dir: str | None = None,
) -> Path:
    """Train the full-image ("full") or region ("region") multimodal RNN on the frozen,
    cached region features; writes ``out/gen_<kind>.pt`` (best epoch by val NLL).
    The full-image generator reads the whole image's (position-free) vector; the region
    generator reads the vector of the region that the MRF aligned each snippet to."""
    assert kind in ("full", "region"), f"kind must be full or region, got {kind!r}"
    out = Path(out)
    device = pick_device(tc.device)
    rank, world, device = setup_distributed(device)
    torch.manual_seed(tc.seed)
    align, vocab, ck = load_alignment(align_path, device)
    ds = load_karpathy(data, images_dir)
    items = ds.split("train")
    bank = region_bank(ck["detector"], ds, items, device)
    sents = sentences_of(items, vocab)
    val_items = ds.split("val")[:500]
    val_bank = region_bank(ck["detector"], ds, val_items, device) if val_items else None
    if kind == "full":
        pairs = [((i, -1), s) for i, ss in enumerate(sents) for s in ss]
        val_pairs = [
            ((i, -1), s) for i, ss in enumerate(sentences_of(val_items, vocab)) for s in ss
        ]
    else:
        snips = infer_snippets(
            align,
            embed_bank(align, bank, device),
            sents,
            device,
            beta,
            min_snippet,
            gcfg.max_length - 1,
        )
        pairs = [((i, r), s) for i, r, s in snips]
        log.info("region model: %d snippets from %d sentences", len(pairs), sum(map(len, sents)))
        val_pairs = []
        if val_bank is not None:
            vs = infer_snippets(
                align,
                embed_bank(align, val_bank, device),
                sentences_of(val_items, vocab),
                device,
                beta,
                min_snippet,
                gcfg.max_length - 1,
            )
            val_pairs = [((i, r), s) for i, r, s in vs]
    pairs = [(f, s[: gcfg.max_length - 1]) for f, s in pairs]
    val_pairs = [(f, s[: gcfg.max_length - 1]) for f, s in val_pairs][:5000]

    def features(b, batch):
        if kind == "full":
            return b.full_codes([i for (i, _), _ in batch]).to(device)
        return b.region_rows([f for f, _ in batch]).to(device)

    input_size = bank.full_code_size if kind == "full" else bank.region_size
    both = Generator(ImageHead(input_size, gcfg), DecoderStep(len(vocab), gcfg))
    if tc.init:
        _init_from(both, tc.init, f"{kind} generator", vocab)
    else:
        sample = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(tc.seed))
        both.head.standardise(features(bank, [pairs[j] for j in sample[:20000].tolist()]))
    both = both.to(device)
    net = wrap(both, world, device)

    def nll(model, b, batch):
        seqs = [s for _, s in batch]
        inp, _ = pad_batch([[vocab.start_id] + s for s in seqs])
        tgt, _ = pad_batch([s + [vocab.end_id] for s in seqs])
        return generator_loss(model, features(b, batch), inp.to(device), tgt.to(device))

    def batch_loss(idx, gen):
        return nll(net, bank, [pairs[j] for j in idx.tolist()])

    def validate():
        losses = [
            float(nll(both, val_bank, val_pairs[i : i + 500]))
            for i in range(0, len(val_pairs), 500)
        ]
        figures = {"metric": -float(np.mean(losses)), "val_nll": float(np.mean(losses))}
        if kind == "full":  # the full-image model is kept by its captions' CIDEr on val
            figures.update(val_captions(both, val_bank, ds, val_items, vocab, gcfg, device))
            figures["metric"] = figures["val_CIDEr"]
        return figures

    state = fit(
        both,
        net,
        len(pairs),
        batch_loss,
        tc,
        rank,
        world,
        f"gen-{kind}",
        out,
        validate if val_pairs else None,
        [len(s) for _, s in pairs],
    )
    path = out / f"gen_{kind}.pt"
    if rank == 0:
        torch.save(
            {
                "kind": kind,
                "vocab": vocab.tokens,
                "config": asdict(gcfg),
                "train": asdict(tc),
                "beta": beta,
                "min_snippet": min_snippet,
                "pairs": len(pairs),
                "history": state["history"],
                "best": state["best"],
                "region_size": bank.region_size,
                "input_size": input_size,
                "world_size": world,
                "seconds": state["seconds"],
                "state": state["best_state"] or both.state_dict(),
            },
            path,
        )
        if kind == "region":
            torch.save(snips, out / "snippets.pt")  # for the nearest-neighbour region baseline
    finish_distributed(world)
    return path


def val_captions(
    gen: Generator, bank: RegionBank, ds, items, vocab: Vocabulary, gcfg: GenConfig, device
) -> dict:
    """CIDEr of greedy full-image captions of ``items`` against their references, and on
    the scenes corpus (which knows what is in each image) the precision and recall of the
    object kinds they name: CIDEr alone rewards a right background with wrong objects."""
    from .decode import greedy_batch
    from .evaluate import cider, kind_accuracy

    bias = gen.head(bank.full_codes(range(len(items))).to(device))
    toks = greedy_batch(gen.step, bias, vocab, gcfg.max_length)
    res = {str(k): " ".join(vocab.decode(t)) for k, t in enumerate(toks)}
    refs = {str(k): [" ".join(s) for s in it.sentences] for k, it in enumerate(items)}
    figures = {"val_CIDEr": cider(refs, res)}
    if ds.annotations:
        kinds = kind_accuracy(ds, items, {str(it.imgid): res[str(k)] for k, it in enumerate(items)})
        figures["val_kind_precision"] = kinds["kind_precision"] or 0.0
        figures["val_kind_recall"] = kinds["kind_recall"] or 0.0
    return figures


def generator_loss(
    net, feats: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """Mean negative log-likelihood of the next word (§3.2), padding excluded."""
    logp = net(feats, inputs)  # (B,T,V)
    nll = -logp.gather(2, targets.unsqueeze(2)).squeeze(2)
    mask = (targets != 0).float()
    return (nll * mask).sum() / mask.sum()


def load_generator(path: str | Path, vocab_size: int, device="cpu"):
    ck = torch.load(path, map_location=device, weights_only=False)
    gcfg = from_dict(GenConfig, ck["config"])
    both = Generator(
        ImageHead(ck.get("input_size", ck["region_size"]), gcfg), DecoderStep(vocab_size, gcfg)
    )
    both.load_state_dict(ck["state"])
    return both.to(device).eval(), gcfg, ck


def seed_everything(seed: int) -> None:
    np.random.seed(seed)
    torch.manual_seed(seed)


__all__ = [
    "TrainConfig",
    "train_detector",
    "train_alignment",
    "train_generator",
    "load_alignment",
    "load_generator",
    "load_detector",
    "apply_overrides",
]
