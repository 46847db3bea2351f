"""Decoding: damaged files become reasons, unusual but valid pictures decode, EXIF is applied."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from conftest import encode, gray_thumbnail, scene
from PIL import Image, ImageOps

from reconcile.media.decode import WORKING_SIZE, Undecodable, _turbo_jpeg, decode


def _reason(data: bytes, name: str = "x.jpg") -> str:
    with pytest.raises(Undecodable) as caught:
        decode(data, name=name)
    return str(caught.value)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.99])
def test_truncated_jpeg_is_refused(fraction: float) -> None:
    """A JPEG cut short is `truncated`, not a half-grey picture."""
    data = encode(scene(1, 600, 800), ".jpg", 92)
    assert _reason(data[: int(len(data) * fraction)]) == "truncated image data"


def test_empty_and_text_files_are_refused() -> None:
    """Zero bytes and text behind an image name get plain reasons."""
    assert _reason(b"") == "empty file"
    assert _reason(b"hello, this is not a picture\n") == "not an image (unknown format)"
    assert _reason(b"not raw at all", name="x.NEF").startswith("RAW format not recognised")


def test_png_bytes_behind_a_jpg_name_decode() -> None:
    """The format comes from the bytes, not the name."""
    pixels = decode(encode(scene(2, 40, 50), ".png"), name="photo.jpg")
    assert (pixels.width, pixels.height) == (50, 40)


def test_large_jpeg_decodes_at_reduced_size() -> None:
    """A big JPEG is decoded in the DCT domain at a fraction of its size, full size reported."""
    pixels = decode(encode(scene(3, 2400, 3200), ".jpg", 85))
    assert (pixels.width, pixels.height) == (3200, 2400)
    assert pixels.rgb.shape[0] < 2400 and min(pixels.rgb.shape[:2]) >= 256


def test_exif_orientation_is_applied() -> None:
    """Pixels stored rotated with an orientation tag decode upright."""
    upright = scene(4, 300, 400)
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(upright))).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif)
    pixels = decode(out.getvalue())
    assert (pixels.width, pixels.height) == (400, 300)
    difference = np.abs(
        gray_thumbnail(pixels.rgb).astype(int) - gray_thumbnail(upright).astype(int)
    )
    assert difference.mean() < 3


def test_sixteen_bit_png_keeps_its_tones() -> None:
    """A 16-bit PNG is scaled to 8 bits, not clipped to white."""
    gray8 = scene(5, 64, 64)[:, :, 1]
    out = io.BytesIO()
    Image.fromarray(gray8.astype(np.uint16) * 257).save(out, "PNG")
    pixels = decode(out.getvalue())
    assert abs(float(pixels.rgb[:, :, 0].mean()) - float(gray8.mean())) < 1.5


def test_palette_png_with_transparency_decodes() -> None:
    """A palette PNG with a transparent colour becomes RGB over white."""
    image = Image.new("P", (20, 10), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 10, 10))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    rgb = decode(out.getvalue()).rgb
    assert tuple(rgb[5, 15]) == (255, 255, 255) and tuple(rgb[5, 5]) == (255, 0, 0)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = _chunk(b"IDAT", zlib.compress(bytes(1024)))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + pixels + _chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headers claiming more pixels than a decode may spend are refused without allocating
    them (by Pillow's own check where the host program keeps it, by ours past it)."""
    assert _reason(_png_claiming(60000, 60000)).startswith("image too large (")
    # Where the host lifts Pillow's limit (as reconcile's workers do), ours still holds:
    # 17000 x 17000 RGBA is under MAX_PIXELS but needs 2 GB with its RGB copy.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert _reason(_png_claiming_rgba(17000, 17000)).startswith("image too large to decode")


