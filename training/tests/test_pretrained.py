"""The real-photo front end: torchvision models from local weight files (here randomly
initialised and saved to a temporary file; nothing is downloaded)."""

import torch
import torchvision

from aligncap.features import load_detector
from aligncap.pretrained import PretrainedConfig, PretrainedFrontEnd, build_front_end


def test_front_end_reads_local_weights_and_gives_twenty_regions(tmp_path):
    torch.manual_seed(0)
    backbone = torchvision.models.resnet18(weights=None)
    torch.save(backbone.state_dict(), tmp_path / "resnet18.pth")
    cfg = PretrainedConfig(
        image_size=96, backbone="resnet18", detector="ssdlite320_mobilenet_v3_large"
    )
    det = PretrainedFrontEnd(cfg).detector
    torch.save(det.state_dict(), tmp_path / "ssdlite.pth")
    path = build_front_end(
        tmp_path / "run", cfg, tmp_path / "resnet18.pth", tmp_path / "ssdlite.pth"
    )
    model, ck = load_detector(path)
    assert ck["kind"] == "pretrained"
    # the weights really came from the files
    assert torch.equal(model.backbone[0].weight, backbone.conv1.weight)
    image = torch.randint(0, 256, (2, 96, 96, 3), dtype=torch.uint8)
    with torch.no_grad():
        fmap, boxes, scores = model.encode(image)
        vec = model.region_vectors(fmap, boxes)
    assert fmap.shape == (2, 512, 3, 3) and boxes.shape == (2, 19, 4) and scores.shape == (2, 19)
    assert vec.shape == (2, 20, 2 * 512 + 6) and ((boxes >= 0) & (boxes <= 1)).all()
