"""Training: the alignment model (§3.1) and the multimodal RNN generators (§3.2, §3.3).

Runs on one CPU/GPU or under ``torchrun`` (DDP) for real datasets: each process trains
on its shard, gradients are averaged by DistributedDataParallel, rank 0 writes files.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from tqdm import tqdm

from . import mrf
from .dataset import Vocabulary, load_images, load_karpathy, pad_batch
from .model import (
    AlignConfig,
    AlignmentModel,
    DecoderStep,
    FullImageHead,
    GenConfig,
    Generator,
    RegionHead,
    ranking_loss,
    region_features,
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
    margin: float = 1.0  # of the ranking loss
    min_word_count: int = 5  # vocabulary threshold (paper: 5)
    seed: int = 1
    device: str = "auto"
    init: str = ""  # continue from this checkpoint's weights (same vocabulary and model settings)


def apply_overrides(cfg, overrides: list[str]):
    """``["lr=0.1", "channels=32,64"]`` → a new dataclass; an unknown key is an error."""
    fields = {f.name: f for f in dataclasses.fields(cfg)}
    changes = {}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            raise ValueError(f"unknown setting {item!r} for {type(cfg).__name__}; expected one of {sorted(fields)}")
        current = getattr(cfg, key)
        if isinstance(current, tuple):
            changes[key] = tuple(type(current[0])(v) for v in value.split(","))
        elif isinstance(current, bool):
            changes[key] = value.lower() in ("1", "true", "yes")
        else:
            changes[key] = type(current)(value)
    return dataclasses.replace(cfg, **changes)


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
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend)
    rank = dist.get_rank()
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    return rank, world, device


def wrap(model: torch.nn.Module, world: int, device: torch.device) -> torch.nn.Module:
    if world == 1:
        return model
    return DDP(model, device_ids=[device.index] if device.type == "cuda" else None)


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if isinstance(model, DDP) else model


def shard(n: int, rank: int, world: int, generator: torch.Generator) -> torch.Tensor:
    """This rank's slice of one shuffled epoch; every rank gets the same number of items."""
    perm = torch.randperm(n, generator=generator)
    per = n // world
    return perm[rank * per : (rank + 1) * per]


def make_optimizer(params, tc: TrainConfig) -> torch.optim.Optimizer:
    if tc.optimizer == "sgd":
        return torch.optim.SGD(params, lr=tc.lr, momentum=tc.momentum, weight_decay=tc.weight_decay)
    if tc.optimizer == "adam":
        return torch.optim.Adam(params, lr=tc.lr, weight_decay=tc.weight_decay)
    if tc.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=tc.lr, weight_decay=tc.weight_decay)
    raise ValueError(f"unknown optimizer {tc.optimizer!r}; expected sgd, adam or rmsprop")


def fit(model: torch.nn.Module, net: torch.nn.Module, n_items: int, batch_loss, tc: TrainConfig,
        rank: int, world: int, name: str) -> list[float]:
    """The training loop both models share: epochs over this rank's shard, warm-up then
    cosine learning rate, gradient clipping; ``batch_loss(indices, generator)`` gives
    one batch's loss. Returns the mean loss of each epoch."""
    opt = make_optimizer(model.parameters(), tc)
    gen = torch.Generator().manual_seed(tc.seed)
    steps_per_epoch = max(1, n_items // world // tc.batch_size)
    total = tc.epochs * steps_per_epoch
    step, t0, history = 0, time.time(), []
    for epoch in range(tc.epochs):
        order = shard(n_items, rank, world, gen)
        net.train()
        running = 0.0
        bar = tqdm(range(steps_per_epoch), desc=f"{name} epoch {epoch + 1}/{tc.epochs}",
                   disable=True if rank else None, leave=False)
        for b in bar:
            loss = batch_loss(order[b * tc.batch_size : (b + 1) * tc.batch_size], gen)
            cosine(opt, step, total, tc.lr)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
            opt.step()
            running += loss.item()
            step += 1
            bar.set_postfix(loss=f"{loss.item():.3f}")
        history.append(running / steps_per_epoch)
        if rank == 0:
            log.info("%s epoch %d/%d: loss %.4f (%.0fs)", name, epoch + 1, tc.epochs, history[-1], time.time() - t0)
    return history


def cosine(opt, step: int, total: int, base_lr: float, warmup: int = 100) -> None:
    lr = base_lr * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * step / total))
    for g in opt.param_groups:
        g["lr"] = lr


