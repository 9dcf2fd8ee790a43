"""The detector: box decoding and NMS against a brute-force reference, its training
targets, the region vector layout, mAP, and the cached region features."""

import numpy as np
import pytest
import torch

from aligncap.detect import (
    Detector,
    DetectorConfig,
    box_iou,
    decode,
    decode_reference,
    proposal_targets,
    region_layout,
    sample_rois,
)
from aligncap.evaluate import average_precision

CFG = DetectorConfig(channels=(8, 8, 16), strides=(2, 2, 2), head_channels=8, feature_size=16)


def test_decode_matches_the_brute_force_reference():
    gen = torch.Generator().manual_seed(0)
    for trial in range(20):
        maps = torch.randn(3, 5, CFG.grid, CFG.grid, generator=gen) * 3
        maps[:, 1:3] = maps[:, 1:3].abs() * 2  # sizes in cells
        maps[:, 3:5] = torch.rand(3, 2, CFG.grid, CFG.grid, generator=gen)
        boxes, scores = decode(maps, CFG)
        assert boxes.shape == (3, CFG.detections, 4) and scores.shape == (3, CFG.detections)
        for b in range(3):
            want_boxes, want_scores = decode_reference(maps[b], CFG)
            np.testing.assert_allclose(
                boxes[b].numpy(), np.array(want_boxes), atol=1e-6, err_msg=f"trial {trial}"
            )
            np.testing.assert_allclose(scores[b].numpy(), np.array(want_scores), atol=1e-6)


def test_nms_keeps_one_of_two_overlapping_peaks():
    G = CFG.grid
    maps = torch.full((1, 5, G, G), -20.0)
    maps[:, 1:3] = 3.0  # 24x24 px boxes
    maps[:, 3:5] = 0.5
    maps[0, 0, 4, 4], maps[0, 0, 4, 6] = 5.0, 4.0  # two peaks 16 px apart: IoU of the boxes 0.2
    maps[0, 0, 10, 10], maps[0, 0, 10, 11] = 6.0, 5.5  # adjacent cells: one is not a peak
    boxes, scores = decode(maps, CFG)
    assert scores[0, :3].tolist() == pytest.approx(
        [torch.sigmoid(torch.tensor(v)).item() for v in (6.0, 5.0, 4.0)]
    )
    assert (scores[0, 3:] < 1e-6).all()  # flat -20 cells are peaks too, of score ~2e-9
    cfg = DetectorConfig(
        **{**CFG.__dict__, "nms_iou": 0.1}
    )  # now the pair at row 4 overlaps too much
    _, scores = decode(maps, cfg)
    assert (scores[0] > 0.5).sum() == 2


def test_targets_put_the_peak_and_size_at_the_centre_cell():
    heat, size, off, mask = proposal_targets([[(16.0, 8.0, 40.0, 24.0)]], CFG)
    assert (
        mask.sum() == 1 and mask[0, 2, 3] == 1
    )  # centre (28, 16) px → cell (x 3, y 2) at stride 8
    assert heat[0, 2, 3] == 1.0 and heat.max() == 1.0 and 0 < heat[0, 2, 4] < 1
    assert size[0, :, 2, 3].tolist() == [3.0, 2.0] and off[0, :, 2, 3].tolist() == [0.5, 0.0]


def test_roi_samples_are_objects_jitters_and_background():
    rois, labels = sample_rois(
        [[(10.0, 10.0, 40.0, 40.0)]], [[7]], CFG, torch.Generator().manual_seed(0)
    )
    assert labels[0] == 7 and (labels == CFG.kinds).sum() == 3
    for r, label in zip(rois.tolist(), labels.tolist(), strict=True):
        overlap = box_iou(r[1:], (10, 10, 40, 40))
        assert overlap >= 0.5 if label == 7 else overlap < 0.3


def test_region_vectors_are_detections_then_the_whole_image():
    roi, img = torch.randn(2, 3, 4), torch.randn(2, 4)
    boxes = torch.tensor([[[0.1, 0.2, 0.3, 0.6]] * 3] * 2)
    v = region_layout(roi, img, boxes)
    assert v.shape == (2, 4, 4 + 4 + 6)
    assert torch.equal(v[:, :3, :4], roi) and (v[:, :3, 4:8] == 0).all()
    assert v[0, 0, 8:].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.6, 0.2, 0.4])
    assert (v[:, 3, :4] == 0).all() and torch.equal(v[:, 3, 4:8], img)
    assert v[0, 3, 8:].tolist() == [0, 0, 1, 1, 1, 1]
    model = Detector(CFG).eval()
    fmap = model.features(
        torch.randint(0, 256, (2, CFG.image_size, CFG.image_size, 3), dtype=torch.uint8)
    )
    b, _ = model.detect(fmap)
    full = model.region_vectors(fmap, b)
    one = model.box_vectors(fmap[1:], b[1])
    assert torch.allclose(full[1, :-1], one, atol=1e-6)  # box_encoder = the detections' RoI head


def test_average_precision_by_hand():
    assert average_precision([(0.9, True), (0.8, True)], 2) == pytest.approx(1.0)
    # a false positive ranked first: precision 1/2 at recall 1/2 and 2/3 at recall 1; the
    # interpolated precision at recall 1/2 is the best at any higher recall, 2/3
    assert average_precision([(0.9, False), (0.8, True), (0.7, True)], 2) == pytest.approx(2 / 3)
    assert average_precision([(0.9, True), (0.8, False), (0.7, True)], 2) == pytest.approx(
        0.5 + 0.5 * 2 / 3
    )
    assert average_precision([(0.9, True)], 2) == pytest.approx(0.5)


def test_detector_learns_and_features_are_cached(tiny_run, corpus):
    from aligncap.dataset import load_karpathy
    from aligncap.features import region_bank

    ck = torch.load(tiny_run / "detector.pt", weights_only=False)
    assert ck["history"][-1] < ck["history"][0]
    ds = load_karpathy(corpus)
    items = ds.split("test")[:8]
    bank = region_bank(tiny_run / "detector.pt", ds, items)
    cached = sorted((tiny_run / "features").glob("bank_8_*.pt"))
    assert len(cached) == 1
    again = region_bank(tiny_run / "detector.pt", ds, items)
    assert torch.equal(again.roi, bank.roi) and torch.equal(again.boxes, bank.boxes)
    v = bank.vectors(range(3))
    assert v.shape == (3, 20, bank.region_size) and bank.region_rows([(0, -1)]).shape == (
        1,
        bank.region_size,
    )
