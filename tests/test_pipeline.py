"""Whole runs through the library: statuses, folder verdicts, the incremental index."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
from conftest import Phases, resized, scene, write

from reconcile import Report, Status, Verdict, reconcile
from reconcile.store.index import Index


def _statuses(report: Report) -> dict[str, Status]:
    return {image.path: image.status for image in report.items}


def _verdicts(report: Report) -> dict[str, Verdict]:
    return {d.path: d.verdict for d in report.folders}


def _library(root: Path) -> list[np.ndarray]:
    photos = [scene(seed, 480, 640) for seed in range(100, 106)]
    for number, photo in enumerate(photos):
        write(root / f"Masters/2009/IMG_{number:04d}.jpg", photo, 92)
    return photos


def test_the_classic_failure_modes_are_gone(tmp_path: Path, db: str) -> None:
    """A resized export is found; one match and two new photos make a partial folder;
    same-named folders are told apart; a truncated JPEG is unreadable."""
    photos = _library(tmp_path)
    backup = tmp_path / "Backup"
    write(backup / "export/small.jpg", resized(photos[0], 0.3), 75)
    write(backup / "card/IMG_0001.jpg", photos[1], 80)
    write(backup / "card/new1.jpg", scene(200), 90)
    write(backup / "card/new2.jpg", scene(201), 90)
    write(backup / "x/PIX/a.jpg", photos[2], 85)
    write(backup / "y/PIX/a.jpg", scene(202), 85)
    whole = (tmp_path / "Masters/2009/IMG_0003.jpg").read_bytes()
    (backup / "broken").mkdir()
    (backup / "broken/cut.jpg").write_bytes(whole[: len(whole) // 2])

    report = reconcile(haystack=[str(tmp_path / "Masters")], needles=[str(backup)], db=db)

    assert _statuses(report) == {
        "export/small.jpg": Status.SAME,
        "card/IMG_0001.jpg": Status.SAME,
        "card/new1.jpg": Status.MISSING,
        "card/new2.jpg": Status.MISSING,
        "x/PIX/a.jpg": Status.SAME,
        "y/PIX/a.jpg": Status.MISSING,
        "broken/cut.jpg": Status.UNREADABLE,
    }
    assert _verdicts(report) == {
        "card": Verdict.PARTIAL,
        "y/PIX": Verdict.NEW,
        "broken": Verdict.REVIEW,
        "export": Verdict.COMPLETE,
        "x/PIX": Verdict.COMPLETE,
    }
    assert report.folders[0].path in ("card", "y/PIX")  # most work first
    cut = next(i for i in report.items if i.path == "broken/cut.jpg")
    assert cut.reason == "truncated image data"


def test_a_burst_shot_is_never_same(tmp_path: Path, db: str) -> None:
    """The same scene with one object moved is a different photo: at most `similar`."""
    photos = _library(tmp_path)
    burst = photos[4].copy()
    patch = burst[150:270, 200:320].copy()
    burst[150:270, 260:380] = patch
    write(tmp_path / "Backup/burst.jpg", burst, 92)
    report = reconcile(
        haystack=[str(tmp_path / "Masters")], needles=[str(tmp_path / "Backup")], db=db
    )
    assert report.items[0].status is Status.SIMILAR


def test_identical_bytes_and_edits(tmp_path: Path, db: str) -> None:
    """A byte copy is identical; a rotated or brightened copy is only similar."""
    photos = _library(tmp_path)
    backup = tmp_path / "Backup"
    backup.mkdir()
    shutil.copyfile(tmp_path / "Masters/2009/IMG_0000.jpg", backup / "copy.jpg")
    write(backup / "rotated.jpg", np.ascontiguousarray(np.rot90(photos[1])), 90)
    write(backup / "brighter.jpg", cv2.convertScaleAbs(photos[2], alpha=1.0, beta=40), 90)
    report = reconcile(haystack=[str(tmp_path / "Masters")], needles=[str(backup)], db=db)
    statuses = _statuses(report)
    assert statuses == {
        "brighter.jpg": Status.SIMILAR,
        "copy.jpg": Status.IDENTICAL,
        "rotated.jpg": Status.SIMILAR,
    }
    assert _verdicts(report) == {".": Verdict.REVIEW}


def test_an_unchanged_haystack_is_not_decoded_again(tmp_path: Path, db: str) -> None:
    """The second run over the same files announces no decoding work at all."""
    _library(tmp_path)
    write(tmp_path / "Backup/a.jpg", scene(300), 90)
    args = {"haystack": [str(tmp_path / "Masters")], "needles": [str(tmp_path / "Backup")]}
    first, second = Phases(), Phases()
    reconcile(**args, db=db, progress=first)
    reconcile(**args, db=db, progress=second)
    assert first.totals["Indexing haystack"] == 6
    assert first.totals["Fingerprinting needles"] == 1
    assert second.totals["Indexing haystack"] == 0
    assert second.totals["Fingerprinting needles"] == 0


def test_changed_deleted_and_moved_haystack_files(tmp_path: Path, db: str) -> None:
    """A file changed in place is fingerprinted again, a deleted one no longer matches, a
    moved one matches at its new path, and the index forgets what is gone."""
    photos = _library(tmp_path)
    masters = tmp_path / "Masters/2009"
    backup = tmp_path / "Backup"
    write(backup / "zero.jpg", photos[0], 80)
    write(backup / "one.jpg", photos[1], 80)
    write(backup / "two.jpg", photos[2], 80)
    args = {"haystack": [str(tmp_path / "Masters")], "needles": [str(backup)], "db": db}
    assert set(_statuses(reconcile(**args)).values()) == {Status.SAME}

    # Same size, new content, new mtime: IMG_0000 now holds another picture.
    other = tmp_path / "other.jpg"
    write(other, scene(400, 480, 640), 92)
    data = other.read_bytes()
    stat = (masters / "IMG_0000.jpg").stat()
    (masters / "IMG_0000.jpg").write_bytes(data)
    os.utime(masters / "IMG_0000.jpg", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    (masters / "IMG_0001.jpg").unlink()
    (masters / "moved").mkdir()
    (masters / "IMG_0002.jpg").rename(masters / "moved/IMG_0002.jpg")

    phases = Phases()
    report = reconcile(**args, progress=phases)
    assert phases.totals["Indexing haystack"] == 2  # the changed file and the moved one
    assert _statuses(report) == {
        "zero.jpg": Status.MISSING,
        "one.jpg": Status.MISSING,
        "two.jpg": Status.SAME,
    }
    two = next(i for i in report.items if i.path == "two.jpg")
    assert two.match == str(masters / "moved/IMG_0002.jpg")
    with Index(db) as index:
        stored = [os.fsdecode(path) for path in index.known_under("/")]
    assert str(masters / "IMG_0001.jpg") not in stored
    assert str(masters / "IMG_0002.jpg") not in stored


def test_needles_inside_the_haystack_are_not_matched_with_themselves(
    tmp_path: Path, db: str
) -> None:
    """A needles root inside the haystack is left out of the haystack, with a warning."""
    _library(tmp_path)
    inbox = tmp_path / "Masters/Inbox"
    write(inbox / "new.jpg", scene(500), 90)
    report = reconcile(haystack=[str(tmp_path / "Masters")], needles=[str(inbox)], db=db)
    assert _statuses(report) == {"new.jpg": Status.MISSING}
    assert any("inside haystack" in warning for warning in report.warnings)


def test_numbers_add_up(tmp_path: Path, db: str) -> None:
    """Each needle image has one status; folder counts sum to the image count."""
    photos = _library(tmp_path)
    for number, photo in enumerate(photos[:3]):
        write(tmp_path / f"Backup/f{number % 2}/p{number}.jpg", photo, 70)
    write(tmp_path / "Backup/f1/new.png", scene(600), 90)
    report = reconcile(
        haystack=[str(tmp_path / "Masters")], needles=[str(tmp_path / "Backup")], db=db
    )
    assert len(report.items) == 4 == len({i.path for i in report.items})
    assert sum(d.items for d in report.folders) == 4
    assert sum(report.count(s) for s in Status) == 4


def _stored(db: str) -> dict[str, tuple[bool, bool]]:
    """Per stored file name: (has a digest, was decoded)."""
    with Index(db) as index:
        return {
            os.path.basename(os.fsdecode(path)): (
                row.digest is not None,
                index.entry(row.id).full is not None,
            )
            for path, row in index.known_under("/").items()
        }


def test_only_files_with_a_same_size_partner_are_digested(tmp_path: Path, db: str) -> None:
    """Digests are only for files whose size is on the other side; a byte copy of a decoded
    library picture is identical without being decoded; a copy added later still is found."""
    _library(tmp_path)
    masters = tmp_path / "Masters/2009"
    backup = tmp_path / "Backup"
    backup.mkdir()
    shutil.copy(masters / "IMG_0000.jpg", backup / "copy0.jpg")
    write(backup / "new.jpg", scene(500), 90)
    args = {"haystack": [str(tmp_path / "Masters")], "needles": [str(backup)], "db": db}

    first = Phases()
    assert _statuses(reconcile(**args, progress=first)) == {
        "copy0.jpg": Status.IDENTICAL,
        "new.jpg": Status.MISSING,
    }
    stored = _stored(db)
    assert stored["IMG_0000.jpg"] == (True, True)
    assert stored["IMG_0001.jpg"] == (False, True)  # no needle of its size: never digested
    assert stored["copy0.jpg"] == (True, False)  # a byte copy: digested, not decoded
    assert stored["new.jpg"] == (False, True)

    # A copy of an unchanged library file arrives: that file is digested now, not decoded.
    shutil.copy(masters / "IMG_0001.jpg", backup / "copy1.jpg")
    second = Phases()
    report = reconcile(**args, progress=second)
    assert second.totals["Indexing haystack"] == 1
    assert _statuses(report)["copy1.jpg"] == Status.IDENTICAL
    assert _stored(db)["IMG_0001.jpg"] == (True, True)


def test_a_byte_copy_is_decoded_once_its_library_twin_is_gone(tmp_path: Path, db: str) -> None:
    """A needle stored undecoded as a byte copy is fingerprinted when its twin disappears, so
    that it can still match a re-encoded library picture, or be reported missing."""
    photos = _library(tmp_path)
    masters = tmp_path / "Masters/2009"
    backup = tmp_path / "Backup"
    backup.mkdir()
    shutil.copy(masters / "IMG_0004.jpg", backup / "copy4.jpg")
    shutil.copy(masters / "IMG_0005.jpg", backup / "copy5.jpg")
    args = {"haystack": [str(tmp_path / "Masters")], "needles": [str(backup)], "db": db}
    assert set(_statuses(reconcile(**args)).values()) == {Status.IDENTICAL}

    write(masters / "IMG_0004.jpg", photos[4], 70)  # re-encoded in place: other bytes
    (masters / "IMG_0005.jpg").unlink()
    phases = Phases()
    assert _statuses(reconcile(**args, progress=phases)) == {
        "copy4.jpg": Status.SAME,
        "copy5.jpg": Status.MISSING,
    }
    assert phases.totals["Fingerprinting needles"] == 2
    assert _stored(db)["copy4.jpg"] == (False, True)


def test_a_letterboxed_photo_with_a_border_of_its_own_is_found(tmp_path: Path, db: str) -> None:
    """A scan of a facade with a black edge of its own, letterboxed for a screen: both
    pictures have a border, of other widths, and only their trimmed views match (fine
    detail moved by the scan's edge decorrelates the others): `similar`, never missing."""
    rng = np.random.default_rng(110)
    photo = cv2.resize(scene(110, 120, 160), (640, 480)).astype(np.float32)
    y, x = np.mgrid[0:480, 0:640]
    photo[((x % 9) < 5) & ((y % 12) < 7)] *= 0.35  # rows of windows
    photo = np.clip(photo + rng.normal(0, 3, photo.shape), 0, 255).astype(np.uint8)
    photo[:30] = 0  # the scanner's black edge
    photo[:, :16] = 0
    write(tmp_path / "Masters/scan.jpg", photo, 92)
    boxed = cv2.copyMakeBorder(photo, 60, 60, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    write(tmp_path / "Backup/scan for tv.jpg", boxed, 90)
    masters, backup = str(tmp_path / "Masters"), str(tmp_path / "Backup")
    report = reconcile(haystack=[masters], needles=[backup], db=db)
    assert _statuses(report) == {"scan for tv.jpg": Status.SIMILAR}
