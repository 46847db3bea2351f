"""Turning image bytes into pixels: reduced-size decoding, EXIF orientation, clear refusals.

Nothing global is changed: Pillow's own limits and plugin registry stay as the host program
set them (worker processes, which are reconcile's own, set theirs in `work.worker`). Memory is
budgeted before any pixel is decoded.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simplejpeg
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from reconcile.filetypes import MAGIC_BYTES, image_format, is_raw_name

# The decoder is asked for at least this many pixels on the short side: enough for the 64 px
# verification thumbnail with room for the area filter, few enough that JPEGs decode at 1/8.
WORKING_SIZE = 256
# Non-JPEG pictures whose short side is at least twice this are box-reduced before the pixel
# maths (JPEGs are reduced in the DCT domain to WORKING_SIZE instead).
REDUCE_TO = 4 * WORKING_SIZE
# Pictures larger than this are refused before decoding (a header can claim 60000 x 60000).
MAX_PIXELS = 300_000_000
# Bytes one decode may need (the stored pixels plus one RGB copy), checked before decoding:
# a 68 KB PNG can claim 17000 x 17000 pixels. A 200-megapixel RGB scan needs 1.2 GB.
MEMORY_BUDGET = 3 * 1024**3 // 2
# More scans than any camera or encoder writes (they use about 10): a progressive JPEG with
# thousands of empty scans costs minutes of CPU and says nothing more.
MAX_JPEG_SCANS = 500
# Pictures of a file of several (pages, frames, views) that are fingerprinted, evenly spread.
MAX_PAGES = 24
# An embedded EXIF thumbnail stands in for the picture (--quick) only if its short side is
# at least the 64 px verification thumbnail's (cameras write 160 x 120, or 160 x 90 for 16:9)
# and it has the picture's shape (no letterbox, not a stale crop).
EMBEDDED_MIN_SIDE = 64
EMBEDDED_ASPECT_TOLERANCE = 0.02
# A HEIC's embedded thumbnail (iPhones write one of 320 px) stands in only from 256 px on
# its long side: below that, decoding the tiles is the better buy.
EMBEDDED_HEIF_MIN_SIDE = 256
# Where a JPEG's EXIF thumbnail lies: APP1 holds at most 64 KB, and APP0/APP2 come first.
HEAD_BYTES = 256 * 1024

# Bytes per pixel of Pillow's modes, for the memory budget (others count as 4).
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "La": 2, "RGB": 3, "YCbCr": 3,
               "LAB": 3, "HSV": 3, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}  # fmt: skip


class Undecodable(Exception):
    """The bytes are not a picture we can decode; the message is the reason."""


@dataclass(frozen=True, slots=True)
class Pixels:
    """A decoded picture: RGB pixels, possibly reduced, and the full size it was stored at."""

    rgb: np.ndarray  # (h, w, 3) uint8, EXIF orientation applied
    width: int  # of the full picture, after orientation
    height: int
    # A file of several pictures (pages of a TIFF, frames of an animation, views of an MPO):
    # how many, and the others sampled (MAX_PAGES in all), reduced near the working size.
    count: int = 1
    pages: tuple[Pixels, ...] = ()


def decode(
    source: bytes | str, *, name: str = "", working: int = WORKING_SIZE, fit: int | None = None
) -> Pixels:
    """Decode a picture from its bytes, or from its path for files too large to hold twice;
    raises Undecodable with a one-line reason. `working`: the short side, in pixels, the
    caller needs at least (a JPEG is decoded at the smallest DCT scale that gives it); `fit`:
    the long side instead."""
    head = source[:MAGIC_BYTES] if isinstance(source, bytes) else _head(source)
    if not head:
        raise Undecodable("empty file")
    if isinstance(source, bytes) and image_format(head) == "JPEG" and _progressive(source):
        scans = source.count(b"\xff\xda")  # SOS markers: stuffing keeps 0xFF out of the data
        if scans > MAX_JPEG_SCANS:
            raise Undecodable(f"corrupt JPEG ({scans} scans)")
    try:
        with warnings.catch_warnings():
            # We budget pixels and memory ourselves (MAX_PIXELS, MEMORY_BUDGET).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if is_raw_name(name):
                return _decode_raw(source, working, fit)
            if image_format(head) == "HEIC":
                return _decode_heif(source)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                return _decode_open(
                    image, source if isinstance(source, bytes) else None, working, fit
                )
    except Undecodable:
        raise
    except UnidentifiedImageError:
        raise Undecodable(_unidentified(head, name)) from None
    except MemoryError:
        raise Undecodable("image too large to decode (out of memory)") from None
    except Exception as error:
        # Plugins raise what they like (pillow-heif and the AVIF plugin: RuntimeError); a bad
        # file must become a status, whatever its bytes make a decoder do.
        raise Undecodable(_reason(error)) from None


def decoded_alike(head: bytes, name: str = "") -> bool:
    """Whether `decode` gives a file the same pixels whatever size is asked of it: a HEIC's
    (libheif has no reduced decode), so that the pixels decoded for its prints are those a
    fine look would decode again. A JPEG (DCT scaling) or a RAW (its preview or a half-size
    demosaic) is decoded at the size asked."""
    return image_format(head) == "HEIC" and not is_raw_name(name)


def _progressive(data: bytes) -> bool:
    """Whether a JPEG is progressive (SOF2, in the header before the first scan): only those
    have more than one scan, so only those are counted."""
    first_scan = data.find(b"\xff\xda")
    header = data[: first_scan if first_scan > 0 else 65536]
    return b"\xff\xc2" in header or b"\xff\xc6" in header or b"\xff\xca" in header


def _head(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(MAGIC_BYTES)


def _decode_heif(source: bytes | str) -> Pixels:
    """The primary picture, and of a file of several (a phone's burst, an iPhone's spatial
    photo of two views) the others too, as pages: opened as a picture, such a file shows its
    primary one alone, and a copy of that would pass for the whole file."""
    # Decoded through pillow-heif's own API rather than its Pillow plugin, so that nothing is
    # registered in the host program's Pillow.
    import pillow_heif

    heif = pillow_heif.open_heif(io.BytesIO(source) if isinstance(source, bytes) else source)
    width, height = heif.size
    _check_budget(width, height, heif.mode)
    with heif.to_pillow() as image:
        # libheif has applied the container's rotation already (HEIF ignores the EXIF tag).
        first = _pixels(image, orientation=1)
    count = len(heif)
    if count < 2:
        return first
    others = [number for number in range(count) if number != heif.primary_index]
    pages = []
    for number in _spread([heif.primary_index, *others], MAX_PAGES)[1:]:
        picture = heif[number]
        _check_budget(*picture.size, picture.mode)
        try:
            with picture.to_pillow() as image:
                pages.append(_pixels(image, orientation=1, to=WORKING_SIZE))
        except (OSError, ValueError, RuntimeError) as error:
            raise _unreadable_picture(number, count, error) from None
    return Pixels(first.rgb, first.width, first.height, count, tuple(pages))


def _unreadable_picture(index: int, count: int, error: BaseException) -> Undecodable:
    """Why a file of several pictures is unreadable: which of them could not be decoded."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
    return Undecodable(f"picture {index + 1} of {count} ({reason})")


