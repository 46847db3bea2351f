"""What the library really holds, by its own catalogue: Photos (10.15, 11+, 26), Photos 2-4,
iPhoto 9 and iPhoto 8 and earlier libraries built with their real catalogue tables
(tests/libraries.py), as haystack and as needles, through the CLI's JSON report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import resized, run_cli, scene, write
from libraries import Photo, albumdata_library, photos_library, rk_library, write_export

from reconcile.match import reasons

TULIPS, PUMPKINS, WEDDING, LAKE, GARDEN, BRIDGE = (scene(seed, 480, 640) for seed in range(80, 86))


def _run(tmp_path: Path, hay: Path, needles: Path, *extra: str) -> tuple[int, dict, str]:
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format", "json",
        "--db", str(tmp_path / "i.sqlite"), *extra,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _items(report: dict) -> dict[str, tuple[str, str | None, str | None]]:
    """path -> (status, the library's name of the match, reason)."""
    return {i["path"]: (i["status"], i["match_name"], i["reason"]) for i in report["images"]}


def _edit(rgb: object) -> object:
    """What an edit in Photos makes: brighter and cropped a little."""
    import numpy as np

    edited = np.clip(rgb.astype(np.int16) + 25, 0, 255).astype(np.uint8)  # type: ignore[attr-defined]
    return edited[20:-20, 30:-30]


def _photos_library(bundle: Path, schema: str, outside: Path) -> list[Photo]:
    photos = [
        Photo("Tulips.jpg", TULIPS, edit=_edit(TULIPS)),
        Photo("Pumpkins.jpg", PUMPKINS),
        Photo("wedding.jpg", WEDDING, trashed=True),
        Photo("Lake.jpg", None),  # "Optimize Mac Storage": only in iCloud
        Photo("Garden.jpg", GARDEN, referenced=outside / "Pictures/Garden.jpg"),
    ]
    photos_library(bundle, photos, schema=schema)
    return photos


def _backup(needles: Path) -> None:
    write_export(needles / "export/Tulips.jpg", TULIPS)
    write_export(needles / "export/Tulips edited.jpg", _edit(TULIPS))  # type: ignore[arg-type]
    write_export(needles / "export/wedding.jpg", WEDDING)
    write_export(needles / "export/Lake.jpg", LAKE)
    write_export(needles / "export/Garden.jpg", GARDEN)


@pytest.mark.parametrize("schema", ["photos-10.15", "photos-14.6", "photos-26.1"])
def test_a_photos_library_counts_what_its_catalogue_keeps(tmp_path: Path, schema: str) -> None:
    """A Photos library as haystack: an export of a kept photo is `same` and named as Photos
    names it; the export of an edit is `same` to the library's render; a copy of a photo in
    Recently Deleted is only `similar` (the run exits 1); a referenced original is read where
    it is; a photo only in iCloud is counted and named, its copy compared with nothing."""
    hay = tmp_path / "Pictures/Photos Library.photoslibrary"
    _photos_library(hay, schema, tmp_path / "elsewhere")
    needles = tmp_path / "Backup"
    _backup(needles)
    code, report, _ = _run(tmp_path, hay, needles)
    items = _items(report)
    assert items["export/Tulips.jpg"][:2] == ("same", "Tulips.jpg"), report["warnings"]
    assert items["export/Tulips edited.jpg"][:2] == ("same", "Tulips (edited).jpeg")
    assert items["export/wedding.jpg"] == (
        "similar",
        "wedding.jpg",
        "in the library only in its trash (Recently Deleted)",
    )
    assert items["export/Garden.jpg"][:2] == ("same", "Garden.jpg")
    assert items["export/Lake.jpg"] == ("missing", None, reasons.NOTHING_CLOSE)
    assert code == 1
    (library,) = report["libraries"]
    assert library == {
        "path": str(hay), "side": "haystack", "layout": "Photos 5 or later", "catalogue": True,
        "photos": 5, "trashed": 1, "not_on_disk": 1, "not_on_disk_names": ["Lake.jpg"],
        "uncatalogued": 0, "outside": 0,
    }  # fmt: skip
    assert any("1 photos of the library are not on this disk" in w and "Lake.jpg" in w
               for w in report["warnings"])  # fmt: skip


def test_a_haystack_inside_a_bundle_reads_its_catalogue(tmp_path: Path) -> None:
    """`--haystack .../Photos Library.photoslibrary/originals` reads the bundle's catalogue
    too, and says so: the trashed photo's copy is still only `similar`."""
    hay = tmp_path / "Photos Library.photoslibrary"
    _photos_library(hay, "photos-10.15", tmp_path / "elsewhere")
    needles = tmp_path / "Backup"
    _backup(needles)
    code, report, _ = _run(tmp_path, hay / "originals", needles)
    items = _items(report)
    assert items["export/wedding.jpg"][0] == "similar"
    assert items["export/Tulips.jpg"][:2] == ("same", "Tulips.jpg"), report["warnings"]
    assert code == 1
    assert any("lies inside it: its catalogue is read too" in w for w in report["warnings"])


@pytest.mark.parametrize("schema", ["iphoto-9.6", "photos-4"])
@pytest.mark.parametrize("inner", ["", "Masters"])
def test_an_iphoto_library_counts_what_its_catalogue_keeps(
    tmp_path: Path, schema: str, inner: str
) -> None:
    """An iPhoto 9 (or Photos 2-4) library as haystack, given as its bundle or as its
    Masters folder the way the README's first example does: a backup copy of a master in the
    library's Trash is `similar`, never `same`, and the run exits 1; an export of a kept photo
    is `same` with iPhoto's name; the export of an edit matches the library's render."""
    hay = tmp_path / "iPhoto Library.photolibrary"
    rk_library(hay, [
        Photo("Tulips.jpg", TULIPS, edit=_edit(TULIPS)),
        Photo("Pumpkins4.jpg", PUMPKINS, trashed=True),
        Photo("IMG_4547.jpg", BRIDGE),
    ], schema=schema)  # fmt: skip
    needles = tmp_path / "Backup/Card dump"
    write(needles / "DSC_0001.jpg", PUMPKINS, 90)
    write_export(needles / "Tulips.jpg", TULIPS)
    write_export(needles / "IMG_4547 small.jpg", BRIDGE)
    code, report, _ = _run(tmp_path, hay / inner if inner else hay, needles)
    items = _items(report)
    assert items["DSC_0001.jpg"] == (
        "similar",
        "Pumpkins4.jpg",
        "in the library only in its trash (its Trash)",
    )
    assert items["Tulips.jpg"][:2] == ("same", "Tulips.jpg"), report["warnings"]
    assert items["IMG_4547 small.jpg"][:2] == ("same", "IMG_4547.jpg")
    assert code == 1


def test_an_old_library_as_needles_lists_only_its_kept_photos_the_new_one_lacks(
    tmp_path: Path,
) -> None:
    """An old iPhoto library on a backup drive against a new Photos library: the photos the
    new one lacks are listed (the library counts as one folder), its trashed photos are not
    asked for (status `trashed`, counted apart, listed by `--only trashed`), its thumbnails
    and previews are never items, and --copy-to names the copies as iPhoto named them."""
    hay = tmp_path / "Photos Library.photoslibrary"
    photos_library(hay, [Photo("Tulips.jpg", TULIPS), Photo("Pumpkins.jpg", PUMPKINS)])
    old = tmp_path / "Backup drive/Old iPhoto Library.photolibrary"
    rk_library(old, [
        Photo("Tulips.jpg", TULIPS),
        Photo("Garden.jpg", GARDEN),
        Photo("Lake.jpg", LAKE, trashed=True),
    ])  # fmt: skip
    needles = tmp_path / "Backup drive"
    code, report, _ = _run(tmp_path, hay, needles)
    statuses = {i["path"]: (i["status"], i["name"]) for i in report["images"]}
    masters = "Old iPhoto Library.photolibrary/Masters/2023/09/27/20230927-064307"
    assert statuses == {
        f"{masters}/Tulips.jpg": ("identical", "Tulips.jpg"),
        f"{masters}/Garden.jpg": ("missing", "Garden.jpg"),
        f"{masters}/Lake.jpg": ("trashed", "Lake.jpg"),
    }
    assert code == 1
    assert report["summary"]["trashed"] == 1
    (folder,) = report["directories"]
    assert (folder["path"], folder["status"], folder["images"]) == (
        "Old iPhoto Library.photolibrary",
        "partial",
        3,
    )
    paths = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format",
                    "paths", "--db", str(tmp_path / "i.sqlite"))  # fmt: skip
    assert paths.stdout == f"{needles}/{masters}/Garden.jpg\n"
    trashed = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format",
                      "paths", "--only", "trashed", "--db", str(tmp_path / "i.sqlite"))  # fmt: skip
    assert trashed.stdout == f"{needles}/{masters}/Lake.jpg\n"
    out = tmp_path / "to import"
    run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--copy-to", str(out),
            "--db", str(tmp_path / "i.sqlite"))  # fmt: skip
    copied = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert copied == ["Backup drive/Old iPhoto Library/Garden.jpg"]


