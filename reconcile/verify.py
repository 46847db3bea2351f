"""Is a candidate the same picture? Compares two fingerprints' thumbnails, pixel by pixel.

A perceptual hash says two pictures look alike; it cannot tell a re-encoded copy from a burst
shot with one thing moved. The thumbnails can: a copy differs a little everywhere, a different
shot differs a lot somewhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from reconcile.fingerprint import ORIENTATIONS, Fingerprint, dhash, information, orient

_BLOCK = 8  # thumbnail pixels per block side when looking for a local difference


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The limits that decide `same` and `similar` (chosen on bench/accuracy's tuning half)."""

    radius: int = 8  # Hamming radius of the candidate search, on dHash or pHash
    same_mean: float = 4.0  # mean absolute grey-level difference of the thumbnails
    same_block: float = 9.0  # largest mean difference of one 8x8 block of the thumbnails
    same_colour: float = 10.0  # mean difference of the 8x8 colour thumbnails
    aspect: float = 0.03  # relative difference of width/height ratios (beyond rounding)
    detail: float = 1.2  # minimum `information` of a thumbnail for any verdict but identical
    similar_correlation: float = 0.80  # normalised correlation for `similar`


DEFAULT = Thresholds()


class Verdict(enum.Enum):
    SAME = "same"
    SIMILAR = "similar"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a needle picture compares with one haystack picture."""

    verdict: Verdict
    distance: int  # Hamming distance of the dHashes, in the orientation compared
    score: float  # lower is closer: mean grey-level difference


def compare(
    needle: Fingerprint,
    candidate: Fingerprint,
    *,
    orientation: int = 0,
    exact_view: bool = True,
    limits: Thresholds = DEFAULT,
) -> Comparison:
    """Compare a needle (turned by `orientation`) with a candidate.

    `exact_view` is False when either side is a border-trimmed view: such a match is an edit,
    so it can at most be `similar`.
    """
    a = orient(needle.thumb_array(), orientation).astype(np.float32)
    b = candidate.thumb_array().astype(np.float32)
    difference = np.abs(a - b)
    mean = float(difference.mean())
    distance = (dhash(a.astype(np.uint8)) ^ candidate.dhash).bit_count()
    detail = min(information(a), information(b))
    if detail < limits.detail:
        # Flat or smooth pictures: their hashes are noise and their thumbnails say little.
        # Never `same`; `similar` only when the pixels are all but equal.
        near = mean <= limits.same_mean / 2 and _aspect_matches(
            needle, candidate, orientation, limits
        )
        return Comparison(Verdict.SIMILAR if near else Verdict.DIFFERENT, distance, mean)
    if (
        exact_view
        and orientation == 0
        and mean <= limits.same_mean
        and _largest_block(difference) <= limits.same_block
        and _colour_difference(needle, candidate) <= limits.same_colour
        and _aspect_matches(needle, candidate, orientation, limits)
    ):
        return Comparison(Verdict.SAME, distance, mean)
    if _correlation(a, b) >= limits.similar_correlation:
        return Comparison(Verdict.SIMILAR, distance, mean)
    return Comparison(Verdict.DIFFERENT, distance, mean)


def _largest_block(difference: np.ndarray) -> float:
    side = difference.shape[0] // _BLOCK
    blocks = difference.reshape(side, _BLOCK, side, _BLOCK).mean(axis=(1, 3))
    return float(blocks.max())


def _colour_difference(a: Fingerprint, b: Fingerprint) -> float:
    ca = a.colour_array().astype(np.float32)
    cb = b.colour_array().astype(np.float32)
    # Chroma only (each channel minus the pixel's mean): brightness is the thumbnail's job.
    ca -= ca.mean(axis=2, keepdims=True)
    cb -= cb.mean(axis=2, keepdims=True)
    return float(np.abs(ca - cb).mean())


def _aspect_matches(a: Fingerprint, b: Fingerprint, orientation: int, limits: Thresholds) -> bool:
    wa, ha = (a.height, a.width) if ORIENTATIONS[orientation][1] else (a.width, a.height)
    ratio_a, ratio_b = wa / ha, b.width / b.height
    # A resize rounds each side to whole pixels: allow that, relative to the smaller picture.
    rounding = 1.0 / max(1, min(wa, ha, b.width, b.height))
    return abs(ratio_a / ratio_b - 1.0) <= limits.aspect + 2 * rounding


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / norm) if norm else 0.0
