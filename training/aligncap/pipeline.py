"""The reference pipeline: a model package run through onnxruntime, following
models/FORMAT.md to the letter. It writes the golden parity file that the Java service
must match, and backs ``aligncap caption``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

from . import mrf
from .dataset import Vocabulary, tokenize
from .decode import beam_search
from .preprocess import EXIF_ORIENTATION, decode_image


class OnnxPipeline:
    def __init__(self, package: str | Path):
        self.dir = Path(package)
        self.manifest = json.loads((self.dir / "manifest.json").read_text())
        self.vocab = Vocabulary.load(self.dir / self.manifest["vocabulary"]["file"])
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # deterministic, and the golden file is small
        self.sessions = {
            name: ort.InferenceSession(
                str(self.dir / g["file"]), opts, providers=["CPUExecutionProvider"]
            )
            for name, g in self.manifest["graphs"].items()
        }

    # -- images -------------------------------------------------------------------------
    def model_input(self, source) -> tuple[np.ndarray, tuple[int, int]]:
        """An encoded image (path or bytes) → the image encoder's input (S,S,3) uint8 and
        the upright image's (width, height) before subsampling (boxes are reported in it)."""
        pixels = decode_image(source, self.manifest["image"]["max_subsample_side"])
        image = self.sessions["preprocess"].run(None, {"pixels": pixels[None]})[0][0]
        return image, upright_size(source)

    def encode(self, source) -> dict[str, np.ndarray]:
        image, size = self.model_input(source)
        names = [o["name"] for o in self.manifest["graphs"]["image_encoder"]["outputs"]]
        out = self.sessions["image_encoder"].run(None, {"image": image[None]})
        enc = {n: v[0] for n, v in zip(names, out, strict=True)}
        enc["feature_map"] = out[names.index("feature_map")]  # keeps its batch axis for box_encoder
        enc["size"] = np.array(size * 2, dtype=np.float64)
        return enc

    # -- alignment ------------------------------------------------------------------------
    def word_vectors(self, sentence: str) -> tuple[list[int], np.ndarray]:
        ids = self.vocab.encode(tokenize(sentence))
        w = self.sessions["sentence_encoder"].run(
            None, {"tokens": np.array([ids], np.int64), "lengths": np.array([len(ids)], np.int64)}
        )[0][0]
        return ids, w

    def align(self, enc: dict, sentence: str) -> dict:
        ids, w = self.word_vectors(sentence)
        unary = w.astype(np.float64) @ enc["region_embeddings"].astype(np.float64).T  # (T,R)
        labels = mrf.viterbi(unary, self.manifest["alignment"]["mrf_beta"])
        return {
            "raw": sentence,
            "tokens": ids,
            "score": float(unary.max(1).sum()),
            "word_regions": [int(r) for r in unary.argmax(1)],
            "word_strengths": [float(v) for v in unary.max(1)],
            "snippets": [{"start": s, "end": e, "region": r} for s, e, r in mrf.snippets(labels)],
        }

    # -- captions -------------------------------------------------------------------------
    def caption(
        self,
        bias: np.ndarray,
        *,
        beam_size: int = 1,
        max_length: int | None = None,
        alpha: float = 0.0,
        graph: str = "decoder",
    ) -> list[dict]:
        spec = self.manifest[graph]
        sess = self.sessions[graph]
        states = spec["state_names"]

        def step(tokens, image_bias, st):
            feed = {"token": tokens, "image_bias": image_bias.astype(np.float32)}
            feed.update({n: s for n, s in zip(states, st, strict=True)})
            out = sess.run(None, feed)
            return out[0], out[1:]

        v = self.manifest["vocabulary"]
        hyps = beam_search(
            step,
            bias,
            [np.zeros(spec["hidden_size"], np.float32) for _ in states],
            beam_size=beam_size,
            max_length=max_length or spec["max_length"],
            start_id=v["start_id"],
            end_id=v["end_id"],
            banned=(v["pad_id"], v["start_id"], v["unk_id"]),
            alpha=alpha,
        )
        return [
            {
                "tokens": h.tokens,
                "words": self.vocab.decode([t for t in h.tokens if t != v["end_id"]]),
                "log_prob": h.log_prob,
                "score": h.score,
            }
            for h in hyps
        ]

    def box_bias(self, enc: dict, boxes) -> np.ndarray:
        """The region generator's b_v of boxes (N,4) normalised, by box_encoder."""
        names = [o["name"] for o in self.manifest["graphs"]["box_encoder"]["outputs"]]
        out = self.sessions["box_encoder"].run(
            None,
            {
                "feature_map": enc["feature_map"],
                "boxes": np.asarray(boxes, np.float32).reshape(-1, 4),
            },
        )
        return out[names.index("region_bias")]

    def dense(self, enc: dict) -> list[dict]:
        """Dense captions: every detection scoring at least the threshold, best first,
        with its greedy region caption (the whole image is not a detection)."""
        if "region_decoder" not in self.manifest:
            return []
        r = self.manifest["regions"]
        out = []
        for i in range(r["detections"]):
            score = float(enc["region_scores"][i])
            if score >= r["score_threshold"]:
                cap = self.caption(enc["region_bias"][i], beam_size=1, graph="region_decoder")[0]
                # the detection's score, not the caption's (a caption has a "score" too)
                out.append({**cap, "region": i, "score": score})
        return out

    # -- golden cases -----------------------------------------------------------------------
    def golden_case(self, path: Path, sentences: list[str]) -> dict:
        enc = self.encode(path)
        w, h = int(enc["size"][0]), int(enc["size"][1])
        return {
            "file": path.relative_to(
                path.parent.parent if path.parent.name == "photos" else path.parent
            ).as_posix(),
            "width": w,
            "height": h,
            "region_boxes": enc["region_boxes"].round(6).tolist(),
            "region_scores": enc["region_scores"].round(6).tolist(),
            "image_bias_l2": float(np.linalg.norm(enc["image_bias"])),
            "greedy": self.caption(enc["image_bias"], beam_size=1)[0],
            "beam3": self.caption(enc["image_bias"], beam_size=3),
            "sentences": [self.align(enc, s) for s in sentences],
            "dense_captions": self.dense(enc),
        }

    def box_captions_case(self, path: Path, boxes: list[list[float]]) -> list[dict]:
        if "region_decoder" not in self.manifest or not boxes:
            return []
        enc = self.encode(path)
        bias = self.box_bias(enc, boxes)
        return [
            {"box": b, **self.caption(bias[i], beam_size=1, graph="region_decoder")[0]}
            for i, b in enumerate(boxes)
        ]


def upright_size(source) -> tuple[int, int]:
    """(width, height) of the image as shown: EXIF orientations 5-8 swap the sides."""
    import io

    with Image.open(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source) as im:
        w, h = im.size
        turned = im.format == "JPEG" and int(im.getexif().get(EXIF_ORIENTATION, 1) or 1) in (
            5,
            6,
            7,
            8,
        )
    return (h, w) if turned else (w, h)
