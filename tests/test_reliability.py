"""Reliability II, case by case through the CLI: signals and killed runs, memory and time
budgets, walks that stay inside their roots, odd file types, and output that cannot be written.

Real processes where a signal or a pipe is under test; the rest runs the CLI in-process."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    REENCODED,
    REPO,
    cli_env,
    distinct_jpegs,
    encode,
    run_cli,
    run_process,
    scene,
    verified,
    write,
)
from PIL import Image

from reconcile import reconcile
from reconcile.facts import Task
from reconcile.media.analyse import analyse
from reconcile.work.worker import NAME as WORKER_NAME

# --- helpers --------------------------------------------------------------------------------


def _library(root: Path) -> list[np.ndarray]:
    photos = [scene(seed, 360, 480) for seed in range(900, 903)]
    for number, photo in enumerate(photos):
        write(root / f"P{number}.jpg", photo, 92)
    return photos


def _workers_of(pid: int) -> list[int]:
    """Live processes (not zombies) that are reconcile workers of process `pid`: its children
    that carry the workers' name (forked or started, they name themselves)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        state, parent = rest.split()[:2]
        if name.endswith(f"({WORKER_NAME}") and int(parent) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _private(pid: int) -> int:
    """Memory a process holds of its own: a forked worker shares its parent's pages, which
    its resident size counts too."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    kinds = ("Private_Clean", "Private_Dirty")
    return sum(int(fields.get(kind, "0 kB").split()[0]) * 1024 for kind in kinds)


def _wait_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _start_indexing(tmp_path: Path, jobs: str = "2") -> tuple[subprocess.Popen[str], Path]:
    """A CLI run busy indexing a large library, its workers up and at work."""
    hay = tmp_path / "hay"
    distinct_jpegs(hay, 300)
    needles = tmp_path / "needles"
    write(needles / "a.jpg", scene(3), 80)
    db = tmp_path / "i.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "reconcile", "--haystack", str(hay), "--needles", str(needles),
         "--db", str(db), "--jobs", jobs, "--format", "json"],
        cwd=REPO, env=cli_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def indexing() -> bool:
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                return conn.execute("SELECT count(*) FROM files").fetchone()[0] > 0
        except sqlite3.Error:
            return False

    assert _wait_until(indexing, 120), "indexing never started"
    assert len(_workers_of(process.pid)) == int(jobs)
    return process, db


# --- 4: signals and killed runs ------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="lists processes through /proc (Linux)")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c(tmp_path: Path, sig: int, code: int) -> None:
    """SIGTERM or SIGHUP mid-indexing: one line, exit 128 + signal, no worker left, an index
    that passes integrity_check."""
    process, db = _start_indexing(tmp_path)
    workers = _workers_of(process.pid)
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    assert process.returncode == code
    name = signal.Signals(sig).name
    assert err == f"reconcile: stopped by {name}; the index keeps what was finished\n"
    assert out == ""
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 5)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_sigkill_of_the_run_leaves_no_process_holding_its_stdout(tmp_path: Path) -> None:
    """kill -9 of the main process mid-indexing: its workers end within seconds, so a reader
    of its stdout (`reconcile ... | wc -c`) sees the end instead of hanging."""
    process, _ = _start_indexing(tmp_path)
    workers = _workers_of(process.pid)
    process.kill()
    out, _ = process.communicate(timeout=10)  # EOF on stdout: nobody holds the pipe now
    assert out == ""
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux")
def test_workers_hold_nothing_of_the_caller(tmp_path: Path) -> None:
    """A worker (forked from the main process) holds /dev/null as its standard streams, its
    own two pipes and at most the photo it is reading: not the caller's stdout or stderr, not
    another worker's pipes, not the index."""
    process, db = _start_indexing(tmp_path)
    try:
        caller = {os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in (1, 2)}
        pipes: list[set[str]] = []
        for pid in _workers_of(process.pid):
            held = {
                int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")
            }
            assert [held[fd] for fd in (0, 1, 2)] == ["/dev/null"] * 3
            rest = [target for fd, target in held.items() if fd > 2]
            own = {target for target in rest if target.startswith("pipe:")}
            assert len(own) == 2 and not own & caller
            pipes.append(own)
            files = [target for target in rest if not target.startswith("pipe:")]
            assert all(target.startswith(str(tmp_path / "hay")) for target in files), files
            assert str(db) not in files
        assert len(pipes) == 2 and not pipes[0] & pipes[1]
    finally:
        process.kill()
        process.communicate(timeout=10)


# --- 3: memory and time, one file at a time -----------------------------------------------


