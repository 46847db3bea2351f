"""The worker pool itself, with real processes: per-file deadlines that hold while answers
stream in, workers started as programs (the way macOS, and Linux when forking fails, start
them), and a worker that cannot start saying why."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import encode, scene, write

from reconcile.facts import Task
from reconcile.work.pool import ProcessPool, WorkerError


def _task(path: Path) -> Task:
    info = path.stat()
    return Task(str(path), info.st_size, info.st_mtime_ns, want_digest=False)


def _slow_png(path: Path, tiles: int = 20) -> Path:
    """A 192-megapixel PNG (20 x 20 tiles): about two seconds of decoding here, far past a
    half-second limit."""
    tile = scene(78, 600, 800)
    ok, data = cv2.imencode(".png", np.tile(tile, (tiles, tiles, 1)),
                            [cv2.IMWRITE_PNG_COMPRESSION, 1])  # fmt: skip
    assert ok
    path.write_bytes(data.tobytes())
    return path


def test_a_deadline_holds_beside_a_stream_of_small_files(tmp_path: Path) -> None:
    """With two workers, a file over its limit is stopped while the other worker's answers keep
    arriving: it is `unreadable` (took too long), never fingerprinted late, and every small
    file beside it gets its facts. (Deadlines checked only when no answer waited let the big
    file run to its end.)"""
    slow = _slow_png(tmp_path / "slow.png")
    # Enough of them that the other worker answers for longer than the big file decodes.
    small = encode(scene(5, 480, 640), ".jpg", 80)
    tiny = []
    for number in range(800):
        path = tmp_path / "small" / f"{number:04d}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(small[:2] + b"\xff\xfe\x00\x06" + number.to_bytes(4, "big") + small[2:])
        tiny.append(path)
    with ProcessPool(2, file_seconds=0.5) as pool:
        facts = {f.path: f for f in pool.analyse([_task(slow), *map(_task, tiny)])}
    assert facts[str(slow)].reason == "took too long (over 0.5 s)"
    assert facts[str(slow)].full is None
    assert len(facts) == 801
    assert all(facts[str(p)].full is not None for p in tiny)


def test_the_last_files_of_a_batch_go_to_a_free_worker(tmp_path: Path) -> None:
    """Three files on two workers, the first slow: both others are answered by the free
    worker while the slow one decodes. (Each worker was handed two files ahead: the second
    small file waited behind the slow one, as the third of three HEICs to confirm waited
    for two decodes.)"""
    slow = _slow_png(tmp_path / "slow.png", tiles=8)  # 31 megapixels: a fraction of a second
    write(tmp_path / "a.jpg", scene(81), 85)
    write(tmp_path / "b.jpg", scene(82), 85)
    # A limit far above the slow file's fraction of a second, far below the default two
    # minutes: one clean-clone run saw this worker stuck on the big PNG until its limit.
    with ProcessPool(2, file_seconds=30) as pool:
        tasks = [_task(slow), _task(tmp_path / "a.jpg"), _task(tmp_path / "b.jpg")]
        order = [Path(facts.path).name for facts in pool.analyse(tasks)]
    assert order == ["a.jpg", "b.jpg", "slow.png"]


def test_a_file_handed_to_a_worker_idle_for_long_has_its_own_time(tmp_path: Path) -> None:
    """A worker that waited between two batches (the matching between a run's phases can
    last minutes) gives the next file its whole limit: the wait is not counted as that
    file's decoding. (A limit of 3 s was once too short for the first small file in a
    clean-clone CI run on a machine busy with two test processes and a browser.)"""
    first = write(tmp_path / "first.jpg", scene(5, 480, 640), 80)
    second = write(tmp_path / "second.jpg", scene(6, 480, 640), 80)
    with ProcessPool(1, file_seconds=8.0) as pool:
        (before,) = pool.analyse([_task(first)])
        time.sleep(9.0)  # idle for longer than a file may take
        (after,) = pool.analyse([_task(second)])
    assert before.reason is None
    assert after.reason is None and after.full is not None


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_started_either_way_give_the_same_facts(tmp_path: Path, start: str) -> None:
    """Workers forked from this process and workers started as `python -m
    reconcile.work.worker` analyse alike: the same prints for the same files, a bad file's
    reason, and a file over its limit stopped."""
    good = [write(tmp_path / f"{n}.jpg", scene(n, 240, 320), 90) for n in range(4)]
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff not a jpeg")
    slow = _slow_png(tmp_path / "slow.png")
    tasks = [_task(p) for p in (*good, bad, slow)]
    with ProcessPool(2, start="fork") as pool:
        reference = {f.path: f for f in pool.analyse(tasks[:-1])}
    with ProcessPool(2, start=start, file_seconds=0.5) as pool:  # type: ignore[arg-type]
        facts = {f.path: f for f in pool.analyse(tasks)}
    for path in good:
        assert facts[str(path)].full == reference[str(path)].full
    assert facts[str(bad)].reason == reference[str(bad)].reason is not None
    assert facts[str(slow)].reason == "took too long (over 0.5 s)"


def test_a_worker_that_cannot_start_says_why(tmp_path: Path) -> None:
    """A worker program whose Python lacks what reconcile needs (a broken install) stops the
    run with WorkerError naming the cause, read from what the worker wrote as it failed."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = str(bare / "bin" / "python")
    photo = write(tmp_path / "a.jpg", scene(1), 90)
    with (
        ProcessPool(1, start="spawn", python=python) as pool,
        pytest.raises(WorkerError, match=r"cannot start \(ModuleNotFoundError: No module named"),
    ):
        list(pool.analyse([_task(photo)]))


