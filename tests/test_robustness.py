"""Nothing lost, nothing crashes: bad and unusual files, odd names, permissions, symlinks,
interruptions, concurrent runs, and sources that stay untouched."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import unicodedata
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REPO, Phases, cli_env, distinct_jpegs, encode, run_cli, scene, write
from PIL import Image

from reconcile import reconcile


def _photos() -> list[np.ndarray]:
    return [scene(seed, 360, 480) for seed in range(700, 704)]


def _library(root: Path) -> list[np.ndarray]:
    photos = _photos()
    for number, photo in enumerate(photos):
        write(root / f"P{number}.jpg", photo, 92)
    return photos


def _pil_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _report(tmp_path: Path, hay: Path, needles: Path, *extra: str) -> dict:
    db = str(tmp_path / "index.sqlite")
    args = ("--haystack", str(hay), "--needles", str(needles), "--format", "json", "--db", db)
    result = run_cli(tmp_path, *args, *extra)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def _statuses(report: dict) -> dict[str, str]:
    return {image["path"]: image["status"] for image in report["images"]}


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def test_bad_and_unusual_files_each_get_the_right_status(tmp_path: Path) -> None:
    """Damaged files are unreadable with a reason; unusual but valid pictures are decoded."""
    hay = tmp_path / "hay"
    p0, p1, p2, p3 = _library(hay)
    needles = tmp_path / "needles"
    needles.mkdir()
    jpeg = encode(p0, ".jpg", 92)
    png = encode(p1, ".png")
    files = {
        "zero.jpg": b"",
        "text.jpg": b"a shopping list, not a photo\n" * 10,
        "cut10.jpg": jpeg[: len(jpeg) // 10],
        "cut50.jpg": jpeg[: len(jpeg) // 2],
        "cut99.jpg": jpeg[: len(jpeg) * 99 // 100],
        # The IHDR chunk's CRC no longer matches its contents.
        "bad_crc.png": png[:29] + bytes([png[29] ^ 0xFF]) + png[30:],
        "bomb.png": b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", (60000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0]))
        + _png_chunk(b"IDAT", zlib.compress(bytes(4096)))
        + _png_chunk(b"IEND", b""),
        "png_named.jpg": png,
        "sixteen_bit.png": cv2.imencode(".png", cv2.cvtColor(p1, cv2.COLOR_RGB2BGR)
                                        .astype(np.uint16) * 257)[1].tobytes(),
        "gray.jpg": encode(np.repeat(cv2.cvtColor(p2, cv2.COLOR_RGB2GRAY)[:, :, None], 3, 2)),
        "cmyk.jpg": _pil_bytes(Image.fromarray(p3).convert("CMYK"), "JPEG", quality=95),
        "palette.png": _pil_bytes(Image.fromarray(p0).quantize(256), "PNG", transparency=0),
        "animated.gif": _pil_bytes(Image.fromarray(p1).quantize(256), "GIF", save_all=True,
                                   append_images=[Image.fromarray(p2).quantize(256)]),
        "pages.tif": _pil_bytes(Image.fromarray(p2), "TIFF", save_all=True,
                                append_images=[Image.fromarray(p3)]),
        "one_pixel.png": encode(np.full((1, 1, 3), 128, np.uint8), ".png"),
        "panorama.jpg": encode(cv2.resize(scene(9, 100, 400), (20000, 100)), ".jpg", 85),
    }  # fmt: skip
    for name, data in files.items():
        (needles / name).write_bytes(data)

    report = _report(tmp_path, hay, needles)
    statuses = _statuses(report)
    assert statuses == {
        "zero.jpg": "unreadable",
        "text.jpg": "unreadable",
        "cut10.jpg": "unreadable",
        "cut50.jpg": "unreadable",
        "cut99.jpg": "unreadable",
        "bad_crc.png": "unreadable",
        "bomb.png": "unreadable",
        "png_named.jpg": "same",
        "sixteen_bit.png": "same",
        "gray.jpg": "similar",  # a grayscale version is an edit, never the original
        "cmyk.jpg": "same",
        "palette.png": "similar",  # 256 colours: the quantising shows in the blocks
        # Two pictures in one file against a file of its first: another file, to review.
        "animated.gif": "similar",
        "pages.tif": "similar",
        "one_pixel.png": "missing",
        "panorama.jpg": "missing",
    }
    said = {i["path"]: i["reason"] for i in report["images"]}
    assert said["pages.tif"] == "2 pictures in one file; the library's file has a single picture"
    reasons = {i["path"]: i["reason"] for i in report["images"] if i["status"] == "unreadable"}
    assert reasons["zero.jpg"] == "empty file"
    assert reasons["text.jpg"] == "not an image (unknown format)"
    assert {reasons[f"cut{n}.jpg"] for n in (10, 50, 99)} == {"truncated image data"}
    assert reasons["bomb.png"] == "image too large (60000x60000 pixels)"
    assert reasons["bad_crc.png"] == "corrupt PNG (cannot be opened)"


def test_odd_names_are_all_accounted_for(tmp_path: Path) -> None:
    """Spaces, NFC and NFD unicode, a newline, non-UTF-8 bytes, a leading dash, a very long
    path and upper-case extensions: every file is found once and matched."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    data = encode(photos[0], ".jpg", 80)
    needles = tmp_path / "needles"
    needles.mkdir()
    long_dir = needles.joinpath(*(["d" * 120] * 9))
    long_dir.mkdir(parents=True)
    names = [
        "with space.jpg",
        unicodedata.normalize("NFC", "café.jpg"),
        unicodedata.normalize("NFD", "café.jpg"),
        "new\nline.jpg",
        os.fsdecode(b"bytes \xff\xfe.jpg"),
        "-leading dash.jpg",
        "UPPER.JPG",
        "Mixed.JpEg",
    ]
    for name in names:
        (needles / name).write_bytes(data)
    (long_dir / "deep.jpg").write_bytes(data)
    assert len(str(long_dir / "deep.jpg")) > 1000

    result = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format",
                     "csv", "--db", str(tmp_path / "i.sqlite"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    expected = {*names, str((long_dir / "deep.jpg").relative_to(needles))}
    assert {row["path"] for row in rows} == expected  # raw bytes and the newline survive CSV
    report = _report(tmp_path, hay, needles)
    paths = [image["path"] for image in report["images"]]
    assert len(paths) == len(set(paths)) == len(names) + 1
    assert set(_statuses(report).values()) == {"same"}
    assert set(paths) == expected
    table = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--db",
                    str(tmp_path / "i.sqlite"))  # fmt: skip
    assert table.returncode == 0 and "Traceback" not in table.stderr