def test_a_photos_library_as_needles_names_its_files_and_skips_its_trash(tmp_path: Path) -> None:
    """An old Photos library as needles: items named as Photos names them (`originals/X/
    <UUID>.jpeg` is "Garden.jpg"), a photo only in iCloud listed as unreadable with why,
    previews never items, and the rendered edit of a photo asked for like its original."""
    hay = tmp_path / "Masters"
    write(hay / "Tulips.jpg", TULIPS, 80)
    old = tmp_path / "Old drive/Photos Library.photoslibrary"
    photos = [
        Photo("Tulips.jpg", TULIPS, edit=_edit(TULIPS)),
        Photo("Garden.jpg", GARDEN),
        Photo("Lake.jpg", None),
        Photo("wedding.jpg", WEDDING, trashed=True),
    ]
    photos_library(old, photos, schema="photos-14.6")
    code, report, _ = _run(tmp_path, hay, tmp_path / "Old drive")
    by_name = {i["name"]: (i["status"], i["reason"]) for i in report["images"]}
    assert set(by_name) == {"Tulips.jpg", "Tulips (edited).jpeg", "Garden.jpg", "Lake.jpg",
                            "wedding.jpg"}  # fmt: skip
    assert by_name["Tulips.jpg"][0] == "same"
    assert by_name["Tulips (edited).jpeg"][0] == "similar"  # the library holds no edit of it
    assert by_name["Garden.jpg"] == ("missing", reasons.NOTHING_CLOSE)
    assert by_name["Lake.jpg"] == (
        "unreadable",
        "not on this disk (only in iCloud (Optimize Mac Storage)?)",
    )
    assert by_name["wedding.jpg"] == ("trashed", reasons.OLD_TRASH)
    assert code == 1
    assert not any("derivatives" in i["path"] for i in report["images"])


