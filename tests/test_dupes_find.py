"""The two other questions of one index, on real photographs with known answers: which files
of the library are copies of each other (`dupes`), and whether some photos are already in it
(`find`). Copies are byte copies, an export, a HEIC conversion; a burst of the same scene and
another photo are never grouped, never `same`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from conftest import REPO, SAMPLE, cli_env, resized, run_cli, write
from media import heic_bytes

import reconcile

CAT = SAMPLE / "haystack" / "2010" / "03" / "02" / "IMG_0310.jpg"  # a real photograph
ROCKET = SAMPLE / "haystack" / "2010" / "03" / "02" / "IMG_0311.jpg"
BURST = SAMPLE / "needles" / "Edits" / "IMG_0311 burst.jpg"  # the cat a moment later


def _rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library holding the cat four times (the original, a byte copy, an export at 3/4 of
    its size, a HEIC conversion), the cat's burst, and the rocket once."""
    lib = tmp_path / "Library"
    (lib / "2010").mkdir(parents=True)
    shutil.copy(CAT, lib / "2010" / "IMG_0310.jpg")
    shutil.copy(ROCKET, lib / "2010" / "IMG_0311.jpg")
    shutil.copy(BURST, lib / "2010" / "IMG_0312.jpg")
    (lib / "Imports").mkdir()
    shutil.copy(CAT, lib / "Imports" / "IMG_0310 copy.jpg")
    write(lib / "Imports" / "cat export.jpg", resized(_rgb(CAT), 0.75), quality=85)
    (lib / "Imports" / "IMG_0310.HEIC").write_bytes(heic_bytes(_rgb(CAT), quality=90))
    return lib


def _dupes(tmp_path: Path, library: Path, *extra: str) -> Any:
    return run_cli(
        tmp_path, "dupes", "--haystack", str(library), "--db", str(tmp_path / "i.sqlite"), *extra
    )


def test_dupes_finds_exactly_the_true_group_and_suggests_a_keep(
    tmp_path: Path, library: Path
) -> None:
    result = _dupes(tmp_path, library, "--format", "json")
    assert result.returncode == 1, result.stderr  # copies found
    found = json.loads(result.stdout)
    cat = {
        str(library / "2010" / "IMG_0310.jpg"), str(library / "Imports" / "IMG_0310 copy.jpg"),
        str(library / "Imports" / "cat export.jpg"), str(library / "Imports" / "IMG_0310.HEIC"),
    }  # fmt: skip
    assert [set(g["files"]) for g in found["groups"]] == [cat]
    group = found["groups"][0]
    assert group["status"] == "same"
    # Most pixels first (the export is smaller), then HEIC over JPEG.
    assert group["keep"] == str(library / "Imports" / "IMG_0310.HEIC")
    assert set(group["redundant"]) == cat - {group["keep"]}
    assert group["redundant_bytes"] == sum(Path(p).stat().st_size for p in group["redundant"])
    # The burst is another shot: at most a similar pair for review, never in a group.
    assert all(str(library / "2010" / "IMG_0312.jpg") not in g["files"] for g in found["groups"])
    assert found["summary"]["groups"] == 1 and found["summary"]["files"] == 6
    paths = _dupes(tmp_path, library, "--format", "paths").stdout.splitlines()
    assert set(paths) == set(group["redundant"]) and group["keep"] not in paths


def test_keep_in_folders_are_never_listed_as_copies(tmp_path: Path, library: Path) -> None:
    result = _dupes(tmp_path, library, "--format", "json", "--keep-in", str(library / "Imports"))
    group = json.loads(result.stdout)["groups"][0]
    assert all(not p.startswith(str(library / "Imports")) for p in group["redundant"])
    assert group["redundant"] == [str(library / "2010" / "IMG_0310.jpg")]
    assert group["keep"].startswith(str(library / "Imports"))


def test_byte_copies_alone_make_an_identical_group_and_a_hard_link_is_no_copy(
    tmp_path: Path,
) -> None:
    lib = tmp_path / "Library"
    lib.mkdir()
    shutil.copy(ROCKET, lib / "a.jpg")
    shutil.copy(ROCKET, lib / "b.jpg")
    (lib / "linked.jpg").hardlink_to(lib / "a.jpg")
    found = json.loads(_dupes(tmp_path, lib, "--format", "json").stdout)
    assert [g["status"] for g in found["groups"]] == ["identical"]
    # a.jpg and its hard link are one file on disk; each is a copy of b.jpg.
    assert len(found["groups"][0]["redundant"]) >= 1
    alone = tmp_path / "Alone"
    alone.mkdir()
    shutil.copy(ROCKET, alone / "a.jpg")
    (alone / "linked.jpg").hardlink_to(alone / "a.jpg")
    none = _dupes(tmp_path, alone)
    assert none.returncode == 0 and "No copies" in none.stdout


