"""The networks of the paper on top of the region features (detect.py): the region
embedding v_i = W_m·CNN(region) + b_m (§3.1.1), the BRNN sentence encoder (§3.1.2), the
image–sentence score (§3.1.3, eq. 8), the ranking loss (eq. 9) and the multimodal RNN
(§3.2, §3.3).

Pure torch: no I/O, no logging, so every piece can be exported to ONNX and tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class AlignConfig:
    embed_size: int = 256  # h: the multimodal embedding of regions and words
    word_size: int = 128  # word embedding size of the BRNN
    sentence_encoder: str = "brnn"  # "brnn" (paper) or "bow" (ablation: words embedded alone)
    dropout: float = 0.2  # on non-recurrent layers only, as in the paper


class BRNN(nn.Module):
    """Paper §3.1.2: e_t = f(W_e x_t + b_e); forward and backward ReLU recurrences over
    e_t; s_t = f(W_d (h^f_t + h^b_t) + b_d). The backward pass runs the forward RNN
    code on each sentence reversed within its own length, so padding never leaks in
    and the graph exports to ONNX with dynamic length and batch."""

    def __init__(self, vocab_size: int, cfg: AlignConfig):
        super().__init__()
        h = cfg.embed_size
        self.embed = nn.Embedding(vocab_size, cfg.word_size, padding_idx=0)
        self.W_e = nn.Linear(cfg.word_size, h)
        self.fwd = nn.RNN(h, h, nonlinearity="relu", batch_first=True)
        self.bwd = nn.RNN(h, h, nonlinearity="relu", batch_first=True)
        self.W_d = nn.Linear(h, h)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        t = torch.arange(tokens.shape[1], device=tokens.device).unsqueeze(0)  # (1,T)
        mask = t < lengths.unsqueeze(1)  # (B,T)
        e = self.drop(F.relu(self.W_e(self.embed(tokens))))  # (B,T,h)
        rev = torch.where(mask, lengths.unsqueeze(1) - 1 - t, t)  # reverse inside the length
        idx = rev.unsqueeze(2).expand_as(e)
        hf, _ = self.fwd(e)
        hb, _ = self.bwd(e.gather(1, idx))
        hb = hb.gather(1, idx)  # the reversal is its own inverse
        s = F.relu(self.W_d(self.drop(hf + hb)))
        return s * mask.unsqueeze(2)  # (B,T,h), zero past each length


class BagOfWords(nn.Module):
    """Ablation: each word embedded on its own, s_t = f(W_d f(W_e x_t + b_e) + b_d)."""

    def __init__(self, vocab_size: int, cfg: AlignConfig):
        super().__init__()
        h = cfg.embed_size
        self.embed = nn.Embedding(vocab_size, cfg.word_size, padding_idx=0)
        self.W_e = nn.Linear(cfg.word_size, h)
        self.W_d = nn.Linear(h, h)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.arange(tokens.shape[1], device=tokens.device).unsqueeze(0) < lengths.unsqueeze(
            1
        )
        s = F.relu(self.W_d(self.drop(F.relu(self.W_e(self.embed(tokens))))))
        return s * mask.unsqueeze(2)


class AlignmentModel(nn.Module):
    """Regions v_i = W_m·CNN(region) + b_m (§3.1.1) and words s_t in one h-dim space.
    CNN(region) is the frozen detector's region vector (detect.region_layout)."""

    def __init__(self, vocab_size: int, region_size: int, cfg: AlignConfig):
        super().__init__()
        self.cfg = cfg
        self.W_m = nn.Linear(region_size, cfg.embed_size)
        self.drop = nn.Dropout(cfg.dropout)
        enc = {"brnn": BRNN, "bow": BagOfWords}[cfg.sentence_encoder]
        self.sentence = enc(vocab_size, cfg)

    def embed_regions(self, vectors: torch.Tensor) -> torch.Tensor:
        return self.W_m(self.drop(vectors))  # (B,R,D) → (B,R,h)

    def forward(self, vectors, tokens, lengths):
        return self.embed_regions(vectors), self.sentence(tokens, lengths)


