"""Fuzzing through the CLI: a fixed-seed generator mutates valid JPEG, PNG, GIF, WebP, AVIF,
TIFF, HEIC, DNG and MP4 files of three different pictures into a few thousand files, and one
run under a memory and a time limit must account for every one of them: no traceback, no hang,
exit 0 or 1, one status each, and no mutant `same` or `identical` to another picture.

Selected with `pytest -m fuzz` (CI runs it; the default run leaves it out for its minutes)."""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, cli_env, scene
from media import clip_frames, dng_bytes, heic_bytes, write_clip
from PIL import Image

pytestmark = pytest.mark.fuzz

SEED = 20261122
MUTANTS_PER_FILE = 100
MEMORY_LIMIT = 6 * 1024**3  # address space for the run (workers lower theirs further)


def _encoded(rgb: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    image = Image.fromarray(rgb)
    if fmt == "GIF":
        image = image.quantize(64)
    image.save(out, fmt, **({"quality": 85} if fmt in ("JPEG", "WEBP", "AVIF") else {}))
    return out.getvalue()


def _originals(folder: Path) -> dict[str, tuple[int, bytes]]:
    """name -> (picture number, bytes) for every format of the three pictures."""
    found: dict[str, tuple[int, bytes]] = {}
    for number in range(3):
        rgb = scene(4000 + number, 96, 128)
        for fmt, ext in (("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp"),
                         ("AVIF", "avif"), ("TIFF", "tif")):  # fmt: skip
            found[f"p{number}.{ext}"] = (number, _encoded(rgb, fmt))
        found[f"p{number}.heic"] = (number, heic_bytes(rgb))
        found[f"p{number}.dng"] = (number, dng_bytes(rgb))
        clip = write_clip(folder / f"p{number}.mp4", clip_frames(rgb, 1.0, fps=12, seed=number),
                          fps=12, gop=6)  # fmt: skip
        found[f"p{number}.mp4"] = (number, clip.read_bytes())
    return found


def _mutate(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """One mutation of the kinds that real damage and hostile files show."""
    blob = bytearray(data)
    choice = rng.randrange(8)
    if choice == 0:  # flipped bits
        for _ in range(rng.randint(1, 12)):
            blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)
    elif choice == 1:  # cut short
        del blob[rng.randrange(1, len(blob)) :]
    elif choice == 2:  # a zeroed stretch (a bad sector)
        start = rng.randrange(len(blob))
        blob[start : start + rng.randint(1, 4096)] = bytes(min(4096, len(blob) - start))
    elif choice == 3:  # random bytes in the header, where sizes and offsets live
        for _ in range(rng.randint(1, 4)):
            blob[rng.randrange(min(64, len(blob)))] = rng.randrange(256)
    elif choice == 4:  # sizes claimed huge: 0xFF runs in the first kilobyte
        start = rng.randrange(min(1024, len(blob)))
        blob[start : start + rng.randint(2, 4)] = b"\xff" * 4
    elif choice == 5:  # a duplicated chunk
        start = rng.randrange(len(blob))
        piece = blob[start : start + rng.randint(1, 2048)]
        blob[start:start] = piece * rng.randint(1, 20)
    elif choice == 6:  # spliced with another picture's file
        cut = rng.randrange(1, len(blob))
        blob[cut:] = other[rng.randrange(len(other)) :]
    else:  # inserted garbage
        start = rng.randrange(len(blob))
        blob[start:start] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 512)))
    return bytes(blob)


def test_mutated_files_each_get_one_status_within_limits(tmp_path: Path) -> None:
    """A few thousand mutants of nine formats through the CLI under a 6 GB address-space
    limit: exit 0/1, no traceback, every file exactly once, no mutant matched to another
    picture; prints the files, the seconds, the peak memory and the statuses."""
    rng = random.Random(SEED)
    originals = _originals(tmp_path / "made")
    hay = tmp_path / "hay"
    hay.mkdir()
    for name, (_, data) in originals.items():
        if name.endswith((".jpg", ".mp4")):
            (hay / name).write_bytes(data)
    needles = tmp_path / "needles"
    picture_of: dict[str, int] = {}
    names = sorted(originals)
    for name in names:
        number, data = originals[name]
        folder = needles / name.replace(".", "_")
        folder.mkdir(parents=True)
        for index in range(MUTANTS_PER_FILE):
            other = originals[rng.choice(names)][1]
            mutant = f"{name.replace('.', '_')}/m{index:03d}.{name.rsplit('.', 1)[1]}"
            (needles / mutant).write_bytes(_mutate(data, rng, other))
            picture_of[mutant] = number
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run(
        ["prlimit", f"--as={MEMORY_LIMIT}", sys.executable, "-m", "reconcile",
         "--haystack", str(hay), "--needles", str(needles), "--format", "json",
         "--db", str(tmp_path / "i.sqlite")],
        capture_output=True, text=True, cwd=REPO, env=cli_env(tmp_path), timeout=1800,
    )  # fmt: skip
    seconds = time.monotonic() - started
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    seen = Counter(item["path"] for item in report["images"])
    assert set(seen) == set(picture_of) and set(seen.values()) == {1}
    wrong = [
        (item["path"], item["status"], item["match"])
        for item in report["images"]
        if item["status"] in ("same", "identical")
        and not Path(item["match"]).name.startswith(f"p{picture_of[item['path']]}.")
    ]
    assert wrong == []
    statuses = Counter(item["status"] for item in report["images"])
    print(
        f"\nfuzz: {len(picture_of)} files, {seconds:.0f} s, peak RSS of one process "
        f"{peak_kb / 1024:.0f} MB, statuses {dict(sorted(statuses.items()))}"
    )
    assert peak_kb * 1024 < 2 * 1024**3


@pytest.mark.skipif(os.environ.get("CI") is None, reason="only where CI sets CI=true")
def test_ci_runs_the_fuzzing() -> None:
    """In CI this module runs (`pytest -m fuzz` in .ci/run), not just its selection."""
    assert "-m fuzz" in (REPO / ".ci/run").read_text()
