"""The networks of the paper: the image CNN with its regions, the BRNN sentence encoder
(§3.1.2), the image–sentence score (§3.1.3, eq. 8) and the multimodal RNN (§3.2).

Pure torch: no I/O, no logging, so every piece can be exported to ONNX and tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .dataset import resize_uint8

# ImageNet-style per-channel statistics; any fixed values work for a CNN trained from
# scratch, they only have to be the same in training and in the exported graph.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


@dataclass
class AlignConfig:
    # Sized to train on 2 CPU cores: the 128-px scenes are resized to 64 inside the
    # graph, and 3 poolings leave an 8x8 grid of cells (65 regions with the whole image).
    image_size: int = 64  # the graph resizes any input to this square
    channels: tuple[int, ...] = (16, 32, 64, 128)  # one conv stage each; all but the last pool 2x
    embed_size: int = 128  # h: the multimodal embedding of regions and words
    word_size: int = 128  # word embedding size of the BRNN
    sentence_encoder: str = "brnn"  # "brnn" (paper) or "bow" (ablation: words embedded alone)
    dropout: float = 0.2  # on non-recurrent layers only, as in the paper

    @property
    def grid(self) -> int:
        return self.image_size // 2 ** (len(self.channels) - 1)

    @property
    def regions(self) -> int:
        return self.grid * self.grid + 1  # cells, then the whole image


class Preprocess(nn.Module):
    """uint8 (B,H,W,3) of any size → normalised (B,3,S,S). Lives inside the exported graph
    so the service cannot drift from training preprocessing."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return (resize_uint8(pixels, self.size) - self.mean) / self.std


class CNN(nn.Module):
    """A small VGG-like trunk trained from scratch (no pretrained weights can be fetched).
    Its last feature map's cells stand in for the paper's R-CNN detections."""

    def __init__(self, cfg: AlignConfig):
        super().__init__()
        layers, cin = [], 3
        for n, cout in enumerate(cfg.channels):
            layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            if n < len(cfg.channels) - 1:
                layers.append(nn.MaxPool2d(2))
            cin = cout
        self.body = nn.Sequential(*layers)
        self.out_channels = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)  # (B, C, G, G)


def region_features(fmap: torch.Tensor) -> torch.Tensor:
    """(B,C,G,G) → (B, G*G+1, C): the cells in row-major order, then the whole image."""
    cells = fmap.flatten(2).transpose(1, 2)
    return torch.cat([cells, cells.mean(1, keepdim=True)], dim=1)


def region_boxes(grid: int) -> torch.Tensor:
    """(G*G+1, 4) normalised xyxy boxes matching ``region_features``' order."""
    k = torch.arange(grid * grid)
    r, c = (k // grid).float(), (k % grid).float()
    cells = torch.stack([c / grid, r / grid, (c + 1) / grid, (r + 1) / grid], dim=1)
    return torch.cat([cells, torch.tensor([[0.0, 0.0, 1.0, 1.0]])])


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
        mask = torch.arange(tokens.shape[1], device=tokens.device).unsqueeze(0) < lengths.unsqueeze(1)
        s = F.relu(self.W_d(self.drop(F.relu(self.W_e(self.embed(tokens))))))
        return s * mask.unsqueeze(2)


class AlignmentModel(nn.Module):
    """Regions v_i = W_m·CNN(region) + b_m (§3.1.1) and words s_t in one h-dim space."""

    def __init__(self, vocab_size: int, cfg: AlignConfig):
        super().__init__()
        self.cfg = cfg
        self.preprocess = Preprocess(cfg.image_size)
        self.cnn = CNN(cfg)
        self.W_m = nn.Linear(self.cnn.out_channels, cfg.embed_size)
        self.drop = nn.Dropout(cfg.dropout)
        enc = {"brnn": BRNN, "bow": BagOfWords}[cfg.sentence_encoder]
        self.sentence = enc(vocab_size, cfg)

    def features(self, pixels: torch.Tensor) -> torch.Tensor:
        """uint8 (B,H,W,3) → the CNN's last feature map (B,C,G,G)."""
        return self.cnn(self.preprocess(pixels))

    def embed_regions(self, fmap: torch.Tensor) -> torch.Tensor:
        return self.W_m(self.drop(region_features(fmap)))  # (B,R,h)

    def forward(self, pixels, tokens, lengths):
        return self.embed_regions(self.features(pixels)), self.sentence(tokens, lengths)


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
    image_code: int = 32  # channels kept per cell before the full-image head flattens the map
    dropout: float = 0.3
    max_length: int = 20  # decoding limit, in tokens, END included

    @property
    def bias_size(self) -> int:
        return self.hidden_size * (4 if self.cell == "lstm" else 1)

    @property
    def state_names(self) -> list[str]:
        return ["h", "c"] if self.cell == "lstm" else ["h"]


class FullImageHead(nn.Module):
    """b_v = W_hi·CNN(I). The CNN code keeps the layout of the feature map (a 1x1
    reduction, then flattened) because captions talk about positions; the paper's fc7
    likewise sits on a flattened conv map."""

    def __init__(self, channels: int, grid: int, cfg: GenConfig):
        super().__init__()
        self.reduce = nn.Conv2d(channels, cfg.image_code, 1)
        self.W_hi = nn.Linear(cfg.image_code * grid * grid, cfg.bias_size)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, fmap: torch.Tensor) -> torch.Tensor:
        return self.W_hi(self.drop(F.relu(self.reduce(fmap)).flatten(1)))


class RegionHead(nn.Module):
    """b_v for each region (§3.3): W_hi applied to the region's CNN feature."""

    def __init__(self, channels: int, cfg: GenConfig):
        super().__init__()
        self.W_hi = nn.Linear(channels, cfg.bias_size)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, feats: torch.Tensor) -> torch.Tensor:  # (...,C) → (...,bias)
        return self.W_hi(self.drop(feats))


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
    """An image head (full image or region) feeding the multimodal RNN."""

    def __init__(self, head: nn.Module, step: DecoderStep):
        super().__init__()
        self.head, self.step = head, step

    def forward(self, feats: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        return self.step.sequence_log_probs(self.head(feats), inputs)