def test_a_missing_python_is_a_worker_error(tmp_path: Path) -> None:
    """A worker program that cannot even be started is WorkerError, one line, naming why."""
    photo = write(tmp_path / "a.jpg", scene(1), 90)
    with (
        ProcessPool(1, start="spawn", python=str(tmp_path / "no-python")) as pool,
        pytest.raises(WorkerError, match="cannot start worker processes"),
    ):
        list(pool.analyse([_task(photo)]))


def test_a_raw_decodes_in_a_worker_forked_after_the_caller_decoded_one(tmp_path: Path) -> None:
    """LibRaw decodes with OpenMP, whose threads a fork does not copy: once this process has
    decoded a RAW, a forked worker's RAW waited for them until its time limit. It decodes."""
    from conftest import SAMPLE

    from reconcile.media.decode import decode

    raw = SAMPLE / "needles/New card 2011/DSC_0003.DNG"
    assert decode(raw.read_bytes(), name=raw.name).width > 0  # OpenMP's threads, here
    with ProcessPool(1, file_seconds=20.0, start="fork") as pool:
        (facts,) = pool.analyse([_task(raw)])
    assert facts.reason is None and facts.full is not None


# A program that converted a video frame with PyAV's own converter (shared by a thread, with
# a thread pool of its own), then analyses `path` in a pool forked from its main thread or
# from another thread; it prints the file's reason ("None" when it was analysed). Run as a
# process of its own: the converter's state is what is under test, and it would stay in
# this one.
_CALLER = """
import os, sys, threading
import av
from reconcile.facts import Kind, Task
from reconcile.media import video
from reconcile.work.pool import ProcessPool

path, clip, where = sys.argv[1:]
assert video.sample(clip).frames  # this library's converter, here
with av.open(clip) as container:  # PyAV's own, as a program using the library may use it
    frame = next(container.decode(video=0))
    frame.reformat(width=32, height=24, format="rgb24").to_ndarray()
info = os.stat(path)
kind = Kind.VIDEO if path.endswith(".mp4") else Kind.IMAGE
task = Task(path, info.st_size, info.st_mtime_ns, want_digest=False, kind=kind)
said = []
def analyse():
    with ProcessPool(1, file_seconds=20.0, start="fork") as pool:
        said.extend(facts.reason for facts in pool.analyse([task]))
if where == "thread":
    thread = threading.Thread(target=analyse)
    thread.start()
    thread.join()
else:
    analyse()
print(said)
"""


@pytest.mark.parametrize(
    ("name", "where"),
    [("Card dump 2009-07/MVI_0003.mp4", "main"), ("New card 2011/DSC_0001.jpg", "thread")],
    ids=["a clip, forked from the converting thread", "a photo, forked from another thread"],
)
def test_a_file_is_analysed_in_a_worker_forked_after_the_caller_converted_frames(
    name: str, where: str
) -> None:
    """A caller that converted video frames, through this library or PyAV itself: a worker
    forked from the same thread decoded a clip with PyAV's shared converter and waited for
    threads a fork does not copy until its time limit (the 240 s tests of clean-clone runs);
    a worker forked from another thread never started (Python frees the other thread's
    converter in the child, which waits for those threads), and the run stopped after a
    minute. Both files are analysed: clips convert on a converter of our own, and a forked
    worker not ready in seconds gives way to workers started as new programs."""
    from conftest import SAMPLE

    clip = SAMPLE / "needles/Card dump 2009-07/MVI_0003.mp4"
    done = subprocess.run(
        [sys.executable, "-c", _CALLER, str(SAMPLE / "needles" / name), str(clip), where],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.stdout.strip() == "[None]", done.stderr[-2000:]
