"""Small pictures for the review page: a JPEG of at most THUMB_SIDE pixels per file, made at
report time from the file itself (a video's middle frame), as a data: URI."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from reconcile.files import open_regular
from reconcile.filetypes import Kind
from reconcile.media.decode import Undecodable, decode

THUMB_SIDE = 200  # pixels on the long side: two per item keep 10,000 items near 50 MB
_QUALITY = 60
_READ_LIMIT = 256 * 1024 * 1024


def thumbnail_uri(path: str, kind: Kind, side: int = THUMB_SIDE) -> str | None:
    """A data: URI of a small JPEG of the file, or None when it cannot be shown (gone, broken)."""
    try:
        if kind is Kind.VIDEO:
            from reconcile.media.video import sample

            pixels = sample(path).frames[0]
        else:
            with open_regular(path) as handle:
                data = handle.read(_READ_LIMIT)
            pixels = decode(data, name=os.path.basename(path))
        image = Image.fromarray(pixels.rgb)
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # Small thumbnails of big reports give up a little quality as well as size.
        quality = _QUALITY if side >= THUMB_SIDE else _QUALITY - 10
        image.save(out, "JPEG", quality=quality, optimize=True)
    except (OSError, Undecodable, ValueError, MemoryError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def thumbnails(
    files: Iterable[tuple[str, Kind]], *, side: int = THUMB_SIDE
) -> dict[str, str | None]:
    """Thumbnails of many files at once, by path (decoders release the GIL: threads suffice)."""
    unique = list(dict.fromkeys(files))
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        made = list(pool.map(lambda item: thumbnail_uri(item[0], item[1], side), unique))
    return {path: uri for (path, _), uri in zip(unique, made, strict=True)}
