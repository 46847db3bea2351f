"""The command line as a user and a script see it: outputs, exit codes, error lines."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE, run_cli, run_process, scene, verified, write

SAMPLE_ARGS = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles")

EXPECTED_SAMPLE = {
    "Card dump 2009-07/IMG_0001.JPG": "identical",
    "Card dump 2009-07/IMG_0002.jpg": "same",
    "2010 iPhone sync/IMG_0310.png": "same",
    "2010 iPhone sync/IMG_0412.jpg": "missing",
    "Edits/rocket brighter.jpg": "similar",
    "Edits/IMG_0311 burst.jpg": "similar",
    "Edits/IMG_0002 broken.jpg": "unreadable",
    "New card 2011/DSC_0001.jpg": "missing",
    "New card 2011/DSC_0002.jpg": "missing",
    "Trips/Paris/PIX/P1000001.jpg": "same",
    "Trips/Rome/PIX/P1000001.jpg": "missing",
    "Card dump 2009-07/MVI_0003.mp4": "identical",
    "2010 iPhone sync/IMG_0520.HEIC": "same",
    "New card 2011/DSC_0003.DNG": "missing",
    "New card 2011/MVI_0004.mp4": "missing",
}
EXPECTED_FOLDERS = {
    "Card dump 2009-07": "complete",
    "2010 iPhone sync": "partial",
    "Edits": "review",
    "New card 2011": "new",
    "Trips/Paris/PIX": "complete",
    "Trips/Rome/PIX": "new",
}


def test_json_report_on_sample_data_follows_the_contract(tmp_path: Path) -> None:
    """Every sample needle appears once with its expected status, and the numbers add up."""
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["version"] == 1
    root = str(SAMPLE / "needles")
    assert report["haystack"] == [str(SAMPLE / "haystack")] and report["needles"] == [root]
    assert {i["path"]: i["status"] for i in report["images"]} == EXPECTED_SAMPLE
    assert len(report["images"]) == len(EXPECTED_SAMPLE)
    for image in report["images"]:
        assert set(image) >= {"root", "path", "status", "match", "distance", "reason"}
        assert image["root"] == root
        assert (image["match"] is None) == (image["status"] in ("missing", "unreadable"))
        assert (image["reason"] is None) == (image["status"] == "identical")
    reasons = {i["path"]: i["reason"] for i in report["images"]}
    assert reasons["Edits/IMG_0002 broken.jpg"] == "truncated image data"
    assert reasons["Edits/rocket brighter.jpg"] == "brighter"
    assert reasons["Edits/IMG_0311 burst.jpg"] == "differs in one region (another shot?)"
    assert reasons["Card dump 2009-07/IMG_0002.jpg"] == (
        verified("re-encoded at lower size (300x200; the library's is 600x400)", 300, 200)
    )
    assert reasons["New card 2011/DSC_0001.jpg"] == "nothing close in the library"
    assert reasons["Card dump 2009-07/IMG_0001.JPG"] is None  # identical: the bytes say it

    summary = report["summary"]
    statuses = ("identical", "same", "similar", "missing", "unreadable")
    assert summary["images"] == sum(summary[s] for s in statuses) == len(EXPECTED_SAMPLE)
    assert summary["skipped"] == 3  # .DS_Store, an AppleDouble file, notes.txt
    assert {d["path"]: d["status"] for d in report["directories"]} == EXPECTED_FOLDERS
    assert summary["todo_folders"] == sum(d["status"] != "complete" for d in report["directories"])
    for folder in report["directories"]:
        assert folder["images"] == sum(folder[s] for s in statuses)


def test_csv_report_has_a_header_and_a_row_per_image(tmp_path: Path) -> None:
    """--format csv prints the images with the contract's header."""
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--format", "csv")
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "root", "path", "status", "match", "distance", "reason", "kind", "name", "match_name",
        "decision",
    ]  # fmt: skip
    assert {row["path"]: row["status"] for row in rows} == EXPECTED_SAMPLE


def test_exit_zero_when_everything_is_imported(tmp_path: Path) -> None:
    """Needles that are all in the haystack: nothing to do, exit 0, no to-do table."""
    backup = tmp_path / "backup"
    shutil.copytree(SAMPLE / "needles/Card dump 2009-07", backup)
    result = run_cli(tmp_path, "--haystack", str(SAMPLE / "haystack"), "--needles", str(backup))
    assert result.returncode == 0, result.stderr
    assert "Nothing to import" in result.stdout


