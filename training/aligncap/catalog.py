"""Object kinds of the scene corpus: Noto Color Emoji glyphs named from Unicode CLDR.

Each kind is an emoji whose CLDR short name (as shipped by the `emoji` package, e.g.
':dog_face:') gives a plain noun. The table picks a head noun, its plural and 1-2
synonyms that captions may use instead. A synonym may be a category word ("animal",
"fruit", "bird"...); captions only use a category word when no other object in the
scene shares it, so every phrase still refers to exactly one kind.

Selection rules (issue 2): nameable nouns with a natural singular (no "grapes",
"glasses", "scissors"), glyphs that differ clearly from each other (kept the dog face
and dropped the bear; kept the lion and dropped the tiger; kept the car and dropped
the taxi and police car), no multi-word nouns, and words made of [a-z] only so that
the project tokenizer `re.findall(r"[a-z0-9]+", s.lower())` keeps them whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Debian's fonts-noto-color-emoji; ALIGNCAP_EMOJI_FONT points elsewhere (e.g. a machine
# without the package that was handed a copy of the file).
FONT_PATH = os.environ.get(
    "ALIGNCAP_EMOJI_FONT", "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
)
FONT_SIZE = 109  # the only size the CBDT bitmap strikes of Noto Color Emoji come in


@dataclass(frozen=True)
class Kind:
    char: str  # the fully-qualified emoji sequence
    cldr: str  # CLDR short name, e.g. "dog face"
    noun: str  # head noun used in captions and as the kind's id
    plural: str
    synonyms: tuple[str, ...]  # singular alternatives to `noun`
    colour: str | None = None  # colour adjective true of the glyph, if any
    category: str | None = None  # the synonym that is a category word, if any


def _k(char, cldr, noun, plural, synonyms, colour=None, category=None) -> Kind:
    syns = tuple(synonyms.split()) if isinstance(synonyms, str) else tuple(synonyms)
    if category is not None and category not in syns:
        syns = syns + (category,)
    return Kind(char, cldr, noun, plural, syns, colour, category)


# fmt: off
KINDS: tuple[Kind, ...] = (
    # animals
    _k("🐶", "dog face", "dog", "dogs", "puppy"),
    _k("🐱", "cat face", "cat", "cats", "kitten"),
    _k("🐰", "rabbit face", "rabbit", "rabbits", "bunny"),
    _k("🦊", "fox", "fox", "foxes", (), "orange", "animal"),
    _k("🐼", "panda", "panda", "pandas", (), None, "animal"),
    _k("🦁", "lion", "lion", "lions", (), None, "animal"),
    _k("🐮", "cow face", "cow", "cows", "calf"),
    _k("🐷", "pig face", "pig", "pigs", "piglet", "pink"),
    _k("🐸", "frog", "frog", "frogs", "toad", "green"),
    _k("🐴", "horse face", "horse", "horses", "pony", "brown"),
    _k("🐔", "chicken", "chicken", "chickens", "hen", None, "bird"),
    _k("🐧", "penguin", "penguin", "penguins", (), None, "bird"),
    _k("🦉", "owl", "owl", "owls", (), "brown", "bird"),
    _k("🦆", "duck", "duck", "ducks", (), None, "bird"),
    _k("🦜", "parrot", "parrot", "parrots", (), "green", "bird"),
    _k("🐝", "honeybee", "bee", "bees", "honeybee", None, "insect"),
    _k("🦋", "butterfly", "butterfly", "butterflies", (), "orange", "insect"),
    _k("🐞", "lady beetle", "ladybug", "ladybugs", "beetle", "red"),
    _k("🐢", "turtle", "turtle", "turtles", "tortoise", "green"),
    _k("🐍", "snake", "snake", "snakes", "serpent", "green"),
    _k("🐊", "crocodile", "crocodile", "crocodiles", "alligator", "green"),
    _k("🐙", "octopus", "octopus", "octopuses", (), None, "animal"),
    _k("🦀", "crab", "crab", "crabs", (), "red", "animal"),
    _k("🐟", "fish", "fish", "fish", (), "blue", "animal"),
    _k("🐘", "elephant", "elephant", "elephants", (), "grey", "animal"),
    _k("🦓", "zebra", "zebra", "zebras", (), None, "animal"),
    _k("🐑", "ewe", "sheep", "sheep", "lamb", "white"),
    # fruit, vegetables, food
    _k("🍎", "red apple", "apple", "apples", (), "red", "fruit"),
    _k("🍌", "banana", "banana", "bananas", (), "yellow", "fruit"),
    _k("🍓", "strawberry", "strawberry", "strawberries", "berry", "red"),
    _k("🍉", "watermelon", "watermelon", "watermelons", "melon"),
    _k("🍋", "lemon", "lemon", "lemons", (), "yellow", "fruit"),
    _k("🍍", "pineapple", "pineapple", "pineapples", (), None, "fruit"),
    _k("🍐", "pear", "pear", "pears", (), "green", "fruit"),
    _k("🥕", "carrot", "carrot", "carrots", (), "orange", "vegetable"),
    _k("🍆", "eggplant", "eggplant", "eggplants", "aubergine", "purple"),
    _k("🍄", "mushroom", "mushroom", "mushrooms", "toadstool", "red"),
    _k("🍕", "pizza", "pizza", "pizzas", "slice"),
    _k("🍔", "hamburger", "burger", "burgers", "hamburger"),
    _k("🍩", "doughnut", "donut", "donuts", "doughnut"),
    _k("🎂", "birthday cake", "cake", "cakes", (), None, "dessert"),
    # vehicles
    _k("🚗", "automobile", "car", "cars", "automobile", "red"),
    _k("🚌", "bus", "bus", "buses", (), None, "vehicle"),
    _k("🚑", "ambulance", "ambulance", "ambulances", (), "white", "vehicle"),
    _k("🚚", "delivery truck", "truck", "trucks", "lorry"),
    _k("🚲", "bicycle", "bike", "bikes", "bicycle"),
    _k("🚂", "locomotive", "train", "trains", "locomotive"),
    _k("✈️", "airplane", "airplane", "airplanes", "plane"),
    _k("🚁", "helicopter", "helicopter", "helicopters", "chopper"),
    _k("🚀", "rocket", "rocket", "rockets", "spaceship"),
    _k("⛵", "sailboat", "sailboat", "sailboats", "boat"),
    # things
    _k("⚽", "soccer ball", "football", "footballs", (), None, "ball"),
    _k("🏀", "basketball", "basketball", "basketballs", (), "orange", "ball"),
    _k("🎈", "balloon", "balloon", "balloons", (), "red", "toy"),
    _k("🎁", "wrapped gift", "gift", "gifts", "present"),
    _k("💡", "light bulb", "bulb", "bulbs", "lamp"),
    _k("☂️", "umbrella", "umbrella", "umbrellas", "parasol", "purple"),
    _k("⏰", "alarm clock", "clock", "clocks", "alarm", "red"),
    _k("🎸", "guitar", "guitar", "guitars", (), None, "instrument"),
    _k("📱", "mobile phone", "phone", "phones", "smartphone"),
    _k("💻", "laptop", "laptop", "laptops", "computer", "grey"),
    _k("👟", "running shoe", "shoe", "shoes", "sneaker"),
    _k("👑", "crown", "crown", "crowns", "tiara", "yellow"),
    _k("🎒", "backpack", "backpack", "backpacks", "bag", "red"),
    _k("🏠", "house", "house", "houses", "home"),
    # plants
    _k("🌵", "cactus", "cactus", "cacti", (), "green", "plant"),
    _k("🌲", "evergreen tree", "tree", "trees", "pine", "green"),
    _k("🌻", "sunflower", "sunflower", "sunflowers", (), "yellow", "flower"),
    _k("🌷", "tulip", "tulip", "tulips", (), "pink", "flower"),
)
# fmt: on

BY_NOUN: dict[str, Kind] = {k.noun: k for k in KINDS}
assert len(BY_NOUN) == len(KINDS), "duplicate head noun in KINDS"


def cldr_name(char: str) -> str:
    """CLDR short name of an emoji as the `emoji` package ships it ('dog face')."""
    import emoji  # only needed to audit the table, not to generate scenes

    return emoji.EMOJI_DATA[char]["en"].strip(":").replace("_", " ")
