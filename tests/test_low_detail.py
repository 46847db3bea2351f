"""Pictures with little or no detail, through the CLI: fog and night photographs are verified
like any other (stretched to a common contrast), and pictures with nothing to verify (flat,
dark, a smooth gradient) are compared by colour and shape, and `same` only when a fine look at
their own size finds sharp edges to verify and nothing apart (a settings screen's copy)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
from conftest import Recording, judged, resized, scene, verified, write

from reconcile import Report, reconcile
from reconcile.facts import FileFacts, Task
from reconcile.match.reasons import FINE_FAILED, FLAT_ALIKE, TOO_FLAT


def _fog(rgb: np.ndarray) -> np.ndarray:
    return (0.15 * rgb.astype(np.float32) + 0.85 * 200).astype(np.uint8)


def _moved(rgb: np.ndarray) -> np.ndarray:
    """A burst shot: a region of the scene a little to the side."""
    out = rgb.copy()
    out[150:260, 300:410] = rgb[150:260, 240:350]
    return out


def test_a_fog_photo_is_found_and_its_burst_shot_is_not_the_same(tmp_path: Path) -> None:
    """In fog every difference is a sixth as large: the export is still found (`same` once
    the fine look at its size finds nothing apart), and a burst shot with a region moved is
    never `same` (compared at daylight contrast)."""
    photo = scene(21)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "fog.jpg", _fog(photo), 92)
    write(needles / "export/fog-small.jpg", resized(_fog(photo), 0.5), 85)
    write(needles / "burst/fog-burst.jpg", _fog(_moved(photo)), 92)
    items = judged(tmp_path, hay, needles)
    assert items["export/fog-small.jpg"] == ("same", verified("re-encoded or resized", 320, 240))
    assert items["burst/fog-burst.jpg"][0] == "similar"


def test_pictures_without_detail_are_compared_by_colour_and_never_same(tmp_path: Path) -> None:
    """A grey sky and a dusk gradient have nothing to verify, in their thumbnails or at
    their own size (no sharp edge): a library picture of the same colours and shape makes an
    export `similar`, one of other colours leaves it `missing`."""
    rng = np.random.default_rng(5)
    blue = np.clip(np.full((480, 640, 3), (70, 110, 190)) + rng.normal(0, 2, (480, 640, 3)), 0, 255)
    y = np.linspace(0, 1, 480)[:, None, None]
    dusk = (np.array([250, 140, 60]) * (1 - y) + np.array([40, 30, 90]) * y) * np.ones((1, 640, 1))
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "sky.jpg", blue.astype(np.uint8), 92)
    write(hay / "dusk.jpg", dusk.astype(np.uint8), 92)
    write(hay / "photo.jpg", scene(22), 92)
    write(needles / "sky-export.jpg", resized(blue.astype(np.uint8), 0.5), 80)
    write(needles / "dusk-export.jpg", resized(dusk.astype(np.uint8), 0.5), 80)
    red = np.clip(np.full((480, 640, 3), (190, 60, 50)) + rng.normal(0, 2, (480, 640, 3)), 0, 255)
    write(needles / "red wall.jpg", red.astype(np.uint8), 92)
    items = judged(tmp_path, hay, needles)
    assert items["sky-export.jpg"] == ("similar", FLAT_ALIKE)
    assert items["dusk-export.jpg"] == ("similar", FLAT_ALIKE)
    assert items["red wall.jpg"] == ("missing", TOO_FLAT)


def _facade(seed: int = 0) -> np.ndarray:
    """A building's face: rows of dark windows every 9 px on a 1600 px photo, finer than a
    64 px thumbnail can hold once the picture is reduced."""
    rng = np.random.default_rng(seed)
    picture = cv2.resize(scene(seed, 300, 400), (1600, 1200)).astype(np.float32)
    y, x = np.mgrid[0:1200, 0:1600]
    picture[((x % 9) < 5) & ((y % 12) < 7)] *= 0.35
    return np.clip(picture + rng.normal(0, 3, picture.shape), 0, 255).astype(np.uint8)


def test_fine_regular_detail_is_compared_in_full(tmp_path: Path) -> None:
    """A 30 % export of a facade differs from the library's photo, thumbnail to
    thumbnail, by more than a copy may; compared at the pictures' own size it is the same
    picture. A burst shot of the facade (a region moved) stays `similar`."""
    facade = _facade()
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "facade.jpg", facade, 92)
    write(needles / "facade-small.jpg", resized(facade, 0.3), 85)
    moved = facade.copy()
    moved[300:600, 500:800] = facade[300:600, 620:920]
    write(needles / "facade-burst.jpg", moved, 92)
    items = judged(tmp_path, hay, needles)
    assert items["facade-small.jpg"] == ("same", verified("re-encoded or resized", 480, 360))
    assert items["facade-burst.jpg"][0] == "similar"


def _reconcile_with(analyser: Recording, tmp_path: Path) -> Report:
    """A run over tmp_path's hay and needles through `analyser`, closed at the end."""
    try:
        return reconcile(
            haystack=[str(tmp_path / "hay")], needles=[str(tmp_path / "needles")],
            db=str(tmp_path / "i.sqlite"), analyser=analyser,
        )  # fmt: skip
    finally:
        analyser.close()


