"""Versions of a photograph that differ from it a little, somewhere: what a backup holds beside
the library's photo (a blink in a burst, a sign retouched, a patch cloned out, a white balance
nudged) and what must never be `same`. Each change is put where it shows (a region with
visible contrast), at a given share of the frame.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Shares of the frame a local change covers.
AREAS = (0.01, 0.004, 0.001, 0.0005)


def _region(rgb: np.ndarray, area: float, rng: np.random.Generator) -> tuple[int, int, int, int]:
    """(top, left, height, width) of a region of `area` of the frame where the picture has
    contrast (so that a change there shows), away from the edges."""
    h, w = rgb.shape[:2]
    side = max(4, round((area * h * w) ** 0.5))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    best, where = -1.0, (h // 2 - side // 2, w // 2 - side // 2)
    for _ in range(40):
        top = int(rng.integers(h // 10, max(h // 10 + 1, h - side - h // 10)))
        left = int(rng.integers(w // 10, max(w // 10 + 1, w - side - w // 10)))
        spread = float(grey[top : top + side, left : left + side].std())
        if spread > best:
            best, where = spread, (top, left)
        if spread >= 25:
            break
    return where[0], where[1], side, side


def moved(rgb: np.ndarray, area: float, seed: int) -> np.ndarray:
    """A patch of the scene shifted by half its size (a subject that moved)."""
    rng = np.random.default_rng(seed)
    top, left, hh, ww = _region(rgb, area, rng)
    out = rgb.copy()
    w = rgb.shape[1]
    dx = ww // 2 if left + ww + ww // 2 < w else -(ww // 2)
    out[top : top + hh, left + dx : left + dx + ww] = rgb[top : top + hh, left : left + ww]
    return out


def replaced(rgb: np.ndarray, area: float, seed: int) -> np.ndarray:
    """A patch replaced by another part of the picture (a clone-stamp retouch)."""
    rng = np.random.default_rng(seed)
    top, left, hh, ww = _region(rgb, area, rng)
    h, w = rgb.shape[:2]
    source_top = (top + h // 3) % max(1, h - hh)
    source_left = (left + w // 3) % max(1, w - ww)
    out = rgb.copy()
    out[top : top + hh, left : left + ww] = rgb[
        source_top : source_top + hh, source_left : source_left + ww
    ]
    return out


def recoloured(rgb: np.ndarray, area: float, seed: int) -> np.ndarray:
    """A region's hue turned by a third of the circle, its brightness kept (a shirt dyed)."""
    rng = np.random.default_rng(seed)
    top, left, hh, ww = _region(rgb, area, rng)
    patch = cv2.cvtColor(np.ascontiguousarray(rgb[top : top + hh, left : left + ww]),
                         cv2.COLOR_RGB2HSV)  # fmt: skip
    patch[:, :, 0] = (patch[:, :, 0].astype(np.int16) + 60) % 180
    patch[:, :, 1] = np.maximum(patch[:, :, 1], 90)
    out = rgb.copy()
    turned = cv2.cvtColor(patch, cv2.COLOR_HSV2RGB)
    # Keep the luma: only the colour changes.
    luma = cv2.cvtColor(rgb[top : top + hh, left : left + ww], cv2.COLOR_RGB2YCrCb)
    mixed = cv2.cvtColor(turned, cv2.COLOR_RGB2YCrCb)
    mixed[:, :, 0] = luma[:, :, 0]
    out[top : top + hh, left : left + ww] = cv2.cvtColor(mixed, cv2.COLOR_YCrCb2RGB)
    return out


def blink(rgb: np.ndarray, area: float, seed: int) -> np.ndarray:
    """A small region smoothed over and darkened, as closed eyes or a face blurred out."""
    rng = np.random.default_rng(seed)
    top, left, hh, ww = _region(rgb, area, rng)
    out = rgb.copy()
    patch = out[top : top + hh, left : left + ww].astype(np.float32)
    mean = patch.mean(axis=(0, 1), keepdims=True)
    out[top : top + hh, left : left + ww] = np.clip(mean * 0.8, 0, 255).astype(np.uint8)
    return out


