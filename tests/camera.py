"""What cameras put in a JPEG besides the picture: an EXIF block with a small JPEG thumbnail.

Test data: the tests and the benchmarks make camera-like files with it; reconcile only reads them.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

THUMBNAIL = (160, 120)  # the size the EXIF/DCF standard recommends, and most cameras use


def exif_thumbnail_block(thumbnail: bytes, orientation: int = 1) -> bytes:
    """An APP1 EXIF payload: IFD0 with the orientation, IFD1 pointing at a JPEG thumbnail."""

    def ifd(entries: list[tuple[int, int, int, int]], next_offset: int) -> bytes:
        # (tag, type, count, value); type 3 SHORT is left-aligned in the value field
        body = struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            body += struct.pack("<HHI", tag, kind, count) + packed
        return body + struct.pack("<I", next_offset)

    ifd0_size = 2 + 12 + 4
    ifd1_at = 8 + ifd0_size
    ifd1_size = 2 + 3 * 12 + 4
    data_at = ifd1_at + ifd1_size
    tiff = b"II*\x00" + struct.pack("<I", 8)
    tiff += ifd([(0x0112, 3, 1, orientation)], ifd1_at)
    tiff += ifd([(0x0103, 3, 1, 6), (0x0201, 4, 1, data_at), (0x0202, 4, 1, len(thumbnail))], 0)
    return b"Exif\x00\x00" + tiff + thumbnail


def camera_jpeg(rgb: np.ndarray, quality: int = 92, orientation: int = 1) -> bytes:
    """A JPEG of stored pixels `rgb` with an EXIF thumbnail of them, as a camera writes it."""
    picture = Image.fromarray(rgb)
    small = picture.copy()
    small.thumbnail(THUMBNAIL, Image.Resampling.BILINEAR)
    thumb = io.BytesIO()
    small.save(thumb, "JPEG", quality=85)
    out = io.BytesIO()
    block = exif_thumbnail_block(thumb.getvalue(), orientation)
    picture.save(out, "JPEG", quality=quality, exif=block)
    return out.getvalue()


def with_exif_thumbnail(data: bytes, thumbnail: bytes, orientation: int = 1) -> bytes:
    """A JPEG's bytes with an EXIF thumbnail segment inserted after SOI (pixels unchanged)."""
    block = exif_thumbnail_block(thumbnail, orientation)
    segment = b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block
    return data[:2] + segment + data[2:]
