"""Scanning: which files are images, which are skipped, and walks that must not loop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import encode, scene

from reconcile.disk.scan import check_root, scan
from reconcile.errors import RootError


def _tree(root: Path) -> None:
    jpeg = encode(scene(1, 60, 80), ".jpg")
    (root / "a").mkdir(parents=True)
    (root / "a/IMG_1.JPG").write_bytes(jpeg)
    (root / "a/photo.jpeg").write_bytes(jpeg)
    (root / "a/no_extension").write_bytes(encode(scene(2, 60, 80), ".png"))
    (root / "a/notes.txt").write_text("hello")
    (root / "a/.DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "a/._IMG_1.JPG").write_bytes(b"\x00\x05\x16\x07")
    (root / "a/Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "a/clip.mov").write_bytes(b"\x00\x00\x00\x14ftypqt  ")
    (root / "a/broken.jpg").write_text("not a picture")
    (root / "a/data.bin").write_bytes(b"\x00" * 50)


def test_images_are_found_by_name_and_by_content(tmp_path: Path) -> None:
    """Picture and video names and picture bytes count as media; litter, sidecars and other
    files are skipped, and the unknown ones are counted per folder."""
    _tree(tmp_path)
    result = scan(str(tmp_path))
    assert [(f.relpath, f.kind.value) for f in result.media] == [
        ("a/IMG_1.JPG", "image"),
        ("a/broken.jpg", "image"),
        ("a/clip.mov", "video"),
        ("a/no_extension", "image"),
        ("a/photo.jpeg", "image"),
    ]
    assert result.skipped == 5  # notes.txt, .DS_Store, ._IMG_1.JPG, Thumbs.db, data.bin
    assert result.other == {"a": 1}  # data.bin: of unknown type


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    """A folder link back to its parent neither hangs the scan nor counts files twice."""
    _tree(tmp_path)
    os.symlink(tmp_path / "a", tmp_path / "a/loop")
    result = scan(str(tmp_path))
    assert len(result.media) == 5
    assert any("symlink loop" in warning for warning in result.warnings)


def test_symlinks_to_files_are_followed_and_dangling_ones_reported(tmp_path: Path) -> None:
    """A link to a picture is a picture; a dangling link with an image name is a problem."""
    _tree(tmp_path)
    os.symlink(tmp_path / "a/IMG_1.JPG", tmp_path / "link.jpg")
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "dangling.jpg")
    found = {f.relpath: f for f in scan(str(tmp_path)).media}
    assert found["link.jpg"].problem is None and found["link.jpg"].size > 0
    assert found["dangling.jpg"].problem == "broken symlink"


def test_excluded_folders_are_not_entered(tmp_path: Path) -> None:
    """A nested root of the other side is left out of this side's scan."""
    _tree(tmp_path)
    result = scan(str(tmp_path), exclude=(str(tmp_path / "a"),))
    assert result.media == [] and result.skipped == 0


def test_roots_are_checked(tmp_path: Path) -> None:
    """A missing root or a file given as a root is refused with a message naming it."""
    (tmp_path / "file.jpg").write_bytes(b"x")
    with pytest.raises(RootError, match="no such folder"):
        check_root(str(tmp_path / "missing"))
    with pytest.raises(RootError, match="not a folder"):
        check_root(str(tmp_path / "file.jpg"))
