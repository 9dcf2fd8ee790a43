"""The visual front end (paper §3.1.1): a detector and the region CNN features it yields.

The paper runs an R-CNN pretrained on ImageNet and fine-tuned on ImageNet detection and
keeps the top 19 detections plus the whole image. Nothing pretrained can be fetched here,
so this module trains its own small two-stage detector with box + kind supervision on a
separate split of scenes (a different seed: none of the captioned images):

- a convolutional trunk at the corpus's native resolution (stride-8 feature map);
- a class-agnostic centre heatmap with box size and offset (CenterNet-style proposals),
  decoded with ONNX-exportable ops: 3×3 peak extraction, top-K, box decoding, NMS;
- an RoI head (RoIAlign → two fully connected layers = the region's "fc7" → kind);
- a whole-image head (global average and max pooling → two fully connected layers =
  the image's fc7 → which kinds are present, how many, and the background), position-free.

After this stage the CNN is frozen and its region features are cached for the alignment
model and the generators (as the paper does), so later stages train on vectors.

Pure torch (+ torchvision ops): no I/O here; training loops live in ``train.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import batched_nms, roi_align

# ImageNet-style per-channel statistics (any fixed values work for a CNN trained from
# scratch; the exported graph carries them).
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
GEOMETRY = 6  # x0, y0, x1, y1, w, h of a box, normalised to the image


@dataclass
class DetectorConfig:
    image_size: int = 128  # S: the model input (the corpus's native resolution)
    channels: tuple[int, ...] = (16, 32, 32, 64, 64, 96)  # one 3x3 conv each
    strides: tuple[int, ...] = (2, 2, 1, 2, 1, 1)  # product = the feature map's stride
    head_channels: int = 48  # of the heatmap/size/offset head
    feature_size: int = 256  # fc7 of a region and of the whole image
    roi_size: int = 4  # RoIAlign output bins per side
    kinds: int = 69  # object classes (the corpus's kinds)
    backgrounds: int = 10  # whole-image classes (the corpus's backgrounds)
    max_count: int = 3  # most instances of one kind the image head counts
    detections: int = 19  # paper: the top 19 detections (then the whole image)
    candidates: int = 48  # peaks considered before NMS
    nms_iou: float = 0.5
    min_box: float = 4.0  # px: smallest decoded box side
    score_threshold: float = 0.3  # a detection at least this sure is an object (dense captions)

    @property
    def stride(self) -> int:
        return math.prod(self.strides)

    @property
    def grid(self) -> int:
        return self.image_size // self.stride

    @property
    def regions(self) -> int:
        return self.detections + 1

    @property
    def region_feature_size(self) -> int:
        """D of ``region_vectors``: [roi fc7 | image fc7 | geometry]."""
        return 2 * self.feature_size + GEOMETRY


def normalise(image: torch.Tensor) -> torch.Tensor:
    """uint8 (B,S,S,3) → float (B,3,S,S) with the fixed mean/std."""
    x = image.permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
    )


class Trunk(nn.Module):
    def __init__(self, cfg: DetectorConfig):
        super().__init__()
        layers, cin = [], 3
        for cout, s in zip(cfg.channels, cfg.strides, strict=True):
            layers.append(_conv(cin, cout, s))
            cin = cout
        self.body = nn.Sequential(*layers)
        self.out_channels = cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)  # (B, C, G, G)


class RegionFeatures:
    """Region vectors from a front end's ``roi_features`` and ``image_features``: shared
    by the scene detector and the pretrained torchvision front end (pretrained.py)."""

    def describe(self, fmap: torch.Tensor, boxes: torch.Tensor, scores: torch.Tensor):
        """For boxes (B,K,4) normalised with their scores: (region vectors (B, K+1, D) in
        the layout of ``region_layout``, the full-image code of ``full_image_code``)."""
        B, K = boxes.shape[:2]
        S = float(self.cfg.image_size)
        batch = (
            torch.arange(B, device=boxes.device, dtype=boxes.dtype).view(B, 1, 1).expand(B, K, 1)
        )
        rois = torch.cat([batch, boxes * S], dim=2).reshape(B * K, 5)
        roi = self.roi_features(fmap, rois).view(B, K, -1)
        image = self.image_features(fmap)
        return region_layout(roi, image, boxes), full_image_code(
            self.box_kinds(roi), boxes, scores, image
        )

    def box_kinds(self, roi: torch.Tensor) -> torch.Tensor:
        """What the full-image code pools per box: the front end's kind distribution."""
        return roi

    def region_vectors(self, fmap: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
        return self.describe(fmap, boxes, torch.ones(boxes.shape[:2], device=boxes.device))[0]

    def box_vectors(self, fmap: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
        """Region features of arbitrary boxes (N,4) normalised on one image's map (1,C,G,G):
        (N, D), laid out as the detections of ``region_layout``."""
        rois = torch.cat(
            [torch.zeros(boxes.shape[0], 1, device=boxes.device), boxes * self.cfg.image_size], 1
        )
        roi = self.roi_features(fmap, rois)
        return torch.cat([roi, torch.zeros_like(roi), geometry(boxes)], 1)


class Detector(RegionFeatures, nn.Module):
    """Trunk + proposal heads + RoI head + whole-image head. ``forward`` is training
    (dense outputs); ``detect`` and ``region_vectors`` are inference and export."""

    def __init__(self, cfg: DetectorConfig):
        super().__init__()
        self.cfg = cfg
        self.trunk = Trunk(cfg)
        c = self.trunk.out_channels
        # centre logit, size (w, h) in feature cells, offset (dx, dy) inside the cell
        self.proposals = nn.Sequential(
            _conv(c, cfg.head_channels), nn.Conv2d(cfg.head_channels, 5, 1)
        )
        nn.init.constant_(self.proposals[1].bias[:1], -2.19)  # prior 0.1, as CenterNet
        f = cfg.feature_size
        self.roi_fc = nn.Sequential(
            nn.Linear(c * cfg.roi_size**2, f), nn.ReLU(), nn.Linear(f, f), nn.ReLU()
        )
        self.roi_cls = nn.Linear(f, cfg.kinds + 1)  # the last class: no object
        self.image_fc = nn.Sequential(nn.Linear(2 * c, f), nn.ReLU(), nn.Linear(f, f), nn.ReLU())
        self.image_cls = nn.Linear(f, cfg.kinds * (cfg.max_count + 1) + cfg.backgrounds)

    # -- pieces -------------------------------------------------------------------------
    def features(self, image: torch.Tensor) -> torch.Tensor:
        """uint8 (B,S,S,3) → the trunk's feature map (B,C,G,G)."""
        return self.trunk(normalise(image))

    def roi_features(self, fmap: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        """rois (N,5) = (batch index, x0, y0, x1, y1) in input pixels → fc7 (N,F)."""
        pooled = roi_align(
            fmap,
            rois,
            self.cfg.roi_size,
            spatial_scale=1.0 / self.cfg.stride,
            sampling_ratio=2,
            aligned=True,
        )
        return self.roi_fc(pooled.flatten(1))

    def image_features(self, fmap: torch.Tensor) -> torch.Tensor:
        """Position-free whole-image fc7 (B,F): global average and max pooling."""
        pooled = torch.cat([fmap.mean((2, 3)), fmap.amax((2, 3))], dim=1)
        return self.image_fc(pooled)

    def box_kinds(self, roi: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.roi_cls(roi), dim=-1)

    def image_logits(self, fc7: torch.Tensor):
        """(count logits (B,K,max_count+1), background logits (B,backgrounds))."""
        k, m = self.cfg.kinds, self.cfg.max_count + 1
        out = self.image_cls(fc7)
        return out[:, : k * m].view(-1, k, m), out[:, k * m :]

    # -- inference ------------------------------------------------------------------------
    def detect(self, fmap: torch.Tensor):
        """Top ``detections`` boxes of each image: (boxes (B,K,4) normalised xyxy,
        scores (B,K) in [0,1]). See ``decode``."""
        return decode(self.proposals(fmap), self.cfg)

    def encode(self, image: torch.Tensor):
        """uint8 (B,S,S,3) → (feature map, boxes (B,K,4) normalised, scores (B,K))."""
        fmap = self.features(image)
        return (fmap, *self.detect(fmap))

    def forward(self, image: torch.Tensor, rois: torch.Tensor):
        """Training: (proposal maps (B,5,G,G), roi class logits (N,kinds+1), count logits,
        background logits)."""
        fmap = self.features(image)
        img = self.image_features(fmap)
        counts, background = self.image_logits(img)
        return self.proposals(fmap), self.roi_cls(self.roi_features(fmap, rois)), counts, background


def region_layout(roi: torch.Tensor, image: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """The region vectors every later stage reads: roi fc7 (B,K,F), image fc7 (B,F) and
    boxes (B,K,4) → (B, K+1, 2F+6), rows [roi fc7 | 0 | geometry] for the detections and,
    last, [0 | image fc7 | geometry of the whole image]. One layout for both kinds, so
    each later head is one linear map (the paper embeds the whole image with the same CNN
    as the regions; here the whole image has its own, position-free, pooled code)."""
    B, K, _ = roi.shape
    img = image.unsqueeze(1)
    whole = torch.tensor([0.0, 0.0, 1.0, 1.0], device=boxes.device).view(1, 1, 4).expand(B, 1, 4)
    dets = torch.cat(
        [
            roi,
            torch.zeros(B, K, img.shape[2], device=roi.device, dtype=roi.dtype),
            geometry(boxes).to(roi.dtype),
        ],
        2,
    )
    full = torch.cat([torch.zeros_like(img), img, geometry(whole).to(img.dtype)], 2)
    return torch.cat([dets, full], dim=1)


def full_image_code(
    kinds: torch.Tensor, boxes: torch.Tensor, scores: torch.Tensor, image: torch.Tensor
) -> torch.Tensor:
    """The full-image generator's b_v input, position-free: from the detections' kind
    distributions (B,K,C) (the RoI head's softmax, or any per-box feature ≥ 0), boxes
    (B,K,4) and scores (B,K), pooled over the boxes — max (which kinds are there), sum
    (how many), and each kind's score-weighted mean box side (how big) — then the whole
    image's own fc7 (the background): (B, 3C + F).

    Why not the pooled image fc7 alone: global pooling knows the background but hardly
    the kinds (a 69-way presence head on it learns the prior "absent"), while the RoI head
    names a detected box's kind right 99% of the time."""
    w = kinds * scores.unsqueeze(2)  # a score-0 filler slot adds nothing
    side = ((boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])).clamp(min=0).sqrt()
    mean_side = (w * side.unsqueeze(2)).sum(1) / (w.sum(1) + 1e-6)
    return torch.cat([w.amax(1), w.sum(1), mean_side, image], dim=1)


def geometry(boxes: torch.Tensor) -> torch.Tensor:
    """(...,4) normalised xyxy → (...,6): the box and its width and height."""
    wh = boxes[..., 2:] - boxes[..., :2]
    return torch.cat([boxes, wh], dim=-1)


def decode(maps: torch.Tensor, cfg: DetectorConfig):
    """Proposal maps (B,5,G,G) → (boxes (B,K,4) normalised xyxy, scores (B,K)), K =
    cfg.detections, best first. Peaks are cells whose centre logit is the maximum of its
    3x3 neighbourhood; the ``candidates`` best peaks are decoded to boxes, class-agnostic
    NMS (IoU > nms_iou) removes duplicates, and the survivors are ranked by logit.
    Non-peaks and suppressed boxes fill the remaining slots with score 0 (non-peaks by
    logit first), so every image has exactly K regions. Every step is an ONNX op
    (MaxPool, TopK, GatherElements, NonMaxSuppression, ScatterElements)."""
    B, _, G, _ = maps.shape
    stride = float(cfg.stride)
    logit = maps[:, 0]
    peak = F.max_pool2d(logit.unsqueeze(1), 3, 1, 1).squeeze(1) == logit
    # keep logits' precision: shift non-peaks by a constant instead of masking to -inf
    ranked = torch.where(peak, logit, logit - 100.0).flatten(1)  # (B, G*G)
    top, idx = ranked.topk(cfg.candidates, dim=1)  # (B, N)
    size = maps[:, 1:3].flatten(2).gather(2, idx.unsqueeze(1).expand(B, 2, -1))  # (B,2,N)
    off = maps[:, 3:5].flatten(2).gather(2, idx.unsqueeze(1).expand(B, 2, -1))
    ys = torch.div(idx, G, rounding_mode="floor").float()
    xs = (idx - torch.div(idx, G, rounding_mode="floor") * G).float()
    cx, cy = (xs + off[:, 0]) * stride, (ys + off[:, 1]) * stride
    w = (size[:, 0] * stride).clamp(min=cfg.min_box)
    h = (size[:, 1] * stride).clamp(min=cfg.min_box)
    S = float(cfg.image_size)
    boxes = (
        torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=2).clamp(0.0, S) / S
    )  # (B,N,4)
    is_peak = peak.flatten(1).gather(1, idx)
    flat_boxes = boxes.reshape(-1, 4)
    which = torch.arange(B, device=maps.device).view(B, 1).expand(B, cfg.candidates).reshape(-1)
    keep = batched_nms(flat_boxes, top.reshape(-1), which, cfg.nms_iou)
    kept = torch.zeros(B * cfg.candidates, dtype=torch.bool, device=maps.device)
    kept = kept.scatter(0, keep, torch.ones_like(keep, dtype=torch.bool)).view(B, -1)
    final = torch.where(kept, top, top - 300.0)
    best, order = final.topk(cfg.detections, dim=1)
    out_boxes = boxes.gather(1, order.unsqueeze(2).expand(B, cfg.detections, 4))
    good = (kept & is_peak).gather(1, order)
    scores = torch.where(good, torch.sigmoid(best), torch.zeros_like(best))
    return out_boxes, scores


# --- training targets and losses ---------------------------------------------------------


def gaussian_radius(h: float, w: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius (in cells) within which a shifted box keeps IoU ≥ min_overlap."""
    a1, b1 = 1, h + w
    c1 = w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1**2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2**2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def proposal_targets(boxes: list[list[tuple[float, ...]]], cfg: DetectorConfig):
    """Per image, boxes in input pixels → (heat (B,G,G), size (B,2,G,G), offset (B,2,G,G),
    mask (B,G,G) of the cells that hold a centre). NumPy: per-object work is tiny, and
    small torch ops cost more in dispatch than in arithmetic."""
    B, G, s = len(boxes), cfg.grid, cfg.stride
    heat = np.zeros((B, G, G), np.float32)
    size = np.zeros((B, 2, G, G), np.float32)
    off = np.zeros((B, 2, G, G), np.float32)
    mask = np.zeros((B, G, G), np.float32)
    yy, xx = np.mgrid[0:G, 0:G].astype(np.float32)
    for b, objs in enumerate(boxes):
        for x0, y0, x1, y1 in objs:
            w, h = (x1 - x0) / s, (y1 - y0) / s
            cx, cy = (x0 + x1) / 2 / s, (y0 + y1) / 2 / s
            ix, iy = min(int(cx), G - 1), min(int(cy), G - 1)
            sigma = (2 * max(0.0, gaussian_radius(h, w)) + 1) / 6
            np.maximum(
                heat[b], np.exp(-((xx - ix) ** 2 + (yy - iy) ** 2) / (2 * sigma**2)), out=heat[b]
            )
            size[b, :, iy, ix] = (w, h)
            off[b, :, iy, ix] = (cx - ix, cy - iy)
            mask[b, iy, ix] = 1.0
    return tuple(torch.from_numpy(t) for t in (heat, size, off, mask))


def focal_loss(logit: torch.Tensor, heat: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, normalised by the number of centres."""
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = heat.eq(1.0).float()
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p**2 * (1 - heat) ** 4 * (1 - pos)
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1.0)


def sample_rois(
    boxes: list[list[tuple[float, ...]]],
    kinds: list[list[int]],
    cfg: DetectorConfig,
    gen: torch.Generator,
    negatives: int = 3,
    jitter: int = 2,
):
    """RoI-head training boxes: each object, and ``jitter`` copies of it moved by up to
    15% of its size (kept if IoU ≥ 0.5 with it), and random boxes away from every object
    (IoU < 0.3; label = no object). Returns (rois (N,5), labels (N,))."""
    rng = np.random.default_rng(int(torch.randint(0, 2**62, (1,), generator=gen)))
    S, none = cfg.image_size, cfg.kinds
    rois, labels = [], []
    for b, (objs, ks) in enumerate(zip(boxes, kinds, strict=True)):
        truth = np.asarray(objs, np.float64).reshape(-1, 4)
        for box, k in zip(truth, ks, strict=True):
            wh = np.tile(box[2:] - box[:2], 2)
            cands = np.vstack([box, box + (rng.random((jitter, 4)) - 0.5) * 0.3 * wh])
            ok = [0] + [j for j in range(1, len(cands)) if box_iou(cands[j], box) >= 0.5]
            rois += [(b, *cands[j]) for j in ok]
            labels += [k] * len(ok)
        side = 12 + rng.random((negatives * 10, 2)) * 48
        xy = rng.random((negatives * 10, 2)) * (S - side)
        made = 0
        for cand in np.hstack([xy, xy + side]):
            if made == negatives:
                break
            if all(box_iou(cand, o) < 0.3 for o in truth):
                rois.append((b, *cand))
                labels.append(none)
                made += 1
    return torch.tensor(np.asarray(rois), dtype=torch.float32), torch.tensor(
        labels, dtype=torch.long
    )


def image_targets(kinds: list[list[int]], backgrounds: list[int], cfg: DetectorConfig):
    """(counts (B,kinds) in 0..max_count, background (B,))."""
    counts = torch.zeros(len(kinds), cfg.kinds, dtype=torch.long)
    for b, ks in enumerate(kinds):
        for k in ks:
            counts[b, k] = min(cfg.max_count, int(counts[b, k]) + 1)
    return counts, torch.tensor(backgrounds, dtype=torch.long)


def detector_loss(
    model: Detector, image: torch.Tensor, boxes, kinds, backgrounds, gen, targets=None
) -> tuple[torch.Tensor, dict]:
    """The detection stage's objective: centre focal loss + 0.1·size L1 + offset L1 (at
    centres) + RoI kind cross-entropy + the whole image's kind counts and background.
    ``targets``: this batch's ``proposal_targets``, when precomputed."""
    cfg = getattr(model, "module", model).cfg
    rois, labels = sample_rois(boxes, kinds, cfg, gen)
    maps, roi_logits, count_logits, bg_logits = model(image, rois.to(image.device))
    targets = targets if targets is not None else proposal_targets(boxes, cfg)
    heat, size, off, mask = (t.to(image.device) for t in targets)
    n = mask.sum().clamp(min=1.0)
    l_heat = focal_loss(maps[:, 0], heat)
    l_size = (F.l1_loss(maps[:, 1:3], size, reduction="none") * mask.unsqueeze(1)).sum() / n
    l_off = (F.l1_loss(maps[:, 3:5], off, reduction="none") * mask.unsqueeze(1)).sum() / n
    l_roi = F.cross_entropy(roi_logits, labels.to(image.device))
    counts, bg = (t.to(image.device) for t in image_targets(kinds, backgrounds, cfg))
    l_count = F.cross_entropy(count_logits.reshape(-1, cfg.max_count + 1), counts.reshape(-1))
    l_bg = F.cross_entropy(bg_logits, bg)
    parts = {
        "heat": l_heat,
        "size": l_size,
        "offset": l_off,
        "roi": l_roi,
        "count": l_count,
        "background": l_bg,
    }
    total = l_heat + 0.1 * l_size + l_off + l_roi + l_count + 0.5 * l_bg
    return total, {k: float(v.detach()) for k, v in parts.items()}


def box_iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# --- the brute-force reference of ``decode`` (tests) ---------------------------------------


def decode_reference(maps, cfg: DetectorConfig):
    """``decode`` written as loops over one image's maps (5,G,G), for the tests."""
    G, s, S = maps.shape[1], cfg.stride, cfg.image_size
    logit = maps[0].tolist()
    cells = []
    for y in range(G):
        for x in range(G):
            v = logit[y][x]
            neighbours = [
                logit[j][i]
                for j in range(max(0, y - 1), min(G, y + 2))
                for i in range(max(0, x - 1), min(G, x + 2))
            ]
            peak = v == max(neighbours)
            cells.append((v if peak else v - 100.0, peak, y * G + x))
    cells.sort(key=lambda c: (-c[0], c[2]))
    cands = []
    for v, peak, i in cells[: cfg.candidates]:
        y, x = divmod(i, G)
        cx, cy = (x + float(maps[3, y, x])) * s, (y + float(maps[4, y, x])) * s
        w, h = (
            max(cfg.min_box, float(maps[1, y, x]) * s),
            max(cfg.min_box, float(maps[2, y, x]) * s),
        )
        box = [min(max(c, 0.0), S) / S for c in (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)]
        cands.append({"v": v, "peak": peak, "box": box})
    kept = []
    for c in sorted(cands, key=lambda c: -c["v"]):  # greedy NMS, best first
        c["kept"] = all(box_iou(c["box"], k["box"]) <= cfg.nms_iou for k in kept)
        if c["kept"]:
            kept.append(c)
    final = sorted(cands, key=lambda c: -(c["v"] if c["kept"] else c["v"] - 300.0))[
        : cfg.detections
    ]
    boxes = [c["box"] for c in final]
    scores = [1 / (1 + math.exp(-c["v"])) if (c["kept"] and c["peak"]) else 0.0 for c in final]
    return boxes, scores
