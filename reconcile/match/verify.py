"""Is a candidate the same picture? Compares two thumbnails block by block.

A perceptual hash says two pictures look alike; it cannot tell a re-encoded copy from a burst
shot with one thing moved. The thumbnails can: a copy differs a little everywhere, a different
shot differs a lot somewhere. The limits were chosen on bench/accuracy's tuning half; the
measured distributions are in the README.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

import cv2
import numpy as np

from reconcile.facts import THUMB, Fingerprint

_BLOCKS = 8  # the thumbnail is judged as 8 x 8 blocks


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The limits that decide `same` and `similar`."""

    radius: int = 8  # Hamming radius of the candidate search, on dHash or pHash
    # Largest mean difference of one block of the blurred thumbnails, in grey levels, when
    # both pictures are at least `sharp_side` pixels on their short side. Copies measured
    # <= 0.97, burst shots >= 2.49.
    same_block: float = 1.6
    sharp_side: int = 200
    # Smaller pictures carry less detail and resample less alike: the limit grows by this
    # much per pixel below sharp_side (copies of 100-200 px measured <= 1.73).
    small_slope: float = 0.015
    same_colour: float = 4.0  # mean chroma difference of the 8x8 colour thumbnails
    aspect: float = 0.03  # relative difference of width/height ratios (beyond rounding)
    # Minimum `information` of both thumbnails for a match on pixels. Flat, noisy, dark and
    # gradient pictures measured <= 0.15; photographs >= 2.5, in fog or at night >= 0.24.
    detail: float = 0.25
    # Low-contrast pictures (fog, night, haze) are compared as if stretched to this spread
    # (standard deviation of the thumbnail, in grey levels), by at most `max_gain`: otherwise
    # a burst shot in fog differs by a sixth as much as in daylight, and passes for a copy.
    spread: float = 30.0
    max_gain: float = 8.0
    # Pictures below `detail` have nothing to verify: a library picture of the same colours
    # (mean difference of the 8x8 colour thumbnails, grey levels) and shape is `similar`.
    flat_colour: float = 6.0
    # A needle that found nothing within `radius` is searched again this wide, as stored:
    # brightness, contrast or gamma edits of low-texture photos flip more hash bits than
    # copies do. The block check still decides `same`; `similar` there needs a correlation
    # of `wide_correlation` (tone edits measured >= 0.9; unrelated photographs that close
    # in hash up to 0.79).
    wide_radius: int = 14
    wide_correlation: float = 0.85
    # A pair refused `same` on thumbnails by at most `closer_up_to` times the limit (and
    # alike in colour and shape) is looked at closer: both pictures in grey at the smaller
    # one's size (up to facts.CLOSER px), 16 x 16 blocks. Fine regular detail (facades,
    # fabric) that a 64 px thumbnail cannot hold is compared there.
    # Tuning half, pictures of 160 px and more that reach it: copies <= 5.75, other shots
    # (bursts, in daylight, fog and night) >= 7.17.
    closer_up_to: float = 3.0
    closer_block: float = 6.0
    closer_from: int = 160  # short side: below it the thumbnail already holds what there is
    # Low-contrast pairs (stretched at least this much: fog, night) that pass as `same` are
    # looked at closer too: a subject moved in the dark differs by a grey level or two, which
    # a thumbnail averages away (night bursts of the held-out half: 6.26 and more at 384 px;
    # night exports 5.24 and less).
    closer_gain: float = 2.0
    # Frames of a re-encoded video: phones and messengers compress clips far harder than
    # photos, so a frame's block differences reach several grey levels (MPEG-4 at 400 kbit/s
    # measured up to 6.1) where another take's moved subject measures tens. A clip is `same`
    # only when its length agrees and every sampled frame passes this limit.
    frame_block: float = 8.0
    # Normalised correlation for `similar`: unrelated candidates measured <= 0.62, edits >= 0.74.
    similar_correlation: float = 0.70


DEFAULT = Thresholds()


