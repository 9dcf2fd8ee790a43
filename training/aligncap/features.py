"""Cached region features: the frozen detector run once over a split (paper §3.1.1: the
CNN is fixed after the detection stage), so the alignment model and the generators
train on vectors instead of pixels.

A bank holds, per image, the top detections' fc7 and boxes and scores, and the whole
image's fc7; ``vectors`` assembles the region vectors in ``detect.region_layout``.
Banks are cached as .pt files keyed on the detector file's SHA-256 and the images'
own cache key, next to the detector.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from .dataset import batch_pixels, image_store
from .detect import Detector, DetectorConfig, full_image_code, region_layout

log = logging.getLogger(__name__)


@dataclass
class RegionBank:
    roi: torch.Tensor  # (N, K, F) float16: fc7 of the top K detections
    image: torch.Tensor  # (N, F) float16: fc7 of the whole image
    boxes: torch.Tensor  # (N, K, 4) float32: normalised xyxy
    scores: torch.Tensor  # (N, K) float32: detection scores (0 for filler slots)
    kinds: torch.Tensor  # (N, K, C) float16: each box's kind distribution (front end's box_kinds)

    def __len__(self) -> int:
        return len(self.image)

    @property
    def region_size(self) -> int:
        return 2 * self.roi.shape[2] + 6

    def vectors(self, idx) -> torch.Tensor:
        """(B, K+1, D) float32 region vectors of images ``idx`` (the whole image last)."""
        idx = torch.as_tensor(list(idx), dtype=torch.long)
        return region_layout(self.roi[idx].float(), self.image[idx].float(), self.boxes[idx])

    @property
    def full_code_size(self) -> int:
        return 3 * self.kinds.shape[2] + self.image.shape[1]

    def full_codes(self, idx) -> torch.Tensor:
        """(B, 3C + F) float32 full-image codes of images ``idx`` (detect.full_image_code)."""
        idx = torch.as_tensor(list(idx), dtype=torch.long)
        return full_image_code(
            self.kinds[idx].float(), self.boxes[idx], self.scores[idx], self.image[idx].float()
        )

    def region_rows(self, refs) -> torch.Tensor:
        """(B, D) vectors of (image, region) pairs; region −1 is the whole image."""
        refs = list(refs)
        v = self.vectors([i for i, _ in refs])
        r = torch.tensor([rr if rr >= 0 else v.shape[1] - 1 for _, rr in refs])
        return v[torch.arange(len(refs)), r]

    def all_boxes(self) -> torch.Tensor:
        """(N, K+1, 4): the detections' boxes, then the whole image."""
        whole = torch.tensor([0.0, 0.0, 1.0, 1.0]).expand(len(self), 1, 4)
        return torch.cat([self.boxes, whole], dim=1)


def load_detector(path: str | Path, device="cpu"):
    """The front end in ``path``: the scene detector, or the pretrained torchvision one."""
    from .train import from_dict

    ck = torch.load(path, map_location=device, weights_only=False)
    if ck.get("kind") == "pretrained":
        from .pretrained import PretrainedConfig, PretrainedFrontEnd

        model = PretrainedFrontEnd(from_dict(PretrainedConfig, ck["config"]))
    else:
        model = Detector(from_dict(DetectorConfig, ck["config"]))
    model.load_state_dict(ck["state"])
    return model.to(device).eval(), ck


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@torch.no_grad()
def encode(detector: Detector, store, device, batch: int = 200) -> RegionBank:
    roi, image, boxes, scores, kinds = [], [], [], [], []
    for i in tqdm(range(0, len(store), batch), desc="region features", leave=False):
        fmap, b, s = detector.encode(
            batch_pixels(store, range(i, min(i + batch, len(store)))).to(device)
        )
        K = b.shape[1]
        S = float(detector.cfg.image_size)
        idx = torch.arange(len(b), device=device, dtype=b.dtype).view(-1, 1, 1).expand(-1, K, 1)
        rois = torch.cat([idx, b * S], 2).reshape(-1, 5)
        r = detector.roi_features(fmap, rois).view(len(b), K, -1)
        roi.append(r.half().cpu())
        kinds.append(detector.box_kinds(r).half().cpu())
        image.append(detector.image_features(fmap).half().cpu())
        boxes.append(b.cpu())
        scores.append(s.cpu())
    return RegionBank(
        torch.cat(roi), torch.cat(image), torch.cat(boxes), torch.cat(scores), torch.cat(kinds)
    )


def region_bank(detector_path: str | Path, ds, items, device="cpu") -> RegionBank:
    """The bank of ``items`` under the detector at ``detector_path``, from cache if there."""
    detector_path = Path(detector_path)
    detector, ck = load_detector(detector_path, device)
    store = image_store(ds, items, detector.cfg.image_size)
    key = hashlib.sha256(
        f"{_sha256(detector_path)}|{getattr(store, 'filename', '')}|{len(items)}".encode()
    )
    if not isinstance(store, torch.Tensor) and getattr(store, "filename", None) is None:
        key.update(store.tobytes())  # an uncached store: key on the pixels themselves
    key.update(b"bank-v2")  # the bank's layout: roi, image, boxes, scores, kinds
    cache = detector_path.parent / "features" / f"bank_{len(items)}_{key.hexdigest()[:16]}.pt"
    if cache.exists():
        return RegionBank(**torch.load(cache, weights_only=False))
    bank = encode(detector, store, device)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    torch.save(bank.__dict__, tmp)
    tmp.replace(cache)
    log.info("cached region features of %d images in %s", len(items), cache)
    return bank