def test_find_answers_an_export_same_and_another_shot_not(tmp_path: Path, library: Path) -> None:
    db = str(tmp_path / "i.sqlite")
    export = tmp_path / "Downloads" / "cat from the web.jpg"
    write(export, resized(_rgb(CAT), 0.6), quality=80)
    args = ("--haystack", str(library), "--db", db, "--format", "json")
    found = run_cli(tmp_path, "find", str(export), *args)
    assert found.returncode == 0, found.stderr
    item = json.loads(found.stdout)["images"][0]
    assert item["status"] == "same"
    cat = {"IMG_0310.jpg", "IMG_0310 copy.jpg", "IMG_0310.HEIC", "cat export.jpg"}
    assert Path(item["match"]).name in cat
    with sqlite3.connect(db) as index:
        stored = {row[0] for row in index.execute("SELECT path FROM files")}
    assert str(export).encode() not in stored  # looked up, not added to the index
    assert len(stored) == 6
    other = tmp_path / "Downloads" / "burst.jpg"
    shutil.copy(BURST, other)
    assert run_cli(tmp_path, "find", str(other), *args).returncode == 0  # the library has it
    stranger = tmp_path / "Downloads" / "dog.jpg"
    write(stranger, resized(_rgb(SAMPLE / "haystack" / "2010" / "05" / "20" / "IMG_0520.jpg"),
                            0.8))  # fmt: skip
    both = run_cli(tmp_path, "find", str(export), str(stranger), *args)
    assert both.returncode == 1
    assert [i["status"] for i in json.loads(both.stdout)["images"]] == ["same", "missing"]
    # A burst of a photo the library lacks is not `same` to its neighbour.
    (library / "2010" / "IMG_0312.jpg").unlink()
    assert json.loads(run_cli(tmp_path, "find", str(other), *args).stdout)["images"][0][
        "status"
    ] not in ("identical", "same")


def test_find_reads_paths_from_stdin_and_is_a_library_call(tmp_path: Path, library: Path) -> None:
    export = tmp_path / "export.jpg"
    write(export, resized(_rgb(ROCKET), 0.5), quality=85)
    db = str(tmp_path / "i.sqlite")
    result = subprocess.run(
        [sys.executable, "-m", "reconcile", "find", "-", "--haystack", str(library), "--db", db,
         "--format", "paths", "-q"],
        input=f"{export}\n{BURST}\n", capture_output=True, text=True, cwd=REPO,
        env=cli_env(tmp_path), timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # both are in the library: nothing listed
    assert result.stdout == ""
    report = reconcile.find([str(export)], haystack=[str(library)], db=db)
    assert [i.status.value for i in report.items] == ["same"]
    missing = run_cli(tmp_path, "find", str(tmp_path / "nothing.jpg"), "--haystack", str(library))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_dupes_takes_verify_to_reread_every_library_file(tmp_path: Path, library: Path) -> None:
    """A byte copy whose middle rotted with every file time as indexed (a failing disk) is
    still grouped `identical` by a normal run; with --verify it is digested again, and its
    group is no longer one of equal bytes (as for check: tests/test_seen.py)."""
    import os

    db = tmp_path / "i.sqlite"
    copy = library / "Imports" / "IMG_0310 copy.jpg"
    original = library / "2010" / "IMG_0310.jpg"
    first = json.loads(_dupes(tmp_path, library, "--format", "json").stdout)
    pair = {str(copy), str(original)}
    assert any(pair <= set(g["files"]) for g in first["groups"])
    kept = copy.stat()
    with open(copy, "r+b") as handle:
        handle.seek(kept.st_size // 2)
        handle.write(bytes(2000))
    os.utime(copy, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    with sqlite3.connect(db) as index:  # what the disk did is invisible to the filesystem
        index.execute("UPDATE files SET ctime_ns = ? WHERE path = ?",
                      (copy.stat().st_ctime_ns, os.fsencode(str(copy))))  # fmt: skip
    plain = json.loads(_dupes(tmp_path, library, "--format", "json").stdout)
    assert any(pair <= set(g["files"]) for g in plain["groups"])  # the old digest, trusted
    verified = json.loads(_dupes(tmp_path, library, "--format", "json", "--verify").stdout)
    names = (os.fsencode(str(copy)), os.fsencode(str(original)))
    with sqlite3.connect(db) as index:
        digests = dict(index.execute("SELECT path, digest FROM files WHERE path IN (?, ?)", names))
    assert digests[names[0]] != digests[names[1]]
    assert verified["summary"]["files"] == 6
