"""Crops of a library photo are edits of it: found, as `similar` and saying how they were
cropped, never `same`. Ten per cent off each side, the centre square (as Instagram crops),
the 4:3 centre of a 3:2 photo (a print's shape), and the camera's own EXIF thumbnail saved as
a file; and the other way round, a library holding only a crop of the backup's photo."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from conftest import judged, scene, write

from reconcile.facts import CROPS
from reconcile.media.fingerprint import cropped


def _centre(rgb: np.ndarray, name: str) -> np.ndarray:
    (crop,) = [c for c in CROPS if c.name == name]
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(cropped(rgb, *crop.fractions(w, h)))


def test_crops_of_a_library_photo_are_found_as_similar(tmp_path: Path) -> None:
    photo = scene(61, 800, 1200)  # 3:2, as most cameras shoot
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "DSC_0001.jpg", photo, 92)
    write(needles / "tenth.jpg", _centre(photo, "10 % a side"), 90)
    square = cv2.resize(_centre(photo, "a square"), (1080, 1080), interpolation=cv2.INTER_AREA)
    write(needles / "instagram.jpg", square, 85)
    write(needles / "print.jpg", _centre(photo, "4:3"), 90)
    thumbnail = cv2.resize(_centre(photo, "4:3"), (160, 120), interpolation=cv2.INTER_AREA)
    write(needles / "thumbnail.jpg", thumbnail, 80)
    write(needles / "unrelated.jpg", scene(62, 800, 1200), 90)
    items = judged(tmp_path, hay, needles)
    assert items["tenth.jpg"] == ("similar", "cropped from the library's picture (10 % a side)")
    assert items["instagram.jpg"] == ("similar", "cropped from the library's picture (a square)")
    assert items["print.jpg"] == ("similar", "cropped from the library's picture (4:3)")
    assert items["thumbnail.jpg"] == ("similar", "cropped from the library's picture (4:3)")
    assert items["unrelated.jpg"][0] == "missing"


def test_a_library_holding_only_a_crop_does_not_hold_the_photo(tmp_path: Path) -> None:
    """The backup's photo shows more than the library's square crop of it: `similar`, so
    that its folder is not called complete."""
    photo = scene(63, 800, 1200)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "square.jpg", _centre(photo, "a square"), 92)
    write(needles / "DSC_0002.jpg", photo, 92)
    items = judged(tmp_path, hay, needles)
    assert items["DSC_0002.jpg"] == (
        "similar", "the library holds a crop of this picture (a square); this one shows more"
    )  # fmt: skip