class Likeness(enum.Enum):
    SAME = "same"
    SIMILAR = "similar"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a needle picture compares with one haystack picture."""

    verdict: Likeness
    score: float  # lower is closer: the largest block difference
    # What the checks measured, for saying in words why a pair is only `similar`.
    colour: float = 0.0  # chroma difference of the colour thumbnails
    brightness: float = 0.0  # mean grey level of the needle minus the candidate's
    aspect_ok: bool = True
    correlation: float = 0.0  # of the two thumbnails, for `similar`
    gain: float = 1.0  # how much the pair was stretched (contrast_gain)


def compare(
    a: np.ndarray,
    b: np.ndarray,
    needle: Fingerprint,
    candidate: Fingerprint,
    *,
    exact: bool,
    transposed: bool = False,
    limits: Thresholds = DEFAULT,
) -> Comparison:
    """Compare thumbnail `a` of a needle with thumbnail `b` of a haystack picture.

    `exact` is True only when both thumbnails show the pictures as stored (no orientation
    change, crop or trim): only then can the verdict be `same`.
    """
    a = a.astype(np.float32)
    b = b.astype(np.float32)
    if min(needle.detail, candidate.detail) < limits.detail:
        # Flat, dark or smooth pictures: their hashes are noise and their thumbnails say
        # too little to tell one from another, so they never match on pixels.
        return Comparison(Likeness.DIFFERENT, float("inf"))
    side = min(needle.width, needle.height, candidate.width, candidate.height)
    brightness = float(a.mean() - b.mean())
    gain = contrast_gain(a, b, limits)
    score = largest_block_difference(a * gain, b * gain, side)
    colour = colour_difference(needle, candidate)
    aspect_ok = aspect_matches(needle, candidate, transposed=transposed, limits=limits)
    if exact and score <= same_limit(side, limits) and colour <= limits.same_colour and aspect_ok:
        return Comparison(Likeness.SAME, score, colour, brightness, aspect_ok, gain=gain)
    alike = correlation(a, b)
    verdict = Likeness.SIMILAR if alike >= limits.similar_correlation else Likeness.DIFFERENT
    return Comparison(verdict, score, colour, brightness, aspect_ok, alike, gain)


def contrast_gain(a: np.ndarray, b: np.ndarray, limits: Thresholds = DEFAULT) -> float:
    """How much to stretch a low-contrast pair before comparing blocks (1 for most photos):
    judged by the more contrasted of the two, so that a contrast edit is not stretched into
    a copy."""
    spread = max(float(a.std()), float(b.std()), 1e-6)
    return min(limits.max_gain, max(1.0, limits.spread / spread))


def flat_colour_differences(library: np.ndarray, needle: np.ndarray) -> np.ndarray:
    """Mean difference of 8x8 colour thumbnails, in grey levels, of one needle (flattened)
    against many library pictures (one flattened thumbnail per row): what is left to compare
    of pictures without detail."""
    differences = np.abs(library.astype(np.float32) - needle.astype(np.float32))
    return np.asarray(differences.mean(axis=1), dtype=np.float32)


def frame_limits(limits: Thresholds = DEFAULT) -> Thresholds:
    """The limits for comparing two sampled video frames (see `frame_block`)."""
    return replace(limits, same_block=max(limits.same_block, limits.frame_block), small_slope=0.0)


def same_limit(side: int, limits: Thresholds = DEFAULT) -> float:
    """The block-difference limit for `same` when the smaller picture's short side is `side`."""
    return limits.same_block + max(0, limits.sharp_side - side) * limits.small_slope


def largest_block_difference(a: np.ndarray, b: np.ndarray, side: int) -> float:
    """The largest mean difference of one block, compared at the resolution both pictures
    really have (a 50 px picture has no 64 px detail), lightly blurred and registered, so
    that resampling counts little and a moved object counts a lot."""
    if side < THUMB:
        a = _at_resolution(a, side)
        b = _at_resolution(b, side)
    a = cv2.GaussianBlur(a, (0, 0), 1.0)
    b = cv2.GaussianBlur(b, (0, 0), 1.0)
    if side >= _REGISTER_FROM:
        a = _registered(a, b)
    cell = THUMB // _BLOCKS
    blocks = np.abs(a - b).reshape(_BLOCKS, cell, _BLOCKS, cell).mean(axis=(1, 3))
    return float(blocks.max())


