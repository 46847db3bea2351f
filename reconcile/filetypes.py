"""What a file is: picture, RAW, or something to skip, by its name and its first bytes.

The one place that knows extensions and magic numbers; the walker and the decoder both ask it.
"""

from __future__ import annotations

import os

# Camera RAW formats: photos, even where they cannot be decoded.
RAW_EXTENSIONS = frozenset(
    {".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".srw", ".pef"}
)
# Decodable with Pillow, pillow-heif, or a picture we must at least report.
IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".dib", ".tif", ".tiff",
        ".webp", ".heic", ".heif", ".avif", ".ppm", ".pgm", ".pbm", ".pnm", ".jp2", ".j2k",
    }
) | RAW_EXTENSIONS  # fmt: skip
# Never sniffed: videos and the like can be large, and their bytes are not pictures.
NOT_IMAGE_EXTENSIONS = frozenset(
    {
        ".mov", ".mp4", ".m4v", ".avi", ".mts", ".m2ts", ".3gp", ".mkv", ".wmv", ".mpg",
        ".mpeg", ".aae", ".xmp", ".thm", ".db", ".txt", ".json", ".plist", ".ini",
    }
)  # fmt: skip
# Operating-system litter: never a photo, whatever its bytes.
SKIPPED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".localized", "Icon\r"})

# How many leading bytes `image_format` needs.
MAGIC_BYTES = 16
_MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}
_HEIF_BRANDS = (b"heic", b"heix", b"mif1", b"heim", b"heis", b"hevc", b"msf1")


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def is_image_name(name: str) -> bool:
    return extension(name) in IMAGE_EXTENSIONS


def is_raw_name(name: str) -> bool:
    return extension(name) in RAW_EXTENSIONS


def is_skipped_name(name: str) -> bool:
    """Operating-system litter and AppleDouble (`._x`) files, never photos."""
    return name in SKIPPED_NAMES or name.startswith("._")


def may_be_image(name: str) -> bool:
    """Whether a file with this name is worth sniffing: not a known non-image."""
    return extension(name) not in NOT_IMAGE_EXTENSIONS


def image_format(head: bytes) -> str | None:
    """The picture format that a file's first MAGIC_BYTES bytes announce, if any."""
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] == b"avif":
        return "AVIF"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIC"
    return None
