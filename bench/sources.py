"""Real photographs for the benchmarks, with where each comes from.

scikit-image's bundled photographs (pip: scikit-image) and, when installed, the MATE desktop's
photographs (Debian: `apt-get install mate-backgrounds`, GPL-2+, /usr/share/backgrounds/mate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MATE = Path("/usr/share/backgrounds/mate")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    origin: str
    load: Callable[[], np.ndarray]  # RGB uint8


def _skimage(name: str) -> Source:
    def load() -> np.ndarray:
        from skimage import data

        image = getattr(data, name)()
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        return np.ascontiguousarray(image[:, :, :3])

    return Source(name, "scikit-image skimage.data (public domain / CC0)", load)


def _file(path: Path, max_side: int = 1600) -> Source:
    def load() -> np.ndarray:
        with Image.open(path) as image:
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return np.asarray(image)

    return Source(path.stem, f"Debian mate-backgrounds {path.relative_to(MATE)} (GPL-2+)", load)


SKIMAGE_PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "hubble_deep_field", "coins", "clock",
    "moon", "retina", "immunohistochemistry", "brick", "grass", "gravel", "page", "cell",
)  # fmt: skip


def photographs() -> list[Source]:
    """Every photograph available here, in a fixed order."""
    sources = [_skimage(name) for name in SKIMAGE_PHOTOS]
    if MATE.is_dir():
        sources += [_file(path) for path in sorted((MATE / "nature").glob("*.jpg"))]
        sources += [
            _file(MATE / "abstract/Elephants.jpg"),
            _file(MATE / "desktop/GreenTraditional.jpg"),
        ]
    return sources


def stereo_pair() -> tuple[np.ndarray, np.ndarray]:
    """The Middlebury motorcycle stereo pair bundled with scikit-image."""
    from skimage import data

    left, right, _ = data.stereo_motorcycle()
    return np.ascontiguousarray(left), np.ascontiguousarray(right)


def design_variants() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Light and dark (or colour) variants of one design, from mate-backgrounds."""
    pairs = [
        ("MATE-Stripes-Light", "MATE-Stripes-Dark"),
        ("Ubuntu-Mate-Cold-no-logo", "Ubuntu-Mate-Warm-no-logo"),
        ("Ubuntu-Mate-Dark-no-logo", "Ubuntu-Mate-Radioactive-no-logo"),
    ]
    out = []
    for a, b in pairs:
        pa, pb = MATE / f"desktop/{a}.png", MATE / f"desktop/{b}.png"
        if pa.exists() and pb.exists():
            out.append((a, _file(pa).load(), _file(pb).load()))
    return out