@pytest.mark.parametrize("iphoto5", [False, True], ids=["iPhoto 6-8", "iPhoto 5"])
def test_older_iphoto_layouts_are_read_at_their_originals(tmp_path: Path, iphoto5: bool) -> None:
    """iPhoto 6-8 (`Originals/`, `Modified/`, `Data/`) and iPhoto 5 (`YYYY/MM/DD/`, with
    `Originals/` and `Thumbs/` inside): as needles, every original and edit is an item, no
    thumbnail is, and a photo in the Trash album is not asked for; as haystack, a copy of the
    trashed photo is `similar`."""
    library = tmp_path / "Old/iPhoto Library"
    albumdata_library(library, [
        Photo("IMG_0001.JPG", TULIPS, edit=_edit(TULIPS)),
        Photo("IMG_0002.JPG", GARDEN),
        Photo("IMG_0003.JPG", LAKE, trashed=True),
    ], iphoto5=iphoto5)  # fmt: skip
    empty = tmp_path / "New library"
    empty.mkdir()
    _, report, _ = _run(tmp_path, empty, tmp_path / "Old")
    statuses = sorted((i["name"], i["status"]) for i in report["images"])
    assert statuses == [
        ("IMG_0001 (edited).JPG", "missing"),
        ("IMG_0001.JPG", "missing"),
        ("IMG_0002.JPG", "missing"),
        ("IMG_0003.JPG", "trashed"),
    ]
    backup = tmp_path / "Backup"
    write(backup / "IMG_0003.JPG", LAKE, 88)
    write(backup / "IMG_0002.JPG", resized(GARDEN, 0.5), 88)
    code, report, _ = _run(tmp_path, library, backup)
    items = _items(report)
    assert items["IMG_0003.JPG"] == (
        "similar",
        "IMG_0003.JPG",
        "in the library only in its trash (its Trash)",
    )
    assert items["IMG_0002.JPG"][:2] == ("same", "IMG_0002.JPG")
    assert code == 1


