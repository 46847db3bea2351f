""" "Nothing to import" only when every file was really seen: a library file replaced under
the same size and mtime, bit rot, a library that links into the backup, a backup folder that
cannot be read, files reconcile cannot judge, RAW files of every camera. Each through the CLI
(exit status and JSON report), with real files and a real index."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, cli_env, encode, run_cli, scene, write

from reconcile.match import reasons

PHOTOS = [scene(seed, 360, 480) for seed in range(700, 704)]


def _run(tmp_path: Path, hay: Path, needles: Path, *extra: str, db: str = "i.sqlite"):  # type: ignore[no-untyped-def]
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format", "json",
        "--db", str(tmp_path / db), *extra,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def _statuses(report: dict) -> dict[str, tuple[str, str | None]]:
    return {i["path"]: (i["status"], i["reason"]) for i in report["images"]}


def _same_size_jpegs(a: np.ndarray, b: np.ndarray) -> tuple[bytes, bytes]:
    """Two JPEGs of two pictures, made exactly the same size (a comment segment pads the
    smaller): what a restore or a sync tool can leave under one name."""
    first, second = encode(a, ".jpg", 90), encode(b, ".jpg", 90)
    if 0 < abs(len(first) - len(second)) < 4:  # a comment segment is at least 4 bytes
        first = _commented(first, 8) if len(first) > len(second) else first
        second = _commented(second, 8) if len(second) >= len(first) else second
    if len(first) < len(second):
        first = _commented(first, len(second) - len(first))
    elif len(second) < len(first):
        second = _commented(second, len(first) - len(second))
    assert len(first) == len(second)
    return first, second


def _commented(jpeg: bytes, extra: int) -> bytes:
    """The JPEG with a comment segment of `extra` bytes in all after its start marker."""
    if extra == 0:
        return jpeg
    assert extra >= 4
    return jpeg[:2] + b"\xff\xfe" + (extra - 2).to_bytes(2, "big") + b"x" * (extra - 4) + jpeg[2:]


@pytest.mark.parametrize("how", ["in place", "renamed over"])
def test_a_library_file_replaced_under_the_same_size_and_mtime_is_read_again(
    tmp_path: Path, how: str
) -> None:
    """A library photo replaced by another photo of the same size, its mtime put back (as
    `touch -r`, a restore tool or a sync program leave it): the next run with the same index
    sees the change (ctime or inode), and a backup copy of the old photo is no longer
    `identical` but `missing`, as a fresh index says."""
    old, new = _same_size_jpegs(PHOTOS[0], PHOTOS[1])
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    hay.mkdir()
    needles.mkdir()
    (hay / "IMG_1.jpg").write_bytes(old)
    (needles / "IMG_1.jpg").write_bytes(old)
    code, report = _run(tmp_path, hay, needles)
    assert (code, _statuses(report)["IMG_1.jpg"][0]) == (0, "identical")
    kept = (hay / "IMG_1.jpg").stat()
    if how == "in place":
        with open(hay / "IMG_1.jpg", "r+b") as handle:
            handle.write(new)
    else:
        (tmp_path / "new.jpg").write_bytes(new)
        os.replace(tmp_path / "new.jpg", hay / "IMG_1.jpg")
    os.utime(hay / "IMG_1.jpg", ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert (hay / "IMG_1.jpg").stat().st_size == kept.st_size
    code, report = _run(tmp_path, hay, needles)
    _, fresh = _run(tmp_path, hay, needles, db="fresh.sqlite")
    assert _statuses(report)["IMG_1.jpg"] == _statuses(fresh)["IMG_1.jpg"]
    assert _statuses(report)["IMG_1.jpg"][0] == "missing"
    assert code == 1


def test_bit_rot_that_keeps_the_mtime_is_seen(tmp_path: Path) -> None:
    """Two thirds of a library JPEG's bytes zeroed, the mtime kept: the next run reads it
    again, finds it damaged, and its backup copy is no longer `identical`."""
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "IMG_2.jpg", PHOTOS[2], 92)
    needles.mkdir()
    shutil.copy(hay / "IMG_2.jpg", needles / "IMG_2.jpg")
    assert _statuses(_run(tmp_path, hay, needles)[1])["IMG_2.jpg"][0] == "identical"
    kept = (hay / "IMG_2.jpg").stat()
    size = kept.st_size
    with open(hay / "IMG_2.jpg", "r+b") as handle:
        handle.seek(size // 3)
        handle.write(bytes(size - size // 3))
    os.utime(hay / "IMG_2.jpg", ns=(kept.st_atime_ns, kept.st_mtime_ns))
    code, report = _run(tmp_path, hay, needles)
    assert _statuses(report)["IMG_2.jpg"][0] != "identical"
    assert code == 1


def test_a_backup_file_replaced_under_the_same_size_and_mtime_is_read_again(
    tmp_path: Path,
) -> None:
    """The same on the backup side: a backup file that was `same` and is now another photo
    of the same size, mtime kept, is fingerprinted again and `missing`."""
    old, new = _same_size_jpegs(PHOTOS[0], PHOTOS[3])
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "IMG_0.jpg", PHOTOS[0], 80)
    needles.mkdir()
    (needles / "copy.jpg").write_bytes(old)
    assert _statuses(_run(tmp_path, hay, needles)[1])["copy.jpg"][0] == "same"
    kept = (needles / "copy.jpg").stat()
    with open(needles / "copy.jpg", "r+b") as handle:
        handle.write(new)
    os.utime(needles / "copy.jpg", ns=(kept.st_atime_ns, kept.st_mtime_ns))
    code, report = _run(tmp_path, hay, needles)
    assert (code, _statuses(report)["copy.jpg"][0]) == (1, "missing")


def test_verify_finds_what_no_file_time_shows(tmp_path: Path) -> None:
    """Bytes changed in the middle of a file under the filesystem's nose (a failing disk: the
    size, mtime, inode and ctime all as indexed, the first and last blocks intact) pass a
    normal run; --verify re-digests every file and reads the damaged one again."""
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "IMG_3.jpg", PHOTOS[3], 92)
    needles.mkdir()
    shutil.copy(hay / "IMG_3.jpg", needles / "IMG_3.jpg")
    db = tmp_path / "i.sqlite"
    assert _statuses(_run(tmp_path, hay, needles)[1])["IMG_3.jpg"][0] == "identical"
    kept = (hay / "IMG_3.jpg").stat()
    with open(hay / "IMG_3.jpg", "r+b") as handle:
        handle.seek(kept.st_size // 2)
        handle.write(bytes(2000))
    os.utime(hay / "IMG_3.jpg", ns=(kept.st_atime_ns, kept.st_mtime_ns))
    # What the disk did is invisible to the filesystem: make the index agree with the stat.
    with sqlite3.connect(db) as index:
        index.execute(
            "UPDATE files SET ctime_ns = ? WHERE path = ?",
            ((hay / "IMG_3.jpg").stat().st_ctime_ns, os.fsencode(str(hay / "IMG_3.jpg"))),
        )
    assert _statuses(_run(tmp_path, hay, needles)[1])["IMG_3.jpg"][0] == "identical"
    code, report = _run(tmp_path, hay, needles, "--verify")
    assert _statuses(report)["IMG_3.jpg"][0] != "identical"
    assert code == 1


@pytest.mark.parametrize("link", ["symlinked file", "symlinked folder", "hard link"])
def test_a_library_that_links_into_the_backup_holds_no_copy(tmp_path: Path, link: str) -> None:
    """A library file that is a symlink into the backup (a file or a whole folder), or a hard
    link to a backup file, is no copy: the needle is `similar` ("the library's copy is this
    backup file (a link)"), exit 1, with a warning."""
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "other.jpg", PHOTOS[1], 90)
    write(needles / "card/IMG_5.jpg", PHOTOS[0], 90)
    if link == "symlinked file":
        (hay / "IMG_5.jpg").symlink_to(needles / "card/IMG_5.jpg")
    elif link == "symlinked folder":
        (hay / "imported").symlink_to(needles / "card")
    else:
        os.link(needles / "card/IMG_5.jpg", hay / "IMG_5.jpg")
    code, report = _run(tmp_path, hay, needles)
    assert _statuses(report)["card/IMG_5.jpg"] == ("similar", reasons.THIS_FILE_LINKED)
    assert code == 1
    assert any("is a link to the backup file" in w for w in report["warnings"])


