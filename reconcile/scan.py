"""Which files exist: walks a root and sorts its files into images and skipped files.

The walk is iterative (any depth), never leaves the roots it is given (a symlink whose target
lies outside every root is skipped with a warning), and never opens anything but a regular
file, without blocking.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from reconcile.errors import RootError
from reconcile.files import kind_of_mode, open_regular
from reconcile.filetypes import (
    MAGIC_BYTES,
    image_format,
    is_image_name,
    is_skipped_name,
    may_be_image,
)


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


def inside(path: str, root: str) -> bool:
    """Whether `path` lies below `root` (both absolute and real)."""
    return path.startswith(root.rstrip(os.sep) + os.sep)


def scan(root: str, *, exclude: tuple[str, ...] = (), within: tuple[str, ...] = ()) -> Scan:
    """Walk `root` (an absolute real path) and classify every file below it.

    Folders in `exclude` are not entered. Symlinks are followed only to targets inside `root`
    or one of `within` (the run's other roots); a folder already visited (a loop, or two links
    to one place) is not walked again.
    """
    result = Scan(root=root)
    allowed = (root, *within)
    visited: set[tuple[int, int]] = set()
    folders = [""]  # relative paths still to walk; a stack, so the walk is depth-first
    while folders:
        rel = folders.pop()
        subfolders = _walk_one(root, rel, exclude, allowed, visited, result)
        folders.extend(reversed(subfolders))  # keep the listing's (sorted) order
    return result


def _walk_one(
    root: str,
    rel: str,
    exclude: tuple[str, ...],
    allowed: tuple[str, ...],
    visited: set[tuple[int, int]],
    result: Scan,
) -> list[str]:
    """Classify one folder's files into `result`; return its subfolders to walk."""
    folder = os.path.join(root, rel) if rel else root
    try:
        info = os.stat(folder)
    except OSError as error:
        result.warnings.append(f"{folder}: cannot open folder ({error.strerror})")
        return []
    key = (info.st_dev, info.st_ino)
    if key in visited:
        result.warnings.append(f"{folder}: folder visited already (symlink loop), not walked again")
        return []
    visited.add(key)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        result.warnings.append(f"{folder}: cannot list folder ({error.strerror})")
        return []
    subfolders = []
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        # A dangling link is no way out: _classify reports it.
        if entry.is_symlink() and _exists(entry.path) and not _target_allowed(entry.path, allowed):
            target = os.path.realpath(entry.path)
            result.warnings.append(
                f"{entry.path}: symlink to {target}, outside the folders being compared: skipped"
            )
            result.skipped += 1
            continue
        if _is_dir(entry):
            # realpath walks every component: only worth it when something is excluded.
            if exclude and (entry.path in exclude or os.path.realpath(entry.path) in exclude):
                continue
            subfolders.append(child)
            continue
        found = _classify(root, child, entry)
        if found is None:
            result.skipped += 1
        else:
            result.images.append(found)
    return subfolders


def _target_allowed(path: str, allowed: tuple[str, ...]) -> bool:
    target = os.path.realpath(path)
    return any(target == root or inside(target, root) for root in allowed)


def _exists(path: str) -> bool:
    try:
        os.stat(path)
    except OSError:
        return False
    return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _sniff(path: str) -> bool:
    try:
        with open_regular(path) as handle:
            return image_format(handle.read(MAGIC_BYTES)) is not None
    except OSError:
        return False


def _classify(root: str, rel: str, entry: os.DirEntry[str]) -> Found | None:
    name = entry.name
    if is_skipped_name(name):
        return None
    try:
        info = entry.stat(follow_symlinks=True)
    except OSError as error:
        if not is_image_name(name):
            return None
        problem = "broken symlink" if entry.is_symlink() else f"cannot stat ({error.strerror})"
        return Found(root, rel, entry.path, 0, 0, problem)
    if not stat.S_ISREG(info.st_mode):
        # Never opened (a pipe or device can block forever), but an image name is reported.
        if not is_image_name(name):
            return None
        problem = f"not a regular file: {kind_of_mode(info.st_mode)}"
        return Found(root, rel, entry.path, 0, 0, problem)
    if not is_image_name(name) and (not may_be_image(name) or not _sniff(entry.path)):
        return None
    return Found(root, rel, entry.path, info.st_size, info.st_mtime_ns)
