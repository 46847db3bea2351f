"""`reconcile dupes` over a library of many indexed photos, and `reconcile find` of one photo
against it, timed as whole processes (start-up included), as a user would time them.

    python -m bench.dupes_find [--files 100000] [--rounds 3]

The library is real files on disk (small ones: their bytes are never decoded) whose facts
are in the index already, shaped as `bench.scale` makes them, 5 % of them byte copies of
another file (same bytes, same prints). Every run of `dupes` therefore walks the library,
checks every file unchanged (a stat and its first and last blocks), then judges every file
against the rest: what is measured beyond indexing. The reference measured in the same run is
`reconcile check` of one backup file against the same warm index (a walk and a check of
every library file, one needle judged): `dupes` minus that is the cost of the copies search.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from reconcile.facts import FileFacts, Fingerprint
from reconcile.files import digest_of, sample_of
from reconcile.store.index import Index

CACHE = Path(__file__).parent / ".cache" / "dupes"


def _library(count: int) -> tuple[Path, Path]:
    """The library folder and its warm index, made once (and again if the count differs)."""
    root = CACHE / f"library{count}"
    db = CACHE / f"index{count}.sqlite"
    if db.exists() and (root / "done").exists():
        return root, db
    rng = np.random.default_rng(21)
    root.mkdir(parents=True, exist_ok=True)
    facts: list[FileFacts] = []
    original: dict[int, tuple[bytes, Fingerprint]] = {}
    for n in range(count):
        folder = root / f"{n // 1000:03d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"IMG_{n:06d}.JPG"
        if n % 20 == 19:  # a byte copy of an earlier photo: 5 %
            data, prints = original[int(rng.integers(0, n - 1)) // 20 * 20]
        else:
            data = b"\xff\xd8\xff" + rng.bytes(509)
            prints = Fingerprint(
                dhash=int(rng.integers(0, 2**63)), phash=int(rng.integers(0, 2**63)),
                thumb=rng.integers(0, 256, 64 * 64, dtype=np.uint8).tobytes(),
                colour=rng.integers(0, 256, 192, dtype=np.uint8).tobytes(),
                width=4032, height=3024, detail=3.5,
                crops=tuple((int(rng.integers(0, 2**63)), int(rng.integers(0, 2**63)))
                            for _ in range(5)),
            )  # fmt: skip
            original[n] = (data, prints)
        path.write_bytes(data)
        info = os.stat(path)
        fact = FileFacts(
            str(path), info.st_size, info.st_mtime_ns, digest=digest_of(data), full=prints,
            inode=info.st_ino, ctime_ns=info.st_ctime_ns, sample=sample_of(data),
        )  # fmt: skip
        facts.append(fact)
    with Index(str(db)) as index:
        for start in range(0, len(facts), 512):
            index.store(facts[start : start + 512])
    (root / "done").write_text("")
    return root, db


def _timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "reconcile", *args, "-q"], capture_output=True, text=True
    )
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    root, db = _library(args.files)
    print(f"library of {args.files:,} indexed files ready in {time.perf_counter() - started:.1f} s")
    one = root / "000" / "IMG_000001.JPG"
    backup = CACHE / "backup"
    backup.mkdir(exist_ok=True)
    (backup / "one.jpg").write_bytes(one.read_bytes())
    common = ["--haystack", str(root), "--db", str(db)]
    best: dict[str, float] = {}
    groups = ""
    for _ in range(args.rounds):  # interleaved: the machine is shared and noisy
        for name, command in (
            ("check of one backup file (reference)", ["check", *common, "--needles", str(backup),
                                                      "--format", "json"]),
            ("dupes", ["dupes", *common, "--format", "json"]),
            ("find of one photo", ["find", str(one), *common, "--format", "json"]),
        ):  # fmt: skip
            seconds, result = _timed(command)
            if result.returncode not in (0, 1):
                raise SystemExit(f"{name}: {result.stderr.strip()}")
            if name == "dupes":
                summary = json.loads(result.stdout)["summary"]
                groups = f"{summary['groups']:,} groups, {summary['redundant_files']:,} copies"
            best[name] = min(seconds, best.get(name, seconds))
    reference = best["check of one backup file (reference)"]
    print(f"best of {args.rounds} interleaved rounds, whole processes:")
    for name, seconds in best.items():
        print(f"  {name:<40} {seconds:7.2f} s  {seconds / reference:5.2f}x the reference")
    print(f"  dupes found {groups} (5 % of {args.files:,} files are byte copies)")
    print(f"  dupes beyond the reference: {best['dupes'] - reference:.2f} s")
    print(f"  find of one photo: {best['find of one photo']:.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
