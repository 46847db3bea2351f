"""Review decisions through the command line, as a person records them: each verb, undo, a
moved copy, a changed file, --rebuild, a match gone from the library, and decisions files that
are damaged or from another library (one line, exit 2, nothing recorded)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, run_cli, scene, write


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample library and backups, which the tests may change."""
    shutil.copytree(SAMPLE / "haystack", tmp_path / "Library")
    shutil.copytree(SAMPLE / "needles", tmp_path / "Backup")
    return tmp_path / "Library", tmp_path / "Backup"


def _check(tmp_path: Path, *extra: str) -> dict[str, Any]:
    result = run_cli(
        tmp_path, "--haystack", str(tmp_path / "Library"), "--needles", str(tmp_path / "Backup"),
        "--db", str(tmp_path / "index.sqlite"), "--format", "json", *extra,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _decide(tmp_path: Path, *args: str) -> Any:
    return run_cli(tmp_path, "decide", *args, "--db", str(tmp_path / "index.sqlite"))


def _items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["path"]: i for i in report["images"]}


def _folders(report: dict[str, Any]) -> dict[str, str]:
    return {d["path"]: d["status"] for d in report["directories"]}


BURST, BRIGHTER, BROKEN = (
    "Edits/IMG_0311 burst.jpg",
    "Edits/rocket brighter.jpg",
    ("Edits/IMG_0002 broken.jpg"),
)


