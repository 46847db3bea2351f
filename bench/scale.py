"""The numbers behind the plan for 10 million photos (docs/scale.md): index bytes per photo,
the rate one SQLite writer stores facts at, and the Hamming search at 1 M and 10 M entries.

    python -m bench.scale [--facts 100000] [--queries 10000]

Synthetic but shaped like the real thing: each stored fact has a 64x64 thumbnail, an 8x8 colour
thumbnail, two crop views and (one in five) a trimmed print, as analyse() makes them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from reconcile.facts import FileFacts, Fingerprint
from reconcile.match.search import HammingIndex
from reconcile.store.index import Index


def _facts(count: int, rng: np.random.Generator) -> list[FileFacts]:
    def print_(crops: bool) -> Fingerprint:
        return Fingerprint(
            dhash=int(rng.integers(0, 2**63)), phash=int(rng.integers(0, 2**63)),
            thumb=rng.integers(0, 256, 64 * 64, dtype=np.uint8).tobytes(),
            colour=rng.integers(0, 256, 192, dtype=np.uint8).tobytes(),
            width=4032, height=3024, detail=3.5,
            crops=((1, 2), (3, 4)) if crops else (),
        )  # fmt: skip

    return [
        FileFacts(
            f"/Volumes/Photos/Masters/{n // 1000:05d}/IMG_{n:07d}.JPG",
            2_500_000,
            n,
            full=print_(True),
            trimmed=print_(False) if n % 5 == 0 else None,
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    args = parser.parse_args()
    rng = np.random.default_rng(10)
    facts = _facts(args.facts, rng)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "index.sqlite"
        started = time.perf_counter()
        with Index(str(db)) as index:
            for start in range(0, len(facts), 128):
                index.store(facts[start : start + 128])
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    per_photo = size / args.facts
    rate = args.facts / seconds
    print(f"index: {args.facts:,} photos in {size / 1e6:.0f} MB = {per_photo:,.0f} bytes a photo "
          f"(the 64x64 thumbnail is 4,096 of them)")  # fmt: skip
    print(f"one SQLite writer: {rate:,.0f} photos/s in batches of 128")
    queries = rng.integers(0, 2**63, args.queries, dtype=np.uint64)
    for entries in (1_000_000, 10_000_000):
        codes = rng.integers(0, 2**63, entries, dtype=np.uint64)
        codes[: args.queries] = queries ^ np.uint64(0b1011)  # some true neighbours
        started = time.perf_counter()
        found = HammingIndex(codes).search(queries, 8)
        took = time.perf_counter() - started
        print(f"search: {args.queries:,} hashes against {entries:,} entries, radius 8: "
              f"{took:.1f} s (build + search), {found[0].size:,} pairs")  # fmt: skip
        del codes
    ten_million = 10_000_000
    print("projection for 10,000,000 photos:")
    size_gb, minutes = ten_million * per_photo / 1e9, ten_million / rate / 60
    print(f"  index {size_gb:.0f} GB; writing it {minutes:.0f} min with one writer")
    print(
        f"  (cores here: {os.cpu_count()}; decoding at ~20 photos/s a core is "
        f"{ten_million / 20 / 3600 / (os.cpu_count() or 1):.0f} h on this machine)"
    )


if __name__ == "__main__":
    main()
