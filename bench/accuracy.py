"""Accuracy benchmark: real photographs, known answers, a table of how many came out right.

    python -m bench.accuracy            # report on the held-out half (and the tuning half)
    python -m bench.accuracy --quick    # library files carry EXIF thumbnails; run with quick

The photographs are split in two by where they come from (bench/sources.py: TUNING_SETS), so
that no photographer, camera or dataset of the held-out half was seen while tuning. The limits
in reconcile/verify.py were chosen on the tuning half; the held-out half is the one that counts.
Within a half, two thirds of the photographs go into the haystack and the rest are outsiders,
used as unrelated needles.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from bench import small_changes
from bench.cases import (
    COPY,
    DAMAGED,
    EDIT,
    OTHER_SHOT,
    UNRELATED,
    Case,
    crop,
    encoded,
    jpeg,
    scaled,
    thumbnail,
)
from bench.documents import Document, documents
from bench.documents import available as fonts_available
from bench.sources import Source, design_variants, photographs, split, stereo_pair
from reconcile import Status, reconcile
from reconcile.media.decode import HEAD_BYTES, decode_embedded
from tests.camera import camera_jpeg
from tests.media import clip_frames, dng_bytes, heic_bytes, remux, write_clip


def with_comment(data: bytes, text: bytes) -> bytes:
    """The same JPEG with a comment segment added: other bytes, same pixels."""
    segment = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
    return data[:2] + segment + data[2:]


def without_app_segments(data: bytes) -> bytes:
    """The same JPEG with its EXIF/APPn segments removed (metadata stripped; JFIF kept)."""
    out, pos = bytearray(data[:2]), 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and 0xE0 <= data[pos + 1] <= 0xEF:
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if data[pos + 1] == 0xE0:
            out += data[pos:end]
        pos = end
    out += data[pos:]
    return bytes(out)


# EXIF orientation k: how the stored pixels relate to the upright picture (the inverse of
# what a viewer does to show them).
_STORE_FOR_ORIENTATION: dict[int, Callable[[Image.Image], Image.Image]] = {
    2: lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    3: lambda im: im.transpose(Image.Transpose.ROTATE_180),
    4: lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    5: lambda im: im.transpose(Image.Transpose.TRANSPOSE),
    6: lambda im: im.transpose(Image.Transpose.ROTATE_90),
    7: lambda im: im.transpose(Image.Transpose.TRANSVERSE),
    8: lambda im: im.transpose(Image.Transpose.ROTATE_270),
}


def exif_oriented(rgb: np.ndarray, orientation: int) -> bytes:
    stored = _STORE_FOR_ORIENTATION[orientation](Image.fromarray(rgb))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def enhanced(rgb: np.ndarray, kind: type, factor: float) -> np.ndarray:
    return np.asarray(kind(Image.fromarray(rgb)).enhance(factor))


def gamma(rgb: np.ndarray, value: float) -> np.ndarray:
    table = np.clip(255.0 * (np.arange(256) / 255.0) ** value, 0, 255).astype(np.uint8)
    return table[rgb]


def watermark(rgb: np.ndarray) -> np.ndarray:
    image = Image.fromarray(rgb).copy()
    draw = ImageDraw.Draw(image)
    h, w = rgb.shape[:2]
    font = ImageFont.load_default(size=max(10, h // 14))
    draw.text((w // 20, h - h // 6), "© 2010 Backup Studio", fill=(255, 255, 255), font=font)
    return np.asarray(image)


def letterbox(rgb: np.ndarray) -> np.ndarray:
    pad = rgb.shape[0] // 8
    return cv2.copyMakeBorder(rgb, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))


def moved(rgb: np.ndarray, seed: int) -> np.ndarray:
    """A burst-like frame: one region of the scene has moved a little, where that shows (a
    patch moved across blank sky or even grass makes no other picture, only the same one)."""
    rng = np.random.default_rng(seed)
    h, w = rgb.shape[:2]
    out = rgb.copy()
    for _ in range(30):
        size = int(min(h, w) * rng.uniform(0.15, 0.25))
        top = int(rng.integers(h // 6, h - size - h // 6))
        left = int(rng.integers(w // 6, w - size - w // 6))
        shift = int(size * rng.uniform(0.3, 0.6)) * (1 if rng.random() < 0.5 else -1)
        new_left = int(np.clip(left + shift, 0, w - size))
        out = rgb.copy()
        out[top : top + size, new_left : new_left + size] = rgb[
            top : top + size, left : left + size
        ]
        changed = np.abs(out.astype(np.int16) - rgb.astype(np.int16)).mean(axis=2)
        if changed[top : top + size, new_left : new_left + size].mean() >= 12:
            break
    return out


def panned(rgb: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Two frames of one scene, the second panned right by `fraction` of the frame."""
    w = rgb.shape[1]
    frame = int(w / (1 + fraction))
    offset = w - frame
    return np.ascontiguousarray(rgb[:, :frame]), np.ascontiguousarray(rgb[:, offset:])