def score_matrix(regions: torch.Tensor, words: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Paper eq. 8: S_kl = Σ_t max_i v_i·s_t for every image k and sentence l.
    regions (K,R,h), words (L,T,h) zero-padded → (K,L)."""
    dots = torch.einsum("krh,lth->kltr", regions, words)  # (K,L,T,R)
    best = dots.max(dim=3).values  # (K,L,T)
    mask = torch.arange(words.shape[1], device=words.device).unsqueeze(0) < lengths.unsqueeze(1)
    return (best * mask.unsqueeze(0)).sum(2)


def ranking_loss(S: torch.Tensor, margin: float = 1.0) -> torch.Tensor:
    """Paper eq. 9, structured max-margin over a batch where S[k,k] are the true pairs:
    Σ_k Σ_l max(0, S_kl − S_kk + m) + max(0, S_lk − S_kk + m), over l ≠ k."""
    diag = S.diag()
    cost_s = (S - diag.unsqueeze(1) + margin).clamp(min=0)  # rank sentences for image k
    cost_i = (S - diag.unsqueeze(0) + margin).clamp(min=0)  # rank images for sentence l
    off = 1.0 - torch.eye(S.shape[0], device=S.device)
    return ((cost_s + cost_i) * off).sum()


@dataclass
class GenConfig:
    cell: str = "rnn"  # "rnn" (paper: ReLU) or "lstm"
    hidden_size: int = 512
    word_size: int = 256
    dropout: float = 0.3
    max_length: int = 20  # decoding limit, in tokens, END included
    # ReLU cell: W_hh starts as the identity (Le et al. 2015, "IRNN"), so the state —
    # and the image bias, which enters only at the first step — is carried forward
    # unchanged until training learns otherwise; a random W_hh forgot the objects
    # within a few words (val kind precision 3%).
    identity_init: bool = True

    @property
    def bias_size(self) -> int:
        return self.hidden_size * (4 if self.cell == "lstm" else 1)

    @property
    def state_names(self) -> list[str]:
        return ["h", "c"] if self.cell == "lstm" else ["h"]


class ImageHead(nn.Module):
    """b_v = W_hi·CNN(I) (§3.2): one linear map of a region vector. The full-image
    generator reads the whole image's vector (position-free pooled fc7, as the paper's
    fc7); the region generator (§3.3) reads the vector of a detected or given box."""

    def __init__(self, region_size: int, cfg: GenConfig):
        super().__init__()
        # Each input feature standardised by its mean and spread over the training set:
        # the vector joins parts of very different scale (kind probabilities ~0.1, fc7
        # activations ~1), and without it the generator learnt the background from fc7
        # and named one kind for every image (val kind precision 2%).
        self.register_buffer("mean", torch.zeros(region_size))
        self.register_buffer("scale", torch.ones(region_size))
        self.W_hi = nn.Linear(region_size, cfg.bias_size)
        self.drop = nn.Dropout(cfg.dropout)

    def standardise(self, feats: torch.Tensor) -> None:
        """Set mean and scale from training features (N, D); a constant feature gets 1."""
        std = feats.float().std(0)
        self.mean.copy_(feats.float().mean(0))
        self.scale.copy_(torch.where(std > 1e-6, 1.0 / std.clamp(min=1e-6), torch.ones_like(std)))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:  # (...,D) → (...,bias)
        return self.W_hi(self.drop((feats - self.mean) * self.scale))


class DecoderStep(nn.Module):
    """One step of the multimodal RNN (§3.2):
    h_t = f(W_hx x_t + W_hh h_{t−1} + b_h + 1(t=1)⊙b_v), y_t = softmax(W_oh h_t + b_o).
    The caller passes b_v at the first step and zeros afterwards; the same module runs
    teacher-forced training, beam search and the exported step graph."""

    def __init__(self, vocab_size: int, cfg: GenConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(vocab_size, cfg.word_size)
        self.W_hx = nn.Linear(cfg.word_size, cfg.bias_size)  # carries b_h
        self.W_hh = nn.Linear(cfg.hidden_size, cfg.bias_size, bias=False)
        self.W_oh = nn.Linear(cfg.hidden_size, vocab_size)
        self.drop = nn.Dropout(cfg.dropout)
        if cfg.cell == "rnn" and cfg.identity_init:
            with torch.no_grad():
                self.W_hh.weight.copy_(torch.eye(cfg.hidden_size))

    def forward(self, token, image_bias, *state):
        x = self.drop(self.embed(token))
        pre = self.W_hx(x) + self.W_hh(state[0]) + image_bias
        if self.cfg.cell == "lstm":
            i, f, g, o = pre.chunk(4, dim=1)
            c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            new = (h, c)
        else:
            h = F.relu(pre)
            new = (h,)
        return (F.log_softmax(self.W_oh(self.drop(h)), dim=1), *new)

    def initial_state(self, batch: int, device=None) -> tuple[torch.Tensor, ...]:
        z = torch.zeros(batch, self.cfg.hidden_size, device=device)
        return tuple(z.clone() for _ in self.cfg.state_names)

    def sequence_log_probs(self, image_bias: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: inputs (B,T) = [START, w_1..w_{T−1}] → (B,T,V) log-probs."""
        state = self.initial_state(inputs.shape[0], inputs.device)
        zero = torch.zeros_like(image_bias)
        out = []
        for t in range(inputs.shape[1]):
            logp, *state = self(inputs[:, t], image_bias if t == 0 else zero, *state)
            out.append(logp)
        return torch.stack(out, dim=1)


class Generator(nn.Module):
    """An image head feeding the multimodal RNN."""

    def __init__(self, head: nn.Module, step: DecoderStep):
        super().__init__()
        self.head, self.step = head, step

    def forward(self, feats: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        return self.step.sequence_log_probs(self.head(feats), inputs)
