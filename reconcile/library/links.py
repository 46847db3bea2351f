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
    deletes only the link, so it does not count here.

    A symlink, a hard link and a bind mount all show as the same device and inode (the walk
    stats through links), so files are paired by those, and only the few that pair have
    their real paths resolved: a library of 100,000 files is not resolved file by file."""
    library: dict[tuple[int | None, int], list[int]] = {}
    for id_, file in hay.files.items():
        if file.inode is not None:
            library.setdefault((file.device, file.inode), []).append(id_)
    found: dict[int, str] = {}
    for f in backups.files.values():
        ids = library.get((f.device, f.inode)) if f.inode is not None else None
        if not ids:
            continue
        real = os.path.realpath(f.path)
        if not any(_under(real, root) for root in hay.roots):
            found.update(dict.fromkeys(ids, real))
    for id_, file in hay.files.items():  # known by path alone (no inode): resolved
        if file.inode is None:
            real = os.path.realpath(file.path)
            if any(_under(real, root) for root in needle_roots):
                found[id_] = real
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
