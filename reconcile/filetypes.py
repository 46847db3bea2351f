"""What a file is: a picture, a RAW, a video, a sidecar, litter, or something unknown, by its
name and its first bytes.

The one place that knows extensions and magic numbers; the walker and the decoders ask it.
"""

from __future__ import annotations

import enum
import os

# Camera RAW formats (every one LibRaw reads): photos, even where they cannot be decoded.
# Many are TIFF inside and carry a small preview that Pillow would happily decode as the
# picture: known by name, they go to LibRaw, and a RAW it cannot open is `unreadable`.
RAW_EXTENSIONS = frozenset(
    {
        ".3fr", ".ari", ".arw", ".bay", ".cap", ".cr2", ".cr3", ".crw", ".cs1", ".dc2",
        ".dcr", ".dcs", ".dng", ".drf", ".eip", ".erf", ".fff", ".gpr", ".iiq", ".k25",
        ".kc2", ".kdc", ".mdc", ".mef", ".mfw", ".mos", ".mrw", ".nef", ".nrw", ".obm",
        ".orf", ".ori", ".pef", ".ptx", ".pxn", ".qtk", ".raf", ".raw", ".rdc", ".rw2",
        ".rwl", ".rwz", ".sr2", ".srf", ".srw", ".sti", ".x3f",
    }
)  # fmt: skip
# Decodable with Pillow, pillow-heif, or a picture we must at least report.
IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".dib", ".tif", ".tiff",
        ".webp", ".heic", ".heif", ".avif", ".ppm", ".pgm", ".pbm", ".pnm", ".jp2", ".j2k",
    }
) | RAW_EXTENSIONS  # fmt: skip
VIDEO_EXTENSIONS = frozenset(
    {
        ".mov", ".mp4", ".m4v", ".avi", ".3gp", ".3g2", ".mts", ".m2ts", ".mkv", ".webm",
        ".mpg", ".mpeg", ".wmv", ".flv", ".dv", ".vob", ".mod", ".tod",
    }
)  # fmt: skip
# Files that travel with photos but hold none: edit recipes, metadata, camera proxies. Skipped.
SIDECAR_EXTENSIONS = frozenset(
    {
        ".xmp", ".aae", ".thm", ".lrv", ".xml", ".json", ".plist", ".pp3", ".dop", ".on1",
        ".lrprev", ".ctg", ".cpi", ".bdm", ".mpl", ".ini", ".db", ".log", ".txt", ".md5",
    }
)  # fmt: skip
# Operating-system litter: never a photo, whatever its bytes.
SKIPPED_NAMES = frozenset(
    {".DS_Store", "Thumbs.db", "desktop.ini", ".localized", "Icon\r", "ehthumbs.db"}
)


class Kind(enum.StrEnum):
    """What a file under a root is, as far as reconcile is concerned."""

    IMAGE = "image"  # pictures and RAWs: fingerprinted, given a status
    VIDEO = "video"  # clips: sampled, given a status
    SIDECAR = "sidecar"  # travels with media, holds none: skipped
    LITTER = "litter"  # operating-system files: skipped
    OTHER = "other"  # not known to hold a photo or video: skipped, but counted per folder


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
_VIDEO_BRANDS = (
    b"qt  ", b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"M4V ", b"M4VH",
    b"M4VP", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"avc1", b"MSNV", b"XAVC", b"dash",
)  # fmt: skip


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def is_image_name(name: str) -> bool:
    return extension(name) in IMAGE_EXTENSIONS


def is_heif_name(name: str) -> bool:
    """A HEIC/HEIF by its name (what a phone library holds), before a byte is read."""
    return extension(name) in (".heic", ".heif", ".hif")


def is_raw_name(name: str) -> bool:
    return extension(name) in RAW_EXTENSIONS


def is_skipped_name(name: str) -> bool:
    """Operating-system litter and AppleDouble (`._x`) files, never photos."""
    return name in SKIPPED_NAMES or name.startswith("._")


def kind_by_name(name: str) -> Kind | None:
    """A file's kind from its name alone, or None when only its bytes can tell."""
    ext = extension(name)
    if is_skipped_name(name):
        return Kind.LITTER
    if ext in IMAGE_EXTENSIONS:
        return Kind.IMAGE
    if ext in VIDEO_EXTENSIONS:
        return Kind.VIDEO
    if ext in SIDECAR_EXTENSIONS:
        return Kind.SIDECAR
    return None


def kind_by_content(head: bytes) -> Kind:
    """A file's kind from its first MAGIC_BYTES bytes (for names that do not tell)."""
    if image_format(head) is not None:
        return Kind.IMAGE
    if video_container(head) is not None:
        return Kind.VIDEO
    return Kind.OTHER


def video_container(head: bytes) -> str | None:
    """The video container a file's first bytes announce, if any."""
    if head[4:8] == b"ftyp" and head[8:12] in _VIDEO_BRANDS:
        return "MP4/MOV"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "MOV"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "Matroska/WebM"
    if head[:4] == b"\x00\x00\x01\xba":
        return "MPEG-PS"
    return None  # MPEG-TS (.mts, .m2ts) has no magic worth the name: known by its name


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