def _png_claiming_rgba(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    pixels = _chunk(b"IDAT", zlib.compress(bytes(1024)))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + pixels + _chunk(b"IEND", b"")


def _jpeg(rgb: np.ndarray, **options: object) -> bytes:
    out = io.BytesIO()
    image = Image.fromarray(rgb)
    if options.pop("grey", False):
        image = image.convert("L")
    image.save(out, "JPEG", **options)
    return out.getvalue()


def _oriented_jpeg(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _jpeg(scene(6, 700, 1000), quality=90, exif=exif.tobytes())


# Plain JPEGs as cameras, phones and editors write them: every chroma subsampling, baseline
# and progressive, grey, sizes that end mid-block, every DCT scale, every EXIF orientation.
_PLAIN = {
    "4:2:0": lambda: _jpeg(scene(7, 2400, 3200), quality=92, subsampling=2),
    "4:2:2": lambda: _jpeg(scene(8, 1200, 1600), quality=85, subsampling=1),
    "4:4:4": lambda: _jpeg(scene(9, 600, 800), quality=95, subsampling=0),
    "progressive": lambda: _jpeg(scene(10, 1203, 1601), quality=80, progressive=True),
    "grey": lambda: _jpeg(scene(11, 997, 1333), quality=90, grey=True),
    "small": lambda: _jpeg(scene(12, 201, 303), quality=75),
    **{f"orientation {n}": (lambda n=n: _oriented_jpeg(n)) for n in range(1, 9)},
}


def _drafted(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    scale = max(1, min(image.size) // WORKING_SIZE)
    image.draft("RGB", (image.width // scale, image.height // scale))
    return image


def _pillow(data: bytes) -> np.ndarray | None:
    """What Pillow alone makes of a JPEG drafted as `decode` drafts it: upright RGB pixels,
    or None when it refuses the file."""
    try:
        with _drafted(data) as image:
            image.load()
            return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))
    except (OSError, SyntaxError, ValueError):
        return None


def _turbo_takes(data: bytes) -> bool:
    with _drafted(data) as image:
        return _turbo_jpeg(image, data) is not None


@pytest.mark.parametrize("kind", list(_PLAIN))
def test_plain_jpegs_decode_by_libjpeg_turbo_to_pillows_pixels(kind: str) -> None:
    """Plain JPEGs are decoded through libjpeg-turbo's own API, to the very pixels and sizes
    Pillow gives: an index written by either verifies against the other as if one wrote it."""
    data = _PLAIN[kind]()
    assert _turbo_takes(data)
    pixels, reference = decode(data), _pillow(data)
    assert reference is not None and pixels.rgb.flags.c_contiguous
    assert pixels.rgb.shape == reference.shape and np.array_equal(pixels.rgb, reference)
    with Image.open(io.BytesIO(data)) as full:
        assert (pixels.width, pixels.height) == ImageOps.exif_transpose(full).size


def _damaged(data: bytes, seed: int) -> bytes:
    """Damage of the kinds libjpeg only warns about while decoding, but which Pillow may
    refuse when it reads on to the end: a marker out of place, garbage, a repeated stretch."""
    rng = np.random.default_rng(seed)
    at = int(rng.integers(len(data) // 3, len(data) - 16))
    kind = seed % 3
    if kind == 0:
        return data[:at] + b"\xff\xd5" + data[at:]
    if kind == 1:
        return data[:at] + rng.integers(0, 256, 200, dtype=np.uint8).tobytes() + data[at:]
    return data[:at] + data[at - 500 : at] * 3 + data[at:]


@pytest.mark.parametrize("seed", range(12))
def test_damaged_jpegs_get_pillows_verdict(seed: int) -> None:
    """libjpeg-turbo is asked strictly: a damaged JPEG is left to Pillow, whose verdict (its
    pixels, or a reason) stands, never a picture half made of repaired data."""
    data = _damaged(_PLAIN["4:2:0" if seed % 2 else "progressive"](), seed)
    assert not _turbo_takes(data)
    reference = _pillow(data)
    if reference is None:
        with pytest.raises(Undecodable):
            decode(data)
    else:
        assert np.array_equal(decode(data).rgb, reference)


@pytest.mark.parametrize("fraction", [0.3, 0.9])
def test_jpegs_cut_short_are_left_to_pillow(fraction: float) -> None:
    """A JPEG without its end is Pillow's: `truncated`, not a half-grey picture."""
    data = encode(scene(13, 600, 800), ".jpg", 92)
    cut = data[: int(len(data) * fraction)]
    assert not _turbo_takes(cut)
    with pytest.raises(Undecodable, match="truncated image data"):
        decode(cut)


def test_cmyk_jpegs_are_left_to_pillow() -> None:
    """CMYK JPEGs (print workflows) decode through Pillow, as ever."""
    out = io.BytesIO()
    Image.fromarray(scene(14, 300, 400)).convert("CMYK").save(out, "JPEG", quality=90)
    data = out.getvalue()
    assert not _turbo_takes(data)
    assert decode(data).rgb.shape == (300, 400, 3)
