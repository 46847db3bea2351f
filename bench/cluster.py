"""Throughput on a local Dask cluster of this machine's cores, as a ratio to reconcile's own
process pool, measured in the same run on the same camera-like 12 MP JPEGs.

    python -m bench.cluster [--files 120] [--rounds 3]

Each round indexes the files into a fresh index twice, once per backend, interleaved; the best
round of each counts. Needs the dask extra.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from reconcile import reconcile
from reconcile.work.cluster import DaskAnalyser
from tests.camera import camera_jpeg
from tests.conftest import scene


def _library(folder: Path, count: int) -> None:
    base = cv2.resize(scene(3, 750, 1000), (4000, 3000), interpolation=cv2.INTER_CUBIC)
    rng = np.random.default_rng(3)
    for number in range(count):
        noisy = np.clip(base + rng.normal(0, 3, base.shape), 0, 255).astype(np.uint8)
        (folder / f"IMG_{number:04d}.jpg").write_bytes(camera_jpeg(np.roll(noisy, number, 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    dask_section(args.files, args.rounds)


def dask_section(files: int, rounds: int) -> None:
    """Index `files` JPEGs through the process pool and through a local Dask cluster of as
    many workers, interleaved; print both throughputs and their ratio."""
    from distributed import LocalCluster

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        hay, needles = Path(tmp) / "hay", Path(tmp) / "needles"
        hay.mkdir()
        needles.mkdir()
        _library(hay, files)
        best = {"process pool": float("inf"), "local Dask cluster": float("inf")}
        local = LocalCluster(n_workers=cores, threads_per_worker=1, dashboard_address=":0")
        with local, DaskAnalyser(local.scheduler_address) as dask:
            for round_ in range(rounds):
                for name in best:
                    db = str(Path(tmp) / f"{name}-{round_}.sqlite")
                    started = time.perf_counter()
                    reconcile(
                        haystack=[str(hay)], needles=[str(needles)], db=db,
                        analyser=dask if name == "local Dask cluster" else None,
                    )  # fmt: skip
                    best[name] = min(best[name], time.perf_counter() - started)
    pool = files / best["process pool"]
    cluster = files / best["local Dask cluster"]
    print(f"\n{files} JPEGs of 4000x3000, {cores} cores, best of {rounds} rounds:")
    print(f"  process pool ({cores} workers)          {pool:6.1f} images/s")
    print(f"  local Dask cluster ({cores} workers)    {cluster:6.1f} images/s")
    print(f"  Dask vs the process pool: {100 * cluster / pool:.0f} % (target >= 85 %)")


if __name__ == "__main__":
    main()
