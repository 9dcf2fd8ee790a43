"""Caption decoding: beam search (greedy = beam 1) and sampling over a step function, and
a batched greedy decoder for validation during training. The reference pipeline that the
Java service must match is ``pipeline.py``.

The step function is ``step(tokens (B,), image_bias (B,D), states) -> (log_probs (B,V),
states)``; it is backed by the PyTorch DecoderStep during evaluation and by the exported
ONNX graph in ``OnnxPipeline``. The algorithm and its tie-breaking are specified in
models/FORMAT.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Hypothesis:
    tokens: list[int]  # generated ids, END included when emitted
    log_prob: float  # sum of log-probabilities
    score: float  # log_prob / len(tokens) ** alpha


def beam_search(
    step,
    image_bias: np.ndarray,
    init_states: list[np.ndarray],
    *,
    beam_size: int,
    max_length: int,
    start_id: int,
    end_id: int,
    banned: tuple[int, ...],
    alpha: float = 0.0,
) -> list[Hypothesis]:
    """Shrinking-beam search: a candidate that emits END leaves the beam finished, so the
    result holds exactly ``beam_size`` hypotheses, best first. image_bias is (D,)."""
    assert beam_size >= 1, f"beam_size must be ≥ 1, got {beam_size}"
    live_tokens: list[list[int]] = [[]]
    live_scores = np.zeros(1, dtype=np.float64)
    states = [s[None].copy() for s in init_states]
    finished: list[tuple[list[int], float]] = []
    for t in range(max_length):
        n = len(live_tokens)
        tokens = np.array([start_id if t == 0 else seq[-1] for seq in live_tokens], dtype=np.int64)
        bias = (
            np.repeat(image_bias[None], n, 0)
            if t == 0
            else np.zeros((n, image_bias.shape[0]), dtype=image_bias.dtype)
        )
        logp, states = step(tokens, bias, states)
        logp = np.asarray(logp, dtype=np.float64).copy()
        logp[:, list(banned)] = -np.inf
        total = live_scores[:, None] + logp  # (n, V)
        k = beam_size - len(finished)
        # sort by score desc, then beam asc, then token asc: a stable sort over the
        # row-major flattening (beam-major, token-minor) gives exactly that order
        flat = total.ravel()
        order = np.argsort(-flat, kind="stable")[:k]
        keep_beams, keep_tokens, keep_scores = [], [], []
        for idx in order:
            b, tok = divmod(int(idx), total.shape[1])
            if tok == end_id:
                finished.append((live_tokens[b] + [tok], float(flat[idx])))
            else:
                keep_beams.append(b)
                keep_tokens.append(live_tokens[b] + [tok])
                keep_scores.append(float(flat[idx]))
        if not keep_beams:
            live_tokens = []
            break
        states = [s[keep_beams] for s in states]
        live_tokens, live_scores = keep_tokens, np.array(keep_scores)
    finished += [(seq, float(s)) for seq, s in zip(live_tokens, live_scores, strict=False)]
    hyps = [Hypothesis(seq, lp, lp / (len(seq) ** alpha) if alpha else lp) for seq, lp in finished]
    # Python's sort is stable: ties keep finishing order, as FORMAT.md requires
    return sorted(hyps, key=lambda h: -h.score)


def sample(
    step,
    image_bias: np.ndarray,
    init_states: list[np.ndarray],
    *,
    max_length: int,
    start_id: int,
    end_id: int,
    banned: tuple[int, ...],
    temperature: float = 1.0,
    rng: np.random.Generator,
) -> Hypothesis:
    """Ancestral sampling from softmax(log p / temperature)."""
    states = [s[None].copy() for s in init_states]
    seq, total, tok = [], 0.0, start_id
    for t in range(max_length):
        bias = image_bias[None] if t == 0 else np.zeros_like(image_bias[None])
        logp, states = step(np.array([tok], dtype=np.int64), bias, states)
        logp = np.asarray(logp[0], dtype=np.float64).copy()
        logp[list(banned)] = -np.inf
        z = logp / temperature
        p = np.exp(z - z.max())
        tok = int(rng.choice(len(p), p=p / p.sum()))
        seq.append(tok)
        total += logp[tok]
        if tok == end_id:
            break
    return Hypothesis(seq, total, total)


def words(tokens: list[int], vocab, end_id: int) -> list[str]:
    return vocab.decode([t for t in tokens if t != end_id])


def greedy_batch(step_module, image_bias, vocab, max_length: int) -> list[list[int]]:
    """Greedy captions of a batch of image vectors (B, D) with a PyTorch DecoderStep, all
    at once (validation during training); END and what follows are dropped."""
    import torch

    B = image_bias.shape[0]
    state = step_module.initial_state(B, image_bias.device)
    token = torch.full((B,), vocab.start_id, dtype=torch.long, device=image_bias.device)
    banned = [vocab.pad_id, vocab.start_id, vocab.unk_id]
    out, done = [], torch.zeros(B, dtype=torch.bool, device=image_bias.device)
    with torch.no_grad():
        for t in range(max_length):
            logp, *state = step_module(
                token, image_bias if t == 0 else torch.zeros_like(image_bias), *state
            )
            logp[:, banned] = -float("inf")
            token = logp.argmax(1)
            out.append(token)
            done |= token == vocab.end_id
            if bool(done.all()):
                break
    seqs = torch.stack(out, 1).tolist()
    return [s[: s.index(vocab.end_id)] if vocab.end_id in s else s for s in seqs]
