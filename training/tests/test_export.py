"""ONNX export parity, the package validator, the golden file, the committed default model."""

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from aligncap.export import build_package, validate, write_golden
from aligncap.pipeline import OnnxPipeline

REPO = Path(__file__).resolve().parents[2]
PHOTO = REPO / "src" / "test" / "resources" / "images" / "exif-orientation-6.jpg"


@pytest.fixture(scope="module")
def package(tiny_run, corpus, tmp_path_factory):
    # build_package asserts each graph matches PyTorch within 1e-4 and that it validates
    return build_package(
        tiny_run,
        corpus,
        tmp_path_factory.mktemp("pkg") / "tiny",
        model_id="tiny",
        golden_images=6,
        photos=[PHOTO],
    )


def test_package_has_the_documented_graphs(package):
    m = json.loads((package / "manifest.json").read_text())
    assert set(m["graphs"]) == {
        "preprocess",
        "image_encoder",
        "box_encoder",
        "sentence_encoder",
        "decoder",
        "region_decoder",
    }
    assert (
        m["format_version"] == 2
        and m["regions"]["count"] == 20
        and m["regions"]["whole_image_index"] == 19
    )
    for g in m["graphs"].values():
        model = onnx.load(str(package / g["file"]))
        assert model.opset_import[0].version >= 17
        assert [i.name for i in model.graph.input] == [i["name"] for i in g["inputs"]]
    assert validate(package) == []


def test_pipeline_takes_any_image_and_gives_twenty_regions(package, tmp_path):
    from PIL import Image

    pipe = OnnxPipeline(package)
    for h, w in ((32, 32), (77, 200), (300, 41)):
        path = tmp_path / f"{h}x{w}.png"
        Image.fromarray(np.random.default_rng(h).integers(0, 256, (h, w, 3), dtype=np.uint8)).save(
            path
        )
        enc = pipe.encode(path)
        assert enc["region_embeddings"].shape[0] == pipe.manifest["regions"]["count"]
        assert enc["region_boxes"][-1].tolist() == [0, 0, 1, 1] and enc["region_scores"][-1] == 1
        assert (np.diff(enc["region_scores"][:-1]) <= 0).all()  # detections best first
        assert np.isfinite(enc["image_bias"]).all() and tuple(enc["size"][:2]) == (w, h)
    enc = pipe.encode(PHOTO)
    assert tuple(enc["size"][:2]) == (40, 20)  # stored 20x40 with EXIF orientation 6
    box = pipe.box_bias(enc, [[0.0, 0.0, 0.5, 1.0], [0.5, 0.0, 1.0, 1.0]])
    assert box.shape == (2, pipe.manifest["region_decoder"]["bias_size"])


def test_a_failed_export_leaves_the_previous_package(package, tiny_run, corpus, tmp_path):
    target = tmp_path / "pkg"
    shutil.copytree(package, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    broken = tmp_path / "run"
    shutil.copytree(tiny_run, broken)
    (broken / "gen_full.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(Exception):  # noqa: B017 — any failure will do
        build_package(broken, corpus, target, model_id="tiny", golden_images=2)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before and validate(target) == []
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".pkg")
    ]  # no temporary folder left


def test_region_generator_is_optional(tiny_run, corpus, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "gen_region.pt").unlink()
    pkg = build_package(run, corpus, tmp_path / "pkg", model_id="no-regions", golden_images=2)
    m = json.loads((pkg / "manifest.json").read_text())
    assert "region_decoder" not in m and "region_decoder" not in m["graphs"]
    assert [o["name"] for o in m["graphs"]["box_encoder"]["outputs"]] == ["region_embeddings"]
    assert validate(pkg) == []


def test_validator_reports_a_corrupted_file(package, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(package, bad)
    data = bytearray((bad / "decoder.onnx").read_bytes())
    data[100] ^= 0xFF
    (bad / "decoder.onnx").write_bytes(bytes(data))
    problems = validate(bad)
    assert any("decoder.onnx" in p and "SHA-256" in p for p in problems), problems


def test_validator_reports_a_wrong_shape_and_a_missing_file(package, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(package, bad)
    m = json.loads((bad / "manifest.json").read_text())
    m["graphs"]["decoder"]["outputs"][0]["shape"] = ["batch", 7]
    (bad / "manifest.json").write_text(json.dumps(m))
    (bad / "vocab.json").unlink()
    problems = validate(bad)
    assert any(
        "decoder.onnx: output log_probs" in p and "manifest says float32['batch', 7]" in p
        for p in problems
    )
    assert any("vocab.json: listed in the manifest but missing" in p for p in problems)
    m["format_version"] = 1
    (bad / "manifest.json").write_text(json.dumps(m))
    assert "expected 'aligncap-model' version 2" in validate(bad)[0]


def test_golden_file_is_reproducible(package, corpus, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(package, again)
    shutil.rmtree(again / "golden")
    write_golden(again, corpus, 6, photos=[PHOTO])
    a = json.loads((package / "golden" / "golden.json").read_text())
    b = json.loads((again / "golden" / "golden.json").read_text())
    assert a == b
    case = a["images"][0]
    assert len(case["beam3"]) == 3 and case["beam3"][0]["score"] >= case["greedy"]["score"] - 1e-9
    assert any(c["width"] != c["height"] for c in a["images"])  # the resize path is covered
    photo = a["images"][-1]
    assert photo["file"] == "photos/exif-orientation-6.jpg" and (
        photo["width"],
        photo["height"],
    ) == (40, 20)
    assert (package / "golden" / photo["decoded"]).exists()


def test_committed_default_model_validates():
    pkg = REPO / "models" / "scenes-v2"
    assert validate(pkg) == []
    m = json.loads((pkg / "manifest.json").read_text())
    assert sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file()) <= 30e6
    assert m["evaluation"]["retrieval"]["image_to_sentence"]["R@1"] > 0