# --- alignment model -------------------------------------------------------------------

def train_alignment(data: str | Path, out: str | Path, cfg: AlignConfig, tc: TrainConfig,
                    images_dir: str | None = None) -> Path:
    """Train the alignment model on the train split; writes ``out/align.pt``."""
    out = Path(out)
    device = pick_device(tc.device)
    rank, world, device = setup_distributed(device)
    torch.manual_seed(tc.seed)
    ds = load_karpathy(data, images_dir)
    items = ds.split("train")
    vocab = Vocabulary.build((s for it in items for s in it.sentences), tc.min_word_count)
    log.info("vocabulary: %d tokens (min count %d)", len(vocab), tc.min_word_count)
    pixels = load_images(ds, items, cfg.image_size)
    sents = [[vocab.encode(s) for s in it.sentences] for it in items]

    model = AlignmentModel(len(vocab), cfg)
    if tc.init:
        ck = torch.load(tc.init, map_location="cpu", weights_only=False)
        assert ck["vocab"] == vocab.tokens, f"{tc.init} was trained with another vocabulary"
        model.load_state_dict(ck["state"])
        log.info("continuing from %s (%d epochs done)", tc.init, len(ck.get("history", [])))
    model = model.to(device)
    net = wrap(model, world, device)
    t0 = time.time()

    def batch_loss(idx, gen):
        # one random reference sentence per image: the diagonal pairs are the true ones
        pick = torch.randint(0, 5, (len(idx),), generator=gen)
        toks, lens = pad_batch([sents[i][int(p) % len(sents[i])] for i, p in zip(idx.tolist(), pick)])
        regions, words = net(pixels[idx].to(device), toks.to(device), lens.to(device))
        return ranking_loss(score_matrix(regions, words, lens.to(device)), tc.margin) / len(idx)

    history = fit(model, net, len(items), batch_loss, tc, rank, world, "align")
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        torch.save({"vocab": vocab.tokens, "config": asdict(cfg), "train": asdict(tc),
                    "dataset": {"name": ds.name, "root": str(ds.root), "train_images": len(items)},
                    "history": history, "world_size": world, "seconds": time.time() - t0,
                    "state": model.state_dict()}, out / "align.pt")
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return out / "align.pt"


def load_alignment(path: str | Path, device="cpu") -> tuple[AlignmentModel, Vocabulary, dict]:
    ck = torch.load(path, map_location=device, weights_only=False)
    cfg = AlignConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ck["config"].items()})
    vocab = Vocabulary(ck["vocab"])
    model = AlignmentModel(len(vocab), cfg)
    model.load_state_dict(ck["state"])
    return model.to(device).eval(), vocab, ck


@torch.no_grad()
def encode_images(model: AlignmentModel, pixels: torch.Tensor, device, batch: int = 200):
    """Frozen CNN pass: (N,C,G,G) feature maps and (N,R,h) region embeddings, on CPU."""
    fmaps, regions = [], []
    for i in range(0, len(pixels), batch):
        f = model.features(pixels[i : i + batch].to(device))
        fmaps.append(f.cpu())
        regions.append(model.embed_regions(f).cpu())
    return torch.cat(fmaps), torch.cat(regions)


@torch.no_grad()
def encode_sentences(model: AlignmentModel, seqs: list[list[int]], device, batch: int = 500):
    """Word vectors for each sentence: list of (T_l, h) tensors on CPU."""
    out = []
    for i in range(0, len(seqs), batch):
        toks, lens = pad_batch(seqs[i : i + batch])
        w = model.sentence(toks.to(device), lens.to(device)).cpu()
        out += [w[j, : lens[j]] for j in range(len(lens))]
    return out


# --- generators ------------------------------------------------------------------------

