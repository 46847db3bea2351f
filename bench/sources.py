"""Real photographs for the benchmarks, with where each comes from and under which licence.

Each photograph belongs to a *set* (the package or dataset it comes from); the accuracy
benchmark tunes on some sets and reports on the others, so that no photograph, photographer or
camera of the held-out half was seen while choosing limits. What is installed is used:

- scikit-image's bundled photographs (pip: scikit-image; public domain / CC0);
- Debian desktop backgrounds (`apt-get install mate-backgrounds plasma-workspace-wallpapers
  lomiri-wallpapers-16.04 lomiri-wallpapers-20.04`; GPL-2+ / LGPL-3 / CC-BY-SA per package's
  copyright file): the photographs among them, at camera-like sizes;
- benchmark datasets that no registry ships, placed under bench/photos/ (see
  bench/photos.md for where each comes from): Kodak, Urban100, BSD100, Sun-Hays80, Set5, Set14.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MATE = Path("/usr/share/backgrounds/mate")
PLASMA = Path("/usr/share/wallpapers")
BACKGROUNDS = Path("/usr/share/backgrounds")
DATASETS = Path(__file__).parent / "photos"

# Photographs among Plasma's wallpapers (the rest are drawings); fog, night and sky among them
# are the low-detail pictures a library really holds.
PLASMA_PHOTOS = (
    "BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf",
    "Grey", "Kite", "OneStandsOut", "Path", "Volna", "summer_1am",
)  # fmt: skip
LOMIRI_DRAWINGS = (
    "umang_by_Abhishek_Mudgal",
    "Fossa_by_Jasper_Roks",
    "Painting-Colors_by__herobrine7gamer",
)
DATASET_ORIGINS = {
    "Kodak": "Kodak Lossless True Color Image Suite (Kodak; free for any use)",
    "Urban100": "Urban100 (Huang et al., CVPR 2015; Flickr photographs, CC licences)",
    "BSD100": "BSD100, from the Berkeley Segmentation Dataset (Martin et al., ICCV 2001; research)",
    "Sun-Hays80": "Sun-Hays80 (Sun and Hays, ICCP 2012; research use)",
    "Set5": "Set5 (Bevilacqua et al., BMVC 2012; research use)",
    "Set14": "Set14 (Zeyde et al., 2010; research use)",
}
# The split by set: thresholds are chosen on these; every other set is held out. The tuning
# sets hold the photographs the limits were first chosen on (scikit-image, MATE).
TUNING_SETS = frozenset({"scikit-image", "mate", "BSD100", "Sun-Hays80", "Set5"})
# Set14's "lenna" is left out (its licence and provenance are disputed).
LEFT_OUT = frozenset({("Set14", "img_009_SRF_2_HR")})


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    origin: str
    load: Callable[[], np.ndarray]  # RGB uint8
    set: str = "scikit-image"


def _skimage(name: str) -> Source:
    def load() -> np.ndarray:
        from skimage import data

        image = getattr(data, name)()
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        return np.ascontiguousarray(image[:, :, :3])

    return Source(name, "scikit-image skimage.data (public domain / CC0)", load)


def _file(path: Path, set_: str, origin: str, max_side: int = 1600, name: str = "") -> Source:
    def load() -> np.ndarray:
        with Image.open(path) as image:
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return np.asarray(image)

    return Source(name or path.stem, origin, load, set_)


SKIMAGE_PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "hubble_deep_field", "coins", "clock",
    "moon", "retina", "immunohistochemistry", "brick", "grass", "gravel", "page", "cell",
)  # fmt: skip


def photographs(datasets: Path = DATASETS) -> list[Source]:
    """Every photograph available here, in a fixed order."""
    sources = [_skimage(name) for name in SKIMAGE_PHOTOS]
    if MATE.is_dir():
        mate = "Debian mate-backgrounds (GPL-2+)"
        sources += [_file(p, "mate", mate) for p in sorted((MATE / "nature").glob("*.jpg"))]
        sources += [
            _file(MATE / "abstract/Elephants.jpg", "mate", mate),
            _file(MATE / "desktop/GreenTraditional.jpg", "mate", mate),
        ]
    for name in PLASMA_PHOTOS:
        images = sorted((PLASMA / name / "contents/images").glob("*.*"), key=_pixels)
        if images:  # the largest size, reduced to a camera-like 12 MP at most
            origin = "Debian plasma-workspace-wallpapers (LGPL-3 / CC-BY-SA)"
            sources.append(_file(images[-1], "plasma", origin, 4000, name))
    for path in sorted(BACKGROUNDS.glob("*_by_*.jpg")):
        if path.stem not in LOMIRI_DRAWINGS:
            origin = "Debian lomiri-wallpapers-16.04/20.04 (CC-BY-SA)"
            sources.append(_file(path, "lomiri", origin, 4000))
    for set_, origin in DATASET_ORIGINS.items():
        for path in sorted((datasets / set_).glob("*.png")):
            if (set_, path.stem) not in LEFT_OUT:
                sources.append(_file(path, set_, origin, 4000, f"{set_}-{path.stem[:7]}"))
    return sources


def split(sources: list[Source]) -> tuple[list[Source], list[Source]]:
    """(tuning half, held-out half), by set."""
    tune = [s for s in sources if s.set in TUNING_SETS]
    return tune, [s for s in sources if s.set not in TUNING_SETS]


def _pixels(path: Path) -> int:
    with Image.open(path) as image:
        return image.width * image.height


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
            origin = "Debian mate-backgrounds (GPL-2+)"
            out.append((a, _file(pa, "mate", origin).load(), _file(pb, "mate", origin).load()))
    return out
