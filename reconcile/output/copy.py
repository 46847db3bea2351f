"""Copying to-do files out of the backups, so that they can be imported: every copy checked
against its source's digest, nothing overwritten, nothing left half-written.

Files land in `DIR/<needles root name>/<folder>/<file>`, keeping the backup's folder tree and
each file's times. A file already there with the same bytes is skipped (an interrupted copy
resumes without duplicates); one with other bytes gets a numbered name and a note.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconcile.disk.layout import BUNDLE_SUFFIXES
from reconcile.errors import ReconcileError
from reconcile.files import file_digest
from reconcile.results import ItemResult

_PARTIAL = ".reconcile-partial"  # suffix of a copy under way; renamed when checked


class CopyError(ReconcileError):
    """The to-do files cannot be copied (a refused destination, a full disk, a failed check)."""


@dataclass(slots=True)
class Copied:
    """What a copy-out did."""

    copied: list[str] = field(default_factory=list)  # destination paths written this time
    present: int = 0  # already there with the same bytes
    notes: list[str] = field(default_factory=list)  # renamed copies, sources that vanished


def check_destination(destination: str, roots: Iterable[str]) -> str:
    """The destination's real path, or CopyError when it lies inside a photo folder (`roots`
    as given or resolved: both are resolved here)."""
    real = os.path.realpath(os.path.abspath(os.path.expanduser(destination)))
    for given in roots:
        root = os.path.realpath(os.path.abspath(os.path.expanduser(given)))
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            raise CopyError(
                f"{destination}: inside {root}; reconcile never writes under the haystack or "
                "needles: choose a folder outside them"
            )
    return real


def copy_out(items: Iterable[ItemResult], destination: str) -> Copied:
    """Copy each item's file under `destination` (already checked with check_destination)."""
    done = Copied()
    for item in items:
        source = os.path.join(item.root, item.path)
        target = os.path.join(destination, _place(item))
        try:
            digest = file_digest(source)
        except OSError as error:
            done.notes.append(f"{source}: not copied ({error.strerror or error})")
            continue
        final = _free_name(target, digest, done)
        if final is None:
            done.present += 1
            continue
        _copy_checked(source, final, digest)
        done.copied.append(final)
    return done


def _place(item: ItemResult) -> str:
    """Where below the destination a copy goes: `<backup's name>/<its path>`, or, for a file
    of a photo library, the library's name for it in a folder named after the library,
    without the bundle's extension (a folder called `x.photoslibrary` is a library to the
    Mac, and a copy inside one would be neither)."""
    backup = os.path.basename(item.root.rstrip(os.sep))
    if item.name is None:
        return os.path.join(backup, item.path)
    if item.folder == ".":  # the backup root is the library itself
        return os.path.join(_unbundled(backup), item.name)
    head, _, bundle = item.folder.rpartition("/")
    return os.path.join(backup, head, _unbundled(bundle), item.name)


def _unbundled(name: str) -> str:
    lowered = name.lower()
    for suffix in BUNDLE_SUFFIXES:
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _free_name(target: str, digest: bytes, done: Copied) -> str | None:
    """`target`, or a numbered variant of it if another file holds that name; None when a file
    with these very bytes is there already."""
    stem, ext = os.path.splitext(target)
    candidate, number = target, 0
    while os.path.lexists(candidate):
        try:
            if os.path.isfile(candidate) and file_digest(candidate) == digest:
                return None
        except OSError:
            pass
        number += 1
        candidate = f"{stem} ({number}){ext}"
    if candidate != target:
        done.notes.append(f"{target}: another file has this name; copied as {candidate}")
    return candidate


def _copy_checked(source: str, final: str, digest: bytes) -> None:
    partial = final + _PARTIAL
    try:
        os.makedirs(os.path.dirname(final), exist_ok=True)
        shutil.copyfile(source, partial)
        shutil.copystat(source, partial)  # the file's times, as the backup has them
        if file_digest(partial) != digest:
            raise CopyError(f"{final}: the copy differs from {source}; nothing kept")
        os.replace(partial, final)
    except OSError as error:
        _remove(partial)
        if error.errno == errno.ENOSPC:
            raise CopyError(
                f"{os.path.dirname(final)}: disk full; the files copied so far are complete "
                "and checked: free space and run again to copy the rest"
            ) from None
        raise CopyError(f"{final}: cannot copy ({error.strerror or error})") from None
    except BaseException:
        _remove(partial)  # interrupted: no half-written file stays behind
        raise


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)
