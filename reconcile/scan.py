"""Which files exist: walks a root and sorts its files into images and skipped files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field

from reconcile.errors import RootError

# Decodable with Pillow (HEIC/AVIF with the optional plugin) or a picture we must at least
# report: a RAW file is a photo even where we cannot decode it.
IMAGE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".dib", ".tif", ".tiff",
        ".webp", ".heic", ".heif", ".avif", ".ppm", ".pgm", ".pbm", ".pnm", ".jp2", ".j2k",
        ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".srw", ".pef",
    }
)  # fmt: skip
# Never sniffed: videos and the like can be large, and their bytes are not pictures.
NOT_IMAGE_EXTENSIONS = frozenset(
    {
        ".mov", ".mp4", ".m4v", ".avi", ".mts", ".m2ts", ".3gp", ".mkv", ".wmv", ".mpg",
        ".mpeg", ".aae", ".xmp", ".thm", ".db", ".txt", ".json", ".plist", ".ini",
    }
)  # fmt: skip
SKIPPED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".localized", "Icon\r"})

# Leading bytes of the formats we decode, to recognise a picture behind a wrong name.
_MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


@dataclass(frozen=True, slots=True)
class Found:
    """An image file under a root, as the walk saw it."""

    root: str
    relpath: str
    path: str
    size: int
    mtime_ns: int
    problem: str | None = None


@dataclass(slots=True)
class Scan:
    """What one walk of a root produced."""

    root: str
    images: list[Found] = field(default_factory=list)
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)


def check_root(path: str) -> str:
    """The absolute, real form of a root, or RootError when it cannot be walked."""
    absolute = os.path.realpath(os.path.abspath(os.path.expanduser(path)))
    if not os.path.exists(absolute):
        raise RootError(f"{path}: no such folder")
    if not os.path.isdir(absolute):
        raise RootError(f"{path}: not a folder (give the folder that holds the photos)")
    if not os.access(absolute, os.R_OK | os.X_OK):
        raise RootError(f"{path}: permission denied")
    return absolute


def image_format(head: bytes) -> str | None:
    """The picture format that a file's first bytes announce, if any."""
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim"):
        return "HEIC"
    if head[4:8] == b"ftyp" and head[8:12] == b"avif":
        return "AVIF"
    return None


def looks_like_image(head: bytes) -> bool:
    """True when the first bytes of a file are those of a picture format."""
    return image_format(head) is not None


def _sniff(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return looks_like_image(handle.read(16))
    except OSError:
        return False


def _is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def _skipped_by_name(name: str) -> bool:
    return name in SKIPPED_NAMES or name.startswith("._")


def scan(root: str, *, exclude: tuple[str, ...] = ()) -> Scan:
    """Walk `root` (an absolute real path) and classify every file below it.

    Folders in `exclude` are not entered. Folder symlinks are followed once: a folder already
    visited (a loop, or two links to one place) is not walked again.
    """
    result = Scan(root=root)
    visited: set[tuple[int, int]] = set()
    for found in _walk(root, "", exclude, visited, result):
        result.images.append(found)
    return result


def _walk(
    root: str, rel: str, exclude: tuple[str, ...], visited: set[tuple[int, int]], result: Scan
) -> Iterator[Found]:
    folder = os.path.join(root, rel) if rel else root
    try:
        info = os.stat(folder)
    except OSError as error:
        result.warnings.append(f"{folder}: cannot open folder ({error.strerror})")
        return
    key = (info.st_dev, info.st_ino)
    if key in visited:
        result.warnings.append(f"{folder}: folder visited already (symlink loop), not walked again")
        return
    visited.add(key)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        result.warnings.append(f"{folder}: cannot list folder ({error.strerror})")
        return
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        if _is_dir(entry):
            if os.path.realpath(entry.path) in exclude or entry.path in exclude:
                continue
            yield from _walk(root, child, exclude, visited, result)
            continue
        found = _classify(root, child, entry)
        if found is None:
            result.skipped += 1
        else:
            yield found


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _classify(root: str, rel: str, entry: os.DirEntry[str]) -> Found | None:
    name = entry.name
    if _skipped_by_name(name):
        return None
    extension = os.path.splitext(name)[1].lower()
    try:
        info = entry.stat(follow_symlinks=True)
    except OSError as error:
        if not _is_image_name(name):
            return None
        problem = "broken symlink" if entry.is_symlink() else f"cannot stat ({error.strerror})"
        return Found(root, rel, entry.path, 0, 0, problem)
    if not stat.S_ISREG(info.st_mode):
        return None
    if extension not in IMAGE_EXTENSIONS and (
        extension in NOT_IMAGE_EXTENSIONS or not _sniff(entry.path)
    ):
        return None
    return Found(root, rel, entry.path, info.st_size, info.st_mtime_ns)
