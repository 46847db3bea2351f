"""--quick: library JPEGs indexed from their EXIF thumbnails, never trusted without a full look."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
from camera import camera_jpeg, with_exif_thumbnail
from conftest import Phases, Recording, encode, resized, run_cli, scene, verified, write
from PIL import Image

from reconcile import Report, Status, reconcile
from reconcile.store.index import Index


def _statuses(report: Report) -> dict[str, Status]:
    return {image.path: image.status for image in report.items}


def _quick_rows(db: str) -> dict[str, bool]:
    """Per indexed file name: whether its prints come from its EXIF thumbnail."""
    with Index(db) as index:
        known = index.known_under("/")
    return {os.path.basename(os.fsdecode(path)): row.quick for path, row in known.items()}


def _library(root: Path, count: int = 4) -> list[np.ndarray]:
    photos = [scene(seed, 480, 640) for seed in range(700, 700 + count)]
    root.mkdir(parents=True)
    for number, photo in enumerate(photos):
        (root / f"IMG_{number}.jpg").write_bytes(camera_jpeg(photo))
    return photos


def test_quick_indexes_from_thumbnails_and_confirms_what_matches(tmp_path: Path, db: str) -> None:
    """Only the library file a needle may match is decoded in full; the answers are those of
    a full run."""
    photos = _library(tmp_path / "lib")
    write(tmp_path / "backup/export.jpg", resized(photos[1], 0.5), 80)
    write(tmp_path / "backup/new.jpg", scene(800), 90)
    phases = Phases()
    args = {"haystack": [str(tmp_path / "lib")], "needles": [str(tmp_path / "backup")]}
    report = reconcile(**args, db=db, quick=True, progress=phases)

    assert _statuses(report) == {"export.jpg": Status.SAME, "new.jpg": Status.MISSING}
    assert phases.totals["Confirming candidates"] == 1
    quick = _quick_rows(db)
    assert quick["IMG_1.jpg"] is False  # confirmed: fingerprinted in full
    assert [quick[f"IMG_{n}.jpg"] for n in (0, 2, 3)] == [True, True, True]
    full = reconcile(**args, db=str(tmp_path / "full.sqlite"))
    assert _statuses(full) == _statuses(report)


def test_a_stale_thumbnail_never_makes_a_match(tmp_path: Path, db: str) -> None:
    """An editor that rewrote the pixels but kept the old EXIF thumbnail: the thumbnail looks
    like the needle, the picture does not, and the needle stays missing."""
    original, edited = scene(900, 480, 640), scene(901, 480, 640)
    small = io.BytesIO()
    Image.fromarray(resized(original, 0.25)).save(small, "JPEG", quality=85)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "edited.jpg").write_bytes(with_exif_thumbnail(encode(edited), small.getvalue()))
    write(tmp_path / "backup/original.jpg", original, 85)
    report = reconcile(haystack=[str(lib)], needles=[str(tmp_path / "backup")], db=db, quick=True)
    assert _statuses(report) == {"original.jpg": Status.MISSING}
    assert _quick_rows(db)["edited.jpg"] is False  # it was a candidate, so it was checked


def test_a_truncated_library_file_with_a_good_thumbnail_matches_nothing(
    tmp_path: Path, db: str
) -> None:
    """The head (and thumbnail) of a cut file are intact; the picture is not. A re-encoded
    copy of it is missing, and a byte copy of it is unreadable, never identical."""
    photo = scene(950, 480, 640)
    whole = camera_jpeg(photo)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "cut.jpg").write_bytes(whole[: len(whole) * 6 // 10])
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup/same-bytes.jpg").write_bytes(whole[: len(whole) * 6 // 10])
    write(tmp_path / "backup/reencoded.jpg", photo, 80)
    report = reconcile(haystack=[str(lib)], needles=[str(tmp_path / "backup")], db=db, quick=True)
    assert _statuses(report) == {
        "same-bytes.jpg": Status.UNREADABLE,
        "reencoded.jpg": Status.MISSING,
    }


def test_a_full_run_after_a_quick_one_fingerprints_the_thumbnails_again(
    tmp_path: Path, db: str
) -> None:
    """Quick prints are only reused by quick runs; files without a usable thumbnail (none,
    or one of another shape) are decoded in full even by a quick run."""
    _library(tmp_path / "lib", count=3)
    write(tmp_path / "lib/plain.jpg", scene(960), 90)  # no EXIF thumbnail
    letterboxed = io.BytesIO()
    Image.fromarray(np.zeros((120, 160, 3), np.uint8)).save(letterboxed, "JPEG")
    wide = encode(scene(961, 400, 900))
    (tmp_path / "lib/wide.jpg").write_bytes(with_exif_thumbnail(wide, letterboxed.getvalue()))
    write(tmp_path / "backup/new.jpg", scene(962), 90)
    args = {"haystack": [str(tmp_path / "lib")], "needles": [str(tmp_path / "backup")], "db": db}

    reconcile(**args, quick=True)
    quick = _quick_rows(db)
    assert (quick["IMG_0.jpg"], quick["plain.jpg"], quick["wide.jpg"]) == (True, False, False)
    again, full = Phases(), Phases()
    reconcile(**args, quick=True, progress=again)
    reconcile(**args, progress=full)
    assert again.totals["Indexing haystack"] == 0
    assert full.totals["Indexing haystack"] == 3  # the three quick prints
    assert not any(_quick_rows(db).values())


def test_the_cli_takes_quick(tmp_path: Path) -> None:
    """`--quick` through the command line gives the full run's answers."""
    photos = _library(tmp_path / "lib")
    write(tmp_path / "backup/copy.jpg", photos[2], 75)
    write(tmp_path / "backup/new.jpg", scene(970), 90)
    done = run_cli(
        tmp_path, "--haystack", str(tmp_path / "lib"), "--needles", str(tmp_path / "backup"),
        "--quick", "--format", "json", "--quiet",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    statuses = {image["path"]: image["status"] for image in json.loads(done.stdout)["images"]}
    assert statuses == {"copy.jpg": "same", "new.jpg": "missing"}


def test_a_byte_copy_is_identical_when_one_library_twin_is_only_a_thumbnail(
    tmp_path: Path, db: str
) -> None:
    """Two library files with the same bytes, one decoded and one only quick-indexed: a
    backup copy of them is identical, not `unreadable: not decoded`."""
    data = camera_jpeg(scene(980, 480, 640))
    quick_root, full_root = tmp_path / "a_quick", tmp_path / "b_full"
    for root in (quick_root, full_root):
        root.mkdir()
        (root / "IMG.jpg").write_bytes(data)
    (tmp_path / "backup").mkdir()
    write(tmp_path / "backup/other.jpg", scene(981), 90)
    backup = str(tmp_path / "backup")
    reconcile(haystack=[str(quick_root)], needles=[backup], db=db, quick=True)
    reconcile(haystack=[str(full_root)], needles=[backup], db=db)
    with Index(db) as index:
        rows = {path: row.quick for path, row in index.known_under("/").items()}
    rows.pop(os.fsencode(tmp_path / "backup/other.jpg"))
    assert rows == {
        os.fsencode(quick_root / "IMG.jpg"): True,
        os.fsencode(full_root / "IMG.jpg"): False,
    }

    (tmp_path / "backup/copy.jpg").write_bytes(data)
    report = reconcile(
        haystack=[str(quick_root), str(full_root)], needles=[backup], db=db, quick=True
    )
    assert _statuses(report) == {"copy.jpg": Status.IDENTICAL, "other.jpg": Status.MISSING}


def test_a_byte_copy_of_a_thumbnail_indexed_file_needs_no_confirmation(
    tmp_path: Path, db: str
) -> None:
    """The needle decodes, so its twin's equal bytes do too: identical, with no full look at
    the library file."""
    _library(tmp_path / "lib")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup/copy.jpg").write_bytes((tmp_path / "lib/IMG_3.jpg").read_bytes())
    phases = Phases()
    report = reconcile(
        haystack=[str(tmp_path / "lib")],
        needles=[str(tmp_path / "backup")],
        db=db,
        quick=True,
        progress=phases,
    )
    assert _statuses(report) == {"copy.jpg": Status.IDENTICAL}
    assert "Confirming candidates" not in phases.totals
    assert _quick_rows(db)["IMG_3.jpg"] is True


def _heic(rgb: np.ndarray, thumbnail: int | None) -> bytes:
    """An HEIC as iPhones write them: a grid of 512 px tiles (the last row and column cut
    to the picture), with an embedded thumbnail of `thumbnail` px (long side), or none."""
    import pillow_heif

    out = io.BytesIO()
    heif = pillow_heif.from_pillow(Image.fromarray(rgb))
    heif.save(out, quality=70, thumbnails=[thumbnail] if thumbnail else [], tile_size=512)
    return out.getvalue()


def test_quick_indexes_heics_from_their_embedded_thumbnails(tmp_path: Path, db: str) -> None:
    """A phone library: HEICs with a 320 px thumbnail are indexed from it (no tile decoded),
    the one a backup photo may match is confirmed in full; one without a thumbnail, or with
    one too small to stand in, is decoded. The answers are those of a full run."""
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [scene(seed, 600, 800) for seed in range(720, 724)]
    for number, photo in enumerate(photos[:3]):
        (lib / f"IMG_{number}.HEIC").write_bytes(_heic(photo, 320))
    (lib / "IMG_3.HEIC").write_bytes(_heic(photos[3], 160))
    (lib / "IMG_4.HEIC").write_bytes(_heic(scene(730, 600, 800), None))
    write(tmp_path / "backup/IMG_1.JPG", resized(photos[1], 0.5), 85)  # the phone's export
    write(tmp_path / "backup/new.jpg", scene(801), 90)
    args = {"haystack": [str(lib)], "needles": [str(tmp_path / "backup")]}
    phases = Phases()
    report = reconcile(**args, db=db, quick=True, progress=phases)
    assert _statuses(report) == {"IMG_1.JPG": Status.SAME, "new.jpg": Status.MISSING}
    assert phases.totals["Confirming candidates"] == 1
    quick = _quick_rows(db)
    assert [quick[f"IMG_{n}.HEIC"] for n in range(5)] == [True, False, True, False, False]
    with Index(db) as index:
        sizes = {
            os.path.basename(e.path): (e.full.width, e.full.height)
            for e in index.entries(index.ids_for(str(p) for p in lib.iterdir()).values()).values()
            if e.full is not None
        }
    assert sizes["IMG_0.HEIC"] == (800, 600)  # the picture's size, not the thumbnail's
    full = reconcile(**args, db=str(tmp_path / "full.sqlite"))
    assert _statuses(full) == _statuses(report)


def test_a_default_run_indexes_library_heics_from_their_thumbnails_and_jpegs_in_full(
    tmp_path: Path, db: str
) -> None:
    """Without --quick, a library HEIC with a thumbnail of 256 px and more is indexed from it
    too (a 12 MP HEIC decodes at 13 times a JPEG's cost, and the thumbnail is the same
    picture), its candidate confirmed in full before it answers; a camera JPEG's EXIF
    thumbnail is left to --quick. A second run reads nothing again."""
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [scene(seed, 600, 800) for seed in range(760, 763)]
    for number, photo in enumerate(photos):
        (lib / f"IMG_{number}.HEIC").write_bytes(_heic(photo, 320))
    camera = scene(763, 480, 640)
    (lib / "DSC_0001.jpg").write_bytes(camera_jpeg(camera))
    write(tmp_path / "backup/IMG_1.JPG", resized(photos[1], 0.5), 85)  # the phone's export
    write(tmp_path / "backup/DSC_0001 small.jpg", resized(camera, 0.5), 85)
    write(tmp_path / "backup/new.jpg", scene(803), 90)
    args = {"haystack": [str(lib)], "needles": [str(tmp_path / "backup")]}
    phases = Phases()
    report = reconcile(**args, db=db, progress=phases)
    assert _statuses(report) == {
        "IMG_1.JPG": Status.SAME,
        "DSC_0001 small.jpg": Status.SAME,
        "new.jpg": Status.MISSING,
    }
    assert phases.totals["Confirming candidates"] == 1
    quick = _quick_rows(db)
    assert [quick[f"IMG_{n}.HEIC"] for n in range(3)] == [True, False, True]
    assert quick["DSC_0001.jpg"] is False
    recording = Recording()
    try:
        again = reconcile(**args, db=db, analyser=recording)
    finally:
        recording.close()
    assert _statuses(again) == _statuses(report)
    assert recording.tasks == []


def test_a_confirmed_heic_is_decoded_once_for_its_prints_and_its_fine_look(
    tmp_path: Path, db: str
) -> None:
    """libheif has no reduced decode: the picture decoded to confirm a HEIC candidate is the
    one a fine look would decode again, so the confirmation hands it back and only the
    backup's JPEG is decoded for the look, beside the confirmation (not after it, when the
    HEIC's decode has left a core idle). The answers are those of a full run."""
    lib = tmp_path / "lib"
    lib.mkdir()
    photos = [scene(seed, 600, 800) for seed in range(740, 743)]
    for number, photo in enumerate(photos):
        (lib / f"IMG_{number}.HEIC").write_bytes(_heic(photo, 320))
    write(tmp_path / "backup/IMG_1.JPG", resized(photos[1], 0.5), 85)  # the phone's export
    write(tmp_path / "backup/new.jpg", scene(802), 90)
    recording = Recording()
    try:
        report = reconcile(haystack=[str(lib)], needles=[str(tmp_path / "backup")], db=db,
                           quick=True, analyser=recording)  # fmt: skip
    finally:
        recording.close()
    (export,) = (item for item in report.items if item.path == "IMG_1.JPG")
    said = "re-encoded at lower size (400x300; the library's is 800x600)"
    assert (export.status, export.reason) == (Status.SAME, verified(said, 400, 300))
    tasks = [(Path(t.path).name, t.quick, t.look, t.looks_too) for t in recording.tasks]
    assert sorted(task for task in tasks if task[0] == "IMG_1.HEIC") == [
        ("IMG_1.HEIC", False, None, (400,)),  # confirmed, and its picture for the look kept
        ("IMG_1.HEIC", True, None, ()),
    ]
    assert [name for name, _, look, _ in tasks if look] == ["IMG_1.JPG"]
    (confirming,) = (batch for batch in recording.batches
                     if any(t.looks_too for t in batch))  # fmt: skip
    assert [(Path(t.path).name, t.look) for t in confirming] == [
        ("IMG_1.HEIC", None),
        ("IMG_1.JPG", 400),
    ]
    full = reconcile(haystack=[str(lib)], needles=[str(tmp_path / "backup")],
                     db=str(tmp_path / "full.sqlite"))  # fmt: skip
    assert _statuses(full) == _statuses(report)