def test_a_backup_folder_linking_into_the_library_is_the_librarys_file(tmp_path: Path) -> None:
    """The other way round: a backup folder that is a symlink to the library's holds the
    library's own files; deleting the backup deletes only the link, so they are `identical`."""
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "IMG_6.jpg", PHOTOS[2], 90)
    needles.mkdir()
    (needles / "library").symlink_to(hay)
    code, report = _run(tmp_path, hay, needles)
    assert (code, _statuses(report)["library/IMG_6.jpg"][0]) == (0, "identical")


_DROP_CAPS = ("-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search")


def test_a_backup_folder_that_cannot_be_read_is_never_nothing_to_import(tmp_path: Path) -> None:
    """A backup folder that cannot be listed (permission denied) was never seen: it is on the
    to-do list as `unreadable` with the reason, the summary counts it, and the run exits 1
    though every photo that was seen is in the library. As root, the run drops the
    capabilities that let it read anything (setpriv)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        prefix = ["setpriv", "--bounding-set", *_DROP_CAPS]
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "a.jpg", PHOTOS[0], 90)
    shutil.copy(hay / "a.jpg", tmp_path / "a.jpg")
    needles.mkdir()
    shutil.copy(hay / "a.jpg", needles / "a.jpg")
    write(needles / "closed/b.jpg", PHOTOS[1], 90)
    (needles / "closed").chmod(0)
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "reconcile", "--haystack", str(hay), "--needles",
             str(needles), "--format", "json", "--db", str(tmp_path / "i.sqlite")],
            capture_output=True, text=True, cwd=REPO, env=cli_env(tmp_path), timeout=120,
        )  # fmt: skip
    finally:
        (needles / "closed").chmod(0o755)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert _statuses(report) == {"a.jpg": ("identical", None)}
    (closed,) = [d for d in report["directories"] if d["path"] == "closed"]
    assert closed["status"] == "unreadable"
    assert closed["reason"] == "cannot list folder (Permission denied)"
    assert report["summary"]["unseen_folders"] == 1


def test_files_reconcile_cannot_judge_keep_their_folder_open(tmp_path: Path) -> None:
    """A folder of layered PSD edits (and a ZIP) beside photos the library holds is
    `unchecked`, on the to-do list, exit 1, every such file listed in JSON, CSV and paths;
    with --ignore-other it is `complete` and the run exits 0."""
    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "a.jpg", PHOTOS[0], 90)
    needles.mkdir()
    shutil.copy(hay / "a.jpg", needles / "a.jpg")
    (needles / "a.psd").write_bytes(b"8BPS\x00\x01" + bytes(200))
    (needles / "photos.zip").write_bytes(b"PK\x03\x04" + bytes(100))
    code, report = _run(tmp_path, hay, needles)
    assert code == 1
    assert [(d["path"], d["status"], d["other"]) for d in report["directories"]] == [
        (".", "unchecked", 2)
    ]
    assert {f["path"] for f in report["other_files"]} == {"a.psd", "photos.zip"}
    args = ["--haystack", str(hay), "--needles", str(needles), "--db", str(tmp_path / "i.sqlite")]
    csv = run_cli(tmp_path, *args, "--format", "csv").stdout
    assert f"{needles},a.psd,unchecked,,,,other,,," in csv.splitlines()
    paths = run_cli(tmp_path, *args, "--format", "paths").stdout.splitlines()
    assert sorted(paths) == [f"{needles}/a.psd", f"{needles}/photos.zip"]
    code, report = _run(tmp_path, hay, needles, "--ignore-other")
    assert code == 0
    assert [(d["path"], d["status"]) for d in report["directories"]] == [(".", "complete")]
    assert {f["status"] for f in report["other_files"]} == {"ignored"}


@pytest.mark.parametrize("name", ["DSC_0001.NRW", "IMG_0001.CRW", "0001.3FR", "C0001.IIQ",
                                  "DSC00001.SR2", "IMG.MEF", "IMG.KDC"])  # fmt: skip
def test_raw_files_of_every_camera_go_to_libraw_never_to_their_preview(
    tmp_path: Path, name: str
) -> None:
    """A camera RAW named as LibRaw knows it but holding only a TIFF preview of a library
    photo (what a RAW's readable part often is) is never judged by that preview: LibRaw
    cannot open it, so it is `unreadable`, not `same`."""
    from PIL import Image

    hay, needles = tmp_path / "Masters", tmp_path / "Backup"
    write(hay / "a.jpg", PHOTOS[0], 90)
    needles.mkdir()
    Image.fromarray(PHOTOS[0]).save(needles / name, "TIFF")
    code, report = _run(tmp_path, hay, needles)
    status, reason = _statuses(report)[name]
    assert status == "unreadable"
    assert reason is not None and "RAW" in reason
    assert code == 1
