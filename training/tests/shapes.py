"""Generate a tiny, easy ImageFolder dataset of coloured shapes for the tests.

Three classes that differ in colour *and* shape, so even a frozen, randomly
initialised backbone separates them: colour survives any random convolution.
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw

CLASSES = ("blue_triangle", "green_circle", "red_square")
SPLITS = ("train", "valid", "test")
_COLOURS = {
    "blue_triangle": (30, 60, 220),
    "green_circle": (30, 180, 60),
    "red_square": (220, 40, 40),
}


def _jitter(rng, colour, amount=25):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def draw_shape(label, size, rng):
    """One RGB image of the class `label`, with random position, size and background."""
    grey = rng.randint(150, 235)
    image = Image.new("RGB", (size, size), (grey, grey, grey))
    draw = ImageDraw.Draw(image)
    extent = rng.randint(size // 2, size - 4)
    x0 = rng.randint(0, size - extent)
    y0 = rng.randint(0, size - extent)
    x1, y1 = x0 + extent, y0 + extent
    colour = _jitter(rng, _COLOURS[label])
    if label == "red_square":
        draw.rectangle((x0, y0, x1, y1), fill=colour)
    elif label == "green_circle":
        draw.ellipse((x0, y0, x1, y1), fill=colour)
    else:
        draw.polygon(((x0 + extent // 2, y0), (x0, y1), (x1, y1)), fill=colour)
    return image


def make_dataset(root, per_class=None, size=32, seed=0, fmt="png"):
    """Write root/{train,valid,test}/<class>/<n>.<fmt>; returns root as a Path.

    per_class maps split -> images per class (default 16/6/6).
    """
    counts = {"train": 16, "valid": 6, "test": 6, **(per_class or {})}
    rng = random.Random(seed)
    root = Path(root)
    for split in SPLITS:
        for label in CLASSES:
            folder = root / split / label
            folder.mkdir(parents=True, exist_ok=True)
            for n in range(counts[split]):
                draw_shape(label, size, rng).save(folder / f"{n:03d}.{fmt}")
    return root