def test_progress_stays_off_stdout_and_off_when_not_a_terminal(tmp_path: Path) -> None:
    """With stderr not a terminal, nothing but warnings reaches it; results go to stdout."""
    result = run_cli(tmp_path, *SAMPLE_ARGS)
    assert result.returncode == 1
    assert result.stderr == ""
    assert "To do" in result.stdout and "Trips/Rome/PIX" in result.stdout


def test_missing_root_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """A haystack that does not exist: one line naming it on stderr, exit 2, no traceback."""
    result = run_cli(tmp_path, "--haystack", "no/such/dir", "--needles", "sample_data/needles")
    assert result.returncode == 2
    assert result.stderr == "reconcile: no/such/dir: no such folder\n"
    assert result.stdout == ""


def test_root_that_is_a_file_is_refused(tmp_path: Path) -> None:
    """A file given as needles: a clear line and exit 2."""
    photo = write(tmp_path / "one.jpg", scene(1), 90)
    result = run_cli(tmp_path, "--haystack", "sample_data/haystack", "--needles", str(photo))
    assert result.returncode == 2
    assert result.stderr == (
        f"reconcile: {photo}: not a folder (give the folder that holds the photos)\n"
    )


def test_unreadable_index_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """An index file that is not SQLite: one line, exit 2, and the file is left alone."""
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--db", str(bad))
    assert result.returncode == 2
    assert result.stderr == (
        f"reconcile: {bad}: not a reconcile index; reconcile leaves it untouched: "
        "choose another --db\n"
    )
    assert bad.read_bytes() == b"garbage" * 1000


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    """Missing arguments or a bad --jobs are usage errors: exit 2."""
    assert run_cli(tmp_path).returncode == 2
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--jobs", "0")
    assert result.returncode == 2 and "--jobs" in result.stderr


def test_same_folder_on_both_sides_is_refused(tmp_path: Path) -> None:
    """Comparing a folder with itself is refused in one line."""
    result = run_cli(
        tmp_path, "--haystack", "sample_data/needles", "--needles", "sample_data/needles"
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"reconcile: {SAMPLE / 'needles'}: given as both --haystack and --needles\n"
    )


def test_default_index_lives_in_the_cache_folder(tmp_path: Path) -> None:
    """Without --db the index is created under $XDG_CACHE_HOME/reconcile/, not in the trees."""
    result = run_cli(tmp_path, *SAMPLE_ARGS, "--quiet")
    assert result.returncode == 1
    assert (tmp_path / "cache/reconcile/index.sqlite").is_file()


def _readme_block(title: str) -> str:
    text = (REPO / "README.md").read_text()
    section = text.split(f"## {title}", 1)[1]
    return re.findall(r"```(?:\w*)\n(.*?)```", section, re.S)[0]


def test_readme_set_up_commands_are_the_real_ones() -> None:
    """The README's two set-up commands install and run the sample job and the tests."""
    lines = _readme_block("Try it").strip().splitlines()
    assert lines == [
        "pip install . && reconcile --haystack sample_data/haystack --needles sample_data/needles",
        "pip install -e '.[test]' && pytest",
    ]


def test_readme_shows_the_real_output_of_the_sample_run(tmp_path: Path) -> None:
    """The output printed in the README is what the sample command prints today."""
    command = _readme_block("Try it").splitlines()[0].split("&& ", 1)[1]
    args = shlex.split(command)[1:]
    result = run_cli(tmp_path, *args)
    assert result.returncode == 1
    shown = _readme_block("What it prints")
    assert result.stdout == shown


def test_python_dash_m_and_the_console_script_agree(tmp_path: Path) -> None:
    """`reconcile` (the installed console script) prints what `python -m reconcile` prints."""
    import subprocess

    from conftest import cli_env

    script = shutil.which("reconcile")
    if script is None:
        pytest.skip("the console script is not installed (pip install -e . installs it)")
    direct = subprocess.run(
        [script, *SAMPLE_ARGS, "--format", "csv"],
        capture_output=True, text=True, cwd=REPO, env=cli_env(tmp_path), timeout=300,
    )  # fmt: skip
    module = run_process(tmp_path, *SAMPLE_ARGS, "--format", "csv")
    assert (direct.returncode, direct.stdout) == (module.returncode, module.stdout)