def test_a_reviewed_folder_becomes_complete_and_undo_restores_it(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    before = _check(tmp_path)
    assert _folders(before)["Edits"] == "review"
    assert all(i["decision"] is None for i in before["images"])

    # A folder stands for every item in it: the two with a match are accepted, the unreadable
    # one (no match) is left as it is, and said so.
    done = _decide(tmp_path, "same", str(backup / "Edits"))
    assert done.returncode == 0, done.stderr
    assert "IMG_0002 broken.jpg: has no match" in done.stderr
    assert "recorded 2 decisions (2 same)" in done.stderr
    done = _decide(tmp_path, "unwanted", str(backup / BROKEN))
    assert done.returncode == 0, done.stderr

    after = _check(tmp_path)
    items = _items(after)
    assert _folders(after)["Edits"] == "complete"
    for path in (BURST, BRIGHTER):
        assert items[path]["status"] == "same" and items[path]["decision"] == "same"
        assert items[path]["reason"].startswith("accepted in review (was: similar: ")
        assert items[path]["match"] == _items(before)[path]["match"]
    assert items[BROKEN]["status"] == "unwanted" and items[BROKEN]["decision"] == "unwanted"
    assert items[BROKEN]["reason"].startswith("not wanted (decided in review; was: unreadable")
    assert after["summary"]["decided"] == 3 and after["summary"]["unwanted"] == 1
    # The numbers still add up to what is on disk.
    assert after["summary"]["images"] == before["summary"]["images"]
    # Unwanted items are not to do: not in --format paths.
    paths = run_cli(
        tmp_path, "--haystack", str(tmp_path / "Library"), "--needles", str(backup),
        "--db", str(tmp_path / "index.sqlite"), "--format", "paths",
    ).stdout.splitlines()  # fmt: skip
    assert str(backup / BROKEN) not in paths and str(backup / BURST) not in paths

    listed = json.loads(_decide(tmp_path, "--list", "--format", "json").stdout)
    assert sorted((d["decision"], d["path"]) for d in listed) == sorted(
        [("same", str(backup / BURST)), ("same", str(backup / BRIGHTER)),
         ("unwanted", str(backup / BROKEN))]
    )  # fmt: skip
    assert all(d["was"] for d in listed)

    assert _decide(tmp_path, "undo", str(backup / "Edits")).returncode == 0
    again = _check(tmp_path)
    assert _folders(again)["Edits"] == "review"
    assert {p: i["status"] for p, i in _items(again).items()} == {
        p: i["status"] for p, i in _items(before).items()
    }
    assert json.loads(_decide(tmp_path, "--list", "--format", "json").stdout) == []


def test_different_puts_the_item_on_the_to_do_list_naming_the_match(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    before = _items(_check(tmp_path))
    match = before[BURST]["match"]
    assert _decide(tmp_path, "different", str(backup / BURST)).returncode == 0
    after = _check(tmp_path)
    item = _items(after)[BURST]
    assert item["status"] == "missing" and item["decision"] == "different"
    assert item["match"] is None
    assert f"not the same as {match}" in item["reason"]
    assert _folders(after)["Edits"] == "new"  # on the to-do list: nothing in it is matched


def test_a_moved_copy_keeps_its_decision_and_a_changed_file_loses_it(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    _check(tmp_path)
    assert _decide(tmp_path, "same", str(backup / BURST), str(backup / BRIGHTER)).returncode == 0
    moved = backup / "Sorted later" / "rocket.jpg"
    moved.parent.mkdir()
    (backup / BRIGHTER).rename(moved)
    # The burst is written again with other bytes (another picture under the same name).
    write(backup / BURST, scene(77, 400, 600), quality=80)
    items = _items(_check(tmp_path))
    assert items["Sorted later/rocket.jpg"]["decision"] == "same"
    assert items["Sorted later/rocket.jpg"]["status"] == "same"
    assert items[BURST]["decision"] is None and items[BURST]["status"] != "same"


def test_rebuild_and_a_newer_index_keep_decisions(tmp_path: Path, trees: tuple[Path, Path]) -> None:
    _, backup = trees
    _check(tmp_path)
    assert _decide(tmp_path, "unwanted", str(backup / BURST)).returncode == 0
    rebuilt = _items(_check(tmp_path, "--rebuild"))
    assert rebuilt[BURST]["status"] == "unwanted" and rebuilt[BURST]["decision"] == "unwanted"
    # The decisions live in a file of their own, beside the index, in a schema of their own.
    kept = tmp_path / "index.decisions.sqlite"
    with sqlite3.connect(kept) as db:
        assert db.execute("SELECT verb FROM decisions").fetchall() == [("unwanted",)]


def test_a_same_whose_match_left_the_library_no_longer_applies(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    before = _items(_check(tmp_path))
    assert _decide(tmp_path, "same", str(backup / BRIGHTER)).returncode == 0
    Path(before[BRIGHTER]["match"]).unlink()
    item = _items(_check(tmp_path))[BRIGHTER]
    assert item["status"] != "same" and item["decision"] is None
    assert "which is no longer in the library" in item["reason"]


def test_refusals_say_why_in_one_line_and_record_nothing_for_them(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    # Before any check there is nothing to decide about.
    first = _decide(tmp_path, "same", str(backup / BURST))
    assert first.returncode == 2 and "no index here" in first.stderr
    assert len(first.stderr.strip().splitlines()) == 1

    _check(tmp_path)
    missing = "2010 iPhone sync/IMG_0412.jpg"
    refused = _decide(tmp_path, "same", str(backup / missing))
    assert refused.returncode == 1
    assert "has no match in the library (`unwanted` is for a file you do not want)" in (
        refused.stderr
    )
    unknown = _decide(tmp_path, "unwanted", str(tmp_path / "elsewhere.jpg"))
    assert unknown.returncode == 1 and "not a backup file of the last check" in unknown.stderr
    # A file changed since the check is not decided unseen.
    write(backup / BURST, scene(78, 400, 600), quality=80)
    changed = _decide(tmp_path, "same", str(backup / BURST))
    assert changed.returncode == 1 and "changed since the last check" in changed.stderr
    assert json.loads(_decide(tmp_path, "--list", "--format", "json").stdout) == []


def test_a_damaged_or_foreign_decisions_file_is_refused_whole(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    report = _check(tmp_path)
    sample = {i["path"]: i for i in report["images"]}
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"format": "reconcile-decisions", "version": 1, "choi')
    other = tmp_path / "other.json"
    other.write_text(json.dumps({
        "format": "reconcile-decisions", "version": 1, "haystack": ["/Volumes/Other/Masters"],
        "choices": [{"path": str(backup / BURST), "choice": "same", "sample": None}],
    }))  # fmt: skip
    bad_choice = tmp_path / "bad.json"
    bad_choice.write_text(json.dumps({
        "format": "reconcile-decisions", "version": 1, "haystack": report["haystack"],
        "choices": [{"path": str(backup / BURST), "choice": "same"},
                    {"path": str(backup / BRIGHTER), "choice": "delete"}],
    }))  # fmt: skip
    for path, words in (
        (damaged, "not a decisions file saved by the review page"),
        (other, "made for the library /Volumes/Other/Masters"),
        (bad_choice, "a choice in it is damaged"),
        (tmp_path / "Backup" / BURST, "not a decisions file"),
    ):
        result = _decide(tmp_path, "--from", str(path))
        assert result.returncode == 2, (path, result.stderr)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(_decide(tmp_path, "--list", "--format", "json").stdout) == []
    assert sample[BURST]["status"] == "similar"


def test_decide_needs_a_verb_and_paths_or_from_or_list(tmp_path: Path) -> None:
    for args in ((), ("same",), ("--list", "same", "x.jpg")):
        result = _decide(tmp_path, *args)
        assert result.returncode == 2 and "decide" in result.stderr


def test_a_backup_named_through_a_link_or_relative_path_is_found(
    tmp_path: Path, trees: tuple[Path, Path]
) -> None:
    _, backup = trees
    _check(tmp_path)
    (tmp_path / "shortcut").symlink_to(backup)
    done = _decide(tmp_path, "unwanted", str(tmp_path / "shortcut" / BROKEN))
    assert done.returncode == 0, done.stderr
    listed = json.loads(_decide(tmp_path, "--list", "--format", "json").stdout)
    assert [d["path"] for d in listed] == [str(backup / BROKEN)]
