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
from reconcile.filetypes import MAGIC_BYTES, Kind, kind_by_content, kind_by_name

# Photo library bundles (Apple Photos, iPhoto, Aperture) hold each photo once as an original
# and many times as derivatives, previews and thumbnails: only the originals are photos.
BUNDLE_SUFFIXES = (".photoslibrary", ".photolibrary", ".migratedphotolibrary", ".aplibrary")
BUNDLE_NAMES = frozenset({"iPhoto Library", "Aperture Library"})
BUNDLE_ORIGINALS = ("originals", "Masters")


@dataclass(frozen=True, slots=True)
class Found:
    """A media file (picture or video) under a root, as the walk saw it."""

    root: str
    relpath: str
    path: str
    size: int
    mtime_ns: int
    problem: str | None = None
    kind: Kind = Kind.IMAGE


@dataclass(slots=True)
class Scan:
    """What one walk of a root produced."""

    root: str
    media: list[Found] = field(default_factory=list)  # every media file, pictures and videos
    skipped: int = 0  # everything else: sidecars, litter, unknown files, links out of the roots
    warnings: list[str] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)  # unknown files per folder (relative)


def is_bundle(name: str) -> bool:
    """Whether a folder of this name is a photo library bundle."""
    return name in BUNDLE_NAMES or name.lower().endswith(BUNDLE_SUFFIXES)


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
    if is_bundle(os.path.basename(root)):
        folders = _bundle_originals(root, "", result)
    while folders:
        rel = folders.pop()
        subfolders = _walk_one(root, rel, exclude, allowed, visited, result)
        folders.extend(reversed(subfolders))  # keep the listing's (sorted) order
    return result


def _bundle_originals(root: str, rel: str, result: Scan) -> list[str]:
    """The originals folders of the bundle at `rel` that exist, and a note saying so."""
    bundle = os.path.join(root, rel) if rel else root
    inner = [f"{rel}/{name}" if rel else name for name in BUNDLE_ORIGINALS]
    inner = [sub for sub in inner if os.path.isdir(os.path.join(root, sub))]
    shown = ", ".join(f"{os.path.basename(sub)}/" for sub in inner) or "none found"
    result.warnings.append(
        f"{bundle}: a photo library: only its originals are read ({shown}), not its "
        "previews, thumbnails or database"
    )
    return sorted(inner, reverse=True)


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
    subfolders: list[str] = []
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
            if is_bundle(entry.name):
                subfolders.extend(reversed(_bundle_originals(root, child, result)))
                continue
            subfolders.append(child)
            continue
        found = _classify(root, child, entry)
        if isinstance(found, Found):
            result.media.append(found)
            continue
        result.skipped += 1
        if found is Kind.OTHER:
            result.other[rel or "."] = result.other.get(rel or ".", 0) + 1
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


def _sniff(path: str) -> Kind:
    try:
        with open_regular(path) as handle:
            return kind_by_content(handle.read(MAGIC_BYTES))
    except OSError:
        return Kind.OTHER


def _classify(root: str, rel: str, entry: os.DirEntry[str]) -> Found | Kind:
    """A media file as Found; anything else as its kind (sidecar, litter or other)."""
    name = entry.name
    named = kind_by_name(name)
    if named in (Kind.LITTER, Kind.SIDECAR):
        return named
    try:
        info = entry.stat(follow_symlinks=True)
    except OSError as error:
        if named is None:
            return Kind.OTHER
        problem = "broken symlink" if entry.is_symlink() else f"cannot stat ({error.strerror})"
        return Found(root, rel, entry.path, 0, 0, problem, named)
    if not stat.S_ISREG(info.st_mode):
        # Never opened (a pipe or device can block forever), but a media name is reported.
        if named is None:
            return Kind.OTHER
        problem = f"not a regular file: {kind_of_mode(info.st_mode)}"
        return Found(root, rel, entry.path, 0, 0, problem, named)
    kind = named or _sniff(entry.path)
    if kind not in (Kind.IMAGE, Kind.VIDEO):
        return kind
    return Found(root, rel, entry.path, info.st_size, info.st_mtime_ns, kind=kind)