def test_a_fine_look_is_taken_once_and_again_when_a_file_changes(tmp_path: Path) -> None:
    """What a fine look measured is kept in the index: an unchanged pair is not decoded
    again by the next run; a changed library file is."""
    facade = _facade(1)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "facade.jpg", facade, 92)
    write(needles / "facade-small.jpg", resized(facade, 0.3), 85)

    def run() -> tuple[str, list[str]]:
        recording = Recording()
        report = _reconcile_with(recording, tmp_path)
        looked = sorted(Path(task.path).name for task in recording.tasks if task.look)
        return report.items[0].status.value, looked

    assert run() == ("same", ["facade-small.jpg", "facade.jpg"])
    assert run() == ("same", [])
    write(hay / "facade.jpg", facade, 90)  # re-saved: new bytes, the pair is looked at again
    assert run() == ("same", ["facade-small.jpg", "facade.jpg"])


def test_a_night_burst_is_seen_at_the_pictures_own_size(tmp_path: Path) -> None:
    """At night a moved subject differs by a grey level or two, which the thumbnails average
    away; the fine look stretches the pair as the thumbnails are (to daylight contrast) and
    sees it at the pictures' own size: the burst is not the same picture. The night photo's
    export stays `same`."""
    photo = _facade(2)
    moved = photo.copy()
    moved[400:500, 600:700] = photo[400:500, 640:740]  # a 100 px subject, 40 px aside

    def night(rgb: np.ndarray) -> np.ndarray:
        return (rgb.astype(np.float32) * 0.08).astype(np.uint8)

    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "night.jpg", night(photo), 92)
    write(needles / "night-export.jpg", resized(night(photo), 0.5), 85)
    write(needles / "night-burst.jpg", night(moved), 92)
    items = judged(tmp_path, hay, needles)
    assert items["night-export.jpg"][0] == "same"
    status, reason = items["night-burst.jpg"]
    assert status == "similar"
    assert reason.startswith("differs in one region (in the middle), seen at 1024x768")


class _LibraryGoneBeforeTheFineLook(Recording):
    """The process pool, with the library file deleted just before the fine look (a drive
    unplugged mid-run)."""

    def __init__(self, library_file: Path) -> None:
        super().__init__()
        self.library_file = library_file

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]:
        if any(task.look for task in tasks):
            self.library_file.unlink()
        return super().analyse(tasks)


def test_a_pair_that_cannot_be_compared_in_full_is_only_similar(tmp_path: Path) -> None:
    """A `same` rests on the fine look; when the library file cannot be read again for it,
    the pair is a review, not a `same`."""
    photo = _facade(3)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    night = (photo.astype(np.float32) * 0.08).astype(np.uint8)
    write(hay / "night.jpg", night, 92)
    write(needles / "night-copy.jpg", night, 80)
    (image,) = _reconcile_with(_LibraryGoneBeforeTheFineLook(hay / "night.jpg"), tmp_path).items
    assert (image.status.value, image.reason) == ("similar", FINE_FAILED)
