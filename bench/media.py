"""What each kind of file costs to fingerprint, as a ratio to a 12-megapixel camera JPEG
measured in the same run: a 12 MP HEIC, a 12 MP DNG (no embedded preview: the half-size
demosaic), a 1-minute 1080p H.264 video, and that video decoded frame by frame in full.

    python -m bench.media [--rounds 3]

One process, one core (what one worker does); the best of interleaved rounds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from reconcile.facts import Task
from reconcile.filetypes import Kind
from reconcile.media.analyse import analyse
from tests.camera import camera_jpeg
from tests.conftest import scene
from tests.media import clip_frames, dng_bytes, heic_bytes, write_clip


def _photo() -> np.ndarray:
    """A 4000 x 3000 camera-like picture: a scene upscaled, with sensor noise."""
    small = scene(7, 750, 1000)
    big = cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(7).normal(0, 3, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


def _files(folder: Path) -> dict[str, Path]:
    photo = _photo()
    files = {
        "12 MP JPEG (camera, quality 92)": folder / "photo.jpg",
        "12 MP HEIC (quality 80)": folder / "photo.heic",
        "12 MP DNG (mosaic, no preview)": folder / "photo.dng",
        "1-minute 1080p H.264 video, 1 s GOP": folder / "phone.mp4",
        "1-minute 1080p H.264 video, 250-frame GOP": folder / "x264.mp4",
        "the same with 3 B-frames (an export)": folder / "x264b.mp4",
    }
    paths = list(files.values())
    paths[0].write_bytes(camera_jpeg(photo, 92))
    paths[1].write_bytes(heic_bytes(photo, 80))
    paths[2].write_bytes(dng_bytes(photo))
    still = cv2.resize(photo, (1920, 1080), interpolation=cv2.INTER_AREA)
    write_clip(paths[3], clip_frames(still, 60.0, fps=30), fps=30, gop=30)  # as phones write
    write_clip(paths[4], clip_frames(still, 60.0, fps=30), fps=30)  # x264's default
    write_clip(paths[5], clip_frames(still, 60.0, fps=30), fps=30, bframes=3)
    return files


def _full_decode(path: Path) -> None:
    import av

    with av.open(str(path)) as container:
        for _ in container.decode(video=0):
            pass


def _best(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("making the files (a minute of 1080p video takes a while) ...", flush=True)
        files = _files(Path(folder))
        results: dict[str, float] = {}
        for label, path in files.items():
            kind = Kind.VIDEO if path.suffix == ".mp4" else Kind.IMAGE
            task = Task(str(path), path.stat().st_size, 0, want_digest=False, kind=kind)
            facts = analyse(task)
            assert facts.reason is None, (label, facts.reason)
            results[label] = _best(lambda task=task: analyse(task), args.rounds)
        video = files["1-minute 1080p H.264 video, 1 s GOP"]
        results["the same video, every frame decoded"] = _best(lambda: _full_decode(video), 1)
        jpeg = results["12 MP JPEG (camera, quality 92)"]
        print(f"\nfingerprinting one file, one core, best of {args.rounds} rounds:")
        for label, seconds in results.items():
            print(f"  {label:<40} {seconds * 1000:8.1f} ms  {seconds / jpeg:6.2f}x a 12 MP JPEG")
        sampled = results["1-minute 1080p H.264 video, 1 s GOP"]
        full = results["the same video, every frame decoded"]
        print(f"  a phone's video costs {sampled / jpeg:.1f} JPEGs (target < 20);"
              f" sampling is {full / sampled:.0f}x cheaper than decoding every frame")  # fmt: skip
        for label in ("1-minute 1080p H.264 video, 250-frame GOP",
                      "the same with 3 B-frames (an export)"):  # fmt: skip
            print(f"  {label}: {results[label] / jpeg:.0f} JPEGs (target <= 10)")
        sizes = {label: path.stat().st_size / 1e6 for label, path in files.items()}
        print("  sizes: " + ", ".join(f"{k.split(' (')[0]} {v:.1f} MB" for k, v in sizes.items()))


if __name__ == "__main__":
    Image.init()  # load the format plugins before any timing
    main()
