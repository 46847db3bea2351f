"""Which files exist: walks a root and sorts its files into media and skipped files.

The walk is iterative (any depth), never leaves the roots it is given (a symlink whose target
lies outside every root is skipped with a warning), and never opens anything but a regular
file, without blocking. A photo library met on the way (known by its catalogue, or by its
name) is read through `disk.bundle`, never walked as a plain folder. What could not be seen
(a folder that cannot be listed, a link out of the roots) is said in `Scan.unseen`.
"""

from __future__ import annotations

import os

from reconcile.disk.bundle import walk_library
from reconcile.disk.entries import Found, Scan, classify
from reconcile.disk.layout import Layout, recognise
from reconcile.errors import RootError
from reconcile.filetypes import Kind

__all__ = ["Found", "Scan", "check_root", "inside", "scan"]


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


def scan(
    root: str,
    *,
    exclude: tuple[str, ...] = (),
    within: tuple[str, ...] = (),
    side: str = "needles",
) -> Scan:
    """Walk `root` (an absolute real path) and classify every file below it.

    Folders in `exclude` are not entered. Symlinks are followed only to targets inside `root`
    or one of `within` (the run's other roots); a folder already visited (a loop, or two links
    to one place) is not walked again. `side` ("haystack" or "needles") says how a photo
    library met on the way counts (see `disk.bundle`).
    """
    result = Scan(root=root)
    allowed = (root, *within)
    visited: set[tuple[int, int]] = set()
    enclosing = _enclosing_library(root)
    if enclosing is not None:
        bundle, layout, database = enclosing  # its warning says the root lies inside it
        group = "." if side == "needles" else None
        walk_library(result, bundle, layout, database, side=side, group=group, only_under=root)
        return result
    folders = [""]  # relative paths still to walk; a stack, so the walk is depth-first
    while folders:
        rel = folders.pop()
        subfolders = _walk_one(root, rel, exclude, allowed, visited, result, side)
        folders.extend(reversed(subfolders))  # keep the listing's (sorted) order
    return result


def _enclosing_library(root: str) -> tuple[str, Layout, str | None] | None:
    """The photo library (with a catalogue) that `root` lies inside, if any."""
    folder = os.path.dirname(root)
    while folder and folder != os.path.dirname(folder):
        found = recognise(folder)
        if found is not None and found[0] is not Layout.UNKNOWN:
            return folder, found[0], found[1]
        folder = os.path.dirname(folder)
    return None


def _walk_one(
    root: str,
    rel: str,
    exclude: tuple[str, ...],
    allowed: tuple[str, ...],
    visited: set[tuple[int, int]],
    result: Scan,
    side: str,
) -> list[str]:
    """Classify one folder's files into `result`; return its subfolders to walk."""
    folder = os.path.join(root, rel) if rel else root
    try:
        info = os.stat(folder)
    except OSError as error:
        _unseen(result, rel, f"cannot open folder ({error.strerror})")
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
        _unseen(result, rel, f"cannot list folder ({error.strerror})")
        return []
    library = recognise(folder, [entry.name for entry in entries])
    if library is not None:
        layout, database = library
        group = (rel or ".") if side == "needles" else None
        walk_library(result, folder, layout, database, side=side, group=group)
        return []
    subfolders: list[str] = []
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        # A dangling link is no way out: classify reports it.
        if entry.is_symlink() and _exists(entry.path) and not _target_allowed(entry.path, allowed):
            target = os.path.realpath(entry.path)
            result.warnings.append(
                f"{entry.path}: symlink to {target}, outside the folders being compared: skipped"
            )
            result.skipped += 1
            # What it leads to was not seen: the folder cannot be called complete.
            result.unseen.append(
                (rel or ".", f"{entry.name} is a symlink out of the folders compared ({target})")
            )
            continue
        if _is_dir(entry):
            # realpath walks every component: only worth it when something is excluded.
            if exclude and (entry.path in exclude or os.path.realpath(entry.path) in exclude):
                continue
            subfolders.append(child)
            continue
        found = classify(root, child, entry.path)
        if isinstance(found, Found):
            result.media.append(found)
            continue
        result.skipped += 1
        if found is Kind.OTHER:
            result.other[rel or "."] = result.other.get(rel or ".", 0) + 1
            result.other_files.append(child)
    return subfolders


def _unseen(result: Scan, rel: str, why: str) -> None:
    folder = os.path.join(result.root, rel) if rel else result.root
    result.warnings.append(f"{folder}: {why}")
    result.unseen.append((rel or ".", why))


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
