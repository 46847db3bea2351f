"""What a walk sees: each media file as `Found` (with its standing in the library it belongs
to), and what one walk of a root produced (`Scan`); telling a media file from the rest."""

from __future__ import annotations

import enum
import os
import stat
from dataclasses import dataclass, field

from reconcile.files import kind_of_mode, open_regular
from reconcile.filetypes import MAGIC_BYTES, Kind, kind_by_content, kind_by_name
from reconcile.results import LibraryNote


class Standing(enum.Enum):
    """Whether a photo library keeps a file, as far as its catalogue says."""

    HELD = "held"  # a plain file, or one its library's catalogue keeps
    TRASHED = "in the library's trash"
    UNCATALOGUED = "in the library's folders but not in its catalogue"


@dataclass(frozen=True, slots=True)
class Found:
    """A media file (picture or video) under a root, as the walk saw it."""

    root: str
    relpath: str  # below `root`; absolute for a library's file kept outside it
    path: str
    size: int
    mtime_ns: int
    problem: str | None = None
    kind: Kind = Kind.IMAGE
    standing: Standing = Standing.HELD
    name: str | None = None  # what its photo library calls it
    group: str | None = None  # the folder it counts in, when not its own (a library's files)
    library: str | None = None  # the layout (in words) of the photo library it belongs to
    inode: int | None = None
    ctime_ns: int | None = None
    device: int | None = None

    @property
    def folder(self) -> str:
        """The folder this file counts in, relative to its root; `.` for the root itself."""
        if self.group is not None:
            return self.group
        head, _, _ = self.relpath.rpartition("/")
        return head or "."


@dataclass(slots=True)
class Scan:
    """What one walk of a root produced."""

    root: str
    media: list[Found] = field(default_factory=list)  # every media file, pictures and videos
    skipped: int = 0  # everything else: sidecars, litter, unknown files, links out of the roots
    warnings: list[str] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)  # unknown files per folder (relative)
    other_files: list[str] = field(default_factory=list)  # those files, relative
    libraries: list[LibraryNote] = field(default_factory=list)
    # Folders (relative) whose files could not be seen, with why: nothing there was judged.
    unseen: list[tuple[str, str]] = field(default_factory=list)
    # Only the files asked for (`reconcile find`), not a walk of the root: what the index
    # knows of the root's other files is not stale.
    chosen: bool = False


def classify(root: str, rel: str, path: str) -> Found | Kind:
    """The file at `path` (named `rel` below `root`) as Found when it is media, otherwise its
    kind (sidecar, litter or other). Never opens anything but a regular file."""
    name = os.path.basename(path)
    named = kind_by_name(name)
    if named in (Kind.LITTER, Kind.SIDECAR):
        return named
    try:
        info = os.stat(path)
    except OSError as error:
        if named is None:
            return Kind.OTHER
        problem = "broken symlink" if os.path.islink(path) else f"cannot stat ({error.strerror})"
        return Found(root, rel, path, 0, 0, problem, named)
    if not stat.S_ISREG(info.st_mode):
        # Never opened (a pipe or device can block forever), but a media name is reported.
        if named is None:
            return Kind.OTHER
        problem = f"not a regular file: {kind_of_mode(info.st_mode)}"
        return Found(root, rel, path, 0, 0, problem, named)
    kind = named or _sniff(path)
    if kind not in (Kind.IMAGE, Kind.VIDEO):
        return kind
    return Found(
        root, rel, path, info.st_size, info.st_mtime_ns, kind=kind, inode=info.st_ino,
        ctime_ns=info.st_ctime_ns, device=info.st_dev,
    )  # fmt: skip


def _sniff(path: str) -> Kind:
    try:
        with open_regular(path) as handle:
            return kind_by_content(handle.read(MAGIC_BYTES))
    except OSError:
        return Kind.OTHER
