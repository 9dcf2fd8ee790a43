"""Randomly initialised torchvision weights saved to local files, standing in for the
pretrained ones a user supplies (nothing can be downloaded here). torchvision's own
initialisation gives MobileNetV3 detectors all-zero features at inference (every box then
scores 1/91, ties with no defined order), so every weight is drawn at random instead."""

import sys

import torch
import torchvision

torch.manual_seed(0)
torch.save(torchvision.models.resnet18(weights=None).state_dict(), sys.argv[1] + "/resnet18.pth")
det = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
    weights=None, weights_backbone=None
)
state = {}
for k, v in det.state_dict().items():
    if not v.is_floating_point():
        state[k] = v
    elif k.endswith("running_var"):
        state[k] = torch.ones_like(v)
    elif k.endswith("running_mean"):
        state[k] = torch.zeros_like(v)
    elif v.dim() > 1:
        # fan-in scaled: larger weights saturate every activation, and the scores then
        # depend only on the anchor (ties between boxes on any image)
        state[k] = torch.randn_like(v) * 1.3 / v[0].numel() ** 0.5
    else:
        state[k] = float(k.endswith("weight")) + torch.randn_like(v) * 0.1
torch.save(state, sys.argv[1] + "/ssdlite.pth")
