"""The visual front end for real photographs: a torchvision detector and a torchvision
classification backbone as the region CNN, both frozen, with weights read from local
files the user supplies (nothing is downloaded) — the paper's set-up (an R-CNN and a CNN
pretrained on ImageNet) for Flickr8k/30k or COCO, where no boxes exist to train the
scene detector on.

    aligncap front-end --run-dir runs/f8k --backbone resnet50 --backbone-weights resnet50.pth \\
        --detector fasterrcnn_resnet50_fpn --detector-weights fasterrcnn_resnet50_fpn_coco.pth

writes ``runs/f8k/detector.pt``; every later stage reads it as it reads the scene
detector's (same ``encode``/``roi_features``/``image_features`` interface, same region
vectors).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torchvision
from torchvision.ops import roi_align

from .detect import RegionFeatures, normalise

BACKBONES = {  # name → (feature channels, stride of the map we pool)
    "resnet18": (512, 32),
    "resnet34": (512, 32),
    "resnet50": (2048, 32),
    "resnet101": (2048, 32),
    "vgg16": (512, 16),
    "vgg19": (512, 16),
}
DETECTORS = (
    "fasterrcnn_resnet50_fpn",
    "fasterrcnn_mobilenet_v3_large_fpn",
    "fasterrcnn_mobilenet_v3_large_320_fpn",
    "ssdlite320_mobilenet_v3_large",
)


@dataclass
class PretrainedConfig:
    image_size: int = 224  # S: the model input (ImageNet's)
    backbone: str = "resnet50"
    detector: str = "fasterrcnn_resnet50_fpn"
    detections: int = 19  # paper: the top 19 detections (then the whole image)
    roi_size: int = 2  # RoIAlign bins per side, averaged
    score_threshold: float = 0.5  # dense captions: the detector's own confidence

    @property
    def regions(self) -> int:
        return self.detections + 1

    @property
    def feature_size(self) -> int:
        return BACKBONES[self.backbone][0]

    @property
    def stride(self) -> int:
        return BACKBONES[self.backbone][1]

    @property
    def grid(self) -> int:
        return self.image_size // self.stride


def _backbone(name: str) -> nn.Module:
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; expected one of {sorted(BACKBONES)}")
    model = getattr(torchvision.models, name)(weights=None)
    if name.startswith("resnet"):
        return nn.Sequential(*list(model.children())[:-2])  # up to layer4: stride 32
    return model.features[:-1]  # VGG: the last conv block without its pool, stride 16


def _detector(name: str, detections: int) -> nn.Module:
    if name not in DETECTORS:
        raise ValueError(f"unknown detector {name!r}; expected one of {list(DETECTORS)}")
    kw = {"weights": None, "weights_backbone": None}
    if name.startswith("fasterrcnn"):
        # its own score filter off: the paper keeps the top 19 detections whatever their score
        kw.update(box_score_thresh=0.0, box_detections_per_img=detections)
    else:
        kw.update(score_thresh=0.0, detections_per_img=detections)
    return getattr(torchvision.models.detection, name)(**kw)


class PretrainedFrontEnd(RegionFeatures, nn.Module):
    """Region CNN = a torchvision backbone's last feature map, pooled by RoIAlign over each
    box (averaged over the bins) and globally for the whole image; detections = a
    torchvision detector's top boxes. Exported graphs take one image at a time (the
    detector's list interface traces with a fixed batch)."""

    batchable = False

    def __init__(self, cfg: PretrainedConfig):
        super().__init__()
        self.cfg = cfg
        self.backbone = _backbone(cfg.backbone)
        self.detector = _detector(cfg.detector, cfg.detections)

    def load_weights(self, backbone: str | Path, detector: str | Path) -> None:
        """State dicts as torchvision publishes them (``resnet50-0676ba61.pth``...)."""
        full = getattr(torchvision.models, self.cfg.backbone)(weights=None)
        full.load_state_dict(torch.load(backbone, map_location="cpu", weights_only=True))
        self.backbone.load_state_dict(_backbone_state(full, self.cfg.backbone))
        self.detector.load_state_dict(torch.load(detector, map_location="cpu", weights_only=True))

    def features(self, image: torch.Tensor) -> torch.Tensor:
        return self.backbone(normalise(image))

    def encode(self, image: torch.Tensor):
        fmap = self.features(image)
        S, K = float(self.cfg.image_size), self.cfg.detections
        boxes, scores = [], []
        for b in range(image.shape[0]):
            out = self.detector([image[b].permute(2, 0, 1).float() / 255.0])[0]
            pad = torch.zeros(K, 4, device=image.device)
            boxes.append(torch.cat([out["boxes"] / S, pad])[:K])
            scores.append(torch.cat([out["scores"], torch.zeros(K, device=image.device)])[:K])
        return fmap, torch.stack(boxes).clamp(0.0, 1.0), torch.stack(scores)

    def roi_features(self, fmap: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        pooled = roi_align(
            fmap,
            rois,
            self.cfg.roi_size,
            spatial_scale=1.0 / self.cfg.stride,
            sampling_ratio=2,
            aligned=True,
        )
        return pooled.mean((2, 3))

    def image_features(self, fmap: torch.Tensor) -> torch.Tensor:
        return fmap.mean((2, 3))


def _backbone_state(full: nn.Module, name: str) -> dict:
    if name.startswith("resnet"):
        return nn.Sequential(*list(full.children())[:-2]).state_dict()
    return full.features[:-1].state_dict()


def build_front_end(
    out: str | Path,
    cfg: PretrainedConfig,
    backbone_weights: str | Path,
    detector_weights: str | Path,
) -> Path:
    """Write ``out/detector.pt`` for the pretrained front end (nothing is trained)."""
    out = Path(out)
    model = PretrainedFrontEnd(cfg)
    model.load_weights(backbone_weights, detector_weights)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "kind": "pretrained",
            "config": asdict(cfg),
            "train": {},
            "weights": {"backbone": str(backbone_weights), "detector": str(detector_weights)},
            "history": [],
            "state": model.state_dict(),
        },
        out / "detector.pt",
    )
    return out / "detector.pt"
