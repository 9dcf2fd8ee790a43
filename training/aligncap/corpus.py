"""Deterministic captioned-scene corpus: emoji objects on procedural backgrounds.

No photo set can be downloaded here (issue 2), so this module draws its own: each image
is 1-4 Noto Color Emoji objects (aligncap.catalog) on one of ten textured backgrounds,
with 5 reference captions in the style of Flickr8k/COCO that mention the objects'
nouns, sizes, positions, pairwise relations, counts and the background. The ground
truth kept for evaluation only (object boxes, and the token span of every phrase that
refers to objects) goes to a sidecar file next to the Karpathy-format dataset.json.

Every image is a pure function of (seed, imgid, image_size): layout and captions come
from random.Random(f"{seed}-{imgid}"), background pixels from
numpy.random.default_rng([seed, imgid]), so the output is byte-identical for any
number of worker processes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import random
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

from aligncap.catalog import FONT_PATH, FONT_SIZE, KINDS, Kind
from aligncap.dataset import tokenize

log = logging.getLogger(__name__)

CAPTIONS_PER_IMAGE = 5
# object size classes: longest glyph side in px on a 128 px image (scaled with size)
SIZE_PX = {"small": 20, "medium": 32, "large": 48}
SIZE_JITTER = 0.1  # +-10 %, so the three classes never overlap
MAX_OVERLAP = 0.1  # intersection / smaller box area allowed between two objects

# ---------------------------------------------------------------------------- scene


@dataclass(frozen=True)
class SceneObject:
    id: int
    kind: Kind
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1/y1 exclusive
    size: str  # "small" | "medium" | "large"

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


@dataclass(frozen=True)
class Scene:
    image_size: int
    background: str
    objects: tuple[SceneObject, ...]


_font: ImageFont.FreeTypeFont | None = None
_glyphs: dict[str, Image.Image] = {}  # char -> RGBA glyph cropped to its alpha bbox
_scaled: dict[tuple[str, int], Image.Image] = {}  # (char, longest side px) -> RGBA


def glyph(kind: Kind, px: int) -> Image.Image:
    """The kind's colour glyph, longest side `px`, cropped tight (cached per process)."""
    global _font
    key = (kind.char, px)
    if key not in _scaled:
        if kind.char not in _glyphs:
            if _font is None:
                _font = ImageFont.truetype(FONT_PATH, FONT_SIZE)
            canvas = Image.new("RGBA", (FONT_SIZE * 3 // 2, FONT_SIZE * 3 // 2))
            ImageDraw.Draw(canvas).text((8, 8), kind.char, font=_font, embedded_color=True)
            bbox = canvas.getchannel("A").getbbox()
            assert bbox, f"font has no colour glyph for {kind.cldr!r} ({kind.char!r})"
            _glyphs[kind.char] = canvas.crop(bbox)
        big = _glyphs[kind.char]
        f = px / max(big.size)
        small = big.resize(
            (max(1, round(big.width * f)), max(1, round(big.height * f))), Image.LANCZOS
        )
        _scaled[key] = small.crop(small.getchannel("A").getbbox())
    return _scaled[key]


def _overlap_ok(box, others) -> bool:
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in others:
        inter = max(0, min(x1, a1) - max(x0, a0)) * max(0, min(y1, b1) - max(y0, b0))
        smaller = min((x1 - x0) * (y1 - y0), (a1 - a0) * (b1 - b0))
        if inter > MAX_OVERLAP * smaller:
            return False
    return True


def sample_scene(rng: random.Random, image_size: int = 128) -> Scene:
    """Background and 1-4 objects of 1-3 kinds (a kind may repeat up to 3 times)."""
    background = rng.choice(list(BACKGROUNDS))
    n_kinds = rng.choices([1, 2, 3], weights=[30, 45, 25])[0]
    kinds = rng.sample(KINDS, n_kinds)
    counts = [rng.choices([1, 2, 3], weights=[65, 25, 10])[0] for _ in kinds]
    while sum(counts) > 4:
        counts[counts.index(max(counts))] -= 1
    sizes = list(SIZE_PX)
    margin = max(1, round(2 * image_size / 128))
    objects: list[SceneObject] = []
    for kind, count in zip(kinds, counts):
        group_size = rng.choice(sizes) if rng.random() < 0.6 else None
        for _ in range(count):
            wanted = group_size or rng.choice(sizes)
            # a crowded layout falls back to smaller objects, then drops the object
            for size in sizes[sizes.index(wanted) :: -1]:
                px = round(
                    SIZE_PX[size] * image_size / 128 * rng.uniform(1 - SIZE_JITTER, 1 + SIZE_JITTER)
                )
                w, h = glyph(kind, px).size
                box = None
                for _ in range(40):
                    x = rng.randint(margin, image_size - margin - w)
                    y = rng.randint(margin, image_size - margin - h)
                    if _overlap_ok((x, y, x + w, y + h), [o.box for o in objects]):
                        box = (x, y, x + w, y + h)
                        break
                if box:
                    objects.append(SceneObject(len(objects), kind, box, size))
                    break
    return Scene(image_size, background, tuple(objects))


def render_scene(scene: Scene, rng: np.random.Generator) -> Image.Image:
    """RGB image of the scene; `rng` only drives the background texture."""
    n = scene.image_size
    pixels = BACKGROUNDS[scene.background].paint(rng, n)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    for obj in scene.objects:
        g = glyph(obj.kind, max(obj.box[2] - obj.box[0], obj.box[3] - obj.box[1]))
        image.paste(g, obj.box[:2], g)
    return image


# ---------------------------------------------------------------------- backgrounds


def _smooth(rng: np.random.Generator, n: int, cells: int, rows: int | None = None) -> np.ndarray:
    """(n, n) value noise in [0, 1]: a random (rows, cells) grid upsampled bicubically."""
    grid = rng.random((rows or cells, cells), dtype=np.float32)
    return np.clip(np.asarray(Image.fromarray(grid).resize((n, n), Image.BICUBIC)), 0, 1)


def _colour(rng: np.random.Generator, rgb, jitter: float = 14.0) -> np.ndarray:
    """rgb with brightness jitter and a little hue jitter (grass stays green, sand beige)."""
    shift = rng.normal(0, jitter) + rng.normal(0, jitter / 4, 3)
    return np.asarray(rgb, np.float32) + shift.astype(np.float32)


def _grass(rng, n):
    base = _colour(rng, (72, 140, 52), 16)
    patches = _smooth(rng, n, 5) - 0.5
    blades = _smooth(rng, n, max(8, n // 2), rows=max(2, n // 16)) - 0.5  # vertical streaks
    shade = 40 * patches + 55 * blades
    return base + shade[..., None] * np.float32([0.6, 1.0, 0.4])


def _sand(rng, n):
    base = _colour(rng, (222, 196, 142))
    y = np.arange(n, dtype=np.float32)[:, None] / n
    ripple = np.sin(2 * np.pi * (y * rng.uniform(5, 9) + 0.6 * _smooth(rng, n, 4)))
    grain = rng.normal(0, 9, (n, n)).astype(np.float32)
    return base + (10 * ripple + grain)[..., None]


def _water(rng, n):
    base = _colour(rng, (38, 98, 170), 16)
    y = np.arange(n, dtype=np.float32)[:, None] / n
    waves = np.sin(2 * np.pi * (y * rng.uniform(7, 12) + 1.5 * _smooth(rng, n, 6)))
    crest = np.clip((waves - 0.75) * 4, 0, 1) * 70
    shade = 30 * (_smooth(rng, n, 3) - 0.5)
    return base + (crest + shade)[..., None] * np.float32([0.8, 0.9, 1.0])


def _snow(rng, n):
    base = _colour(rng, (238, 242, 250), 5)
    shade = 24 * (_smooth(rng, n, 4) - 0.5)
    specks = (rng.random((n, n)) < 0.01) * rng.uniform(-45, -20, (n, n))
    return base + (shade + specks)[..., None] * np.float32([1.0, 0.95, 0.8])


def _sky(rng, n):
    y = np.arange(n, dtype=np.float32)[:, None, None] / n
    top, bottom = _colour(rng, (70, 135, 220)), _colour(rng, (165, 205, 245))
    sky = top * (1 - y) + bottom * y + np.zeros((1, n, 1), np.float32)
    cloud = _smooth(rng, n, 4) + 0.5 * _smooth(rng, n, 9)
    cover = np.clip((cloud - rng.uniform(0.85, 1.05)) * 4, 0, 1)[..., None]
    return sky * (1 - cover) + np.float32(248) * cover


def _bricks(rng, n, brick_h, brick_w, mortar, brick_rgb, jitter):
    y, x = np.mgrid[0:n, 0:n]
    row = y // brick_h
    xs = x + (row % 2) * (brick_w // 2)
    ids = row * (n // brick_w + 2) + xs // brick_w
    colours = np.asarray(brick_rgb, np.float32) + rng.normal(0, jitter, (ids.max() + 1, 1)).astype(
        np.float32
    )
    img = colours[ids] + rng.normal(0, 6, (n, n, 1)).astype(np.float32)
    line = max(1, n // 64)
    joint = (y % brick_h < line) | (xs % brick_w < line)
    img[joint] = mortar
    return img


def _brick_wall(rng, n):
    h = max(4, round(n / rng.uniform(7, 10)))
    return _bricks(
        rng, n, h, 2 * h, _colour(rng, (195, 190, 180), 8), _colour(rng, (165, 68, 48)), 14
    )


def _wooden_floor(rng, n):
    h = max(4, round(n / rng.uniform(4, 6)))
    img = _bricks(
        rng,
        n,
        h,
        round(n * rng.uniform(0.7, 1.4)),
        _colour(rng, (80, 50, 25), 8),
        _colour(rng, (155, 105, 60)),
        12,
    )
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    grain = np.sin(2 * np.pi * (y * 30 + 2.5 * _smooth(rng, n, 3, rows=6)))
    return img + (10 * grain)[..., None]


def _road(rng, n):
    base = _colour(rng, (72, 72, 76), 8)
    grain = rng.normal(0, 10, (n, n)) + 12 * (_smooth(rng, n, 6) - 0.5)
    img = base + grain[..., None].astype(np.float32)
    if rng.random() < 0.6:  # a dashed centre line, as on a real road
        y0, t, dash = int(rng.integers(n // 4, 3 * n // 4)), max(1, n // 40), max(4, n // 8)
        x = np.arange(n)
        img[y0 : y0 + t, (x // dash) % 2 == 0] = _colour(rng, (235, 225, 170), 8)
    return img


def _night(rng, n):
    y = np.arange(n, dtype=np.float32)[:, None, None] / n
    top, bottom = _colour(rng, (6, 10, 32), 4), _colour(rng, (24, 34, 78), 8)
    img = top * (1 - y) + bottom * y + np.zeros((1, n, 1), np.float32)
    stars = rng.random((n, n)) < 0.008
    img[stars] = rng.uniform(150, 255, (int(stars.sum()), 1))
    return img


def _tiles(rng, n):
    h = max(4, round(n / rng.uniform(4, 7)))
    a = _colour(rng, rng.choice([(232, 232, 226), (200, 222, 238), (236, 222, 196)]), 8)
    y, x = np.mgrid[0:n, 0:n]
    checker = ((y // h + x // h) % 2).astype(np.float32)[..., None]
    b = a - rng.uniform(0, 40) if rng.random() < 0.5 else a
    img = a * (1 - checker) + b * checker + rng.normal(0, 3, (n, n, 1)).astype(np.float32)
    line = max(1, n // 64)
    img[(y % h < line) | (x % h < line)] = _colour(rng, (140, 140, 140), 10)
    return img


@dataclass(frozen=True)
class Background:
    paint: object  # (np.random.Generator, n) -> float32 (n, n, 3)
    where: tuple[str, ...]  # prepositional phrases: "on the grass"
    scene: tuple[str, ...]  # noun phrases for "<scene> with <objects>": "a grassy field"


BACKGROUNDS: dict[str, Background] = {
    "grass": Background(_grass, ("on the grass", "on grass", "on a lawn", "in a grassy field"), ("a grassy field", "a green lawn")),
    "sand": Background(_sand, ("on the sand", "on the beach", "on sand", "on a sandy beach"), ("a sandy beach", "a beach")),
    "water": Background(_water, ("in the water", "on the water", "on a lake", "in the sea"), ("blue water", "a lake")),
    "snow": Background(_snow, ("in the snow", "on snow", "on the snowy ground"), ("a snowy field", "fresh white snow")),
    "sky": Background(_sky, ("in the sky", "against a blue sky", "against the cloudy sky"), ("a blue sky", "a cloudy sky")),
    "brick wall": Background(_brick_wall, ("against a brick wall", "in front of a brick wall", "against a red brick wall"), ("a brick wall", "a red brick wall")),
    "wooden floor": Background(_wooden_floor, ("on a wooden floor", "on the wooden floor", "on wooden boards"), ("a wooden floor", "wooden boards")),
    "road": Background(_road, ("on the road", "on the street", "on asphalt", "on a paved road"), ("a road", "an asphalt road", "a street")),
    "night": Background(_night, ("at night", "in the dark", "against the night sky", "under a starry sky"), ("a starry night sky", "a dark night sky")),
    "tiles": Background(_tiles, ("on a tiled floor", "on the tiles", "on tiles"), ("a tiled floor", "a tile floor")),
}  # fmt: skip


# ------------------------------------------------------------------------- captions

NUMBERS = {1: "one", 2: "two", 3: "three"}
SIZE_WORDS = {
    "small": ("small", "little", "tiny"),
    "medium": ("medium sized",),
    "large": ("large", "big", "huge"),
}
SIZE_WORD_P = {"small": 0.4, "medium": 0.12, "large": 0.4}  # real captions rarely say "medium"
REGION_WORDS = {
    ("top", "left"): ("in the top left corner", "in the upper left corner", "at the top left"),
    ("top", "right"): ("in the top right corner", "in the upper right corner", "at the top right"),
    ("bottom", "left"): (
        "in the bottom left corner",
        "in the lower left corner",
        "at the bottom left",
    ),
    ("bottom", "right"): (
        "in the bottom right corner",
        "in the lower right corner",
        "at the bottom right",
    ),
    ("top", "center"): ("at the top", "near the top", "at the top of the picture"),
    ("bottom", "center"): ("at the bottom", "near the bottom", "at the bottom of the picture"),
    ("middle", "left"): ("on the left", "on the left side", "at the left"),
    ("middle", "right"): ("on the right", "on the right side", "at the right"),
    ("middle", "center"): ("in the middle", "in the center", "in the middle of the picture"),
}
RELATION_WORDS = {
    "left": ("to the left of", "left of", "on the left of"),
    "right": ("to the right of", "right of", "on the right of"),
    "above": ("above", "over"),
    "below": ("below", "under", "beneath"),
    "near": ("next to", "beside"),  # said instead of left/right when the boxes are close
}


@dataclass(frozen=True)
class Caption:
    raw: str
    tokens: tuple[str, ...]  # == tokenize(raw)
    phrases: tuple[dict, ...]  # {"object_ids": [...], "start": i, "end": j}: tokens[i:j]


def _region(obj: SceneObject, n: int) -> tuple[str, str] | None:
    """(row, column) of the object's centre in a 3x3 grid; None if near a grid line."""
    x, y = obj.centre[0] / n, obj.centre[1] / n
    if any(abs(v - t) < 0.04 for v in (x, y) for t in (1 / 3, 2 / 3)):
        return None
    col = "left" if x < 1 / 3 else "right" if x > 2 / 3 else "center"
    return ("top" if y < 1 / 3 else "bottom" if y > 2 / 3 else "middle"), col


@dataclass(frozen=True)
class _Entity:
    """All objects of one kind: captions always name them together ("two dogs")."""

    kind: Kind
    objects: tuple[SceneObject, ...]

    @property
    def ids(self) -> list[int]:
        return [o.id for o in self.objects]

    def common(self, attr):
        values = {attr(o) for o in self.objects}
        return values.pop() if len(values) == 1 else None


def _relation(a: _Entity, b: _Entity, n: int) -> str | None:
    """'left' if every object of a is clearly left of every object of b, etc.; None if mixed."""
    rels = set()
    for p in a.objects:
        for q in b.objects:
            dx, dy = q.centre[0] - p.centre[0], q.centre[1] - p.centre[1]
            if abs(dx) >= 1.5 * abs(dy) and abs(dx) > 0.15 * n:
                rels.add("left" if dx > 0 else "right")
            elif abs(dy) >= 1.5 * abs(dx) and abs(dy) > 0.15 * n:
                rels.add("above" if dy > 0 else "below")
            else:
                return None
    return rels.pop() if len(rels) == 1 else None


def _near(a: _Entity, b: _Entity, n: int) -> bool:
    def close(p, q):
        gap = max(p.box[0], q.box[0]) - min(p.box[2], q.box[2])
        return gap < 0.2 * n and abs(p.centre[1] - q.centre[1]) < 0.12 * n

    return all(close(p, q) for p in a.objects for q in b.objects)


class _Sentence:
    """Words (each exactly one token, a trailing comma allowed) and the object phrases."""

    def __init__(self):
        self.words: list[str] = []
        self.phrases: list[dict] = []

    def say(self, text: str):
        self.words += text.split()

    def comma(self):
        self.words[-1] += ","

    def mention(self, words: list[str], ids: list[int]):
        start = len(self.words)
        self.words += words
        self.phrases.append({"object_ids": sorted(ids), "start": start, "end": len(self.words)})

    def caption(self) -> Caption:
        raw = " ".join(self.words)
        raw = raw[0].upper() + raw[1:] + "."
        tokens = tokenize(raw)
        assert tokens == [w.rstrip(",") for w in self.words], (
            f"words {self.words} tokenize to {tokens}"
        )
        return Caption(raw, tuple(tokens), tuple(self.phrases))


class _Captioner:
    def __init__(self, scene: Scene, rng: random.Random):
        self.rng, self.n = rng, scene.image_size
        self.where_words = BACKGROUNDS[scene.background]
        groups: dict[str, list[SceneObject]] = {}
        for o in scene.objects:
            groups.setdefault(o.kind.noun, []).append(o)
        self.entities = [_Entity(objs[0].kind, tuple(objs)) for objs in groups.values()]
        cats = [e.kind.category for e in self.entities]
        # a category word ("an animal") may name a kind only if no other kind shares it
        self.unique_category = {c for c in cats if c and cats.count(c) == 1}
        self.pairs = [
            (a, b, r)
            for a in self.entities
            for b in self.entities
            if a is not b and (r := _relation(a, b, self.n))
        ]

    # -- phrases
    def noun_phrase(self, e: _Entity, s: _Sentence):
        r, k, words = self.rng, e.kind, []
        if len(e.objects) > 1:
            words.append(NUMBERS[len(e.objects)])
            head = k.plural
        else:
            names = [w for w in k.synonyms if w != k.category or w in self.unique_category]
            head = r.choice(names) if names and r.random() < 0.35 else k.noun
        size = e.common(lambda o: o.size)
        if size and r.random() < SIZE_WORD_P[size]:
            words += r.choice(SIZE_WORDS[size]).split()
        if k.colour and r.random() < 0.25:
            words.append(k.colour)
        words.append(head)
        if len(e.objects) == 1:
            det = "the" if r.random() < 0.12 else "one" if r.random() < 0.04 else None
            words.insert(0, det or ("an" if words[0][0] in "aeiou" else "a"))
        s.mention(words, e.ids)

    def noun_list(self, ents: list[_Entity], s: _Sentence):
        for i, e in enumerate(ents):
            if 0 < i < len(ents) - 1:
                s.comma()
            elif i > 0:
                s.say("and")
            self.noun_phrase(e, s)

    def verb(self, e: _Entity, s: _Sentence, p: float = 0.6):
        if self.rng.random() < p:
            plural = len(e.objects) > 1
            s.say(
                self.rng.choice(
                    ("are", "sit", "can be seen") if plural else ("is", "sits", "can be seen")
                )
            )

    def where(self, s: _Sentence):
        s.say(self.rng.choice(self.where_words.where))

    def position(self, e: _Entity, s: _Sentence):
        s.say(self.rng.choice(REGION_WORDS[e.common(lambda o: _region(o, self.n))]))

    # -- templates: each fills `s` and returns True, or returns False if it does not apply
    def t_list(self, s: _Sentence) -> bool:
        r, ents = self.rng, self.rng.sample(self.entities, len(self.entities))
        frame = r.choice(
            (
                "",
                "",
                "there",
                "a picture of",
                "a photo of",
                "an image of",
                "a drawing of",
                "a scene with",
            )
        )
        front = frame == "there" and r.random() < 0.4
        if front:
            self.where(s)
        if frame == "there":
            s.say("there are" if len(ents[0].objects) > 1 else "there is")
        elif frame:
            s.say(frame)
        self.noun_list(ents, s)
        if not front and r.random() < 0.8:
            self.where(s)
        return True

    def t_relation(self, s: _Sentence) -> bool:
        if not self.pairs:
            return False
        r = self.rng
        a, b, rel = r.choice(self.pairs)
        if rel in ("left", "right") and _near(a, b, self.n) and r.random() < 0.4:
            rel = "near"
        front = r.random() < 0.2
        if front:
            self.where(s)
            s.comma()
        self.noun_phrase(a, s)
        self.verb(a, s)
        s.say(r.choice(RELATION_WORDS[rel]))
        self.noun_phrase(b, s)
        if not front and r.random() < 0.5:
            self.where(s)
        rest = [
            e for e in self.entities if e not in (a, b) and e.common(lambda o: _region(o, self.n))
        ]
        if rest and r.random() < 0.4:
            s.comma()
            s.say("and")
            self.noun_phrase(rest[0], s)
            self.position(rest[0], s)
        return True

    def t_position(self, s: _Sentence) -> bool:
        placed = [e for e in self.entities if e.common(lambda o: _region(o, self.n))]
        if not placed:
            return False
        r = self.rng
        ents = r.sample(placed, min(len(placed), r.choice((1, 1, 2))))
        if len(ents) == 1 and r.random() < 0.35:
            self.position(ents[0], s)
            s.say("there are" if len(ents[0].objects) > 1 else "there is")
            self.noun_phrase(ents[0], s)
        else:
            for i, e in enumerate(ents):
                if i:
                    s.say("and")
                self.noun_phrase(e, s)
                if len(ents) == 1:
                    self.verb(e, s, 0.5)
                self.position(e, s)
        if r.random() < 0.5:
            self.where(s)
        return True

    def t_count(self, s: _Sentence) -> bool:
        groups = [e for e in self.entities if len(e.objects) > 1]
        if not groups:
            return False
        r, e = self.rng, self.rng.choice(groups)
        style = r.randrange(3)
        if style == 0:
            s.say("there are")
            self.noun_phrase(e, s)
            self.where(s)
        elif style == 1:
            self.where(s)
            s.comma()
            s.say("there are")
            self.noun_phrase(e, s)
        else:
            self.noun_phrase(e, s)
            s.say(r.choice(("sit", "are", "can be seen")))
            self.where(s)
        return True

    def t_scene(self, s: _Sentence) -> bool:
        s.say(self.rng.choice(self.where_words.scene))
        s.say("with")
        self.noun_list(self.rng.sample(self.entities, len(self.entities)), s)
        return True

    def captions(self, k: int) -> tuple[Caption, ...]:
        # the first caption lists every object, so each is named at least once
        first = _Sentence()
        self.t_list(first)
        out = [first.caption()]
        templates = (self.t_relation, self.t_position, self.t_count, self.t_scene, self.t_list)
        weights = (4, 3, 1, 1, 1)
        tries = 0
        while len(out) < k:
            s = _Sentence()
            if not self.rng.choices(templates, weights)[0](s):
                continue
            c = s.caption()
            tries += 1
            if tries < 50 and any(c.raw == o.raw for o in out):
                continue
            out.append(c)
        self.rng.shuffle(out)
        return tuple(out)


def caption_scene(
    scene: Scene, rng: random.Random, k: int = CAPTIONS_PER_IMAGE
) -> tuple[Caption, ...]:
    """k reference captions, each drawing a different mix of facts and templates."""
    return _Captioner(scene, rng).captions(k)


# -------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class Example:
    image: Image.Image
    scene: Scene
    captions: tuple[Caption, ...]


def make_example(seed: int, imgid: int, image_size: int = 128) -> Example:
    """The imgid-th image of the corpus with this seed: a pure function of its arguments."""
    assert seed >= 0 and imgid >= 0, f"seed and imgid must be >= 0, got {seed}, {imgid}"
    rng = random.Random(f"{seed}-{imgid}")
    scene = sample_scene(rng, image_size)
    captions = caption_scene(scene, rng)
    image = render_scene(scene, np.random.default_rng([seed, imgid]))
    return Example(image, scene, captions)


def _split(imgid: int, n_train: int, n_val: int) -> str:
    return "train" if imgid < n_train else "val" if imgid < n_train + n_val else "test"


def _write_example(imgid: int, *, seed: int, image_size: int, image_dir: Path) -> tuple[dict, dict]:
    """Render and save one image; returns its dataset.json sentences and sidecar entry."""
    ex = make_example(seed, imgid, image_size)
    filename = f"{imgid:06d}.png"
    ex.image.save(image_dir / filename, format="PNG", compress_level=6)  # no metadata: stable bytes
    sentids = [imgid * CAPTIONS_PER_IMAGE + j for j in range(len(ex.captions))]
    entry = {
        "filename": filename,
        "filepath": image_dir.name,
        "imgid": imgid,
        "sentids": sentids,
        "sentences": [
            {"tokens": list(c.tokens), "raw": c.raw, "imgid": imgid, "sentid": sid}
            for sid, c in zip(sentids, ex.captions)
        ],
    }
    annotation = {
        "background": ex.scene.background,
        "objects": [
            {"id": o.id, "kind": o.kind.noun, "box": list(o.box), "size": o.size}
            for o in ex.scene.objects
        ],
        "phrases": {str(sid): list(c.phrases) for sid, c in zip(sentids, ex.captions)},
    }
    return entry, annotation


def generate_corpus(
    out_dir: str | Path,
    *,
    seed: int = 123,
    n_train: int = 20000,
    n_val: int = 1000,
    n_test: int = 1000,
    image_size: int = 128,
    workers: int = 1,
) -> Path:
    """Write out_dir/{dataset.json, annotations.json, images/*.png}; returns out_dir.

    The files are byte-identical for the same seed, sizes and image_size, whatever
    `workers` is. dataset.json is in the Karpathy format; annotations.json holds the
    evaluation-only ground truth (boxes, phrase spans) keyed by imgid and sentid.
    """
    out = Path(out_dir)
    image_dir = out / "images"
    image_dir.mkdir(parents=True, exist_ok=True)
    total = n_train + n_val + n_test
    assert total > 0 and min(n_train, n_val, n_test) >= 0, (
        f"split sizes must be >= 0, got {n_train}/{n_val}/{n_test}"
    )
    log.info("generating %d scenes (%d/%d/%d) of %dpx with seed %d into %s using %d worker(s)",
             total, n_train, n_val, n_test, image_size, seed, out, workers)  # fmt: skip
    t0 = time.perf_counter()
    job = partial(_write_example, seed=seed, image_size=image_size, image_dir=image_dir)
    images, annotations = [], {}
    with multiprocessing.Pool(workers) if workers > 1 else _nullpool() as pool:
        results = pool.imap(job, range(total), chunksize=32) if pool else map(job, range(total))
        for imgid, (entry, annotation) in enumerate(
            tqdm(results, total=total, desc="scenes", unit="img")
        ):
            images.append({**entry, "split": _split(imgid, n_train, n_val)})
            annotations[str(imgid)] = annotation
    config = {
        "seed": seed,
        "n_train": n_train,
        "n_val": n_val,
        "n_test": n_test,
        "image_size": image_size,
    }
    _write_json(out / "dataset.json", {"dataset": "scenes", "images": images})
    _write_json(out / "annotations.json", {"config": config, "images": annotations})
    log.info(
        "wrote %d images and %d sentences in %.1fs",
        total,
        total * CAPTIONS_PER_IMAGE,
        time.perf_counter() - t0,
    )
    return out


class _nullpool:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, separators=(",", ":")), encoding="utf-8")