def featureless(seed: int, h: int = 480, w: int = 640) -> np.ndarray:
    """Flat, dark, gradient or mostly uniform pictures, of many colours and directions."""
    rng = np.random.default_rng(seed)
    kind = seed % 4
    if kind == 0:  # flat colour with sensor noise
        base = rng.uniform(20, 235, 3)
        image = base + rng.normal(0, 2, (h, w, 3))
    elif kind == 1:  # lens-cap frame: dark, noisy
        image = rng.uniform(3, 30) + rng.normal(0, 3, (h, w, 3))
    elif kind == 2:  # smooth gradient in some direction between two colours
        angle = rng.uniform(0, 2 * np.pi)
        y, x = np.mgrid[0:h, 0:w] / max(h, w)
        t = (np.cos(angle) * x + np.sin(angle) * y)[:, :, None]
        t = (t - t.min()) / (t.max() - t.min())
        a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        image = a * (1 - t) + b * t
    else:  # mostly uniform sky with one small object
        image = np.ones((h, w, 3)) * rng.uniform(120, 230, 3)
        y, x = int(rng.integers(h // 4, 3 * h // 4)), int(rng.integers(w // 4, 3 * w // 4))
        colour = tuple(float(c) for c in rng.uniform(0, 80, 3))
        image = np.ascontiguousarray(image)
        cv2.circle(image, (x, y), int(rng.integers(4, 14)), colour, -1)
    return np.clip(image, 0, 255).astype(np.uint8)


def foggy(rgb: np.ndarray) -> np.ndarray:
    """The scene in fog: a sixth of the contrast, lifted towards a bright grey."""
    return (0.15 * rgb.astype(np.float32) + 0.85 * 200).astype(np.uint8)


def night(rgb: np.ndarray) -> np.ndarray:
    """The scene at night: a twelfth of the light, most of the picture near black."""
    return (rgb.astype(np.float32) * 0.08).astype(np.uint8)


def low_detail(name: str, rgb: np.ndarray, number: int, hay: dict[str, bytes]) -> list[Case]:
    """A fog or night version of a photo in the library; its export must be found, and a
    burst shot of it must not be `same` (differences there are a sixth as large)."""
    look, dim = ("fog", foggy) if number % 5 == 0 else ("night", night)
    original = f"{name}-{look}.jpg"
    picture = dim(rgb)
    hay[original] = jpeg(picture, 92)
    return [
        Case(
            "low detail",
            f"{look} photo's export (half size)",
            f"{name}-{look}-export.jpg",
            jpeg(scaled(picture, 0.5), 85),
            frozenset({Status.SAME, Status.SIMILAR}),
            original,
        ),
        Case(
            "other shots",
            f"burst of a {look} photo",
            f"{name}-{look}-burst.jpg",
            jpeg(dim(moved(rgb, number + 7)), 92),
            OTHER_SHOT,
            original,
        ),
    ]


def _slug(kind: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in kind)


def copies(name: str, rgb: np.ndarray, original: bytes) -> Iterator[Case]:
    def case(kind: str, data: bytes, ext: str = "jpg") -> Case:
        return Case("copies", kind, f"{name}-{_slug(kind)}.{ext}", data, COPY, f"{name}.jpg")

    yield case("byte copy", original)
    for factor in (0.5, 0.25, 0.125):
        yield case(f"resized 1/{round(1 / factor)}", jpeg(scaled(rgb, factor), 88))
    yield case("half size, quality 85", jpeg(scaled(rgb, 0.5), 85))
    if max(rgb.shape[:2]) > 800:
        yield case("800 px web export, quality 70", jpeg(thumbnail(rgb, 800), 70))
    yield case("1/8 size, quality 30", jpeg(scaled(rgb, 0.125), 30))
    yield case("160 px thumbnail", jpeg(thumbnail(rgb, 160), 80))
    for quality in (95, 75, 50, 30):
        yield case(f"jpeg quality {quality}", jpeg(rgb, quality))
    yield case("png", encoded(rgb, "PNG"), "png")
    yield case("webp", encoded(rgb, "WEBP", quality=85), "webp")
    yield case("metadata changed", with_comment(original, b"edited by a tag tool"))
    yield case("metadata stripped", without_app_segments(original))
    for orientation in range(2, 9):
        yield case(f"exif orientation {orientation}", exif_oriented(rgb, orientation))


def edits(name: str, rgb: np.ndarray) -> Iterator[Case]:
    def case(kind: str, pixels: np.ndarray) -> Case:
        return Case(
            "edits", kind, f"{name}-{_slug(kind)}.jpg", jpeg(pixels, 90), EDIT, f"{name}.jpg"
        )

    yield case("brightness +30%", enhanced(rgb, ImageEnhance.Brightness, 1.3))
    yield case("contrast +30%", enhanced(rgb, ImageEnhance.Contrast, 1.3))
    yield case("gamma 0.7", gamma(rgb, 0.7))
    yield case("saturation +50%", enhanced(rgb, ImageEnhance.Color, 1.5))
    gray = np.asarray(Image.fromarray(rgb).convert("L").convert("RGB"))
    yield case("grayscale", gray)
    for fraction in (0.01, 0.03, 0.05):
        yield case(f"crop {round(fraction * 100)}% per side", crop(rgb, fraction))
    yield case("text watermark", watermark(rgb))
    for k in (1, 2, 3):
        yield case(f"rotated {90 * k}", np.ascontiguousarray(np.rot90(rgb, k)))
    yield case("mirrored", np.ascontiguousarray(rgb[:, ::-1]))
    yield case("letterbox border", letterbox(rgb))


@dataclass
class Scenario:
    haystack: dict[str, bytes]
    cases: list[Case]


def media(
    library: list[Source], outsiders: list[Source], workdir: Path
) -> tuple[dict[str, bytes], list[Case]]:
    """HEIC, RAW (DNG), video and library-bundle cases from real photographs: the library
    files to add, and the needle cases (group "media")."""
    hay: dict[str, bytes] = {}
    cases: list[Case] = []

    def case(kind: str, name: str, data: bytes, accept: frozenset[Status]) -> None:
        cases.append(Case("media", kind, name, data, accept))

    clips = workdir / "clips"
    for number, source in enumerate(library[:8]):
        rgb = thumbnail(source.load(), 1600)
        name = source.name
        # HEIC: a copy of a library JPEG, and an export of a library HEIC (another crop, so
        # that only the HEIC can match it).
        case("HEIC copy of a library JPEG", f"{name}.heic", heic_bytes(rgb), COPY)
        inner = crop(rgb, 0.15)
        hay[f"{name}-inner.heic"] = heic_bytes(inner, thumbnail=320)  # as a phone writes it
        case(
            "JPEG export of a library HEIC", f"{name}-inner.jpg", jpeg(scaled(inner, 0.5), 85), COPY
        )
        # RAW: the library holds a DNG of another crop; a byte copy, a JPEG rendering of it,
        # and a DNG whose shot the library has only as a JPEG.
        shot = crop(rgb, 0.25)
        raw = dng_bytes(shot)
        hay[f"{name}-raw.dng"] = raw
        case("DNG byte copy", f"{name}-raw.dng", raw, frozenset({Status.IDENTICAL}))
        case("JPEG rendering of a library DNG", f"{name}-raw.jpg", jpeg(shot, 90), EDIT)
        case("DNG of a library JPEG (RAW not in library)", f"{name}.dng", dng_bytes(rgb),
             frozenset({Status.SIMILAR}))  # fmt: skip
        if number >= 4:
            continue
        # Videos: a 3-second clip over the photograph (a pan and a moving disc).
        still = thumbnail(rgb, 320)
        clips.mkdir(parents=True, exist_ok=True)
        original = write_clip(clips / f"{name}.mp4", clip_frames(still, 3.0, seed=number), gop=24)
        hay[f"{name}-clip.mp4"] = original.read_bytes()
        case("video byte copy", f"{name}-clip.mp4", original.read_bytes(),
             frozenset({Status.IDENTICAL}))  # fmt: skip
        smaller = (still.shape[1] * 3 // 8 * 2, still.shape[0] * 3 // 8 * 2)  # 3/4, even sides
        reencoded = write_clip(
            clips / f"{name}-re.mp4",
            clip_frames(still, 3.0, seed=number),
            codec="mpeg4",
            bit_rate=400_000,
            size=smaller,
        )
        case(
            "video re-encoded (codec, bitrate, size)",
            f"{name}-re.mp4",
            reencoded.read_bytes(),
            COPY,
        )
        remuxed = remux(original, clips / f"{name}.mkv")
        case("video remuxed (MKV)", f"{name}.mkv", remuxed.read_bytes(), COPY)
        frames = list(clip_frames(still, 3.0, seed=number))
        trimmed = write_clip(clips / f"{name}-trim.mp4", iter(frames[12:54]), gop=24)
        case("video trimmed", f"{name}-trim.mp4", trimmed.read_bytes(), frozenset({Status.SIMILAR}))
        other = write_clip(clips / f"{name}-other.mp4", clip_frames(still, 3.0, seed=number + 50))
        case("another clip of the same scene", f"{name}-other.mp4", other.read_bytes(), OTHER_SHOT)
        moved = write_clip(
            clips / f"{name}-moved.mp4", clip_frames(still, 3.0, seed=number, nudge=0.06), gop=24
        )
        case("another take, subject a little elsewhere", f"{name}-moved.mp4", moved.read_bytes(),
             OTHER_SHOT)  # fmt: skip
    for number, source in enumerate(outsiders[:4]):
        rgb = thumbnail(source.load(), 1200)
        still = thumbnail(rgb, 320)
        clip = write_clip(clips / f"{source.name}-out.mp4", clip_frames(still, 3.0, seed=number))
        case("unrelated clip", f"{source.name}-out.mp4", clip.read_bytes(), UNRELATED)
        # A photo the library holds only as a cached preview inside its bundle.
        bundle = "Photos Library.photoslibrary"
        hay[f"{bundle}/resources/derivatives/{source.name}_1_105_c.jpeg"] = jpeg(
            scaled(rgb, 0.5), 75
        )
        case("photo only as a library bundle's preview", f"{source.name}-orig.jpg", jpeg(rgb),
             frozenset({Status.MISSING}))  # fmt: skip
    hay["Photos Library.photoslibrary/originals/0/keep.jpg"] = jpeg(featureless(77), 90)
    return hay, cases


def scenario(
    sources: list[Source],
    *,
    with_extras: bool,
    camera: bool = False,
    media_in: Path | None = None,
    docs: list[Document] | None = None,
    small: bool = True,
) -> Scenario:
    """The library and the needle cases; `camera`: library files carry an EXIF thumbnail;
    `docs`: documents to add (with their copies and versions); `small`: the small changes,
    crops and files of several pictures of bench/small_changes.py."""

    def library_file(rgb: np.ndarray) -> bytes:
        return camera_jpeg(rgb, 92) if camera else jpeg(rgb, 92, exif=_exif_with_tags())

    library = [s for i, s in enumerate(sources) if i % 3 != 2]
    outsiders = [s for i, s in enumerate(sources) if i % 3 == 2]
    hay: dict[str, bytes] = {}
    cases: list[Case] = []
    for number, source in enumerate(library):
        rgb = source.load()
        scene_a, scene_b = panned(rgb, 0.1 + 0.1 * (number % 2))
        # The library keeps the photo and the first frame of a pan of it.
        original = library_file(rgb)
        hay[f"{source.name}.jpg"] = original
        hay[f"{source.name}-frame1.jpg"] = library_file(scene_a)
        cases += copies(source.name, rgb, original)
        cases += edits(source.name, rgb)
        cases.append(
            Case(
                "other shots",
                "burst (one region moved)",
                f"{source.name}-burst.jpg",
                jpeg(moved(rgb, number), 92),
                OTHER_SHOT,
                f"{source.name}.jpg",
            )
        )
        cases.append(
            Case(
                "other shots",
                "burst (one region moved)",
                f"{source.name}-burst2.jpg",
                jpeg(moved(rgb, number + 99), 92),
                OTHER_SHOT,
                f"{source.name}.jpg",
            )
        )
        if number % 5 in (0, 1):
            cases += low_detail(source.name, rgb, number, hay)
        pan = f"panned {10 + 10 * (number % 2)}%"
        cases.append(
            Case(
                "other shots",
                "same scene panned 10-20%",
                f"{source.name}-{pan.replace(' ', '_')}.jpg",
                jpeg(scene_b, 92),
                OTHER_SHOT,
                f"{source.name}-frame1.jpg",
            )
        )
    for source in outsiders:
        rgb = source.load()
        cases.append(
            Case("unrelated", "different photo", f"{source.name}.jpg", jpeg(rgb), UNRELATED)
        )
        cases.append(
            Case(
                "unrelated",
                "different photo",
                f"{source.name}-small.jpg",
                jpeg(thumbnail(rgb, 320), 80),
                UNRELATED,
            )
        )
        h, w = rgb.shape[:2]
        for i, (y, x) in enumerate(((0, 0), (0, w // 2), (h // 2, 0), (h // 2, w // 2))):
            part = np.ascontiguousarray(rgb[y : y + h // 2, x : x + w // 2])
            cases.append(
                Case(
                    "unrelated",
                    "different photo",
                    f"{source.name}-part{i}.jpg",
                    jpeg(part),
                    UNRELATED,
                )
            )
    offset = 0 if with_extras else 1000
    for seed in range(offset, offset + 24):
        hay[f"featureless-{seed}.jpg"] = jpeg(featureless(seed), 92)
        # Its export: nothing in it to verify, so `similar` (found, to review), never `same`;
        # one kind in four holds a small object, which can be verified.
        has_object = seed % 4 == 3
        cases.append(
            Case(
                "low detail",
                "featureless picture's export (half size)",
                f"featureless-{seed}-export.jpg",
                jpeg(scaled(featureless(seed), 0.5), 85),
                frozenset({Status.SIMILAR, Status.SAME} if has_object else {Status.SIMILAR}),
                f"featureless-{seed}.jpg",
            )
        )
        cases.append(
            Case(
                "unrelated",
                "featureless (flat, dark, gradient)",
                f"featureless-{seed}.jpg",
                jpeg(featureless(seed + 500), 92),
                # Two lens-cap frames or two skies of one colour are alike: `similar` is
                # the honest answer for pictures with nothing else in them.
                frozenset({Status.MISSING, Status.SIMILAR}),
            )
        )
    built = []
    if media_in is not None:
        built.append(media(library, outsiders, media_in))
        built.append(small_changes.clips(library, media_in))
    if small:
        built += [
            small_changes.small_changes(library),
            small_changes.crops(library),
            small_changes.several_pictures(library, outsiders),
        ]
    if docs:
        built.append(small_changes.documents(docs))
    for more_hay, more_cases in built:
        hay.update(more_hay)
        cases += more_cases
    if with_extras:
        left, right = stereo_pair()
        hay["motorcycle-left.jpg"] = jpeg(left)
        cases.append(
            Case("other shots", "stereo pair", "motorcycle-right.jpg", jpeg(right), OTHER_SHOT)
        )
        for name, light, dark in design_variants():
            hay[f"{name}-a.jpg"] = jpeg(light)
            cases.append(
                Case(
                    "other shots",
                    "light/dark variant of a design",
                    f"{name}-b.jpg",
                    jpeg(dark),
                    OTHER_SHOT,
                )
            )
    else:
        left, right = stereo_pair()
        hay["motorcycle-right.jpg"] = jpeg(right)
        cases.append(
            Case("other shots", "stereo pair", "motorcycle-left.jpg", jpeg(left), OTHER_SHOT)
        )
    damaged_from = next(iter(hay.values()))
    for fraction in (0.1, 0.5, 0.99):
        cases.append(
            Case(
                "damaged",
                "truncated",
                f"truncated-{round(fraction * 100)}.jpg",
                damaged_from[: int(len(damaged_from) * fraction)],
                DAMAGED,
            )
        )
    cases.append(Case("damaged", "zero bytes", "empty.jpg", b"", DAMAGED))
    cases.append(Case("damaged", "not an image", "notes.jpg", b"shopping list\n" * 20, DAMAGED))
    return Scenario(hay, cases)


def _exif_with_tags() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    exif[0x0110] = "Model 1"
    exif[0x0112] = 1
    return exif


def run(
    scenario_: Scenario, workdir: Path, quick: bool = False
) -> list[tuple[Case, Status, str | None, int | None]]:
    hay, needles = workdir / "haystack", workdir / "needles"
    for folder in (hay, needles):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name, data in scenario_.haystack.items():
        (hay / name).parent.mkdir(parents=True, exist_ok=True)
        (hay / name).write_bytes(data)
    by_name: dict[str, Case] = {}
    for case in scenario_.cases:
        folder = needles / case.group.replace(" ", "_")
        folder.mkdir(exist_ok=True)
        (folder / case.name).write_bytes(case.data)
        by_name[f"{folder.name}/{case.name}"] = case
    report = reconcile(
        haystack=[str(hay)],
        needles=[str(needles)],
        db=str(workdir / "i.sqlite"),
        rebuild=True,
        quick=quick,
    )
    if quick:
        print(quick_summary(hay, workdir / "i.sqlite"))
    return [
        (by_name[image.path], image.status, image.match, image.distance) for image in report.items
    ]


def quick_summary(hay: Path, db: Path) -> str:
    """How much of the library --quick took from thumbnails, and how much it then confirmed."""
    usable = {
        str(path)
        for path in hay.iterdir()
        if decode_embedded(path.read_bytes()[:HEAD_BYTES]) is not None
    }
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT path, quick FROM files").fetchall()
    confirmed = sum(1 for path, quick in rows if os.fsdecode(path) in usable and not quick)
    total = sum(1 for _ in hay.iterdir())
    return (
        f"\n--quick: {len(usable)} of {total} library files indexed from their EXIF thumbnails; "
        f"{confirmed} of those fingerprinted in full as candidates"
    )


def table(title: str, results: list[tuple[Case, Status, str | None, int | None]]) -> str:
    """Per case: how many, how many acceptable (the safe answers), how many exact (copies
    `same`, edits `similar`), and the statuses seen."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    statuses: dict[tuple[str, str], dict[Status, int]] = defaultdict(lambda: defaultdict(int))
    for case, status, _, _ in results:
        key = (case.group, case.kind)
        rows[key][0] += 1
        rows[key][1] += status in case.accept
        rows[key][2] += status in case.exact
        statuses[key][status] += 1
    header = f"{'group':<12} {'case':<40} {'count':>5} {'ok':>5} {'ok %':>6} {'exact %':>7}"
    lines = [title, f"{header}  statuses"]
    groups = ("copies", "edits", "low detail", "other shots", "unrelated", "damaged", "media",
              "small changes", "documents", "crops", "several pictures", "clips")  # fmt: skip

    def line(group: str, kind: str, count: int, ok: int, exact: int) -> str:
        return (
            f"{group:<12} {kind:<40} {count:>5} {ok:>5} {100 * ok / count:>5.1f}% "
            f"{100 * exact / count:>6.1f}%"
        )

    for group in groups:
        for (g, kind), (count, ok, exact) in rows.items():
            if g == group:
                seen = ", ".join(f"{s.value} {n}" for s, n in sorted(statuses[(g, kind)].items()))
                lines.append(f"{line(g, kind, count, ok, exact)}  {seen}")
    for group in groups:
        total = [r for (g, _), r in rows.items() if g == group]
        if total:
            lines.append(line("TOTAL", group, *(sum(r[i] for r in total) for i in range(3))))
    return "\n".join(lines)


def scores(results: list[tuple[Case, Status, str | None, int | None]], workdir: Path) -> str:
    """How far copies and other shots are from the `same` limit: each needle against the
    library file it was made from, the largest block difference as a multiple of the limit
    for that pair's size (1.0 is the limit; copies must stay below it, other shots above)."""
    from reconcile.match.verify import compare, same_limit
    from reconcile.store.index import Index

    index = Index(str(workdir / "i.sqlite"))
    hay, needles = workdir / "haystack", workdir / "needles"
    measured: dict[str, list[float]] = defaultdict(list)
    try:
        for case, _, _, _ in results:
            group = {"copies": "copies", "other shots": "other shots", "low detail": "copies"}
            if case.counterpart is None or case.group not in group:
                continue
            if case.kind.startswith(("exif orientation", "featureless")):
                continue  # turned views and pictures without detail are not judged this way
            folder = needles / case.group.replace(" ", "_")
            ids = index.ids_for([str(folder / case.name), str(hay / case.counterpart)])
            if len(ids) < 2:
                continue
            a = index.entry(ids[str(folder / case.name)]).full
            b = index.entry(ids[str(hay / case.counterpart)]).full
            if a is None or b is None:
                continue
            side = min(a.width, a.height, b.width, b.height)
            score = compare(a.thumb_array(), b.thumb_array(), a, b, exact=True).score
            if not np.isfinite(score):
                continue  # below the detail floor: judged by colour, not by blocks
            key = group[case.group] + (" (160 px and up)" if side >= 160 else " (under 160 px)")
            measured[key].append(score / same_limit(side))
    finally:
        index.close()
    lines = ["verification score / limit (1.0 = the `same` limit):"]
    for key, values in sorted(measured.items()):
        v = np.array(values)
        lines.append(
            f"  {key:<28} n={len(v):>5}  min {v.min():.2f}  median {np.median(v):.2f}  "
            f"p99 {np.percentile(v, 99):.2f}  p99.5 {np.percentile(v, 99.5):.2f}  max {v.max():.2f}"
        )
    copies = measured.get("copies (160 px and up)", [])
    others = [x for k, v in measured.items() if k.startswith("other") for x in v]
    if copies and others:
        lines.append(
            f"  margin: other shots' smallest {min(others):.2f} vs copies' 99.5th percentile "
            f"{np.percentile(copies, 99.5):.2f} and largest {max(copies):.2f}"
        )
    return "\n".join(lines)


def fine_margins(results: list[tuple[Case, Status, str | None, int | None]], workdir: Path) -> str:
    """What the fine looks measured (match.verify.fine_difference), each needle against the
    library file it was made from, for copies and for versions that must not be `same`: the
    largest copy's and the smallest version's value of each measure, among pairs whose
    smaller picture is at least 512 px on its long side. A version is caught by any one
    measure over its limit, so its row counts the versions that no measure caught. A
    resampled pair's plain difference is shown only where it is local (fine_limits), as
    only there it counts."""
    from dataclasses import replace

    from reconcile.match.verify import DEFAULT as LIMITS
    from reconcile.match.verify import fine_limits
    from reconcile.store.index import Index

    hay, needles = workdir / "haystack", workdir / "needles"
    index = Index(str(workdir / "i.sqlite"))
    pairs: dict[str, list[tuple[str, object]]] = {"copies": [], "versions": []}
    try:
        for case, _, _, _ in results:
            if case.counterpart is None or case.group in ("edits", "crops", "other shots"):
                continue
            side = "copies" if Status.SAME in case.accept else "versions"
            if case.group == "low detail":
                continue
            folder = needles / case.group.replace(" ", "_")
            ids = index.ids_for([str(folder / case.name), str(hay / case.counterpart)])
            if len(ids) < 2:
                continue
            needle, library = ids[str(folder / case.name)], ids[str(hay / case.counterpart)]
            sizes = {(f.width, f.height) for f in (index.entry(i).full for i in ids.values()) if f}
            for fine in index.looks([(needle, library)]).values():
                if max(fine.width, fine.height) >= 512:
                    # A resampled pair's plain difference counts only where it is local.
                    apart = fine_limits(fine, LIMITS, resampled=len(sizes) > 1).fine_plain
                    shown = fine if apart < float("inf") else replace(fine, plain=0.0)
                    pairs[side].append((case.kind, shown))
    finally:
        index.close()
    measures = (("detail", LIMITS.fine_detail), ("colour", LIMITS.fine_colour),
                ("tone", LIMITS.fine_tone), ("tint", LIMITS.fine_tint),
                ("strokes", LIMITS.fine_strokes), ("focus", LIMITS.fine_focus),
                ("relative_tone", LIMITS.fine_relative_tone),
                ("plain", LIMITS.fine_plain))  # fmt: skip
    lines = ["fine looks, pictures of 512 px and more (limit: the largest value `same` allows):"]
    for name, limit in measures:
        copies = [abs(getattr(f, name)) for _, f in pairs["copies"]]
        versions = [abs(getattr(f, name)) for _, f in pairs["versions"]]
        over = sum(v > limit for v in versions)
        top = np.percentile(copies, 99.5) if copies else 0.0
        digits = 2 if limit >= 0.1 else 4  # a share (relative tone) needs more
        lines.append(
            f"  {name:<8} limit {limit:>5}: copies n={len(copies)} max "
            f"{max(copies, default=0):.{digits}f} p99.5 {top:.{digits}f};"
            f" versions over the limit {over} of {len(versions)}"
        )
    missed = [
        k for k, f in pairs["versions"] if all(abs(getattr(f, n)) <= lim for n, lim in measures)
    ]
    lines.append(
        f"  versions no measure caught: {len(missed)}"
        + (" (" + ", ".join(sorted(set(missed))) + ")" if missed else "")
    )
    return "\n".join(lines)


def wrongly_same(results: list[tuple[Case, Status, str | None, int | None]], workdir: Path) -> str:
    """How many versions that must never be `same` are, and how many of them with the
    smaller of the two pictures 512 px and more on its long side (issue 23's bar)."""
    from reconcile.store.index import Index

    hay, needles = workdir / "haystack", workdir / "needles"
    wrong = [c for c, status, _, _ in results if status is Status.SAME and status not in c.accept]
    large = 0
    index = Index(str(workdir / "i.sqlite"))
    try:
        for case in wrong:
            if case.counterpart is None:
                continue
            paths = [str(needles / case.group.replace(" ", "_") / case.name),
                     str(hay / case.counterpart)]  # fmt: skip
            ids = index.ids_for(paths)
            fulls = [index.entry(ids[p]).full for p in paths if p in ids]
            sides = [max(f.width, f.height) for f in fulls if f is not None]
            large += len(sides) == 2 and min(sides) >= 512
    finally:
        index.close()
    return f"wrongly `same`: {len(wrong)}; with the smaller picture 512 px and more: {large}"


def failures(results: list[tuple[Case, Status, str | None, int | None]]) -> list[str]:
    return [
        f"  {case.group}/{case.name}: {status.value} (match {Path(match).name if match else '-'}, "
        f"distance {distance})"
        for case, status, match, distance in results
        if status not in case.accept
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("tune", "test", "both"), default="both")
    parser.add_argument("--keep", metavar="DIR", help="write the scenario here and keep it")
    parser.add_argument(
        "--quick", action="store_true", help="camera-like library files, indexed with quick"
    )
    parser.add_argument(
        "--no-media", action="store_true", help="leave out the HEIC, RAW, video and bundle cases"
    )
    parser.add_argument(
        "--no-small", action="store_true",
        help="leave out the small changes, documents, crops and files of several pictures",
    )  # fmt: skip
    args = parser.parse_args(argv)
    sources = photographs()
    halves = dict(zip(("tune", "test"), split(sources), strict=True))
    rendered = documents(2) if fonts_available() and not args.no_small else []
    if not rendered and not args.no_small:
        print("documents left out: apt-get install fonts-dejavu-core fonts-liberation "
              "fonts-noto-core")  # fmt: skip
    for half, chosen in halves.items():
        counts = defaultdict(int)
        for source in chosen:
            counts[f"{source.set} [{source.origin}]"] += 1
        print(
            f"{half}: {len(chosen)} photographs: "
            + "; ".join(f"{k} {n}" for k, n in counts.items())
        )
    ok = True
    for half in ("tune", "test"):
        if args.half not in (half, "both"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(args.keep) / half if args.keep else Path(tmp)
            cases = scenario(
                halves[half],
                with_extras=half == "test",
                camera=args.quick,
                media_in=None if args.no_media else Path(tmp) / "media",
                docs=[d for d in rendered if d.tuning == (half == "tune")],
                small=not args.no_small,
            )
            results = run(cases, workdir, quick=args.quick)
            measured = "\n".join((scores(results, workdir), fine_margins(results, workdir),
                                  wrongly_same(results, workdir)))  # fmt: skip
        title = {
            "tune": "\nTUNING half (thresholds were chosen on this one)",
            "test": "\nHELD-OUT half (not used for tuning: this is the result)",
        }[half]
        print(table(title, results))
        print(measured)
        wrong = failures(results)
        if wrong:
            print("not acceptable:")
            print("\n".join(wrong))
            ok = ok and half == "tune"  # the held-out half decides the exit status
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
