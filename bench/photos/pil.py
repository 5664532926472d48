"""bench --photos helper, run with Debian's /usr/bin/python3 (python3-pil).

  pil.py generate DIR   writes the phone-sized photos (see PHOTOS) into DIR, prints their names
  pil.py time RUNS F..  prints one JSON line: {file: [ms, ...]} for the zoo's draft-mode preprocessing of each file

The timed path is what a torchvision/PIL zoo pipeline does with a phone photo: open, draft (libjpeg DCT scaling),
EXIF transpose, shorter side to 256 (bilinear, antialiased), centre crop 224, float normalised - all in this one
process, so the figures are PIL's native speed without start-up.
"""
import json, sys, time
from PIL import Image, ImageOps

# name, width, height, format options. Gradients plus noise, so files are about as large as a phone's, and
# every file under the service's 20 MiB body cap.
PHOTOS = [
    ("12mp-baseline.jpg", 4032, 3024, dict(format="JPEG", quality=90)),
    ("12mp-progressive.jpg", 4032, 3024, dict(format="JPEG", quality=90, progressive=True)),
    ("48mp-baseline.jpg", 8000, 6000, dict(format="JPEG", quality=80)),
    ("large.png", 3000, 2000, dict(format="PNG", compress_level=6)),
    ("small.jpg", 500, 375, dict(format="JPEG", quality=90)),
]

def photo(w, h):
    r = Image.linear_gradient("L").resize((w, h))
    g = Image.radial_gradient("L").resize((w, h))
    b = Image.effect_noise((w, h), 24)
    img = Image.merge("RGB", (r, g, b))
    return Image.blend(img, Image.effect_noise((w, h), 32).convert("RGB"), 0.15)

def generate(out):
    for name, w, h, opts in PHOTOS:
        photo(w, h).save(f"{out}/{name}", **opts)
        print(name)

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

def zoo(path):
    img = Image.open(path)
    img.draft("RGB", (256, 256))
    img = ImageOps.exif_transpose(img).convert("RGB")
    w, h = img.size
    s = 256 / min(w, h)
    img = img.resize((max(256, round(w * s)), max(256, round(h * s))), Image.BILINEAR)
    w, h = img.size
    left, top = (w - 224) // 2, (h - 224) // 2
    img = img.crop((left, top, left + 224, top + 224))
    # to float, normalised, per band: PIL evaluates a linear point() on mode F natively (no numpy assumed)
    return [band.convert("F").point(lambda v, m=m, sd=sd: v / (255 * sd) - m / sd) for band, m, sd in zip(img.split(), MEAN, STD)]

def time_files(runs, files):
    out = {}
    for f in files:
        zoo(f)  # warm: page cache and codec
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            zoo(f)
            samples.append((time.perf_counter() - t0) * 1000)
        out[f.rsplit("/", 1)[-1]] = samples
    print(json.dumps(out))

if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2])
    else:
        time_files(int(sys.argv[2]), sys.argv[3:])
