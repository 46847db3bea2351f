"""Acting on the report: --only, --format paths (and -0) for scripts, and --copy-to, whose
copies close the loop when the copy is added to the library."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, run_cli

SAMPLE_ARGS = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles")


def test_only_restricts_the_items_and_the_to_do_list(tmp_path: Path) -> None:
    """--only missing: only missing items, only folders holding some; the exit status still
    speaks for the whole run."""
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--only", "missing", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert {i["status"] for i in report["images"]} == {"missing"}
    assert len(report["images"]) == 6
    assert {d["path"] for d in report["directories"]} == {
        "2010 iPhone sync", "New card 2011", "Trips/Rome/PIX",
    }  # fmt: skip
    bad = run_cli(tmp_path, *SAMPLE_ARGS, "--only", "lost")
    assert bad.returncode == 2 and "not a status: 'lost'" in bad.stderr


def test_paths_lists_the_to_do_files_one_per_line_or_nul_separated(tmp_path: Path) -> None:
    """--format paths: absolute paths of the items not yet imported; -0 separates with NUL;
    with --only, exactly those statuses."""
    todo = run_cli(tmp_path, *SAMPLE_ARGS, "--format", "paths").stdout.splitlines()
    assert len(todo) == 9  # 6 missing, 2 similar, 1 unreadable
    assert all(os.path.isabs(p) and os.path.isfile(p) for p in todo)
    nul = run_cli(tmp_path, *SAMPLE_ARGS, "--format", "paths", "-0").stdout
    assert nul.endswith("\0") and nul.split("\0")[:-1] == todo
    similar = run_cli(tmp_path, *SAMPLE_ARGS, "--format", "paths", "--only", "similar").stdout
    assert sorted(Path(p).name for p in similar.splitlines()) == [
        "IMG_0311 burst.jpg", "rocket brighter.jpg",
    ]  # fmt: skip


def test_copy_to_copies_the_missing_files_and_closes_the_loop(tmp_path: Path) -> None:
    """--copy-to copies the missing files under DIR/<root name>/<folder>/ with their times;
    a second copy adds nothing; with DIR added to the library, a new run finds them all
    `identical` and those folders leave the to-do list."""
    needles = tmp_path / "Backup"
    shutil.copytree(SAMPLE / "needles", needles)
    out = tmp_path / "to import"
    args = ("--haystack", "sample_data/haystack", "--needles", str(needles))
    first = run_cli(tmp_path, *args, "--copy-to", str(out), "--db", str(tmp_path / "i.sqlite"))
    assert first.returncode == 1
    assert first.stderr.endswith(f"copied 6 files to {out}\n")
    copied = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert copied == [
        "Backup/2010 iPhone sync/IMG_0412.jpg", "Backup/New card 2011/DSC_0001.jpg",
        "Backup/New card 2011/DSC_0002.jpg", "Backup/New card 2011/DSC_0003.DNG",
        "Backup/New card 2011/MVI_0004.mp4", "Backup/Trips/Rome/PIX/P1000001.jpg",
    ]  # fmt: skip
    source = needles / "New card 2011/DSC_0001.jpg"
    target = out / "Backup/New card 2011/DSC_0001.jpg"
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_mtime_ns == source.stat().st_mtime_ns
    again = run_cli(tmp_path, *args, "--copy-to", str(out), "--db", str(tmp_path / "i.sqlite"))
    assert again.stderr.endswith(f"copied 0 files to {out} (6 were there already)\n")
    closed = run_cli(
        tmp_path, "--haystack", "sample_data/haystack", "--haystack", str(out),
        "--needles", str(needles / "New card 2011"), "--format", "json",
        "--db", str(tmp_path / "i.sqlite"),
    )  # fmt: skip
    assert closed.returncode == 0, closed.stdout
    assert {i["status"] for i in json.loads(closed.stdout)["images"]} == {"identical"}


def test_copy_to_never_overwrites_and_never_writes_into_the_photos(tmp_path: Path) -> None:
    """A different file already at the target name: the copy gets a numbered name and a
    note. A DIR inside a haystack or needles root is refused with one line, exit 2."""
    needles = tmp_path / "Backup"
    shutil.copytree(SAMPLE / "needles/Trips", needles)
    out = tmp_path / "out"
    taken = out / "Backup/Rome/PIX/P1000001.jpg"
    taken.parent.mkdir(parents=True)
    taken.write_bytes(b"someone else's file")
    args = ("--haystack", "sample_data/haystack", "--needles", str(needles))
    result = run_cli(tmp_path, *args, "--copy-to", str(out))
    assert taken.read_bytes() == b"someone else's file"
    assert (out / "Backup/Rome/PIX/P1000001 (1).jpg").read_bytes() == (
        needles / "Rome/PIX/P1000001.jpg"
    ).read_bytes()
    assert "another file has this name; copied as" in result.stderr
    inside = run_cli(tmp_path, *args, "--copy-to", str(needles / "import"))
    assert inside.returncode == 2
    assert inside.stderr.startswith(f"reconcile: {needles / 'import'}: inside {needles}")
    assert not (needles / "import").exists()


def _small_disk(path: Path, size: str) -> bool:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    return mounted.returncode == 0


def test_a_full_disk_stops_the_copy_with_one_line_and_no_partial_file(tmp_path: Path) -> None:
    """Copying onto a 200 KB disk: one clear line, exit 2, every file under its final name
    complete (the one that did not fit is not there at all)."""
    disk = tmp_path / "small"
    if not _small_disk(disk, "200k"):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights)")
    try:
        needles = tmp_path / "Backup"
        shutil.copytree(SAMPLE / "needles", needles)
        result = run_cli(
            tmp_path, "--haystack", "sample_data/haystack", "--needles", str(needles),
            "--copy-to", str(disk), "--format", "json",
        )  # fmt: skip
        assert result.returncode == 2
        last = result.stderr.splitlines()[-1]
        assert last.startswith("reconcile: ") and "disk full; the files copied so far" in last
        for copy in (p for p in disk.rglob("*") if p.is_file()):
            assert not copy.name.endswith(".reconcile-partial")
            original = needles / copy.relative_to(disk / "Backup")
            assert copy.read_bytes() == original.read_bytes()
    finally:
        subprocess.run(["umount", str(disk)], check=False)
