"""ONNX export parity, the package validator, the golden file, the committed default model."""

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from aligncap.export import OnnxPipeline, build_package, validate, write_golden

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def package(tiny_run, corpus, tmp_path_factory):
    # build_package asserts each graph matches PyTorch within 1e-4 and that it validates
    return build_package(tiny_run, corpus, tmp_path_factory.mktemp("pkg") / "tiny", model_id="tiny",
                         golden_images=6)


def test_package_has_the_documented_graphs(package):
    m = json.loads((package / "manifest.json").read_text())
    assert set(m["graphs"]) == {"image_encoder", "sentence_encoder", "decoder", "region_decoder"}
    for g in m["graphs"].values():
        model = onnx.load(str(package / g["file"]))
        assert model.opset_import[0].version >= 17
        assert [i.name for i in model.graph.input] == [i["name"] for i in g["inputs"]]
    assert validate(package) == []


def test_image_encoder_takes_any_size_uint8(package):
    pipe = OnnxPipeline(package)
    for h, w in ((32, 32), (77, 200), (300, 41)):
        enc = pipe.encode_image(np.random.default_rng(h).integers(0, 256, (h, w, 3), dtype=np.uint8))
        assert enc["region_embeddings"].shape[0] == pipe.manifest["regions"]["count"]
        assert np.isfinite(enc["image_bias"]).all()


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
    assert any("decoder.onnx: output log_probs" in p and "manifest says float32['batch', 7]" in p for p in problems)
    assert any("vocab.json: listed in the manifest but missing" in p for p in problems)
    m["format_version"] = 2
    (bad / "manifest.json").write_text(json.dumps(m))
    assert "expected 'aligncap-model' version 1" in validate(bad)[0]


def test_golden_file_is_reproducible(package, corpus, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(package, again)
    shutil.rmtree(again / "golden")
    write_golden(again, corpus, 6)
    a = json.loads((package / "golden" / "golden.json").read_text())
    b = json.loads((again / "golden" / "golden.json").read_text())
    assert a == b
    case = a["images"][0]
    assert len(case["beam3"]) == 3 and case["beam3"][0]["score"] >= case["greedy"]["score"] - 1e-9
    assert any(c["width"] != c["height"] for c in a["images"])  # the resize path is covered


def test_committed_default_model_validates():
    pkg = REPO / "models" / "scenes-v1"
    if not (pkg / "manifest.json").exists():
        pytest.skip("models/scenes-v1 not built yet")
    assert validate(pkg) == []
    m = json.loads((pkg / "manifest.json").read_text())
    assert sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file()) <= 30e6
    assert m["evaluation"]["retrieval"]["image_to_sentence"]["R@1"] > 0