def test_interrupt_exits_130_with_one_line(tmp_path: Path) -> None:
    """Ctrl-C during indexing: exit 130, one line on stderr, no traceback."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import cli_env

    big = tmp_path / "hay"
    big.mkdir()
    photo = write(tmp_path / "photo.jpg", scene(1, 1200, 1600), 95).read_bytes()
    for number in range(300):
        (big / f"{number}.jpg").write_bytes(photo)
    index = tmp_path / "i.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "reconcile", "--haystack", str(big), "--needles",
         "sample_data/needles", "--db", str(index), "--jobs", "1"],
        cwd=REPO, env=cli_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def stored() -> int:  # interrupted once the first batch of files is in the index
        try:
            with sqlite3.connect(index, timeout=1) as db:
                return int(db.execute("SELECT count(*) FROM files").fetchone()[0])
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 120
    while stored() == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err == "reconcile: interrupted; the index keeps what was finished\n"
    assert out == ""
    with sqlite3.connect(index) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_rebuild_never_deletes_a_photo_named_as_db(tmp_path: Path) -> None:
    """`--db` naming a photo is refused with or without --rebuild, and the photo is untouched;
    the message advises nothing that would destroy it."""
    photo = write(tmp_path / "elsewhere/IMG_0000.JPG", scene(5), 90)
    before = photo.read_bytes()
    for extra in ((), ("--rebuild",)):
        result = run_cli(tmp_path, *SAMPLE_ARGS, "--db", str(photo), *extra,
                          )  # fmt: skip
        assert result.returncode == 2
        assert result.stderr == (
            f"reconcile: {photo}: not a reconcile index; "
            + ("--rebuild leaves it untouched" if extra else "reconcile leaves it untouched")
            + ": choose another --db\n"
        )
        assert photo.read_bytes() == before
    assert sorted(p.name for p in photo.parent.iterdir()) == ["IMG_0000.JPG"]


def test_db_inside_the_photo_folders_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """An index path under a haystack or needles root, directly or through a symlink, is
    refused with one line and exit 2, and no file appears there."""
    hay = tmp_path / "hay"
    shutil.copytree(SAMPLE / "haystack", hay)
    inside_photo = next(hay.rglob("*.jpg"))
    (tmp_path / "link").symlink_to(hay / "2009")
    cases = [
        hay / "index.sqlite",
        inside_photo,
        tmp_path / "link/index.sqlite",
        SAMPLE / "needles/new folder/index.sqlite",
    ]
    listing = sorted(hay.rglob("*")), sorted((SAMPLE / "needles").rglob("*"))
    for db in cases:
        for extra in ((), ("--rebuild",)):
            result = run_cli(tmp_path, "--haystack", str(hay), "--needles", "sample_data/needles",
                              "--db", str(db), *extra)  # fmt: skip
            assert result.returncode == 2, db
            assert result.stderr.startswith(f"reconcile: {db}: the index would be written inside")
            assert result.stderr.count("\n") == 1
    assert (sorted(hay.rglob("*")), sorted((SAMPLE / "needles").rglob("*"))) == listing


def test_rebuild_replaces_a_damaged_reconcile_index(tmp_path: Path) -> None:
    """A reconcile index whose pages are damaged says so, and --rebuild starts it anew."""
    db = tmp_path / "i.sqlite"
    first = run_cli(tmp_path, *SAMPLE_ARGS, "--db", str(db))
    assert first.returncode == 1
    data = bytearray(db.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)  # keep the header, ruin every page
    db.write_bytes(bytes(data))
    damaged = run_cli(tmp_path, *SAMPLE_ARGS, "--db", str(db))
    assert damaged.returncode == 2
    assert damaged.stderr.startswith(f"reconcile: {db}: damaged reconcile index")
    rebuilt = run_cli(tmp_path, *SAMPLE_ARGS, "--db", str(db), "--rebuild", "--format", "json")
    assert rebuilt.returncode == 1, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["summary"]["images"] == len(EXPECTED_SAMPLE)


def test_a_long_to_do_list_keeps_the_worst_folders_on_screen(tmp_path: Path) -> None:
    """With more folders to do than the table shows, the worst come first and one line says
    how many more there are and how to see them all."""
    from reconcile.output.tables import TODO_ROWS

    hay = tmp_path / "hay"
    write(hay / "a.jpg", scene(1, 48, 64), 90)
    needles = tmp_path / "needles"
    for number in range(TODO_ROWS + 7):
        write(needles / f"folder {number:03d}/x.jpg", scene(500 + number, 48, 64), 90)
    result = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles))
    assert result.returncode == 1
    rows = [line for line in result.stdout.splitlines() if "│ folder " in line]
    assert len(rows) == TODO_ROWS
    assert "... and 7 more folders to do" in result.stdout
    assert "--format html" in result.stdout
