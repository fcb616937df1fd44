"""A tiny ImageFolder dataset for `npm run local -- --demo`, with awkward class names on purpose.

    python demo_dataset.py <folder> [--classes '<json list>'] [--size 32] [--seed 0]

Writes <folder>/{train,valid,test}/<class>/<n>.png (16/6/6 images per class) and
<folder>/sample.png, a fresh image of the first class, then prints one JSON line
{"root", "classes", "sample", "sampleClass"}.

The default classes are a space-separated name, a name with non-ASCII letters and a symbol,
and a name that starts with a digit: labels must travel from folder names through
train.py, labels.json and the endpoint to the caller exactly. Each class differs in colour
and shape, so even a frozen, randomly initialised backbone separates them in a few epochs.
"""

import argparse
import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

DEFAULT_CLASSES = ("red square", "grüner Kreis ●", "3 blue triangles")
SPLITS = {"train": 16, "valid": 6, "test": 6}
PALETTE = ((215, 40, 40), (35, 170, 60), (35, 70, 215), (200, 160, 30), (150, 50, 170), (30, 170, 170))


def _jitter(rng, colour, amount=25):
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def draw(index, size, rng):
    """One image of class `index`: class 0 squares, 1 circles, 2 three triangles, then repeating."""
    grey = rng.randint(150, 235)
    image = Image.new("RGB", (size, size), (grey, grey, grey))
    pen = ImageDraw.Draw(image)
    colour = _jitter(rng, PALETTE[index % len(PALETTE)])
    shape = index % 3
    if shape == 2:
        for _ in range(3):
            extent = rng.randint(size // 4, size // 2)
            x0, y0 = rng.randint(0, size - extent), rng.randint(0, size - extent)
            pen.polygon(((x0 + extent // 2, y0), (x0, y0 + extent), (x0 + extent, y0 + extent)), fill=colour)
        return image
    extent = rng.randint(size // 2, size - 4)
    x0, y0 = rng.randint(0, size - extent), rng.randint(0, size - extent)
    box = (x0, y0, x0 + extent, y0 + extent)
    (pen.rectangle if shape == 0 else pen.ellipse)(box, fill=colour)
    return image


def photo_like(width, height, seed=0):
    """An RGB image with a photo's mix of smooth regions and fine texture (JPEG-compresses like one).

    Colour noise at four scales, each upsampled with a smooth filter and blended: not a
    photograph, but its DCT spectrum and compressed size are in the same range (a 12-megapixel
    one is ~1.7 MB at JPEG quality 90). Used by the serving tests and bench/serve.bench.ts.
    """
    rng = random.Random(seed)
    layers = []
    for divisor in (400, 100, 25, 6):
        small = (max(2, width // divisor), max(2, height // divisor))
        channels = [Image.effect_noise(small, 60 + rng.randint(0, 30)) for _ in range(3)]
        layers.append(Image.merge("RGB", channels).resize((width, height), Image.BICUBIC))
    image = layers[0]
    for index, layer in enumerate(layers[1:]):
        image = Image.blend(image, layer, 0.35 / (index + 1))
    return image


def make(root, classes=DEFAULT_CLASSES, size=32, seed=0):
    rng = random.Random(seed)
    root = Path(root)
    for split, count in SPLITS.items():
        for index, name in enumerate(classes):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for n in range(count):
                draw(index, size, rng).save(folder / f"{n:03d}.png")
    sample = root / "sample.png"
    draw(0, size * 4, rng).save(sample)
    return {"root": str(root), "classes": list(classes), "sample": str(sample), "sampleClass": classes[0]}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="demo_dataset.py", description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--classes", type=json.loads, default=list(DEFAULT_CLASSES), help="JSON list of class names")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not isinstance(args.classes, list) or len(args.classes) < 2 or not all(isinstance(c, str) and c for c in args.classes):
        parser.error("--classes must be a JSON list of at least two non-empty names")
    print(json.dumps(make(args.root, args.classes, args.size, args.seed), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