def _heavy_files(folder: Path) -> dict[str, bytes]:
    """Small files that claim hundreds of megapixels (each needs gigabytes done naively)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    files["one_bit.png"] = _saved(Image.new("1", (17000, 17000), 1), "PNG")
    files["sixteen_bit.png"] = _saved(Image.new("I;16", (10000, 10000), 4000), "PNG")
    floats = Image.new("F", (12000, 12000), 0.5)
    files["floats.tif"] = _saved(floats, "TIFF", compression="tiff_adobe_deflate")
    files["wide.webp"] = _webp_claiming(16383, 16383)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def _webp_claiming(width: int, height: int) -> bytes:
    """A 46-byte lossless WebP whose header claims an RGBA picture of this size (encoding a
    real one takes a minute); only a decoder that believes the header allocates it."""
    small = _saved(Image.new("RGBA", (8, 8), (1, 2, 3, 4)), "WEBP", lossless=True)
    at = small.index(b"VP8L") + 9  # past the chunk header and the 0x2f signature
    bits = (width - 1) | (height - 1) << 14 | 1 << 28  # 14-bit sizes, then "alpha used"
    return small[:at] + struct.pack("<I", bits) + small[at + 4 :]


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.skipif(not Path("/usr/bin/prlimit").exists(), reason="needs prlimit (util-linux)")
def test_files_that_need_gigabytes_get_a_status_under_a_memory_limit(tmp_path: Path) -> None:
    """Under a 4 GB address-space limit: a 1-bit PNG, a 16-bit PNG, a float TIFF and a WebP
    claiming 144-289 megapixels, and a 3 GB sparse file named .jpg, each get a status, the
    run finishes with its report, and a second run over the same files does too."""
    hay = tmp_path / "hay"
    _library(hay)
    needles = tmp_path / "needles"
    _heavy_files(needles)
    with open(needles / "sparse.jpg", "wb") as sparse:
        sparse.truncate(3 * 1024**3)
    db = tmp_path / "i.sqlite"
    command = [
        "prlimit", "--as=4294967296", sys.executable, "-m", "reconcile",
        "--haystack", str(hay), "--needles", str(needles), "--db", str(db), "--format", "json",
    ]  # fmt: skip
    for _ in range(2):
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=REPO, env=cli_env(tmp_path), timeout=600
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        statuses = {
            i["path"]: (i["status"], i["reason"]) for i in json.loads(result.stdout)["images"]
        }
        assert set(statuses) == {
            "one_bit.png", "sixteen_bit.png", "floats.tif", "wide.webp", "sparse.jpg",
        }  # fmt: skip
        assert statuses["sparse.jpg"] == ("unreadable", "not an image (unknown format)")
        for name, (status, reason) in statuses.items():
            # Flat pictures: nothing to match, or too big to decode here; never a crash.
            assert status in ("missing", "unreadable"), (name, status, reason)


def test_a_worker_killed_mid_file_makes_that_file_unreadable_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    """A worker killed by SIGKILL while it decodes a file (what the OOM killer does) costs
    that file alone: it is `unreadable` with the reason, the others get their statuses, and
    the next run reads the index instead of dying on the file again."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    needles.mkdir()
    (needles / "huge.png").write_bytes(encode(np.tile(scene(77, 600, 800), (10, 10, 1)), ".png"))
    write(needles / "copy.jpg", photos[0], 80)
    db = str(tmp_path / "i.sqlite")
    (tmp_path / "empty").mkdir()
    reconcile(haystack=[str(hay)], needles=[str(tmp_path / "empty")], db=db)  # library indexed
    me = os.getpid()
    result: dict[str, object] = {}

    def run() -> None:
        result["report"] = reconcile(haystack=[str(hay)], needles=[str(needles)], db=db, jobs=1)

    def decoding_the_png() -> bool:  # 8000 x 6000 RGB (144 MB): a worker idles at about 14 MB
        # (a lower mark than the picture's whole size: on a busy machine a poll can miss the
        # moment the decode peaks, but not the second or so the picture is held)
        return any(_private(pid) > 120_000_000 for pid in _workers_of(me))

    thread = threading.Thread(target=run)
    thread.start()
    assert _wait_until(decoding_the_png, 60)
    for pid in _workers_of(me):
        os.kill(pid, signal.SIGKILL)
    thread.join(120)
    report = result["report"]
    statuses = {i.path: (i.status.value, i.reason) for i in report.items}  # type: ignore[attr-defined]
    assert statuses["copy.jpg"] == ("same", verified(REENCODED, 480, 360))
    assert statuses["huge.png"] == ("unreadable", "worker ran out of memory (killed by the system)")
    again = reconcile(haystack=[str(hay)], needles=[str(needles)], db=db, jobs=1)
    assert {i.path: i.status.value for i in again.items} == {
        "copy.jpg": "same",
        "huge.png": "unreadable",
    }


