"""Is a candidate the same picture? Compares two thumbnails block by block.

A perceptual hash says two pictures look alike; it cannot tell a re-encoded copy from a burst
shot with one thing moved. The thumbnails can: a copy differs a little everywhere, a different
shot differs a lot somewhere. The limits were chosen on bench/accuracy's tuning half; the
measured distributions are in the README.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from reconcile.facts import THUMB, Fine, Fingerprint

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
    # Every pair the thumbnails call `same`, and every pair they refuse by at most
    # `look_up_to` times the limit (alike in colour and shape: fine regular detail a 64 px
    # thumbnail cannot hold, a facade's windows), gets a fine look when the smaller picture's
    # short side is at least `fine_from`: both decoded again at the smaller one's size (up to
    # facts.FINE px) and compared cell by cell (fine_difference). `same` needs all four of
    # these (grey levels; tuning half, pictures of 512 px and more: copies at most 2.98,
    # 1.66, 0.83 and 1.84; versions with a change of 0.05 % of the frame or more that shows
    # at least 4.5 in detail, recolourings 5.1 in colour, +0.1 EV 1.81 in tone, a white
    # balance x1.06 4.31 in colour).
    look_up_to: float = 3.0
    fine_from: int = 160  # short side: below it the thumbnail already holds what there is
    fine_detail: float = 4.0
    fine_colour: float = 2.5
    fine_tone: float = 1.4
    # The same, as a share of the library's level (Fine.relative_tone), from fine_full px on
    # the long side: a dark photo's +0.1 EV moves its median cell by 1.1 grey levels, under
    # fine_tone, but by 1.8 % of its level. Tuning half, 512 px and more: copies at most
    # 0.41 % (JPEG quality 50), +0.1 EV 1.79 % and up; featureless exports (320 px) 0.58 %.
    fine_relative_tone: float = 0.009
    fine_tint: float = 2.5
    fine_strokes: int = 6  # pixels of one glyph-sized window (verify._strokes)
    # How much sharper or softer one part of the frame is than the rest (verify._focus: a
    # log ratio of edge steepness): a refocus, a lens blur or a sharpened region. Tuning half,
    # pictures of 512 px and more on the long side: copies at most 0.17 (JPEG quality 50: it
    # softens fine texture, but the same everywhere), documents 0.03, half the frame out of
    # focus (by 0.2 % of the long side) at least 0.28. Under 512 px it is not checked: copies
    # at quality 30 reached 0.52, beyond half-blurs at 0.43.
    fine_focus: float = 0.22
    # From fine_full px on the long side: the worst cell of the pair's plain luma difference
    # in grey levels, with no neighbour's slack (Fine.plain). A patch moved inside a
    # facade's or a meadow's texture is explained by a neighbour everywhere, and differs
    # plainly. Tuning half, 512 px and up, pictures of one pixel size: copies at most 4.23
    # (JPEG quality 30), page and screen copies 4.93 (PNG to JPEG at quality 50); patches of
    # 0.05 % moved 7.05 and up, replaced 10.6, a blink 10.9, a word or a digit 8.6.
    # Resampled pairs differ plainly at every sharp edge (photos' copies at half size and
    # 800 px up to 4.63, pages and screens at half size 7.41, where the 90th percentile
    # cell was 4.69): there it counts only where it is local, beyond `fine_local` times that
    # percentile (pages' copies 1.5-3.6 times; photos exported at 60 % with a patch of
    # 0.05 % moved 5.22-13.7, at 8.4 times and more).
    fine_plain: float = 6.0
    # Short side from which the limits above hold as they are; on the long side, from which
    # a look sees what it is asked to (fine_limits, reasons.verified).
    fine_full: int = 512
    # Below fine_full the limits of detail and colour widen (fine_limits), for differences
    # spread as a copy's are: at most `fine_local` times the pair's 90th percentile cell.
    # A change that stands out further is local, and meets the limits as they are (pictures
    # of 512 px and more on the long side; the tuning half's copies of 400 px and up
    # measured at most 4.4 in colour, none beyond the limit in detail).
    fine_local: float = 5.0
    # A picture its thumbnail calls flat is `same` by a fine look only where there is
    # something to verify: this share of the frame on a sharp edge (Fine.edges), in both.
    # Faint settings screens measured 1.8-2.1 %, a sky with one small object 0.06-0.18 %,
    # gradients, flat noise, night and fog photos 0-0.1 %.
    flat_edges: float = 0.002
    # Frames of a re-encoded video: phones and messengers compress clips far harder than
    # photos, so a frame's block differences reach several grey levels (MPEG-4 at 400 kbit/s
    # measured up to 6.1) where another take's moved subject measures tens. A clip is `same`
    # only when its length agrees and every sampled frame passes this limit.
    frame_block: float = 8.0
    # Normalised correlation for `similar`: unrelated candidates measured <= 0.62, edits >= 0.74.
    similar_correlation: float = 0.70
    # ... and for a find by a wide crop view (facts.Crop.wide): a picture compared with a
    # square or a tenth-a-side crop of every library photo meets strangers at 0.73.
    crop_correlation: float = 0.85


DEFAULT = Thresholds()
# What `compare` computes: raised whenever it would answer otherwise for the same thumbnails,
# so that comparisons kept in the index (`limits_token`) are not taken for new ones.
COMPARE_VERSION = 1


def limits_token(limits: Thresholds = DEFAULT) -> str:
    """A short name for these limits and this `compare`: comparisons of pairs kept in the
    index hold only for the limits and the code that made them."""
    text = f"{COMPARE_VERSION}:{dataclasses.astuple(limits)!r}"
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


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


def clip_difference(
    a: Sequence[Fingerprint],
    b: Sequence[Fingerprint],
    limits: Thresholds = DEFAULT,
    looks: tuple[Sequence[np.ndarray], Sequence[np.ndarray]] = ((), ()),
) -> Fine:
    """Two clips' frames taken at the same times along them (media.video.along), compared
    time by time as sampled frames are, and, where `looks` holds the frames as pictures,
    pixel for pixel too: a changed word on a title card shows as strokes beyond
    `fine_strokes` (measured 15-16 for "2019" -> "2018"; copies re-encoded down to 30 kbit/s
    at a quarter the size, 0; their regions differ by up to 9.7 grey levels, so regions are
    left to the prints' frame limits): `strokes`
    counts the times whose frames are not the same (a clip of another number of frames
    differs at every time the other lacks), `detail` is the largest difference and `where`
    (x) the point of the clip where the worst frame is, as a fraction of its length."""
    frames = frame_limits(limits)
    worst, at, differ = 0.0, 0.0, abs(len(a) - len(b))
    pictures = list(zip(*looks, strict=False)) if all(looks) else []
    for number, (fa, fb) in enumerate(zip(a, b, strict=False)):
        result = compare(fa.thumb_array(), fb.thumb_array(), fa, fb, exact=True, limits=frames)
        score, apart = result.score, result.verdict is not Likeness.SAME
        if number < len(pictures):
            la, lb = pictures[number]
            fine = fine_difference(la, lb, limits, resampled=la.shape != lb.shape)
            apart = apart or fine.strokes > limits.fine_strokes
        differ += apart
        if score > worst:
            worst, at = score, (number + 0.5) / max(len(a), 1)
    width, height = (a[0].width, a[0].height) if a else (0, 0)
    return Fine(width, height, worst, 0.0, 0.0, 0.0, (at, 0.5), differ)


def fine_limits(fine: Fine, limits: Thresholds = DEFAULT, *, resampled: bool = True) -> Thresholds:
    """The fine look's limits of region and colour for a pair compared at `fine`'s size:
    as set from `fine_full` px on the short side up, wider below (smaller pictures resample
    and compress less alike: copies of 300 px at quality 30 measured colour 4.9, which
    copies of 512 px and up never reach), by (fine_full / side) ** 1.5, at most 3 times.

    The region limit widens only for pairs `resampled` from one size to another, where fine
    detail falls on the pixel grid differently in each: two pictures of one pixel size (a
    copy re-encoded, a version edited in place) are compared pixel for pixel, and copies of
    them under 512 px stayed within the limit as it is (the tuning half's, quality 30 to
    PNG: at most 3.03), where half the frame out of focus measured 2.3-9.0 and +0.1 EV
    2.0-6.9.

    A picture of `fine_full` px and more on its long side has the wider limit only for a
    difference spread as a copy's is (`fine_local`): a figure moved in one corner of a
    512 x 340 photo stands out of what compression leaves everywhere else.

    The plain difference of a `resampled` pair counts only where it is local in that sense:
    resampling leaves one at every sharp edge (a page's every glyph), a moved patch in one
    place."""
    if resampled and fine.plain <= limits.fine_local * max(fine.spread_plain, _LEAST_SPREAD):
        limits = replace(limits, fine_plain=float("inf"))  # what resampling leaves everywhere
    side = max(1, min(fine.width, fine.height))
    factor = min(3.0, max(1.0, (limits.fine_full / side) ** 1.5))
    if factor == 1.0:
        return limits
    detail = factor if resampled else 1.0
    colour = factor
    large = max(fine.width, fine.height) >= limits.fine_full
    focus = factor if large else float("inf")
    relative_tone = limits.fine_relative_tone if large else float("inf")
    plain = limits.fine_plain if large else float("inf")
    if large:
        if fine.detail > limits.fine_local * max(fine.spread_detail, _LEAST_SPREAD):
            detail = 1.0
        if fine.colour > limits.fine_local * max(fine.spread_colour, _LEAST_SPREAD_COLOUR):
            colour = 1.0
    return replace(limits, fine_detail=limits.fine_detail * detail,
                   fine_colour=limits.fine_colour * colour,
                   fine_focus=limits.fine_focus * focus,
                   fine_relative_tone=relative_tone, fine_plain=plain)  # fmt: skip


# Grey levels: below these a pair's 90th percentile cell says nothing of how a copy differs
# (a PNG re-saved differs nowhere), and a difference is measured against them instead.
_LEAST_SPREAD = 0.001
_LEAST_SPREAD_COLOUR = 0.05


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


def fine_difference(
    a: np.ndarray,
    b: np.ndarray,
    limits: Thresholds = DEFAULT,
    *,
    resampled: bool = True,
    half_colour: bool = False,
    edges: bool = False,
) -> Fine:
    """Two pictures (YCrCb, uint8) compared at the smaller one's size, region by region: a
    copy differs a little everywhere (compression, resampling) and at most a pixel out of
    place; a version differs somewhere, by more than a pixel's shift explains.

    Both are stretched as the thumbnails are (fog, night), lightly blurred and registered;
    each pixel's difference is how far it lies outside what the other picture holds within a
    pixel of there, taken both ways round (so that a line added on either side shows); cells
    of about 2 % of the short side are averaged, and the worst cell decides. Tone and tint
    are the median cell's signed difference: a brightness or white-balance change moves
    every cell, compression moves none. Strokes count the pixels of a glyph-sized window that
    differ by a pen stroke's contrast (_strokes): a digit changed on a page. The two
    pictures are also compared plainly, with no neighbour's slack (_plain): a patch moved
    inside a texture, which a neighbouring pixel explains almost everywhere (a resampled
    pair's plain difference counts only where it is local: see fine_limits).

    `resampled`: whether the two were not of one pixel size to begin with (then edges differ
    by a fraction of a pixel; pictures of one size are compared pixel for pixel).
    `half_colour`: compare colour at half the size rather than a quarter. JPEG and video
    keep colour at half their resolution (4:2:0), and two pictures of one size re-encoded
    differ most there (copies at quality 30 measured up to 3.2 at half); but a picture
    compared at half its size or less has its colour whole (a recoloured patch of 0.05 % of
    a 3088 px photo, 19 px at 1024, measured 1.8 at a quarter against a limit of 2.5, 5.6 at
    half; the held-out half's copies of this kind at most 2.04 either way), and so does the
    larger of a resampled pair, which leaves the smaller one's own half-resolution colour to
    compare (tuning half, exports of 512 px and more: copies at most 1.46 at half, patches
    of 0.05 % recoloured 3.5 and up, where at a quarter they measured from 0.39). `edges`:
    whether to measure the share of sharp edges (`Fine.edges`, which only pictures flat to
    their thumbnails need; 0 otherwise: it costs as much as a third of the rest)."""
    small = a if a.shape[0] * a.shape[1] <= b.shape[0] * b.shape[1] else b
    size = (small.shape[1], small.shape[0])
    if a.shape[:2] != small.shape[:2]:
        a = cv2.resize(a, size, interpolation=cv2.INTER_AREA)
    if b.shape[:2] != small.shape[:2]:
        b = cv2.resize(b, size, interpolation=cv2.INTER_AREA)
    cell = max(4, round(min(size) / _FINE_CELLS))
    grid = (max(1, size[0] // cell), max(1, size[1] // cell))
    # Each plane apart and contiguous, once: OpenCV copies a strided slice on every call.
    pa = [plane.astype(np.float32) for plane in cv2.split(a)]
    pb = [plane.astype(np.float32) for plane in cv2.split(b)]
    signed = cv2.resize(cv2.merge([cv2.subtract(x, y) for x, y in zip(pa, pb, strict=True)]),
                        grid, interpolation=cv2.INTER_AREA).reshape(-1, 3)  # fmt: skip
    tone = float(np.median(signed[:, 0]))
    level = cv2.resize(pb[0], grid, interpolation=cv2.INTER_AREA).reshape(-1)
    relative_tone = float(np.median(signed[:, 0] / (level + _TONE_FLOOR)))
    tint = float(np.abs(np.median(signed[:, 1:], axis=0)).sum())
    spread = max(float(cv2.meanStdDev(pa[0])[1][0, 0]), float(cv2.meanStdDev(pb[0])[1][0, 0]),
                 1e-6)  # fmt: skip
    gain = min(limits.max_gain, max(1.0, limits.spread / spread))
    ya = cv2.GaussianBlur(pa[0] * np.float32(gain), (0, 0), 1.0)
    yb = cv2.GaussianBlur(pb[0] * np.float32(gain), (0, 0), 1.0)
    half = (max(1, size[0] // 2), max(1, size[1] // 2))
    ha = cv2.resize(ya, half, interpolation=cv2.INTER_AREA)
    hb = cv2.resize(yb, half, interpolation=cv2.INTER_AREA)
    (dx, dy), _ = cv2.phaseCorrelate(hb, ha)  # at half size: a fraction of a pixel is enough
    still = ya
    ya = _shifted(ya, 2 * dx, 2 * dy)
    detail, where, spread_detail = _worst_cell(_unexplained(ya, yb), grid)
    plain, spread_plain, apart = _plain(still, ya, yb, grid)
    plain, spread_plain = plain / gain, spread_plain / gain
    chroma = []
    scale = max(
        1, min(_CHROMA_SCALE // 2 if half_colour else _CHROMA_SCALE, min(size) // _CHROMA_SIDE)
    )
    coarse = (max(1, size[0] // scale), max(1, size[1] // scale))
    for channel in (1, 2):
        ca = cv2.resize(pa[channel], coarse, interpolation=cv2.INTER_AREA)
        cb = cv2.resize(pb[channel], coarse, interpolation=cv2.INTER_AREA)
        ca = _shifted(cv2.GaussianBlur(ca, (0, 0), _CHROMA_BLUR), 2 * dx / scale, 2 * dy / scale)
        cb = cv2.GaussianBlur(cb, (0, 0), _CHROMA_BLUR)
        # Fine colourful detail (a facade's windows, a patterned cloth) is where 4:2:0 colour
        # goes astray in every re-encode: its own spread of colour excuses part of a
        # difference; a recoloured region differs far beyond it.
        own = _spread(pb[channel], coarse)
        chroma.append(_unexplained(ca, cb, _CHROMA_REACH) - _CHROMA_SPREAD * own)
    colour, _, spread_colour = _worst_cell(np.maximum(chroma[0], chroma[1]), grid)
    strokes, at = _strokes(pa[0], pb[0], 2 * dx, 2 * dy, resampled)
    focus, soft = _focus(pa[0], pb[0])
    if detail <= limits.fine_detail:  # what will be said to differ (reasons.fine_difference)
        if strokes > limits.fine_strokes:
            where = at
        elif colour > limits.fine_colour:
            pass  # a colour apart is said first, and placed by its region
        elif abs(focus) > limits.fine_focus:
            where = soft
        elif plain > limits.fine_plain:
            where = apart
    sharp = min(_edges(pa[0]), _edges(pb[0])) if edges else 0.0
    return Fine(size[0], size[1], detail, max(0.0, colour), tone, tint, where, strokes,
                spread_detail, max(0.0, spread_colour), sharp, focus, relative_tone, plain,
                spread_plain)  # fmt: skip


# Grey levels added to a cell's level before a difference is taken as a share of it: near
# black, a level of a few grey levels would make compression's noise a large share.
_TONE_FLOOR = 16.0


def _focus(a: np.ndarray, b: np.ndarray) -> tuple[float, tuple[float, float]]:
    """How much sharper (> 0) or softer (< 0) `a` is than `b` in its most different region
    (about a quarter of the frame each way), beyond how they differ overall, with the
    region's centre as fractions of width and height.

    Sharpness is the steepness of a cell's edges: its root mean square gradient, which a
    blur of a pixel or two lowers by a third and more. Compression softens too (JPEG at
    quality 50 drops faint texture), and resampling, but about alike all over the frame, so
    each cell's log ratio counts against the median cell's. Only cells of dense texture
    count (a mean gradient of _TEXTURED grey levels a pixel, in either): a page's blank
    paper and sparse strokes, where ringing comes and goes with every re-encode, are left
    out."""
    cell = max(4, min(a.shape[:2]) // _FOCUS_CELLS)
    grid = (a.shape[1] // cell, a.shape[0] // cell)
    mean_a, steep_a = _steepness(a, cell, grid)
    mean_b, steep_b = _steepness(b, cell, grid)
    textured = np.maximum(mean_a, mean_b) > _TEXTURED
    if int(textured.sum()) < _FOCUS_LEAST:
        return 0.0, (0.5, 0.5)
    ratio = np.log((steep_a + 1.0) / (steep_b + 1.0))
    apart = np.where(textured, ratio - np.median(ratio[textured]), 0.0).astype(np.float32)
    window = (max(1, round(grid[0] * _FOCUS_REGION)), max(1, round(grid[1] * _FOCUS_REGION)))
    border = cv2.BORDER_CONSTANT
    sums = cv2.boxFilter(apart, -1, window, normalize=False, borderType=border)
    counts = cv2.boxFilter(textured.astype(np.float32), -1, window, normalize=False,
                           borderType=border)  # fmt: skip
    # A region counts where at least half its cells are textured: a few textured cells in
    # a sky say little of how sharp that part is.
    enough = counts >= 0.5 * window[0] * window[1]
    regions = np.where(enough, sums / np.maximum(counts, 1.0), 0.0)
    row, col = (int(i) for i in np.unravel_index(int(np.argmax(np.abs(regions))), regions.shape))
    return float(regions[row, col]), ((col + 0.5) / grid[0], (row + 0.5) / grid[1])


def _steepness(luma: np.ndarray, cell: int, grid: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the root mean square of each cell's gradient magnitude (grey levels a
    pixel), on a grid of (columns, rows) cells of `cell` px."""
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    inside = (slice(0, grid[1] * cell), slice(0, grid[0] * cell))
    energy = cv2.add(cv2.multiply(gx, gx), cv2.multiply(gy, gy))[inside]
    mean = cv2.resize(cv2.sqrt(energy), grid, interpolation=cv2.INTER_AREA)
    steep = cv2.sqrt(cv2.resize(energy, grid, interpolation=cv2.INTER_AREA))
    return mean, steep


_FOCUS_CELLS = 16  # cells along the short side
_FOCUS_REGION = 0.25  # of the frame's width and height
_FOCUS_LEAST = 8  # textured cells: fewer say nothing of where a picture is sharp
_TEXTURED = 3.0  # grey levels a pixel: a cell's mean gradient in dense texture


def _edges(luma: np.ndarray) -> float:
    """The share of a picture's pixels on a sharp edge: a step of more than _EDGE grey levels
    a pixel, lightly blurred (a glyph's stroke, a box's line; not noise, not a gradient)."""
    smooth = cv2.GaussianBlur(luma, (0, 0), 1.0)
    dx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    dy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    return float(cv2.countNonZero((cv2.magnitude(dx, dy) > _EDGE).astype(np.uint8))) / luma.size


_EDGE = 8.0  # grey levels a pixel: sensor noise, blurred, steps under 1.5; faint text 20+


def _strokes(
    a: np.ndarray, b: np.ndarray, dx: float, dy: float, resampled: bool
) -> tuple[int, tuple[float, float]]:
    """The most pixels of one window about a glyph's size (1/100 of the short side) whose
    luma differs by more than a pen stroke's contrast (_STROKE). Cells average a changed
    digit away (8 to 9 is a few dozen pixels); a copy's compression and resampling differ
    that much nowhere. Measured (bench.accuracy) on pages, receipts, sheets and screenshots at
    up to 1024 px: copies of one pixel size at most 2 pixels, a digit, a word or a clock
    changed at least 12; resized copies (Lanczos, bicubic, bilinear) 0, but a digit changed
    on a resized copy mostly under 6 too: a resampled page is checked by its words and lines,
    not its single digits. With the window's centre, as fractions of width and
    height."""
    if resampled:
        # With a pixel's slack, a resampled edge being a fraction of a pixel off, and lightly
        # blurred: each resampling filter thins a stroke its own way.
        a = cv2.GaussianBlur(a, (0, 0), _STROKE_BLUR)
        b = cv2.GaussianBlur(b, (0, 0), _STROKE_BLUR)
        differs = _unexplained(_shifted(a, dx, dy), b)
    else:
        # Pixel for pixel. Lines of text repeat, and can fool the registration by a pixel or
        # two: the better of registered and as they are.
        plain = cv2.absdiff(a, b)
        moved = cv2.absdiff(_shifted(a, dx, dy), b)
        differs = plain if cv2.sumElems(plain)[0] <= cv2.sumElems(moved)[0] else moved
    strong = (differs > _STROKE).astype(np.float32)
    window = max(4, round(min(a.shape[:2]) / _STROKE_WINDOWS))
    counts = cv2.boxFilter(strong, -1, (window, window), normalize=False)
    _, most, _, (x, y) = cv2.minMaxLoc(counts)
    return round(most), ((x + 0.5) / counts.shape[1], (y + 0.5) / counts.shape[0])


_STROKE = 64.0  # grey levels: ink on paper differs by 150-250, JPEG's ringing by under 40
_STROKE_WINDOWS = 100  # windows along the short side
_STROKE_BLUR = 0.7  # pixels


def _spread(channel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The standard deviation of a channel within each pixel of its reduction to `size`."""
    mean = cv2.resize(channel, size, interpolation=cv2.INTER_AREA)
    square = cv2.resize(cv2.multiply(channel, channel), size, interpolation=cv2.INTER_AREA)
    spread: np.ndarray = cv2.sqrt(cv2.max(square - mean * mean, 0.0))
    return spread


_FINE_CELLS = 48  # cells along the short side
# Colour is stored at half resolution by JPEG and most video (4:2:0) and bleeds across edges
# when resampled: it is compared at a quarter of the size (but at least _CHROMA_SIDE px on the
# short side: a small picture's recoloured patch would vanish), blurred more, and given a
# pixel of slack there (a recoloured region differs well inside, where no edge explains it).
_CHROMA_BLUR = 1.5
_CHROMA_REACH = 1
_CHROMA_SCALE = 4
_CHROMA_SIDE = 128
_CHROMA_SPREAD = 0.5


def _shifted(a: np.ndarray, dx: float, dy: float) -> np.ndarray:
    if abs(dx) > _FINE_OFFSET or abs(dy) > _FINE_OFFSET or (dx == 0 and dy == 0):
        return a
    shift = np.array([[1, 0, -dx], [0, 1, -dy]], dtype=np.float32)
    size = (a.shape[1], a.shape[0])
    return cv2.warpAffine(a, shift, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


_FINE_OFFSET = 3.0  # pixels at the compared size


def _plain(
    still: np.ndarray, registered: np.ndarray, b: np.ndarray, grid: tuple[int, int]
) -> tuple[float, float, tuple[float, float]]:
    """For two pictures of one pixel size: the worst cell of their plain difference (no
    neighbour's slack: inside a facade's texture a patch moved by a window's width is
    explained by a neighbour everywhere, and differs plainly), the 90th percentile cell and
    the worst cell's centre; the better of the two as they are and registered (a copy is
    aligned already, and registering it resamples it)."""
    found = []
    for a in (still, registered):
        worst, where, spread = _worst_cell(cv2.absdiff(a, b), grid)
        found.append((worst, spread, where))
    return min(found)


def _unexplained(a: np.ndarray, b: np.ndarray, reach: int = 1) -> np.ndarray:
    """Per pixel, the difference that no shift of up to a pixel explains, both ways round:
    how far each picture's value lies outside the range the other takes within a pixel of
    there. A picture resampled from another size is a fraction of a pixel off at every edge
    (inside that range); a changed one differs where no neighbour matches."""
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    # OpenCV's element-wise operations: several times numpy's on large float pictures.
    one = cv2.max(cv2.subtract(cv2.erode(b, kernel), a), cv2.subtract(a, cv2.dilate(b, kernel)))
    other = cv2.max(cv2.subtract(cv2.erode(a, kernel), b), cv2.subtract(b, cv2.dilate(a, kernel)))
    unexplained: np.ndarray = cv2.max(cv2.max(one, other), 0.0)
    return unexplained


def _worst_cell(
    diff: np.ndarray, grid: tuple[int, int]
) -> tuple[float, tuple[float, float], float]:
    """The largest cell mean on a grid of (columns, rows) cells, that cell's centre as
    fractions of width and height, and the 90th percentile cell."""
    cols, rows = grid
    cells = cv2.resize(diff, (cols, rows), interpolation=cv2.INTER_AREA)
    row, col = (int(i) for i in np.unravel_index(int(np.argmax(cells)), cells.shape))
    spread = float(np.percentile(cells, 90))
    return float(cells[row, col]), ((col + 0.5) / cols, (row + 0.5) / rows), spread
