"""What a picture looks like: perceptual hashes and small thumbnails, computed from arrays."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from reconcile.facts import COLOUR, CROPS, THUMB, Crop, Fingerprint


def fingerprint(
    rgb: np.ndarray,
    *,
    width: int,
    height: int,
    crop_views: bool = True,
    gray: np.ndarray | None = None,
) -> Fingerprint:
    """Fingerprint an RGB picture; `width` and `height` are its full stored size.

    `crop_views` False leaves out the crop views' hashes (a border-trimmed view needs none);
    `gray`, the picture in grey when the caller has it already (see `grey`).
    """
    gray = grey(rgb) if gray is None else gray
    thumb = _squeeze(gray)
    colour = cv2.resize(rgb, (COLOUR, COLOUR), interpolation=cv2.INTER_AREA)
    whole = (dhash(thumb), phash(thumb))
    crops = []
    if crop_views:
        base = _reduced(gray, 2 * THUMB)
        for crop in CROPS:
            fractions = crop.fractions(width, height)
            # A crop of the picture's own shape is the picture: its hashes are the picture's
            # (the search relies on it: a night photo found beyond the radius is searched
            # again wider only if no view of it was found at all).
            if fractions == (0.0, 0.0):
                crops.append(whole)
                continue
            inner = _squeeze(cropped(base, *fractions))
            crops.append((dhash(inner), phash(inner)))
    return Fingerprint(
        dhash=whole[0],
        phash=whole[1],
        thumb=thumb.tobytes(),
        colour=np.ascontiguousarray(colour, dtype=np.uint8).tobytes(),
        width=width,
        height=height,
        detail=information(thumb),
        crops=tuple(crops),
    )


def _reduced(picture: np.ndarray, least: int) -> np.ndarray:
    """The picture reduced by a whole factor, the same both ways, to at least `least` px on
    its short side, for the crop views to be cut from: OpenCV reduces by whole factors on a
    fast path, where its general area resize of a 500 px picture costs 0.3 ms a call (each
    of the five crop views, cut from the picture itself, cost that: a third of a 12 MP
    JPEG's fingerprint). The few rows and columns the factor leaves over go evenly from both
    edges; the shape stays (a panorama's square crop is a few pixels wide). Only candidates
    are found by the crop views' hashes (about one bit of 64 moves); the verified
    thumbnails are made from the picture itself, as ever."""
    h, w = picture.shape[:2]
    factor = min(h, w) // least
    if factor < 2:
        return picture
    top, left = (h % factor) // 2, (w % factor) // 2
    whole = picture[top : top + h - h % factor, left : left + w - w % factor]
    size = (w // factor, h // factor)
    return cv2.resize(np.ascontiguousarray(whole), size, interpolation=cv2.INTER_AREA)


def look_picture(rgb: np.ndarray, long_side: int) -> np.ndarray:
    """The decoded picture reduced to fit `long_side` (the decoder already reduced it near
    that), in YCrCb: what a fine look at a candidate pair compares (verify.fine_difference).
    Luma and chroma apart, because JPEG and video keep them at different resolutions."""
    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    if scale < 1:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgb = cv2.resize(np.ascontiguousarray(rgb), size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb))


def cropped(array: np.ndarray, across: float, down: float | None = None) -> np.ndarray:
    """The centre of a picture, `across` of its width cut from the left and from the right,
    `down` of its height (the same fraction, if not given) from the top and the bottom."""
    h, w = array.shape[:2]
    dy, dx = round(h * (across if down is None else down)), round(w * across)
    return array[dy : h - dy or h, dx : w - dx or w]


def crop_thumbnail(thumb: np.ndarray, crop: Crop, width: int, height: int) -> np.ndarray:
    """A thumbnail's crop view, for a picture of `width` x `height` (the thumbnail is
    squeezed square, the crop is the picture's), scaled back to THUMB x THUMB."""
    inner = cropped(thumb, *crop.fractions(width, height))
    return cv2.resize(inner, (THUMB, THUMB), interpolation=cv2.INTER_LINEAR)


def _squeeze(gray: np.ndarray) -> np.ndarray:
    return cv2.resize(np.ascontiguousarray(gray), (THUMB, THUMB), interpolation=cv2.INTER_AREA)


def dhash(thumb: np.ndarray) -> int:
    """Difference hash: is each of 8x8 cells brighter than its right-hand neighbour."""
    small = cv2.resize(thumb, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    return _pack(small[:, 1:] > small[:, :-1])


def phash(thumb: np.ndarray) -> int:
    """DCT hash: is each of the 8x8 lowest frequencies above their median."""
    small = cv2.resize(thumb, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:8, :8]
    # np.median's own arithmetic (partition, then the mean of the middle two) without its
    # generic machinery, which cost more than the DCT: a run verifies thousands of views.
    middle = np.partition(low.ravel(), (31, 32))[31:33].mean()
    return _pack(low > middle)


def oriented_hashes(thumb: np.ndarray) -> list[tuple[int, int]]:
    """(dhash, phash) of a THUMB x THUMB thumbnail under each of ORIENTATIONS, in their
    order: the very bits of dhash and phash of `orient(thumb, index)`, two or three times
    sooner. A backup photo is searched in all eight on every run (a warm one too), and per
    orientation the calls cost more than the arithmetic: only the reductions and the DCTs
    are made one at a time; the turns, medians, comparisons and packing for the eight at
    once."""
    # Halving a square by whole 2 x 2 cells commutes with turning it: phash's 32 px
    # reduction is made once and turned.
    half = cv2.resize(thumb, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
    turned, halves = _all_orientations(thumb), _all_orientations(half)
    reduced = [cv2.resize(one, (9, 8), interpolation=cv2.INTER_AREA) for one in turned]
    lows = [cv2.dct(one)[:8, :8] for one in halves]
    cells = np.stack(reduced).astype(np.int16)
    brighter = np.packbits((cells[:, :, 1:] > cells[:, :, :-1]).reshape(len(reduced), -1), axis=1)
    low = np.stack(lows).reshape(len(lows), -1)
    middle = np.partition(low, (31, 32), axis=1)[:, 31:33].mean(axis=1, keepdims=True)
    above = np.packbits(low > middle, axis=1)
    return [(int.from_bytes(d.tobytes(), "big"), int.from_bytes(p.tobytes(), "big"))
            for d, p in zip(brighter, above, strict=True)]  # fmt: skip


def _all_orientations(square: np.ndarray) -> np.ndarray:
    """A square picture under each of ORIENTATIONS, stacked: one gather of its pixels."""
    turned: np.ndarray = square.reshape(-1)[_orientation_indices(square.shape[0])]
    return turned


@functools.cache
def _orientation_indices(side: int) -> np.ndarray:
    """Where each pixel of a side x side square comes from under each of ORIENTATIONS."""
    where = np.arange(side * side).reshape(side, side)
    return np.stack([orient(where, index) for index in range(len(ORIENTATIONS))])


def _pack(bits: np.ndarray) -> int:
    return int.from_bytes(np.packbits(bits.reshape(-1)).tobytes(), "big")


def information(thumb: np.ndarray) -> float:
    """How much structure a thumbnail holds, in grey levels: 0 for flat pictures, noise and
    smooth gradients; a fog or night photograph keeps a little.

    Measured on a 16 x 16 reduction (which averages away noise and the thumbnail's rounding)
    as the mean departure from its own blur, inside the border (where a gradient's blur
    bends): what a plane leaves is nothing, what a scene leaves is its shapes.
    """
    coarse = cv2.resize(thumb.astype(np.float32), (16, 16), interpolation=cv2.INTER_AREA)
    smooth = cv2.GaussianBlur(coarse, (0, 0), 1.0)
    return float(np.mean(np.abs(coarse - smooth)[4:-4, 4:-4]))


# The eight ways a picture can be rotated or mirrored, as numpy operations on a thumbnail;
# "transposes" says whether width and height swap.
ORIENTATIONS: tuple[tuple[str, bool], ...] = (
    ("as is", False),
    ("rotated 90", True),
    ("rotated 180", False),
    ("rotated 270", True),
    ("mirrored", False),
    ("mirrored, rotated 90", True),
    ("mirrored, rotated 180", False),
    ("mirrored, rotated 270", True),
)


def orient(array: np.ndarray, index: int) -> np.ndarray:
    """The picture under ORIENTATIONS[index]."""
    base = array[:, ::-1] if index >= 4 else array
    return np.ascontiguousarray(np.rot90(base, k=index % 4))


def grey(rgb: np.ndarray) -> np.ndarray:
    """The picture in grey (ITU-R BT.601 luma, as JPEG's own)."""
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def trim_border(
    rgb: np.ndarray, *, tolerance: float = 8.0, gray: np.ndarray | None = None
) -> np.ndarray | None:
    """The picture without a uniform letterbox or frame, or None when it has none to trim."""
    gray = grey(rgb) if gray is None else gray
    h, w = gray.shape
    if h < 8 or w < 8:
        return None
    corner = float(np.median([gray[0, 0], gray[0, -1], gray[-1, 0], gray[-1, -1]]))
    # A line is uniform when all of it lies within `tolerance` of the corner: its extremes
    # say so, without a float copy of the picture (which costs page faults per file where
    # the allocator hands large blocks back at once, as Dask's workers are set up to).
    low, high = corner - tolerance, corner + tolerance
    uniform_rows = (gray.min(axis=1) >= low) & (gray.max(axis=1) <= high)
    uniform_cols = (gray.min(axis=0) >= low) & (gray.max(axis=0) <= high)
    top = _run(uniform_rows)
    bottom = _run(uniform_rows[::-1])
    left = _run(uniform_cols)
    right = _run(uniform_cols[::-1])
    if top + bottom + left + right == 0:
        return None
    if top + bottom >= h * 0.8 or left + right >= w * 0.8:
        return None  # a mostly uniform picture, not a framed one
    return rgb[top : h - bottom, left : w - right]


def _run(flags: np.ndarray) -> int:
    """How many leading entries are True."""
    falses = np.flatnonzero(~flags)
    return int(falses[0]) if falses.size else int(flags.size)
