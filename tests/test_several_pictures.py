"""Files of several pictures (a multi-page TIFF, an animated GIF or WebP, an MPO's views) are
the same as another file only if every picture is: a file of its first picture alone, or
one with a frame replaced, is `similar`. A camera JPEG's large preview is no picture of its
own."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from conftest import judged, scene
from media import heif_of_several
from PIL import Image, ImageSequence


def _frames(*seeds: int) -> list[Image.Image]:
    return [Image.fromarray(scene(seed, 360, 480)) for seed in seeds]


def _save(path: Path, frames: list[Image.Image], fmt: str, **options: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], **options)


def test_an_animation_is_the_same_only_with_every_frame(tmp_path: Path) -> None:
    """An animated GIF of four frames: converted to an animated WebP it is `same`; the GIF
    with its third frame from another shot, and a still of its first frame, are `similar`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    frames = _frames(1, 2, 3, 4)
    _save(hay / "animation.gif", frames, "GIF", duration=200, loop=0)
    with Image.open(hay / "animation.gif") as gif:  # as a converter reads it
        converted = [frame.convert("RGB") for frame in ImageSequence.Iterator(gif)]
    _save(needles / "animation.webp", converted, "WEBP", quality=90, duration=200, loop=0)
    _save(needles / "other-frame.gif", [*frames[:2], *_frames(9), frames[3]], "GIF",
          duration=200)  # fmt: skip
    frames[0].save(needles / "first-frame.png")
    items = judged(tmp_path, hay, needles)
    assert items["animation.webp"][0] == "same"
    assert items["other-frame.gif"] == (
        "similar", "4 pictures in one file, not all of them the library's file's"
    )  # fmt: skip
    assert items["first-frame.png"] == (
        "similar", "a single picture; the library's file has 4 pictures in one file"
    )  # fmt: skip


def test_the_pages_of_a_tiff_are_each_compared(tmp_path: Path) -> None:
    """A scanned document of three pages: saved again with other compression (other bytes,
    the same pages) it is `same`; with one page rescanned from another sheet `similar`; a
    byte copy is `identical` (it is not decoded again, and was once `similar` for holding
    "a single picture")."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    pages = _frames(21, 22, 23)
    _save(hay / "scan.tif", pages, "TIFF")
    _save(needles / "scan-lzw.tif", pages, "TIFF", compression="tiff_lzw")
    _save(needles / "scan-other-page.tif", [pages[0], *_frames(24), pages[2]], "TIFF")
    (needles / "scan-copy.tif").write_bytes((hay / "scan.tif").read_bytes())
    items = judged(tmp_path, hay, needles)
    assert items["scan-lzw.tif"][0] == "same"
    assert items["scan-other-page.tif"][0] == "similar"
    assert items["scan-copy.tif"][0] == "identical"


def _with_large_thumbnail(data: bytes) -> bytes:
    """An MPO as Pillow writes it, its second frame typed as a large thumbnail (MPType
    0x010002, as cameras type the preview they embed in a JPEG)."""
    tiff = data.index(b"MPF\x00") + 4
    assert data[tiff : tiff + 2] == b"II"
    ifd = tiff + struct.unpack_from("<I", data, tiff + 4)[0]
    for number in range(struct.unpack_from("<H", data, ifd)[0]):
        tag, _, _, value = struct.unpack_from("<HHII", data, ifd + 2 + 12 * number)
        if tag == 0xB002:  # the MP entries, 16 bytes each, attribute first
            patched = bytearray(data)
            struct.pack_into("<I", patched, tiff + value + 16, 0x010002)
            return bytes(patched)
    raise AssertionError("no MP entries")


def test_an_mpo_is_its_views_but_not_its_preview(tmp_path: Path) -> None:
    """A stereo MPO (two views) against a JPEG of its left view is `similar`; a JPEG whose
    second frame is a large thumbnail of itself is one picture, and its copy without the
    preview is `same`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    left, right = _frames(31, 32)
    _save(hay / "stereo.mpo", [left, right], "MPO", quality=92)
    photo = Image.fromarray(scene(33, 360, 480))
    out = io.BytesIO()
    photo.save(out, "MPO", save_all=True, append_images=[photo.resize((160, 120))], quality=92)
    (hay / "camera.jpg").write_bytes(_with_large_thumbnail(out.getvalue()))
    needles.mkdir()
    left.save(needles / "left.jpg", quality=90)
    photo.save(needles / "camera-copy.jpg", quality=85)
    items = judged(tmp_path, hay, needles)
    assert items["left.jpg"] == (
        "similar", "a single picture; the library's file has 2 pictures in one file"
    )  # fmt: skip
    assert items["camera-copy.jpg"][0] == "same"
    assert np.asarray(Image.open(hay / "camera.jpg")).shape == (360, 480, 3)


def _heif(path: Path, frames: list[Image.Image]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(heif_of_several(frames))


def test_a_heif_of_several_pictures_is_the_same_only_with_every_picture(tmp_path: Path) -> None:
    """A burst HEIF of three pictures in the backup, against the library's JPEG of its
    primary picture, is `similar`: deleting it would lose the other two (libheif opens such
    a file at its primary picture, as if there were no other). An iPhone's spatial photo
    (two views) in the library against the backup's left view alone is `similar`; a byte
    copy of a burst is `identical`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    burst = _frames(41, 42, 43)
    _heif(needles / "burst.heic", burst)
    hay.mkdir()
    burst[0].save(hay / "burst-primary.jpg", quality=92)
    _heif(hay / "burst-kept.heic", _frames(51, 52, 53))
    _heif(needles / "burst-kept-again.heic", _frames(51, 52, 53))
    left, right = _frames(61, 62)
    _heif(hay / "spatial.heic", [left, right])
    left.save(needles / "left.jpg", quality=90)
    items = judged(tmp_path, hay, needles)
    assert items["burst.heic"] == (
        "similar", "3 pictures in one file; the library's file has a single picture"
    )  # fmt: skip
    assert items["left.jpg"] == (
        "similar", "a single picture; the library's file has 2 pictures in one file"
    )  # fmt: skip
    assert items["burst-kept-again.heic"][0] == "identical"  # the same bytes
