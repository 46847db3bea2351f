"""Shared helpers: photo-like test pictures drawn with OpenCV, and ways to run the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from reconcile.facts import THUMB, FileFacts, Task
from reconcile.work.pool import ProcessPool

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"


def scene(seed: int, height: int = 480, width: int = 640) -> np.ndarray:
    """A photo-like RGB picture: a lit background, objects of many sizes, texture, noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * x / width + np.sin(angle) * y / height) * rng.uniform(40, 120)
    base = rng.uniform(40, 180, size=3)
    image = np.clip(base[None, None, :] + ramp[:, :, None], 0, 255).astype(np.uint8)
    image = np.ascontiguousarray(image)
    for _ in range(rng.integers(12, 24)):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        size = int(rng.integers(min(height, width) // 30, min(height, width) // 4))
        if rng.random() < 0.5:
            cv2.circle(image, centre, size, colour, -1, lineType=cv2.LINE_AA)
        else:
            corner = (centre[0] + size, centre[1] + int(size * rng.uniform(0.5, 2)))
            cv2.rectangle(image, centre, corner, colour, -1)
    image = cv2.GaussianBlur(image, (0, 0), 1.2)
    noise = rng.normal(0, 4, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


# The reason a copy at the library picture's own size is `same` with.
REENCODED = "re-encoded or re-tagged at the same size"


def verified(reason: str, width: int = 640, height: int = 480) -> str:
    """A `same`'s reason once the fine look at width x height has confirmed it (under 512 px
    saying what that size cannot show)."""
    said = f"{reason}; verified at {width}x{height}"
    if max(width, height) >= 512:
        return said
    return f"{said} only: a change of under 0.5 % of the frame may not show at that size"


def gray_thumbnail(rgb: np.ndarray) -> np.ndarray:
    """The THUMB x THUMB luminance thumbnail the fingerprints are computed from."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    return cv2.resize(gray, (THUMB, THUMB), interpolation=cv2.INTER_AREA)


def hamming(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def encode(rgb: np.ndarray, ext: str = ".jpg", quality: int = 90) -> bytes:
    """Encoded bytes of an RGB picture."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if ext in (".jpg", ".jpeg") else []
    ok, buffer = cv2.imencode(ext, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)
    assert ok
    return buffer.tobytes()


def write(path: Path, rgb: np.ndarray, quality: int = 90) -> Path:
    """Write an RGB picture in the format its name says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(rgb, path.suffix.lower(), quality))
    return path


def resized(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def distinct_jpegs(root: Path, count: int, *, pictures: int = 5) -> None:
    """`count` camera-sized JPEGs of a few pictures, no two with the same bytes (a comment
    segment differs): enough work that indexing them takes seconds with one job."""
    root.mkdir(parents=True)
    encoded = [encode(scene(seed, 900, 1200), ".jpg", 95) for seed in range(pictures)]
    for number in range(count):
        data = encoded[number % pictures]
        data = data[:2] + b"\xff\xfe\x00\x08" + number.to_bytes(4, "big") + data[2:]
        (root / f"IMG_{number:04d}.jpg").write_bytes(data)


def cli_env(tmp_path: Path) -> dict[str, str]:
    """An environment for running the CLI: the repo importable, the cache in tmp_path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # where the default index's decisions go
    env.pop("COLUMNS", None)
    return env


def run_process(tmp_path: Path, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `python -m reconcile` as a user would, in a subprocess (for signals and pipes)."""
    return subprocess.run(
        [sys.executable, "-m", "reconcile", *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",  # CSV writes names that are not UTF-8 as their own bytes
        cwd=cwd,
        env=cli_env(tmp_path),
        timeout=300,
    )


def run_cli(tmp_path: Path, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the CLI's `main(argv)` in this process with captured streams, as `run_process`
    would run it (the cache in tmp_path, `cwd` as the working folder), without its start-up."""
    from reconcile.cli.main import main

    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME")}
    saved_cwd = os.getcwd()
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    os.environ["XDG_DATA_HOME"] = str(tmp_path / "data")
    os.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(saved_cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


class Phases:
    """A Progress that remembers how much work each phase announced."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}

    def start(self, phase: str, total: int) -> None:
        self.totals[phase] = total

    def advance(self, count: int = 1) -> None:
        pass


class Recording:
    """The process pool, with a record of the tasks it was given."""

    def __init__(self) -> None:
        self.pool = ProcessPool(2)
        self.tasks: list[Task] = []
        self.batches: list[list[Task]] = []  # the tasks of each call, in order

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]:
        self.tasks += tasks
        self.batches.append(list(tasks))
        return self.pool.analyse(tasks)

    def close(self) -> None:
        self.pool.close()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "index.sqlite")


def judged(tmp_path: Path, hay: Path, needles: Path) -> dict[str, tuple[str, str | None]]:
    """Each backup item's (status, reason) from a check of `needles` against `hay`, through
    the command line's JSON, with an index in `tmp_path`."""
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format", "json",
        "--db", str(tmp_path / "i.sqlite"),
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return {i["path"]: (i["status"], i["reason"]) for i in json.loads(result.stdout)["images"]}