def test_symlinks_to_files_loops_and_dangling(tmp_path: Path) -> None:
    """A link to a picture is followed, a folder loop is walked once, a dangling link with an
    image name is unreadable."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    write(needles / "real/a.jpg", photos[1], 85)
    os.symlink(needles / "real/a.jpg", needles / "link.jpg")
    os.symlink(needles, needles / "real/loop")
    os.symlink(needles / "gone.jpg", needles / "dangling.jpg")
    result = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format",
                     "json", "--db", str(tmp_path / "i.sqlite"))  # fmt: skip
    assert result.returncode == 1
    assert _statuses(json.loads(result.stdout)) == {
        "real/a.jpg": "same",
        "link.jpg": "same",
        "dangling.jpg": "unreadable",
    }
    assert "symlink loop" in result.stderr


_DROP_CAPS = ("-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search")


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_file_and_folder_are_reported_and_the_run_continues(tmp_path: Path) -> None:
    """Without read permission a file is unreadable and a folder is a warning, and the run
    goes on. Root reads anything, so as root the CLI runs without the capabilities that let
    it (setpriv), which makes permissions bite."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions cannot be enforced")
        prefix = ["setpriv", "--bounding-set", *_DROP_CAPS]
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    write(needles / "ok.jpg", photos[0], 85)
    write(needles / "locked.jpg", photos[1], 85).chmod(0)
    write(needles / "closed/inside.jpg", photos[2], 85)
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
    assert _statuses(report) == {"ok.jpg": "same", "locked.jpg": "unreadable"}
    locked = next(i for i in report["images"] if i["path"] == "locked.jpg")
    assert locked["reason"] == "cannot read (Permission denied)"
    assert any("closed" in w and "Permission denied" in w for w in report["warnings"])
    assert "closed" in result.stderr


