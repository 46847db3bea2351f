"""Rebuild sample_data/haystack and sample_data/needles from scikit-image's bundled photographs.

Run from the repository root: `python sample_data/make_sample_data.py` (needs scikit-image and
pidng: `pip install -e '.[bench,test]'`); `--media` writes only the videos, the HEIC and the
DNG. The output is committed; this script documents how it was made.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance
from skimage import data

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the test helpers that write video, HEIC, DNG


def save_jpeg(image: Image.Image, path: Path, quality: int = 90, **extra: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality, **extra)


def burst_of(image: Image.Image) -> Image.Image:
    """The same scene a moment later: one region of the picture has moved."""
    pixels = np.asarray(image).copy()
    h, w = pixels.shape[:2]
    top, left, size = h // 3, w // 3, min(h, w) // 4
    patch = pixels[top : top + size, left : left + size].copy()
    pixels[top : top + size, left + size // 2 : left + size // 2 + size] = patch
    return Image.fromarray(pixels)


def main() -> None:
    for side in ("haystack", "needles"):
        shutil.rmtree(HERE / side, ignore_errors=True)
    hay = HERE / "haystack"
    needles = HERE / "needles"
    astronaut = Image.fromarray(data.astronaut())
    coffee = Image.fromarray(data.coffee())
    chelsea = Image.fromarray(data.chelsea())
    rocket = Image.fromarray(data.rocket())
    camera = Image.fromarray(data.camera()).convert("RGB")
    retina = Image.fromarray(data.retina()).resize((480, 480), Image.Resampling.LANCZOS)

    # The library, laid out like an old iPhoto Masters folder.
    save_jpeg(astronaut, hay / "2009/07/14/IMG_0001.jpg")
    save_jpeg(coffee, hay / "2009/07/14/IMG_0002.jpg")
    save_jpeg(chelsea, hay / "2010/03/02/IMG_0310.jpg")
    save_jpeg(rocket, hay / "2010/03/02/IMG_0311.jpg")
    save_jpeg(camera, hay / "2010/05/20/IMG_0520.jpg")
    save_jpeg(retina, hay / "2010/05/20/IMG_0521.jpg")

    # complete: a byte copy, a smaller re-compressed export, and the Mac's litter.
    card = needles / "Card dump 2009-07"
    card.mkdir(parents=True)
    shutil.copyfile(hay / "2009/07/14/IMG_0001.jpg", card / "IMG_0001.JPG")
    save_jpeg(coffee.resize((300, 200), Image.Resampling.LANCZOS), card / "IMG_0002.jpg", 70)
    (card / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(64))
    (card / "._IMG_0001.JPG").write_bytes(b"\x00\x05\x16\x07" + bytes(60))

    # partial: a PNG export of a library photo, and a photo the library never got.
    sync = needles / "2010 iPhone sync"
    sync.mkdir(parents=True)
    chelsea.resize((225, 150), Image.Resampling.BICUBIC).save(sync / "IMG_0310.png")
    hubble = Image.fromarray(data.hubble_deep_field()).resize((480, 400))
    save_jpeg(hubble, sync / "IMG_0412.jpg")
    (sync / "notes.txt").write_text("synced from the phone\n")

    # review: an edit of a library photo, a burst shot of one, and a truncated copy.
    edits = needles / "Edits"
    edits.mkdir(parents=True)
    save_jpeg(ImageEnhance.Brightness(rocket).enhance(1.35), edits / "rocket brighter.jpg")
    save_jpeg(burst_of(chelsea), edits / "IMG_0311 burst.jpg")
    whole = (hay / "2009/07/14/IMG_0002.jpg").read_bytes()
    (edits / "IMG_0002 broken.jpg").write_bytes(whole[: len(whole) // 2])

    # new: nothing in the library.
    new = needles / "New card 2011"
    new.mkdir(parents=True)
    save_jpeg(Image.fromarray(data.coins()).convert("RGB"), new / "DSC_0001.jpg")
    save_jpeg(Image.fromarray(data.clock()).convert("RGB"), new / "DSC_0002.jpg")

    # Two folders with one name: Paris/PIX holds a library photo stored rotated with an
    # EXIF orientation tag (same); Rome/PIX holds one the library lacks (new).
    paris = needles / "Trips/Paris/PIX"
    rome = needles / "Trips/Rome/PIX"
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    save_jpeg(camera.transpose(Image.Transpose.ROTATE_90), paris / "P1000001.jpg", exif=exif)
    save_jpeg(Image.fromarray(data.moon()).convert("RGB"), rome / "P1000001.jpg")

    media()
    print(f"wrote {sum(1 for path in HERE.rglob('*') if path.is_file())} files under {HERE}")


def media() -> None:
    """A short video in the library and its byte copy on the card; a video, a RAW (DNG) and a
    HEIC in the backups."""
    from media import clip_frames, dng_bytes, heic_bytes, write_clip

    hay = HERE / "haystack"
    needles = HERE / "needles"
    small = np.asarray(Image.fromarray(data.astronaut()).resize((160, 160)))[20:140]
    clip = write_clip(hay / "2009/07/14/MVI_0003.mp4", clip_frames(small, 1.5, fps=12), fps=12)
    shutil.copyfile(clip, needles / "Card dump 2009-07/MVI_0003.mp4")  # identical
    cat = np.asarray(Image.fromarray(data.chelsea()).resize((160, 106)))[:, :160]
    write_clip(needles / "New card 2011/MVI_0004.mp4", clip_frames(cat, 1.5, fps=12), fps=12)
    camera = np.asarray(Image.fromarray(data.camera()).convert("RGB").resize((200, 200)))
    (needles / "2010 iPhone sync/IMG_0520.HEIC").write_bytes(heic_bytes(camera, 60))  # same
    tissue = np.asarray(Image.fromarray(data.immunohistochemistry()).resize((256, 256)))
    (needles / "New card 2011/DSC_0003.DNG").write_bytes(dng_bytes(tissue))  # missing


if __name__ == "__main__":
    if "--media" in sys.argv:
        media()
    else:
        main()
