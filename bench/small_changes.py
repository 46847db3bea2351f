"""The accuracy benchmark's cases of issue 23: what differs from a library file by little and
must never be `same`, beside the copies that must stay `same`.

- small changes of real photographs (bench/versions.py): a patch of 1, 0.4, 0.1 or 0.05 % of
  the frame moved, replaced, recoloured or blinked, a few letters written; a white balance
  x1.06, +0.1 EV, half the frame out of focus;
- documents rendered here (bench/documents.py), the library holding each as PNG: copies
  (PNG to JPEG, re-encoded, half size, resized by other filters) and versions (a digit, a
  word, a date, a clock, a tick, a toggle changed);
- crops of library photos (10 % a side, the centre square, the 4:3 centre, the camera's EXIF
  thumbnail): found as `similar`, never `same`;
- files of several pictures (an animated GIF, a multi-page TIFF, a stereo MPO, a burst HEIF)
  against their conversions, a file of their first picture, and one with a picture replaced;
- clips: a slideshow with a slide replaced between the five sample points, a title card's
  words changed, a muted copy, a copy with its sound.

Each builder returns the library files to add and the needle cases.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageSequence

from bench.cases import COPY, OTHER_SHOT, SIMILAR_ONLY, Case, encoded, jpeg, scaled, thumbnail
from bench.documents import Document
from bench.sources import Source
from bench.versions import camera_thumbnail, global_versions, local_versions, square_crop
from reconcile.facts import CROPS, Crop
from reconcile.media.fingerprint import cropped
from tests.media import heif_of_several, write_clip

Built = tuple[dict[str, bytes], list[Case]]


def small_changes(library: list[Source]) -> Built:
    """Every other library photo (as the library holds it: `{name}.jpg`), and its versions
    with a small change, each at the library photo's size (JPEG quality 92) and, where the
    photo is large, exported at 60 % (JPEG quality 85): `similar` (or `missing`), never
    `same`."""
    cases: list[Case] = []
    for number, source in enumerate(library[::2]):
        rgb = source.load()
        name = source.name
        versions = [*local_versions(rgb, number), *global_versions(rgb)]
        for kind, version in versions:
            slug = _slug(kind)
            cases.append(Case("small changes", kind, f"{name}-{slug}.jpg", jpeg(version, 92),
                              OTHER_SHOT, f"{name}.jpg", SIMILAR_ONLY))  # fmt: skip
            if max(rgb.shape[:2]) >= 1024:
                small = jpeg(scaled(version, 0.6), 85)
                cases.append(Case("small changes", f"{kind}, exported at 60 %",
                                  f"{name}-{slug}-60.jpg", small, OTHER_SHOT, f"{name}.jpg",
                                  SIMILAR_ONLY))  # fmt: skip
    return {}, cases


def documents(docs: list[Document]) -> Built:
    """The library holds each document as PNG; its copies are `same`, its versions not."""
    hay: dict[str, bytes] = {}
    cases: list[Case] = []
    for doc in docs:
        rgb, name = doc.rgb, doc.name
        hay[f"docs/{name}.png"] = encoded(rgb, "PNG")

        def copy(kind: str, data: bytes, ext: str = "jpg", *, doc_name: str = name) -> None:
            cases.append(Case("documents", f"copy: {kind}", f"{doc_name}-{_slug(kind)}.{ext}",
                              data, COPY, f"docs/{doc_name}.png"))  # fmt: skip

        copy("PNG to JPEG, quality 90", jpeg(rgb, 90))
        copy("PNG to JPEG, quality 50", jpeg(rgb, 50))
        copy("half size, quality 85", jpeg(scaled(rgb, 0.5), 85))
        copy("75 % (bicubic), quality 85", jpeg(_resized(rgb, 0.75, Image.Resampling.BICUBIC), 85))
        copy("PNG re-saved", encoded(rgb, "PNG", optimize=True), "png")
        for kind, version in doc.versions:
            for form, data, ext in (("PNG", encoded(version, "PNG"), "png"),
                                    ("JPEG 85", jpeg(version, 85), "jpg")):  # fmt: skip
                cases.append(Case("documents", f"version: {kind}", f"{name}-{_slug(kind)}-"
                                  f"{form.replace(' ', '')}.{ext}", data, OTHER_SHOT,
                                  f"docs/{name}.png", SIMILAR_ONLY))  # fmt: skip
    return hay, cases


def crops(library: list[Source]) -> Built:
    """Crops of library photos (`{name}.jpg`): `similar`, saying how, never `same`."""
    cases: list[Case] = []
    shapes = {c.name: c for c in CROPS}
    for source in library[1::2]:
        rgb = source.load()
        h, w = rgb.shape[:2]
        name = source.name

        def case(kind: str, pixels: np.ndarray, quality: int = 90, *, stem: str = name) -> None:
            cases.append(Case("crops", kind, f"{stem}-{_slug(kind)}.jpg", jpeg(pixels, quality),
                              OTHER_SHOT, f"{stem}.jpg", SIMILAR_ONLY))  # fmt: skip

        case("10 % cut from each side", _centre(rgb, shapes["10 % a side"], w, h))
        # A crop to the shape the photo has already is the whole photo (Kodak's are square
        # here, some Urban100 photos 4:3): a copy, rightly `same`, so no crop case.
        if abs(w / h - 1) > 0.05:
            square = square_crop(rgb)
            case("square (Instagram), 1080 px", thumbnail(square, min(1080, square.shape[0])), 85)
        if abs(w / h - 4 / 3) > 0.05 and abs(h / w - 4 / 3) > 0.05:
            case("4:3 centre (a print)", _centre(rgb, shapes["4:3"], w, h))
        if abs(w / h - 4 / 3) > 0.05:
            case("the camera's EXIF thumbnail as a file", camera_thumbnail(rgb), 80)
    return {}, cases


def several_pictures(library: list[Source], outsiders: list[Source]) -> Built:
    """Files of several pictures made from library photos, and what must or must not be the
    same as them."""
    hay: dict[str, bytes] = {}
    cases: list[Case] = []
    # Mirrored, so that no library file but the files of several pictures holds them: a
    # page alone is then a picture the library has only inside such a file (the library's
    # own single photo would rightly be `same` to it).
    stills = [np.ascontiguousarray(thumbnail(s.load(), 480)[:, ::-1]) for s in library[:24]]
    strangers = [thumbnail(s.load(), 480) for s in outsiders[:8]]
    for number in range(0, min(len(stills) - 3, 8 * 3), 3):
        frames = [Image.fromarray(_fit(stills[number + k], stills[number])) for k in range(3)]
        other = Image.fromarray(_fit(strangers[number // 3 % len(strangers)], stills[number]))
        stem = f"multi{number}"
        gif = _saved(frames, "GIF", duration=300, loop=0)
        hay[f"multi/{stem}.gif"] = gif
        with Image.open(io.BytesIO(gif)) as opened:
            converted = [frame.convert("RGB") for frame in ImageSequence.Iterator(opened)]
        cases += [
            Case("several pictures", "animated GIF converted to animated WebP",
                 f"{stem}.webp", _saved(converted, "WEBP", quality=90, duration=300), COPY),
            Case("several pictures", "animated GIF, a frame replaced", f"{stem}-other.gif",
                 _saved([frames[0], other, frames[2]], "GIF", duration=300), OTHER_SHOT,
                 want=SIMILAR_ONLY),
            Case("several pictures", "an animation's first frame alone", f"{stem}-first.png",
                 encoded(np.asarray(converted[0]), "PNG"), OTHER_SHOT, want=SIMILAR_ONLY),
        ]  # fmt: skip
        tiff = _saved(frames, "TIFF")
        hay[f"multi/{stem}.tif"] = tiff
        cases += [
            Case("several pictures", "multi-page TIFF saved again (LZW)", f"{stem}-lzw.tif",
                 _saved(frames, "TIFF", compression="tiff_lzw"), COPY),
            Case("several pictures", "multi-page TIFF, a page replaced", f"{stem}-page.tif",
                 _saved([frames[0], frames[1], other], "TIFF"), OTHER_SHOT, want=SIMILAR_ONLY),
            Case("several pictures", "a TIFF's first page alone", f"{stem}-page1.jpg",
                 jpeg(np.asarray(frames[0]), 90), OTHER_SHOT, want=SIMILAR_ONLY),
        ]  # fmt: skip
        hay[f"multi/{stem}.mpo"] = _saved(frames[:2], "MPO", quality=92)
        cases.append(Case("several pictures", "a stereo MPO's left view alone",
                          f"{stem}-left.jpg", jpeg(np.asarray(frames[0]), 90), OTHER_SHOT,
                          want=SIMILAR_ONLY))  # fmt: skip
        hay[f"multi/{stem}.heic"] = heif_of_several(frames, 90)  # a phone's burst in one file
        cases += [
            Case("several pictures", "a burst HEIF saved again", f"{stem}-again.heic",
                 heif_of_several(frames, 70), COPY),
            Case("several pictures", "a burst HEIF's primary picture alone",
                 f"{stem}-primary.jpg", jpeg(np.asarray(frames[0]), 85), OTHER_SHOT,
                 want=SIMILAR_ONLY),
        ]  # fmt: skip
    return hay, cases


def clips(library: list[Source], workdir: Path) -> Built:
    """Slideshows of library photos, their copies, and their versions that differ between
    the five sample points (a slide, a title's words) or in their sound."""
    hay: dict[str, bytes] = {}
    cases: list[Case] = []
    folder = workdir / "slideshows"
    stills = [thumbnail(s.load(), 320) for s in library[:40]]
    for number in range(0, min(len(stills) - 8, 4 * 8), 8):
        slides = [_fit(stills[number + k], stills[number]) for k in range(8)]
        stem = f"slideshow{number}"
        titled = [_title(slides[0], "Summer 2019"), *slides]

        def made(name: str, pictures: list[np.ndarray], **options: object) -> bytes:
            return write_clip(folder / name, _shown(pictures), fps=4, **options).read_bytes()

        hay[f"clips/{stem}.mp4"] = made(f"{stem}.mp4", titled, audio=True)
        replaced = [*titled[:4], _fit(stills[number + 9 if number + 9 < len(stills) else 0],
                                      slides[0]), *titled[5:]]  # fmt: skip
        cases += [
            Case("clips", "slideshow re-encoded at a lower rate, with its sound",
                 f"{stem}-copy.mp4", made(f"{stem}-copy.mp4", titled, bit_rate=300_000,
                                          audio=True), COPY),
            Case("clips", "slideshow, a slide between the sample points replaced",
                 f"{stem}-slide.mp4", made(f"{stem}-slide.mp4", replaced, audio=True),
                 OTHER_SHOT, want=SIMILAR_ONLY),
            Case("clips", "slideshow, the title card's words changed", f"{stem}-title.mp4",
                 made(f"{stem}-title.mp4", [_title(slides[0], "Summer 2018"), *slides],
                      audio=True), OTHER_SHOT, want=SIMILAR_ONLY),
            Case("clips", "slideshow, muted copy", f"{stem}-muted.mp4",
                 made(f"{stem}-muted.mp4", titled, bit_rate=300_000), OTHER_SHOT,
                 want=SIMILAR_ONLY),
        ]  # fmt: skip
    return hay, cases


def _shown(pictures: list[np.ndarray], seconds: float = 1.5, fps: int = 4) -> Iterator[np.ndarray]:
    """Each picture shown `seconds` (the five sample points of 13.5 s fall in slides 1, 3, 5,
    7 and 9; a slide of 1.5 s can lie between them)."""
    for picture in pictures:
        for _ in range(round(seconds * fps)):
            yield picture


def _title(picture: np.ndarray, words: str) -> np.ndarray:
    """A title card: the picture darkened, the words over it."""
    card = Image.fromarray((picture * 0.4).astype(np.uint8))
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=max(12, picture.shape[0] // 8))
    draw.text((picture.shape[1] // 2, picture.shape[0] // 2), words, font=font, fill="white",
              anchor="mm")  # fmt: skip
    return np.asarray(card)


def _fit(picture: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`picture` at `like`'s size (frames of one file share a size), even sides for video."""
    h, w = like.shape[:2]
    size = (w // 2 * 2, h // 2 * 2)
    return np.ascontiguousarray(cv2.resize(picture, size, interpolation=cv2.INTER_AREA))


def _saved(frames: list[Image.Image], fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], **options)
    return out.getvalue()


def _centre(rgb: np.ndarray, crop: Crop, width: int, height: int) -> np.ndarray:
    return np.ascontiguousarray(cropped(rgb, *crop.fractions(width, height)))


def _resized(rgb: np.ndarray, factor: float, method: Image.Resampling) -> np.ndarray:
    h, w = rgb.shape[:2]
    return np.asarray(Image.fromarray(rgb).resize((round(w * factor), round(h * factor)), method))


def _slug(kind: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in kind)