def test_a_library_file_that_cannot_be_read_is_named_in_a_warning(tmp_path: Path) -> None:
    """A library photo cut short on disk holds nothing to match: its backup copy is `missing`,
    and the run (and `find`) says which library file could not be read and why, so that the
    person knows the library side is short before trusting the answer."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    whole = (hay / "P1.jpg").read_bytes()
    (hay / "P1.jpg").write_bytes(whole[: len(whole) // 3])
    needles = tmp_path / "needles"
    write(needles / "ok.jpg", photos[0], 85)
    write(needles / "copy of cut.jpg", photos[1], 85)
    db = str(tmp_path / "i.sqlite")
    result = run_cli(tmp_path, "--haystack", str(hay), "--needles", str(needles),
                     "--format", "json", "--db", db)  # fmt: skip
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert _statuses(report) == {"ok.jpg": "same", "copy of cut.jpg": "missing"}
    (said,) = [w for w in report["warnings"] if "cannot be read" in w]
    assert said.startswith(f"the library holds 1 file that cannot be read ({hay / 'P1.jpg'}: ")
    assert said in result.stderr
    found = run_cli(tmp_path, "find", str(needles / "copy of cut.jpg"), "--haystack", str(hay),
                    "--format", "json", "--db", db)  # fmt: skip
    assert said in json.loads(found.stdout)["warnings"]


def _tree_state(root: Path) -> dict[str, tuple[int, int, str]]:
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        state[str(path.relative_to(root))] = (info.st_mode, info.st_mtime_ns, digest)
    return state


def test_sources_are_never_written(tmp_path: Path) -> None:
    """After runs (one with the trees made read-only), both trees are byte-for-byte and
    listing-for-listing unchanged: no index, cache, thumbnail or lock file appears there."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    write(needles / "a/x.jpg", photos[0], 70)
    write(needles / "b/y.png", scene(42), 90)
    before = (_tree_state(hay), _tree_state(needles))
    _report(tmp_path, hay, needles)
    assert (_tree_state(hay), _tree_state(needles)) == before
    for root in (hay, needles):
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        frozen = (_tree_state(hay), _tree_state(needles))
        report = _report(tmp_path, hay, needles, "--rebuild")
        assert _statuses(report) == {"a/x.jpg": "same", "b/y.png": "missing"}
        assert (_tree_state(hay), _tree_state(needles)) == frozen
    finally:
        for root in (hay, needles):
            for path in [root, *root.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_kill_nine_during_indexing_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL mid-indexing: the index passes integrity_check, finished files are not decoded
    again, and the next run's report equals an uninterrupted run's."""
    hay = tmp_path / "hay"
    distinct_jpegs(hay, 400, pictures=7)
    needles = tmp_path / "needles"
    write(needles / "a.jpg", scene(3, 900, 1200), 80)
    write(needles / "b.jpg", scene(99), 80)
    db = tmp_path / "killed.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "reconcile", "--haystack", str(hay), "--needles", str(needles),
         "--db", str(db), "--jobs", "1", "--quiet"],
        cwd=REPO, env=cli_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    stored = 0
    deadline = time.monotonic() + 120
    while stored < 128 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            except sqlite3.Error:
                stored = 0
    assert process.poll() is None, "the run finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    assert 0 < stored < 400

    phases = Phases()
    resumed = reconcile(haystack=[str(hay)], needles=[str(needles)], db=str(db), progress=phases)
    assert phases.totals["Indexing haystack"] == 400 - stored
    fresh = reconcile(haystack=[str(hay)], needles=[str(needles)], db=str(tmp_path / "f.sqlite"))
    assert resumed.items == fresh.items
    assert resumed.folders == fresh.folders


def test_two_runs_on_one_index_at_once(tmp_path: Path) -> None:
    """Two processes sharing an index at the same time both finish with the right report."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    distinct_jpegs(hay / "more", 40, pictures=7)
    needles = tmp_path / "needles"
    write(needles / "a.jpg", photos[0], 75)
    write(needles / "b.jpg", scene(1234), 75)
    db = str(tmp_path / "shared.sqlite")
    command = [sys.executable, "-m", "reconcile", "--haystack", str(hay), "--needles",
               str(needles), "--db", db, "--format", "json"]  # fmt: skip
    runs = [
        subprocess.Popen(
            command,
            cwd=REPO,
            env=cli_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 1, err
        assert _statuses(json.loads(out)) == {"a.jpg": "same", "b.jpg": "missing"}


def _corrupt_avif(rgb: np.ndarray) -> bytes:
    """An AVIF whose container is sound but whose colour planes are not: the AVIF decoder
    raises RuntimeError ("Failed to decode frame 0"), not one of Pillow's usual errors."""
    data = bytearray(_pil_bytes(Image.fromarray(rgb), "AVIF", quality=60))
    middle = len(data) // 2
    for offset in range(middle, min(len(data), middle + 200)):
        data[offset] ^= 0x55
    return bytes(data)


def test_one_file_whose_decoder_raises_anything_does_not_stop_the_run(tmp_path: Path) -> None:
    """A corrupt AVIF (RuntimeError inside the decoder) is `unreadable` with a reason, and every
    other file still gets its status: the run finishes with the report."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    (needles / "phone").mkdir(parents=True)
    (needles / "phone/IMG_1.avif").write_bytes(_corrupt_avif(photos[0]))
    write(needles / "phone/IMG_2.jpg", photos[1], 80)
    write(needles / "phone/IMG_3.jpg", scene(4242), 80)
    report = _report(tmp_path, hay, needles)
    assert _statuses(report) == {
        "phone/IMG_1.avif": "unreadable",
        "phone/IMG_2.jpg": "same",
        "phone/IMG_3.jpg": "missing",
    }
    avif = next(i for i in report["images"] if i["path"] == "phone/IMG_1.avif")
    assert "decode" in avif["reason"].lower()