def infer_snippets(model: AlignmentModel, regions: torch.Tensor, sents: list[list[list[int]]],
                   device, beta: float, min_len: int, max_len: int) -> list[tuple[int, int, list[int]]]:
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


def train_generator(align_path: str | Path, data: str | Path, out: str | Path, kind: str,
                    gcfg: GenConfig, tc: TrainConfig, beta: float = 1.5, min_snippet: int = 2,
                    images_dir: str | None = None) -> Path:
    """Train the full-image ("full") or region ("region") multimodal RNN on frozen CNN
    features of the alignment model; writes ``out/gen_<kind>.pt``."""
    assert kind in ("full", "region"), f"kind must be full or region, got {kind!r}"
    out = Path(out)
    device = pick_device(tc.device)
    rank, world, device = setup_distributed(device)
    torch.manual_seed(tc.seed)
    align, vocab, ck = load_alignment(align_path, device)
    ds = load_karpathy(data, images_dir)
    items = ds.split("train")
    pixels = load_images(ds, items, align.cfg.image_size)
    fmaps, regions = encode_images(align, pixels, device)
    sents = [[vocab.encode(s) for s in it.sentences] for it in items]
    if kind == "full":
        head = FullImageHead(fmaps.shape[1], fmaps.shape[2], gcfg)
        feats = fmaps
        pairs = [(i, s) for i, ss in enumerate(sents) for s in ss]
    else:
        head = RegionHead(fmaps.shape[1], gcfg)
        feats = region_features(fmaps)  # (N,R,C)
        snips = infer_snippets(align, regions, sents, device, beta, min_snippet, gcfg.max_length - 1)
        pairs = [((i, r), s) for i, r, s in snips]
        log.info("region model: %d snippets from %d sentences", len(pairs), sum(map(len, sents)))
    pairs = [(f, s[: gcfg.max_length - 1]) for f, s in pairs]
    step_net = DecoderStep(len(vocab), gcfg)
    both = Generator(head, step_net)
    if tc.init:
        both.load_state_dict(torch.load(tc.init, map_location="cpu", weights_only=False)["state"])
        log.info("continuing from %s", tc.init)
    both = both.to(device)
    net = wrap(both, world, device)
    t0 = time.time()

    def batch_loss(idx, gen):
        batch = [pairs[j] for j in idx.tolist()]
        x = torch.stack([feats[f] if kind == "full" else feats[f[0], f[1]] for f, _ in batch]).to(device)
        seqs = [s for _, s in batch]
        inp, _ = pad_batch([[vocab.start_id] + s for s in seqs])
        tgt, _ = pad_batch([s + [vocab.end_id] for s in seqs])
        return generator_loss(net, x, inp.to(device), tgt.to(device))

    history = fit(both, net, len(pairs), batch_loss, tc, rank, world, f"{kind} generator")
    path = out / f"gen_{kind}.pt"
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        torch.save({"kind": kind, "config": asdict(gcfg), "train": asdict(tc), "beta": beta,
                    "min_snippet": min_snippet, "pairs": len(pairs), "history": history,
                    "world_size": world, "seconds": time.time() - t0,
                    "state": both.state_dict()}, path)
        if kind == "region":
            torch.save(snips, out / "snippets.pt")  # for the nearest-neighbour region baseline
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return path


def generator_loss(net, feats: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood of the next word (§3.2), padding excluded."""
    logp = net(feats, inputs)  # (B,T,V)
    nll = -logp.gather(2, targets.unsqueeze(2)).squeeze(2)
    mask = (targets != 0).float()
    return (nll * mask).sum() / mask.sum()


def load_generator(path: str | Path, vocab_size: int, channels: int, grid: int, device="cpu"):
    ck = torch.load(path, map_location=device, weights_only=False)
    gcfg = GenConfig(**ck["config"])
    head = FullImageHead(channels, grid, gcfg) if ck["kind"] == "full" else RegionHead(channels, gcfg)
    both = Generator(head, DecoderStep(vocab_size, gcfg))
    both.load_state_dict(ck["state"])
    return both.to(device).eval(), gcfg, ck


def seed_everything(seed: int) -> None:
    np.random.seed(seed)
    torch.manual_seed(seed)
