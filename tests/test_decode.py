"""Decoding: damaged files become reasons, unusual but valid pictures decode, EXIF is applied."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from conftest import encode, gray_thumbnail, scene
from PIL import Image

from reconcile.decode import Undecodable, decode


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


@pytest.mark.parametrize("kind", list(_PLAIN))
def test_opencv_decodes_plain_jpegs_to_pillows_pixels(
    kind: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The workers' JPEG decoder (OpenCV's) gives the very pixels and sizes Pillow gives: an
    index written by either verifies against the other as if one decoder wrote it."""
    data = _PLAIN[kind]()
    fast, pillow = decode(data, opencv_jpeg=True), decode(data)
    assert (fast.width, fast.height) == (pillow.width, pillow.height)
    assert fast.rgb.shape == pillow.rgb.shape and fast.rgb.flags.c_contiguous
    assert np.array_equal(fast.rgb, pillow.rgb)
    # OpenCV did decode it: a damaged copy of the same file makes its libjpeg warn on stderr
    # (Pillow's stays silent), and still gives Pillow's pixels.
    middle = len(data) // 2
    damaged = data[:middle] + b"\xff\xd5" + data[middle:]  # a restart marker out of place
    capfd.readouterr()
    fast, pillow = decode(damaged, opencv_jpeg=True), decode(damaged)
    assert "Corrupt JPEG data" in capfd.readouterr().err
    assert np.array_equal(fast.rgb, pillow.rgb)


@pytest.mark.parametrize("fraction", [0.3, 0.9])
def test_opencv_leaves_jpegs_cut_short_to_pillow(fraction: float) -> None:
    """A JPEG without its end is Pillow's: `truncated`, not OpenCV's half-grey picture."""
    data = encode(scene(13, 600, 800), ".jpg", 92)
    with pytest.raises(Undecodable, match="truncated image data"):
        decode(data[: int(len(data) * fraction)], opencv_jpeg=True)


def test_opencv_leaves_cmyk_and_trailers_to_pillow() -> None:
    """CMYK, and JPEGs with bytes after their end (a motion photo's video), decode as ever."""
    cmyk = io.BytesIO()
    Image.fromarray(scene(14, 300, 400)).convert("CMYK").save(cmyk, "JPEG", quality=90)
    trailer = _jpeg(scene(15, 300, 400), quality=90) + b"ftypmp42" + bytes(5000)
    for data in (cmyk.getvalue(), trailer):
        assert np.array_equal(decode(data, opencv_jpeg=True).rgb, decode(data).rgb)
