"""Verification maths on arrays: what makes a pair `same`, `similar` or different."""

from __future__ import annotations

import cv2
import numpy as np
from conftest import scene

from reconcile.facts import Fingerprint
from reconcile.match.verify import (
    DEFAULT,
    Likeness,
    aspect_matches,
    colour_difference,
    compare,
    correlation,
    largest_block_difference,
    same_limit,
)
from reconcile.media.fingerprint import fingerprint


def _print(rgb: np.ndarray) -> Fingerprint:
    return fingerprint(rgb, width=rgb.shape[1], height=rgb.shape[0])


def _compare(a: np.ndarray, b: np.ndarray, *, exact: bool = True) -> Likeness:
    fa, fb = _print(a), _print(b)
    return compare(fa.thumb_array(), fb.thumb_array(), fa, fb, exact=exact).verdict


def test_a_resized_copy_is_same_and_a_moved_object_is_not() -> None:
    """Half size is `same`; one region moved (a burst shot) is at most `similar`."""
    photo = scene(1, 600, 800)
    half = cv2.resize(photo, (400, 300), interpolation=cv2.INTER_AREA)
    assert _compare(half, photo) is Likeness.SAME
    burst = photo.copy()
    burst[200:320, 300:420] = photo[200:320, 200:320]
    assert _compare(burst, photo) in (Likeness.SIMILAR, Likeness.DIFFERENT)


def test_only_the_stored_view_can_be_same() -> None:
    """The very same picture compared through a crop or turn view is only `similar`."""
    photo = scene(2, 480, 640)
    assert _compare(photo, photo, exact=False) is Likeness.SIMILAR


def test_grayscale_version_fails_the_colour_check() -> None:
    """A grayscale version differs in chroma far beyond the limit; a copy does not."""
    photo = scene(3)
    gray = np.repeat(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
    assert colour_difference(_print(gray), _print(photo)) > 4 * DEFAULT.same_colour
    assert colour_difference(_print(photo), _print(photo)) == 0
    assert _compare(gray, photo) is Likeness.SIMILAR


def test_featureless_pictures_never_match() -> None:
    """Two flat pictures of nearly one colour are different, not `same` or `similar`."""
    a = np.full((300, 400, 3), 120, np.uint8)
    b = np.full((300, 400, 3), 122, np.uint8)
    assert _compare(a, b) is Likeness.DIFFERENT


def test_aspect_ratio_must_agree_for_same() -> None:
    """A squashed picture has another aspect ratio; a transposed needle is compared turned."""
    wide = _print(scene(4, 300, 600))
    square = _print(cv2.resize(scene(4, 300, 600), (300, 300)))
    assert not aspect_matches(square, wide)
    tall = _print(scene(4, 600, 300))
    assert aspect_matches(tall, wide, transposed=True)


def test_limits_grow_only_for_small_pictures() -> None:
    """The block limit is fixed from 200 px up and grows as the smaller picture shrinks."""
    assert same_limit(4000) == same_limit(200) == DEFAULT.same_block
    assert same_limit(100) > same_limit(150) > same_limit(200)


def test_block_difference_and_correlation_basics() -> None:
    """Equal thumbnails differ by 0 and correlate at 1; brightness keeps correlation."""
    thumb = _print(scene(5)).thumb_array().astype(np.float32)
    assert largest_block_difference(thumb, thumb, 500) == 0
    assert correlation(thumb, thumb) > 0.999
    assert correlation(thumb, thumb * 0.8 + 30) > 0.999
    assert largest_block_difference(thumb, thumb + 20, 500) > DEFAULT.same_block
