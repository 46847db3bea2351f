"""Fingerprint maths: pinned values, invariance to copies, distance between different pictures."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import SAMPLE, encode, gray_thumbnail, hamming, resized, scene
from hypothesis import given
from hypothesis import strategies as st

from reconcile.facts import THUMB
from reconcile.match.verify import DEFAULT
from reconcile.media.decode import decode
from reconcile.media.fingerprint import (
    ORIENTATIONS,
    dhash,
    fingerprint,
    information,
    orient,
    oriented_hashes,
    phash,
    trim_border,
)

u64 = st.integers(min_value=0, max_value=(1 << 64) - 1)


def _print_of(data: bytes):
    pixels = decode(data)
    return fingerprint(pixels.rgb, width=pixels.width, height=pixels.height)


def test_pinned_hashes_of_a_sample_photo() -> None:
    """The hashes of a fixed file do not drift (they depend on Pillow's libjpeg and OpenCV's
    INTER_AREA resize; a change here means every existing index must be rebuilt)."""
    fp = _print_of((SAMPLE / "haystack/2009/07/14/IMG_0001.jpg").read_bytes())
    assert (fp.width, fp.height) == (512, 512)
    assert (fp.dhash, fp.phash) == (PINNED_DHASH, PINNED_PHASH)


PINNED_DHASH = 0xDD8DBD0D993295A6
PINNED_PHASH = 0xC2924C5532BDDFC8


@pytest.mark.parametrize("seed", range(6))
def test_copies_stay_within_the_search_radius(seed: int) -> None:
    """Resized, re-encoded and format-converted copies hash within the candidate radius."""
    original = scene(seed, 600, 800)
    reference = _print_of(encode(original, ".png"))
    copies = {
        "quarter size": encode(resized(original, 0.25), ".jpg", 85),
        "160 px thumbnail": encode(resized(original, 0.2), ".jpg", 80),
        "quality 30": encode(original, ".jpg", 30),
        "png": encode(original, ".png"),
    }
    for name, data in copies.items():
        copy = _print_of(data)
        assert hamming(copy.dhash, reference.dhash) <= DEFAULT.radius, name
        assert hamming(copy.phash, reference.phash) <= DEFAULT.radius, name


def test_different_pictures_are_far_apart() -> None:
    """Every pair of different test scenes is beyond the search radius on both hashes."""
    prints = [_print_of(encode(scene(seed), ".png")) for seed in range(10, 22)]
    for i, a in enumerate(prints):
        for b in prints[i + 1 :]:
            assert (
                hamming(a.dhash, b.dhash) > DEFAULT.radius
                or hamming(a.phash, b.phash) > DEFAULT.radius
            )


@given(u64, u64, u64)
def test_hamming_is_a_distance(a: int, b: int, c: int) -> None:
    """Hamming distance is symmetric, zero only for equal codes, and obeys the triangle law."""
    assert hamming(a, b) == hamming(b, a)
    assert (hamming(a, b) == 0) == (a == b)
    assert hamming(a, c) <= hamming(a, b) + hamming(b, c)
    assert 0 <= hamming(a, b) <= 64


def test_orientations_are_the_eight_symmetries() -> None:
    """The eight orientations are distinct, and only the transposing ones swap the sides."""
    picture = scene(3, 40, 60)[:, :, 0]
    turned = [orient(picture, index) for index in range(8)]
    for index, (_, transposes) in enumerate(ORIENTATIONS):
        assert turned[index].shape == ((60, 40) if transposes else (40, 60))
    keys = {t.tobytes() + bytes(t.shape) for t in turned}
    assert len(keys) == 8
    assert np.array_equal(orient(orient(picture, 2), 2), picture)


def test_hashes_see_the_thumbnail_orientation() -> None:
    """A rotated picture's hashes equal the hashes of the rotated thumbnail."""
    rgb = scene(4, 256, 256)
    rotated = np.ascontiguousarray(np.rot90(rgb))
    assert dhash(gray_thumbnail(rotated)) == dhash(orient(gray_thumbnail(rgb), 1))
    assert phash(gray_thumbnail(rotated)) == phash(orient(gray_thumbnail(rgb), 1))