# LibRaw's flip code: which EXIF orientation turns the stored sensor image upright.
_RAW_FLIP = {3: 3, 5: 8, 6: 6}


def _decode_raw(source: bytes | str, working: int, fit: int | None) -> Pixels:
    """A camera RAW through LibRaw (rawpy): its embedded preview when that is at least the
    working size, otherwise a half-size demosaic; oriented as the camera held it."""
    import rawpy  # loaded by the workers that meet a RAW, not by every importer

    try:
        raw = rawpy.imread(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (rawpy.LibRawFileUnsupportedError, rawpy.LibRawIOError):
        raise Undecodable("RAW format not recognised (unsupported camera or not a RAW)") from None
    with raw:
        sizes = raw.sizes
        orientation = _RAW_FLIP.get(sizes.flip, 1)
        full = (sizes.width, sizes.height)
        _check_budget(sizes.raw_width, sizes.raw_height, "I;16", full=full)
        preview = _raw_preview(raw, working, fit)
        wanted = (max if fit else min)(preview.size) if preview is not None else 0
        if preview is not None and wanted >= (fit or working):
            with preview:
                if preview.getexif().get(0x0112, 1) != 1:
                    orientation = 1  # the preview says how to turn itself
                    preview = ImageOps.exif_transpose(preview)
                return _pixels(preview, orientation=orientation, full=full)
        rgb = raw.postprocess(
            half_size=True, use_camera_wb=True, output_bps=8, no_auto_bright=False
        )
    # postprocess has applied the flip already.
    width, height = (full[1], full[0]) if _swaps_axes(orientation) else full
    return _pixels(Image.fromarray(rgb), orientation=1, full=(width, height))


def _raw_preview(raw: object, working: int, fit: int | None) -> Image.Image | None:
    import rawpy

    try:
        thumb = raw.extract_thumb()  # type: ignore[attr-defined]
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    if thumb.format == rawpy.ThumbFormat.JPEG:
        image = Image.open(io.BytesIO(thumb.data))
        scale = _scale(image.size, working, fit)
        image.draft("RGB", (image.width // scale, image.height // scale))
        return image
    return Image.fromarray(thumb.data)


def _scale(size: tuple[int, int], working: int, fit: int | None) -> int:
    """The reduction a decode may make: the short side kept at `working`, or the long one at
    `fit`."""
    return max(1, max(size) // fit) if fit else max(1, min(size) // working)


def _decode_open(
    image: Image.Image,
    data: bytes | None = None,
    working: int = WORKING_SIZE,
    fit: int | None = None,
) -> Pixels:
    width, height = image.size
    if image.format == "JPEG":
        # DCT-domain scaling: libjpeg decodes at 1/2, 1/4 or 1/8 without touching full size.
        scale = _scale((width, height), working, fit)
        image.draft("RGB", (width // scale, height // scale))
    _check_budget(*image.size, image.mode, full=(width, height))
    if data is not None and image.format == "JPEG":
        rgb = _turbo_jpeg(image, data)
        if rgb is not None:
            orientation = image.getexif().get(0x0112, 1)
            full_w, full_h = (height, width) if _swaps_axes(orientation) else (width, height)
            return Pixels(rgb=_oriented(rgb, orientation), width=full_w, height=full_h)
    image.load()
    orientation = image.getexif().get(0x0112, 1)
    first = _pixels(image, orientation=orientation, full=(width, height))
    pictures = _pictures(image) if fit is None else [0]
    if len(pictures) < 2:
        return first
    pages = []
    for index in _spread(pictures, MAX_PAGES)[1:]:
        try:
            image.seek(index)
            _check_budget(*image.size, image.mode)
            image.load()
        except (OSError, ValueError, EOFError) as error:
            raise _unreadable_picture(index, len(pictures), error) from None
        pages.append(_pixels(image, orientation=orientation, to=WORKING_SIZE))
    return Pixels(first.rgb, first.width, first.height, len(pictures), tuple(pages))


def _pictures(image: Image.Image) -> list[int]:
    """The frame numbers of the pictures a file holds: every page or frame, but of an MPO not
    the frames it types as large thumbnails (a camera's JPEG may carry a preview of itself
    as a second frame). A frame of unknown type counts: it may be another view."""
    count = getattr(image, "n_frames", 1)
    if count < 2:
        return [0]
    if image.format == "MPO":
        entries = getattr(image, "mpinfo", {}).get(0xB002, [])
        return [0] + [
            number for number, entry in enumerate(entries[:count])
            if number and "Thumbnail" not in str(entry.get("Attribute", {}).get("MPType", ""))
        ]  # fmt: skip
    return list(range(count))


def _spread(items: list[int], most: int) -> list[int]:
    """At most `most` of `items`, evenly spread, the first and the last among them."""
    if len(items) <= most:
        return items
    return [items[round(i * (len(items) - 1) / (most - 1))] for i in range(most)]


def _turbo_jpeg(image: Image.Image, data: bytes) -> np.ndarray | None:
    """The pixels Pillow would decode from a JPEG (`image`, opened and drafted), decoded by
    libjpeg-turbo's own API (simplejpeg): from memory in one call, with a faster colour
    conversion than Pillow's block-by-block feed (measured 33-34 ms against 36-40 ms for a
    12 MP photo at 1/8), the same bytes out (tests/test_decode.py compares them).

    Strict: any warning from libjpeg (damaged data, a marker out of place) refuses, and so do
    CMYK and pictures that need reducing further; None then, and Pillow decodes or gives its
    reason. Damaged files thus get exactly Pillow's verdict: compared on 3,000 damaged
    JPEGs, every one this decoder accepted Pillow decoded to the same pixels.
    """
    if image.mode not in ("RGB", "L") or min(image.size) // REDUCE_TO >= 2:
        return None
    config = image.decoderconfig if isinstance(image, ImageFile.ImageFile) else ()
    scale = config[0] if config else 1  # the factor `draft` chose: 1, 2, 4 or 8
    try:
        rgb = simplejpeg.decode_jpeg(
            data, "RGB", min_width=image.width, min_height=image.height, min_factor=scale,
            strict=True,
        )  # fmt: skip
    except (ValueError, MemoryError):
        return None
    return rgb if rgb.shape == (image.height, image.width, 3) else None


def _oriented(rgb: np.ndarray, orientation: object) -> np.ndarray:
    """`rgb` turned as EXIF `orientation` says, as Pillow's transposes in `_TRANSPOSE` do."""
    turn = _TURN.get(orientation) if isinstance(orientation, int) else None
    return rgb if turn is None else np.ascontiguousarray(turn(rgb))


# The numpy twins of `_TRANSPOSE`, on (height, width, channel) arrays.
_TURN: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, k=-1),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, k=1),
}


def _check_budget(width: int, height: int, mode: str, full: tuple[int, int] | None = None) -> None:
    full_w, full_h = full or (width, height)
    if full_w < 1 or full_h < 1:
        raise Undecodable(f"invalid size {full_w}x{full_h}")
    if full_w * full_h > MAX_PIXELS:
        raise Undecodable(f"image too large ({full_w}x{full_h} pixels)")
    needed = width * height * (_MODE_BYTES.get(mode, 4) + 3)
    if needed > MEMORY_BUDGET:
        raise Undecodable(
            f"image too large to decode ({width}x{height} {mode}: "
            f"{needed / 1024**3:.1f} GB, over the {MEMORY_BUDGET / 1024**3:.1f} GB budget)"
        )


def _pixels(
    image: Image.Image,
    *,
    orientation: object,
    full: tuple[int, int] | None = None,
    to: int = REDUCE_TO,
) -> Pixels:
    width, height = full or image.size
    image = _reduced(image, to)
    transpose = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    if transpose is not None:
        image = image.transpose(transpose)
    full_w, full_h = (height, width) if _swaps_axes(orientation) else (width, height)
    return Pixels(rgb=_to_rgb(image), width=full_w, height=full_h)


def _reduced(image: Image.Image, to: int = REDUCE_TO) -> Image.Image:
    """A large picture shrunk by a whole factor to no less than `to` on its short side, so
    that the pixel maths never runs on hundreds of megapixels (JPEGs arrive reduced by `draft`
    already). Smaller pictures stay whole: the area resize to the thumbnail then sees the
    same pixels it always saw, and copies verify as they did."""
    factor = min(image.size) // to
    if factor < 2:
        return image
    if image.mode.startswith("I;16"):
        image = image.convert("I")  # Pillow reduces 32-bit integers, not 16-bit ones
    elif image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        image = image.convert(
            "RGBA" if "A" in image.mode or "transparency" in image.info else "RGB"
        )
    return image.reduce(factor)


def decode_embedded(head: bytes) -> Pixels | None:
    """The EXIF thumbnail of a JPEG whose first bytes are `head` (or the embedded thumbnail
    of a HEIC whose bytes are `head`, all of them), oriented as the picture, with the
    picture's full size; None when there is no usable one (decode the file instead).
    """
    if image_format(head) == "HEIC":
        return _heif_thumbnail(head)
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
    except Exception:  # no usable thumbnail, whatever the reason: the file is decoded instead
        return None
    tw, th = small.size
    if min(tw, th) < EMBEDDED_MIN_SIDE or width < 1 or height < 1:
        return None
    if abs(tw / th - width / height) > EMBEDDED_ASPECT_TOLERANCE * (width / height):
        return None
    return _pixels(small, orientation=orientation, full=(width, height))


def _heif_thumbnail(data: bytes) -> Pixels | None:
    """The largest thumbnail a HEIC carries, from EMBEDDED_HEIF_MIN_SIDE px on its long side
    and of the picture's shape; libheif turns it as it turns the picture."""
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data))
        primary = heif[heif.primary_index]
        width, height = primary.size
        listed = primary.info.get("thumbnails")
        sides = (
            [side for side in listed if isinstance(side, int)] if isinstance(listed, list) else []
        )
        usable = [i for i, side in enumerate(sides) if side >= EMBEDDED_HEIF_MIN_SIDE]
        if not usable or width < 1 or height < 1:
            return None
        best = max(usable, key=lambda i: sides[i])
        with primary.get_thumbnail(best).to_pillow() as thumb:
            small = thumb.convert("RGB")
    except Exception:  # no usable thumbnail, whatever the reason: the file is decoded instead
        return None
    tw, th = small.size
    if abs(tw / th - width / height) > EMBEDDED_ASPECT_TOLERANCE * (width / height):
        return None
    return _pixels(small, orientation=1, full=(width, height))


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
        values = np.asarray(image, dtype=np.float32)
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


def _unidentified(head: bytes, name: str) -> str:
    if is_raw_name(name):
        return "RAW format not supported"
    announced = image_format(head)
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