def test_a_bundle_copied_without_its_extension_is_read_as_a_library(tmp_path: Path) -> None:
    """`Photos Library` (the .photoslibrary lost on the way) is known by its database: its
    previews and renders are not backup items, and its folder is the library."""
    old = tmp_path / "Backup/Photos Library"
    photos_library(old, [Photo("Garden.jpg", GARDEN), Photo("Lake.jpg", LAKE)])
    hay = tmp_path / "Masters"
    write(hay / "a.jpg", TULIPS, 90)
    _, report, _ = _run(tmp_path, hay, tmp_path / "Backup")
    assert sorted(i["name"] for i in report["images"]) == ["Garden.jpg", "Lake.jpg"]
    assert [d["path"] for d in report["directories"]] == ["Photos Library"]


def test_files_the_catalogue_does_not_list_are_never_trusted(tmp_path: Path) -> None:
    """A file in originals/ that the catalogue does not list (left over, or removed from the
    library) is compared, with a warning, but a backup copy of it is only `similar`."""
    hay = tmp_path / "Photos Library.photoslibrary"
    photos_library(hay, [Photo("Tulips.jpg", TULIPS)])
    write(hay / "originals/F/F12384F6-CD17-4151-ACBA-AE0E36FFFFFF.jpeg", BRIDGE, 92)
    needles = tmp_path / "Backup"
    write(needles / "bridge.jpg", BRIDGE, 92)
    code, report, _ = _run(tmp_path, hay, needles)
    assert _items(report)["bridge.jpg"][0::2] == ("similar", reasons.UNCATALOGUED)
    assert code == 1
    assert report["libraries"][0]["uncatalogued"] == 1
    assert any("not in its catalogue" in w for w in report["warnings"])


def test_a_damaged_catalogue_is_a_warning_and_its_files_decide(tmp_path: Path) -> None:
    """A Photos.sqlite that is not a database: one warning, and the files of originals/
    decide as in a plain folder; nothing crashes."""
    hay = tmp_path / "Photos Library.photoslibrary"
    photos_library(hay, [Photo("Tulips.jpg", TULIPS)])
    (hay / "database/Photos.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    needles = tmp_path / "Backup"
    (needles).mkdir()
    original = next((hay / "originals").rglob("*.jpg"))
    shutil.copy(original, needles / "tulips.jpg")
    code, report, _ = _run(tmp_path, hay, needles)
    assert _items(report)["tulips.jpg"][0] == "identical"
    assert code == 0
    assert any("its catalogue cannot be read" in w for w in report["warnings"])


def test_a_library_of_unknown_layout_is_never_nothing_to_import(tmp_path: Path) -> None:
    """A bundle named like a library holding nothing reconcile knows (no catalogue, no
    originals folder) is not read, and its folder is `unreadable`: exit 1, never 0."""
    needles = tmp_path / "Backup"
    write(needles / "Odd.photoslibrary/stuff/a.jpg", TULIPS, 90)
    hay = tmp_path / "Masters"
    write(hay / "a.jpg", TULIPS, 90)
    code, report, _ = _run(tmp_path, hay, needles)
    assert report["images"] == []
    (folder,) = report["directories"]
    assert (folder["path"], folder["status"]) == ("Odd.photoslibrary", "unreadable")
    assert "layout reconcile does not know" in folder["reason"]
    assert code == 1


def test_a_catalogue_is_read_without_writing_anything_even_when_open_in_photos(
    tmp_path: Path,
) -> None:
    """A catalogue whose recent changes are only in its write-ahead log (Photos open on it)
    is read with them (the trashed photo is seen as trashed), and nothing in the library is
    written: no file added, none changed."""
    hay = tmp_path / "Photos Library.photoslibrary"
    photos_library(hay, [Photo("Tulips.jpg", TULIPS), Photo("wedding.jpg", WEDDING,
                                                             trashed=True)], wal=True)  # fmt: skip
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in hay.rglob("*")}
    assert (hay / "database/Photos.sqlite-wal").stat().st_size > 0
    needles = tmp_path / "Backup"
    write(needles / "wedding.jpg", WEDDING, 92)
    code, report, _ = _run(tmp_path, hay, needles)
    assert (_items(report)["wedding.jpg"][0], code) == ("similar", 1)
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in hay.rglob("*")} == before