@given(st.integers(0, 2**32 - 1), st.sampled_from(["noise", "scene", "flat", "stripes"]))
def test_the_eight_orientations_hashes_at_once_are_each_ones_hashes(seed: int, kind: str) -> None:
    """oriented_hashes gives the very bits of dhash and phash of each turned thumbnail (the
    search finds the same candidates whichever computes them), ties and flat pictures
    included."""
    rng = np.random.default_rng(seed)
    if kind == "noise":
        thumb = rng.integers(0, 256, (THUMB, THUMB), dtype=np.uint8)
    elif kind == "scene":
        thumb = gray_thumbnail(scene(seed % 1000, 96, 128))
    elif kind == "flat":
        thumb = np.full((THUMB, THUMB), seed % 256, np.uint8)
    else:
        thumb = np.tile((rng.integers(0, 2, THUMB) * 255).astype(np.uint8), (THUMB, 1))
    one_by_one = [(dhash(orient(thumb, index)), phash(orient(thumb, index))) for index in range(8)]
    assert oriented_hashes(thumb) == one_by_one


def test_information_separates_flat_pictures_from_photos() -> None:
    """Flat, gradient and noise-only pictures carry little detail; a scene carries a lot."""
    flat = np.full((THUMB, THUMB), 90, np.uint8)
    gradient = np.tile(np.linspace(0, 255, THUMB).astype(np.uint8), (THUMB, 1))
    dark = np.clip(np.random.default_rng(0).normal(12, 3, (480, 640, 3)), 0, 255).astype(np.uint8)
    assert information(flat) < DEFAULT.detail
    assert information(gradient) < DEFAULT.detail
    assert information(gray_thumbnail(dark)) < DEFAULT.detail
    assert information(gray_thumbnail(scene(5))) > 2 * DEFAULT.detail


def test_trim_border_removes_a_letterbox() -> None:
    """A black letterbox is trimmed back to the picture; a picture without one is left alone."""
    picture = scene(6, 300, 400)
    boxed = cv2.copyMakeBorder(picture, 50, 50, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    inner = trim_border(boxed)
    assert inner is not None
    assert abs(inner.shape[0] - 300) <= 2 and inner.shape[1] == 400
    assert trim_border(picture) is None


def test_phash_splits_at_numpys_median() -> None:
    """The DCT hash's quick median is np.median to the bit (stored hashes stay comparable):
    noise, blurred and flat thumbnails."""
    rng = np.random.default_rng(0)
    for number in range(600):
        thumb = rng.integers(0, 256, (64, 64)).astype(np.uint8)
        if number % 3 == 0:
            thumb = cv2.GaussianBlur(thumb, (0, 0), 5)
        if number % 7 == 0:
            thumb[:] = thumb[0, 0]
        small = cv2.resize(thumb, (32, 32), interpolation=cv2.INTER_AREA).astype(np.float32)
        low = cv2.dct(small)[:8, :8]
        assert phash(thumb) == int.from_bytes(np.packbits(low > np.median(low)).tobytes(), "big")


def test_crop_views_are_the_pictures_crops_and_its_own_shape_is_the_picture() -> None:
    """The crop views' hashes (cut from the picture reduced by a whole factor) are within a
    few bits of the crop itself fingerprinted; a crop of the picture's own shape (4:3 of a
    4:3 photo) has exactly the picture's hashes, and a panorama's square crop is hashed too."""
    from reconcile.facts import CROPS

    photo = scene(20, 750, 1000)  # reduced first, its whole differs from it by a bit
    fp = fingerprint(photo, width=1000, height=750)
    for crop, (crop_dhash, crop_phash) in zip(CROPS, fp.crops, strict=True):
        across, down = crop.fractions(1000, 750)
        if (across, down) == (0.0, 0.0):
            assert (crop_dhash, crop_phash) == (fp.dhash, fp.phash), crop.name
            continue
        dy, dx = round(750 * down), round(1000 * across)
        itself = fingerprint(photo[dy : 750 - dy, dx : 1000 - dx], width=1, height=1,
                             crop_views=False)  # fmt: skip
        assert hamming(crop_dhash, itself.dhash) <= 4, crop.name
        assert hamming(crop_phash, itself.phash) <= 6, crop.name
    panorama = cv2.resize(scene(22, 100, 400), (8000, 200))
    assert len(fingerprint(panorama, width=8000, height=200).crops) == len(CROPS)