def test_a_file_over_the_time_limit_is_unreadable_and_the_rest_finish(tmp_path: Path) -> None:
    """A file that holds its worker past the per-file limit is stopped and `unreadable`
    ("took too long"); the files after it still get their statuses."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    needles.mkdir()
    (needles / "a_slow.png").write_bytes(encode(np.tile(scene(78, 600, 800), (10, 10, 1)), ".png"))
    write(needles / "b_copy.jpg", photos[1], 80)
    report = reconcile(
        haystack=[str(hay)], needles=[str(needles)], db=str(tmp_path / "i.sqlite"),
        jobs=1, file_seconds=0.5,
    )  # fmt: skip
    statuses = {i.path: (i.status.value, i.reason) for i in report.items}
    assert statuses == {
        "a_slow.png": ("unreadable", "took too long (over 0.5 s)"),
        "b_copy.jpg": ("same", verified(REENCODED, 480, 360)),
    }


# --- 6: walks that stay inside their roots --------------------------------------------------


def test_symlinks_out_of_the_roots_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """A backup's `z: -> /usr/share` (Wine leaves these) and `log.jpg -> /proc/kmsg` are not
    followed: skipped, with a warning each, and the run ends; what they lead to was never
    seen, so their folder is `unreadable` (exit 1), saying which links."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    write(needles / "ok.jpg", photos[2], 80)
    (needles / "z:").symlink_to("/usr/share")
    (needles / "log.jpg").symlink_to("/proc/kmsg")
    (needles / "into_library").symlink_to(hay)  # inside a root: followed
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format", "json",
        "--db", str(tmp_path / "i.sqlite"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # everything followed is imported, but...
    report = json.loads(result.stdout)
    (folder,) = [d for d in report["directories"] if d["status"] == "unreadable"]
    assert folder["path"] == "."
    assert folder["reason"] == (
        "log.jpg is a symlink out of the folders compared (/proc/kmsg); z: is a symlink out of "
        "the folders compared (/usr/share)"
    )
    assert report["summary"]["unseen_folders"] == 1
    paths = {i["path"]: i["status"] for i in report["images"]}
    assert paths["ok.jpg"] == "same"
    assert {p for p in paths if p.startswith("into_library/")} == {
        "into_library/P0.jpg", "into_library/P1.jpg", "into_library/P2.jpg",
    }  # fmt: skip
    assert all(not p.startswith("z:") and p != "log.jpg" for p in paths)
    outside = [w for w in report["warnings"] if "outside the folders being compared" in w]
    assert len(outside) == 2
    assert report["summary"]["skipped"] == 2


def test_pipes_devices_and_folders_with_image_names_are_accounted_for(tmp_path: Path) -> None:
    """A FIFO and a device link named .jpg are `unreadable` (never opened, so nothing blocks);
    a folder named .jpg is a folder whose pictures count."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    write(needles / "album.jpg/inside.jpg", photos[0], 80)
    os.mkfifo(needles / "pipe.jpg")
    (needles / "null.jpg").symlink_to("/dev/null")
    report = reconcile(haystack=[str(hay)], needles=[str(needles), "/dev"][:1],
                       db=str(tmp_path / "i.sqlite"))  # fmt: skip
    statuses = {i.path: (i.status.value, i.reason) for i in report.items}
    assert statuses["album.jpg/inside.jpg"] == ("same", verified(REENCODED, 480, 360))
    assert statuses["pipe.jpg"] == ("unreadable", "not a regular file: a pipe")
    # /dev/null lies outside the roots: not followed at all.
    assert "null.jpg" not in statuses


def test_a_needle_swapped_for_a_fifo_after_the_scan_does_not_block(tmp_path: Path) -> None:
    """The file is opened without blocking and checked to be regular: a FIFO in its place
    is a reason, at once."""
    fifo = tmp_path / "IMG_1.jpg"
    os.mkfifo(fifo)
    facts: list[object] = []
    thread = threading.Thread(target=lambda: facts.append(analyse(Task(str(fifo), 1000, 1))))
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "reading a FIFO blocked"
    assert facts[0].reason == "cannot read (not a regular file: a pipe)"  # type: ignore[attr-defined]


def test_folders_nested_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    """1,100 nested folders are walked (iteratively): the picture at the bottom is found."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    needles = tmp_path / "needles"
    deep = str(needles)
    os.mkdir(deep)
    for _ in range(1100):  # level by level: pathlib's mkdir(parents=True) recurses itself
        deep += "/d"
        os.mkdir(deep)
    Path(deep, "bottom.jpg").write_bytes(encode(photos[1], ".jpg", 80))
    try:
        db = str(tmp_path / "i.sqlite")
        report = reconcile(haystack=[str(hay)], needles=[str(needles)], db=db)
        assert [(i.path.count("/"), i.status.value) for i in report.items] == [(1100, "same")]
    finally:  # pytest's clean-up of old temporary folders recurses: leave none this deep
        os.remove(Path(deep, "bottom.jpg"))
        while deep != str(needles):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


# --- 7: smaller ones ---------------------------------------------------------------------------


def test_a_progressive_jpeg_with_thousands_of_empty_scans_is_refused_at_once(
    tmp_path: Path,
) -> None:
    """20,000 empty scans cost minutes of decoder time; the file is `unreadable` instead."""
    out = io.BytesIO()
    Image.fromarray(scene(5, 120, 160)).save(out, "JPEG", quality=80, progressive=True)
    data = out.getvalue()
    at = 0
    while True:  # the first AC scan: its spectral selection starts above 0
        at = data.index(b"\xff\xda", at + 1)
        components = data[at + 4]
        if data[at + 5 + 2 * components] >= 1:
            break
    header = data[at : at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")]
    bomb = data[:at] + header * 20000 + data[at:]
    scans = bomb.count(b"\xff\xda")
    path = tmp_path / "bomb.jpg"
    path.write_bytes(bomb)
    started = time.monotonic()
    facts = analyse(Task(str(path), len(bomb), 1))
    assert facts.reason == f"corrupt JPEG ({scans} scans)"
    assert time.monotonic() - started < 5


def test_nested_needles_roots_are_counted_once(tmp_path: Path) -> None:
    """`--needles B --needles B/copies`: each picture once, and a warning naming both."""
    hay = tmp_path / "hay"
    photos = _library(hay)
    backup = tmp_path / "B"
    write(backup / "a.jpg", photos[0], 80)
    write(backup / "copies/b.jpg", photos[1], 80)
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(backup), "--needles",
        str(backup / "copies"), "--format", "json", "--db", str(tmp_path / "i.sqlite"),
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert sorted(i["path"] for i in report["images"]) == ["a.jpg", "copies/b.jpg"]
    assert report["needles"] == [str(backup)]
    assert any("counted once" in w for w in report["warnings"])


def test_jobs_are_capped_at_twice_the_cores(tmp_path: Path) -> None:
    """`--jobs 150` on a small machine: a warning, and the run uses twice the cores."""
    result = run_cli(
        tmp_path, "--haystack", "sample_data/haystack", "--needles", "sample_data/needles",
        "--jobs", "150", "--db", str(tmp_path / "i.sqlite"), "--format", "json",
    )  # fmt: skip
    assert result.returncode == 1
    cap = 2 * (os.cpu_count() or 1)
    assert result.stderr.startswith(f"warning: --jobs 150: using {cap}, twice the cores")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """A report that cannot be written (stdout on /dev/full) fails with one line, exit 2."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "reconcile", "--haystack", "sample_data/haystack",
             "--needles", "sample_data/needles", "--format", "json",
             "--db", str(tmp_path / "i.sqlite")],
            stdout=full, stderr=subprocess.PIPE, text=True, cwd=REPO, env=cli_env(tmp_path),
            timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "reconcile: cannot write the report (No space left on device)\n"


def test_closed_stdout_is_one_line_and_exit_two(tmp_path: Path) -> None:
    """Started with stdout closed (`>&-`): one line, exit 2, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "reconcile", "--haystack", "sample_data/haystack",
         "--needles", "sample_data/needles", "--db", str(tmp_path / "i.sqlite")],
        stdout=None, stderr=subprocess.PIPE, text=True, cwd=REPO, env=cli_env(tmp_path),
        timeout=120, preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "reconcile: stdout is closed: nowhere to write the report\n"


def test_run_process_and_run_cli_agree(tmp_path: Path) -> None:
    """The in-process CLI used by most tests prints what a real process prints."""
    args = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles",
            "--format", "csv")  # fmt: skip
    real, here = run_process(tmp_path, *args), run_cli(tmp_path, *args)
    assert (real.returncode, real.stdout, real.stderr) == (
        here.returncode,
        here.stdout,
        here.stderr,
    )


def test_an_index_on_a_read_only_filesystem_says_so(tmp_path: Path) -> None:
    """An index that cannot be written is "cannot open the index (...)", one line, exit 2, and
    not mistaken for a file that is not an index."""
    disk = tmp_path / "ro"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        args = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles",
                "--db", str(disk / "i.sqlite"))  # fmt: skip
        assert run_cli(tmp_path, *args).returncode == 1
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run_cli(tmp_path, *args)
        assert result.returncode == 2
        assert result.stderr.startswith(f"reconcile: {disk / 'i.sqlite'}: cannot ")
        assert "not a reconcile index" not in result.stderr
        assert result.stderr.count("\n") == 1
    finally:
        subprocess.run(["umount", str(disk)], check=False)
