"""Turning image bytes into pixels: reduced-size JPEG decoding, EXIF orientation, clear refusals."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from reconcile.scan import image_format

try:  # HEIC/HEIF is an optional extra: `pip install 'reconcile[heic]'`.
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - depends on the extra
    pass

# The decoder is asked for at least this many pixels on the short side: enough for the 64 px
# verification thumbnail with room for the area filter, few enough that JPEGs decode at 1/8.
WORKING_SIZE = 256
# Pictures larger than this are refused before decoding (a header can claim 60000 x 60000).
MAX_PIXELS = 300_000_000
# An embedded EXIF thumbnail stands in for the picture (--quick) only if its short side is
# at least the 64 px verification thumbnail's (cameras write 160 x 120, or 160 x 90 for 16:9)
# and it has the picture's shape (no letterbox, not a stale crop).
EMBEDDED_MIN_SIDE = 64
EMBEDDED_ASPECT_TOLERANCE = 0.02
# Where a JPEG's EXIF thumbnail lies: APP1 holds at most 64 KB, and APP0/APP2 come first.
HEAD_BYTES = 256 * 1024
RAW_EXTENSIONS = frozenset(
    {".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".srw", ".pef"}
)

# We check sizes ourselves (MAX_PIXELS) and want truncation reported, never papered over.
Image.MAX_IMAGE_PIXELS = None
ImageFile.LOAD_TRUNCATED_IMAGES = False


class Undecodable(Exception):
    """The bytes are not a picture we can decode; the message is the reason."""


@dataclass(frozen=True, slots=True)
class Pixels:
    """A decoded picture: RGB pixels, possibly reduced, and the full size it was stored at."""

    rgb: np.ndarray  # (h, w, 3) uint8, EXIF orientation applied
    width: int  # of the full picture, after orientation
    height: int


def decode(data: bytes, *, name: str = "") -> Pixels:
    """Decode image bytes; raises Undecodable with a one-line reason."""
    if not data:
        raise Undecodable("empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return _decode_open(image)
    except Undecodable:
        raise
    except UnidentifiedImageError:
        raise Undecodable(_unidentified(data, name)) from None
    except MemoryError:
        raise Undecodable("image too large to decode (out of memory)") from None
    except Exception as error:  # every decoder failure is a reason, never a crash
        # Plugins raise what they like (pillow-heif and the AVIF plugin: RuntimeError); a bad
        # file must become a status, whatever its bytes make a decoder do.
        raise Undecodable(_reason(error)) from None


def _decode_open(image: Image.Image) -> Pixels:
    width, height = image.size
    if width < 1 or height < 1:
        raise Undecodable(f"invalid size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise Undecodable(f"image too large ({width}x{height} pixels)")
    if image.format == "JPEG":
        # DCT-domain scaling: libjpeg decodes at 1/2, 1/4 or 1/8 without touching full size.
        scale = max(1, min(width, height) // WORKING_SIZE)
        image.draft("RGB", (width // scale, height // scale))
    image.load()
    oriented = ImageOps.exif_transpose(image) or image
    orientation = image.getexif().get(0x0112, 1)
    full_w, full_h = (height, width) if _swaps_axes(orientation) else (width, height)
    return Pixels(rgb=_to_rgb(oriented), width=full_w, height=full_h)


def decode_embedded(head: bytes) -> Pixels | None:
    """The EXIF thumbnail of a JPEG whose first bytes are `head`, oriented as the picture,
    with the picture's full size; None when there is no usable one (decode the file instead).
    """
    if not head.startswith(b"\xff\xd8"):
        return None  # not a JPEG: no other decoder is asked to open a partial file
    try:
        with Image.open(io.BytesIO(head)) as image:
            if image.format != "JPEG":
                return None
            width, height = image.size
            exif = image.getexif()
            raw = image.info.get("exif", b"")
            ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
            orientation = exif.get(0x0112, 1)
        start, length = int(ifd1.get(0x0201, 0)), int(ifd1.get(0x0202, 0))
        if not (raw.startswith(b"Exif\x00\x00") and start and length):
            return None
        blob = raw[6 + start : 6 + start + length]
        with Image.open(io.BytesIO(blob)) as thumb:
            thumb.load()
            small = thumb.convert("RGB")
    except Exception:  # no usable thumbnail: the caller decodes the file instead
        return None
    tw, th = small.size
    if min(tw, th) < EMBEDDED_MIN_SIDE or width < 1 or height < 1:
        return None
    if abs(tw / th - width / height) > EMBEDDED_ASPECT_TOLERANCE * (width / height):
        return None
    transpose = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    if transpose is not None:
        small = small.transpose(transpose)
    full_w, full_h = (height, width) if _swaps_axes(orientation) else (width, height)
    return Pixels(rgb=np.asarray(small, dtype=np.uint8), width=full_w, height=full_h)


# EXIF orientation: how to turn the stored pixels to display them (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _swaps_axes(orientation: object) -> bool:
    """Whether an EXIF orientation turns the picture a quarter turn (width and height swap)."""
    return orientation in (5, 6, 7, 8)


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Pillow's convert("L") clips 16-bit values at 255; rescale by the type's range.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode != "F" else (1.0 if values.max() <= 1.0 else 255.0)
        gray = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode != "RGB":
        image = image.convert("RGBA" if "A" in mode or "transparency" in image.info else "RGB")
        if image.mode == "RGBA":
            # Transparent areas are shown over white, as viewers and most converters do.
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image).convert("RGB")
    return np.asarray(image, dtype=np.uint8)


def _unidentified(data: bytes, name: str) -> str:
    if name.lower().endswith(tuple(RAW_EXTENSIONS)):
        return "RAW format not supported"
    announced = image_format(data[:16])
    if announced == "HEIC":
        return "HEIC not supported here (pip install 'reconcile[heic]')"
    if announced is not None:
        return f"corrupt {announced} (cannot be opened)"
    return "not an image (unknown format)"


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    lowered = text.lower()
    if "truncated" in lowered or isinstance(error, EOFError):
        return "truncated image data"
    if "decompression bomb" in lowered:
        return "image too large (decompression bomb check)"
    if "crc" in lowered or "broken png" in lowered:
        return f"corrupt PNG ({text})"
    return text.splitlines()[0][:200]