def lettered(rgb: np.ndarray, area: float, seed: int) -> np.ndarray:
    """A few letters written over a small region (a sign's text changed)."""
    rng = np.random.default_rng(seed)
    top, left, hh, ww = _region(rgb, area, rng)
    image = Image.fromarray(rgb.copy())
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(6, hh * 2 // 3))
    region = rgb[top : top + hh, left : left + ww]
    ink = (255, 255, 255) if region.mean() < 128 else (0, 0, 0)
    draw.text((left, top), "SALE"[: max(1, ww // max(1, hh // 2))], fill=ink, font=font)
    return np.asarray(image)


LOCAL = {
    "moved": moved,
    "replaced": replaced,
    "recoloured": recoloured,
    "blink": blink,
    "lettered": lettered,
}


def white_balance(rgb: np.ndarray, gain: float = 1.06) -> np.ndarray:
    """The red channel times `gain` (a white balance nudged warmer)."""
    out = rgb.astype(np.float32)
    out[:, :, 0] *= gain
    return np.clip(out, 0, 255).astype(np.uint8)


def exposure(rgb: np.ndarray, stops: float = 0.1) -> np.ndarray:
    """The picture `stops` brighter, in linear light (as a raw converter's exposure)."""
    linear = (rgb.astype(np.float32) / 255.0) ** 2.2
    brighter = np.clip(linear * 2**stops, 0, 1) ** (1 / 2.2)
    return (brighter * 255).astype(np.uint8)


def half_out_of_focus(rgb: np.ndarray) -> np.ndarray:
    """The left half blurred (a refocused or lens-blurred version), by a fifth of a percent
    of the long side: 8 px on a 12 MP photo, 2 px at 1024."""
    out = rgb.copy()
    w = rgb.shape[1]
    sigma = max(1.0, 0.002 * max(rgb.shape[:2]))
    out[:, : w // 2] = cv2.GaussianBlur(rgb[:, : w // 2], (0, 0), sigma)
    return out


def visible(original: np.ndarray, version: np.ndarray, area: float) -> bool:
    """Whether a change shows: over the share of the frame it was made at, the pictures
    differ by a clear step of brightness or colour (a patch moved across blank sky, or
    recoloured where it has no colour, makes no other picture, only the same one)."""
    diff = np.abs(original.astype(np.int16) - version.astype(np.int16)).max(axis=2)
    changed = np.sort(diff.reshape(-1))[::-1][: max(1, int(area * diff.size))]
    return float(changed.mean()) >= _VISIBLE


_VISIBLE = 20.0  # grey levels, over the changed share of the frame


def local_versions(rgb: np.ndarray, seed: int) -> Iterator[tuple[str, np.ndarray]]:
    """(kind, picture) for every local change at every area, where it shows (a few places
    are tried; a change that shows nowhere is left out)."""
    for number, (name, change) in enumerate(LOCAL.items()):
        for area in AREAS:
            for attempt in range(6):
                version = change(rgb, area, seed * 31 + number + 1000 * attempt)
                if visible(rgb, version, area):
                    yield f"{name} {area * 100:g}%", version
                    break


def global_versions(rgb: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """The changes that touch the whole frame, where they show (a photo of deep shadows
    and clipped highlights looks the same a tenth of a stop brighter)."""
    for kind, version in (
        ("white balance x1.06", white_balance(rgb)),
        ("+0.1 EV", exposure(rgb, 0.1)),
        ("half out of focus", half_out_of_focus(rgb)),
    ):
        diff = np.abs(rgb.astype(np.int16) - version.astype(np.int16))
        step = float(diff.max(axis=2).mean())
        if kind == "half out of focus":
            step = float(np.sort(diff.max(axis=2).reshape(-1))[::-1][: diff[..., 0].size // 20]
                         .mean()) / 10  # fmt: skip
        if step >= 2.0:
            yield kind, version


def square_crop(rgb: np.ndarray) -> np.ndarray:
    """The centre square (as Instagram crops)."""
    h, w = rgb.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return np.ascontiguousarray(rgb[top : top + side, left : left + side])


def camera_thumbnail(rgb: np.ndarray) -> np.ndarray:
    """What a camera embeds as its EXIF thumbnail: 160 x 120, the 4:3 centre of the frame."""
    h, w = rgb.shape[:2]
    if w / h > 4 / 3:
        keep = round(h * 4 / 3)
        rgb = rgb[:, (w - keep) // 2 : (w - keep) // 2 + keep]
    elif w / h < 4 / 3:
        keep = round(w * 3 / 4)
        rgb = rgb[(h - keep) // 2 : (h - keep) // 2 + keep]
    return cv2.resize(np.ascontiguousarray(rgb), (160, 120), interpolation=cv2.INTER_AREA)
