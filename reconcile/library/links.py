"""Library files that are the backups' own files: a symlink (to a file or a folder) into a
needles root, a hard link, the same file seen through a bind mount, a referenced original
kept on the backup. Such a library "copy" is no copy: deleting the backup deletes it too."""

from __future__ import annotations

import os
from collections.abc import Sequence

from reconcile.disk.scan import inside
from reconcile.library.side import Side

# Links named one by one in the warnings, at most.
_NAMED = 5


def linked_into(hay: Side, needle_roots: Sequence[str], backups: Side) -> dict[int, str]:
    """The library files (by id) that resolve to a file of the backups: the real path of
    the backup file each one is. A backup file that is itself a link into the library (a
    backup folder linking to the library's) is the library's file: deleting the backup
    deletes only the link, so it does not count here."""
    needle_files: dict[tuple[int | None, int], str] = {}
    for f in backups.files.values():
        real = os.path.realpath(f.path)
        if f.inode is not None and not any(_under(real, root) for root in hay.roots):
            needle_files[(f.device, f.inode)] = real
    found: dict[int, str] = {}
    for id_, file in hay.files.items():
        real = os.path.realpath(file.path)
        if any(_under(real, root) for root in needle_roots):
            found[id_] = real
        elif file.inode is not None and (file.device, file.inode) in needle_files:
            found[id_] = needle_files[(file.device, file.inode)]  # a hard link, a bind mount
    return found


def _under(path: str, root: str) -> bool:
    return path == root or inside(path, root)


def warnings(hay: Side, linked: dict[int, str]) -> list[str]:
    """One line per link (the first few), and how many more."""
    said = [
        f"{hay.files[id_].path}: the library's file is a link to the backup file {target}: "
        "it is not a copy (deleting the backup deletes it), so it counts for nothing"
        for id_, target in sorted(linked.items(), key=lambda item: hay.files[item[0]].path)
    ]
    if len(said) > _NAMED:
        said = [*said[:_NAMED], f"... and {len(said) - _NAMED} more library files linked into "
                "the backups"]  # fmt: skip
    return said