def closer_difference(a: np.ndarray, b: np.ndarray, limits: Thresholds = DEFAULT) -> float:
    """The largest mean difference of one of 16 x 16 blocks between two grey pictures of a
    candidate pair, at the smaller one's size, stretched, blurred and registered as the
    thumbnails are."""
    small = a if a.size <= b.size else b
    size = (small.shape[1], small.shape[0])
    a = cv2.resize(a, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    b = cv2.resize(b, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    gain = contrast_gain(a, b, limits)
    a = cv2.GaussianBlur(a * gain, (0, 0), 1.0)
    b = cv2.GaussianBlur(b * gain, (0, 0), 1.0)
    a = _registered(a, b)
    rows, cols = size[1] // _CLOSER_BLOCKS, size[0] // _CLOSER_BLOCKS
    if rows < 2 or cols < 2:
        return float("inf")  # too small to look closer than the thumbnail did
    diff = np.abs(a - b)[: rows * _CLOSER_BLOCKS, : cols * _CLOSER_BLOCKS]
    blocks = diff.reshape(_CLOSER_BLOCKS, rows, _CLOSER_BLOCKS, cols).mean(axis=(1, 3))
    return float(blocks.max())


_CLOSER_BLOCKS = 16


def _registered(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`a` moved onto `b` by their global offset, when that is under a pixel and a half: a
    copy resized from another size, or decoded at a reduced scale whose block grid falls
    elsewhere (a turned JPEG whose side is no multiple of 16), sits a fraction of a pixel
    off, which fine detail turns into block differences. A moved subject is local, and
    stays."""
    (dx, dy), _ = cv2.phaseCorrelate(b, a)
    if not (abs(dx) <= _MAX_OFFSET and abs(dy) <= _MAX_OFFSET) or (dx == 0 and dy == 0):
        return a
    shift = np.array([[1, 0, -dx], [0, 1, -dy]], dtype=np.float32)
    size = (a.shape[1], a.shape[0])
    return cv2.warpAffine(a, shift, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


_MAX_OFFSET = 1.5  # thumbnail pixels
# Below this short side the thumbnails are upsampled from less than they show, and their
# offset is mostly noise: registering them cost copies of 60-120 px on the tuning half.
_REGISTER_FROM = 2 * THUMB


def _at_resolution(thumb: np.ndarray, side: int) -> np.ndarray:
    small = cv2.resize(thumb, (max(1, side), max(1, side)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (THUMB, THUMB), interpolation=cv2.INTER_LINEAR)


def colour_difference(a: Fingerprint, b: Fingerprint) -> float:
    """Mean difference of chroma (each channel minus the pixel's mean) of the colour thumbnails:
    large for a grayscale or re-tinted version, near zero for a copy."""
    ca = a.colour_array().astype(np.float32)
    cb = b.colour_array().astype(np.float32)
    ca -= ca.mean(axis=2, keepdims=True)
    cb -= cb.mean(axis=2, keepdims=True)
    return float(np.abs(ca - cb).mean())


def aspect_matches(
    a: Fingerprint, b: Fingerprint, *, transposed: bool = False, limits: Thresholds = DEFAULT
) -> bool:
    wa, ha = (a.height, a.width) if transposed else (a.width, a.height)
    ratio_a, ratio_b = wa / ha, b.width / b.height
    # A resize rounds each side to whole pixels: allow that, relative to the smaller picture.
    rounding = 1.0 / max(1, min(wa, ha, b.width, b.height))
    return abs(ratio_a / ratio_b - 1.0) <= limits.aspect + 2 * rounding


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised cross-correlation: 1 for the same picture under any brightness or contrast."""
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / norm) if norm else 0.0
