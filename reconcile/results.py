"""What a run hands back: a status per needle item, a verdict per folder, the report."""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconcile.filetypes import Kind


class Status(enum.StrEnum):
    """What the haystack holds of one needle item (see docs/report-format.md)."""

    IDENTICAL = "identical"
    SAME = "same"
    SIMILAR = "similar"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    TRASHED = "trashed"  # in an old library's trash, on a backup: not asked to be imported
    UNWANTED = "unwanted"  # the person decided they do not want it (`reconcile decide`)

    @property
    def imported(self) -> bool:
        """True when the item is verifiably in the haystack already."""
        return self in (Status.IDENTICAL, Status.SAME)

    @property
    def done(self) -> bool:
        """True when the item needs nothing more: imported, or not wanted in the library."""
        return self.imported or self in (Status.TRASHED, Status.UNWANTED)


class Verb(enum.StrEnum):
    """What a person decided of a backup item in review (`reconcile decide`)."""

    SAME = "same"  # it is in the library: its match is a copy
    DIFFERENT = "different"  # its match is not a copy of it (that pair is not offered again)
    UNWANTED = "unwanted"  # not wanted in the library


class Verdict(enum.StrEnum):
    """What a needle folder still needs."""

    COMPLETE = "complete"
    UNCHECKED = "unchecked"  # every photo and video done, beside files reconcile cannot judge
    REVIEW = "review"
    PARTIAL = "partial"
    NEW = "new"
    UNREADABLE = "unreadable"  # the folder, or part of it, could not be read: not seen


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One needle item (a picture or a video) and what was decided for it."""

    root: str
    path: str
    status: Status
    match: str | None = None
    distance: int | None = None
    reason: str | None = None
    kind: Kind = Kind.IMAGE
    name: str | None = None  # the name its own photo library shows, when it is in one
    match_name: str | None = None  # the name the library shows for `match`, from its catalogue
    group: str | None = None  # the folder it counts in, when not its own (a library's files)
    decision: Verb | None = None  # what the person decided of it, where that applies
    # What tells this file's bytes as judged (its size and first and last blocks, hex): the
    # review page hands it back with each choice, so that a file changed since is refused.
    sample: str | None = None

    @property
    def folder(self) -> str:
        """The item's folder relative to its root; `.` for the root itself."""
        if self.group is not None:
            return self.group
        head, _, _ = self.path.rpartition("/")
        return head or "."


@dataclass(frozen=True, slots=True)
class OtherFile:
    """A file under the needles that is neither a picture nor a video reconcile knows (a PSD,
    a ZIP, a PDF): it cannot be judged, so its folder is never simply complete."""

    root: str
    path: str

    @property
    def folder(self) -> str:
        head, _, _ = self.path.rpartition("/")
        return head or "."


@dataclass(frozen=True, slots=True)
class FolderResult:
    """One needle folder that holds items (or files reconcile cannot judge, or could not be
    read), with its counts and verdict."""

    root: str
    path: str
    verdict: Verdict
    counts: dict[Status, int]
    videos: int = 0  # how many of its items are videos
    other: int = 0  # files of unknown type beside them (not media as far as we know)
    reason: str | None = None  # why an `unreadable` folder could not be read

    @property
    def items(self) -> int:
        """How many items (pictures and videos) the folder holds."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class LibraryNote:
    """What one photo library met on either side holds, by its catalogue."""

    path: str
    side: str  # "haystack" or "needles"
    layout: str  # in words: "Photos 5 or later", ...
    catalogue: bool  # read; False: it could not be, and its files decided
    photos: int = 0
    trashed: int = 0  # photos in its trash
    # Photos whose originals are not on this disk (iCloud only, or a referenced file on a
    # drive not mounted), by the names the library shows.
    missing: tuple[str, ...] = ()
    uncatalogued: int = 0  # files in its originals folders its catalogue does not list
    outside: int = 0  # originals it references outside the roots given (not checked)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run found: every needle item once, every needle folder once."""

    haystack: tuple[str, ...]
    needles: tuple[str, ...]
    items: tuple[ItemResult, ...]
    folders: tuple[FolderResult, ...]
    skipped: int
    seconds: float
    warnings: tuple[str, ...] = field(default=())
    # Folders that hold no media but files of unknown type: (root, folder) -> how many.
    other: dict[tuple[str, str], int] = field(default_factory=dict)
    others: tuple[OtherFile, ...] = ()  # every file of unknown type, by name
    libraries: tuple[LibraryNote, ...] = ()
    ignore_other: bool = False  # --ignore-other: files of unknown type keep no folder open

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status is status)

    @property
    def decided(self) -> int:
        """How many items carry a decision of the person's."""
        return sum(1 for item in self.items if item.decision is not None)

    @property
    def todo(self) -> tuple[FolderResult, ...]:
        """The folders that are not complete, the ones needing most work first."""
        return tuple(d for d in self.folders if d.verdict is not Verdict.COMPLETE)

    @property
    def to_do_items(self) -> tuple[ItemResult, ...]:
        """The items that still need the person: similar, missing and unreadable."""
        return tuple(item for item in self.items if not item.status.done)

    @property
    def unseen(self) -> tuple[FolderResult, ...]:
        """The folders that could not be read."""
        return tuple(d for d in self.folders if d.verdict is Verdict.UNREADABLE)

    def only(self, statuses: frozenset[Status]) -> Report:
        """This report with only the items of these statuses, and only the folders that hold
        some (their counts stay whole: a folder's verdict is about all of it)."""
        items = tuple(i for i in self.items if i.status in statuses)
        folders = tuple(d for d in self.folders if any(d.counts[s] for s in statuses))
        return dataclasses.replace(self, items=items, folders=folders)

    @property
    def nothing_to_import(self) -> bool:
        """Every backup file seen, and every one of them done: the backups may go."""
        return not self.todo and all(item.status.done for item in self.items)


def verdict_for(counts: dict[Status, int], *, other: int = 0) -> Verdict:
    """A folder's verdict from its item counts and its files of unknown type (unless ignored,
    pass 0)."""
    done = sum(n for s, n in counts.items() if s.done)
    matched = counts.get(Status.IDENTICAL, 0) + counts.get(Status.SAME, 0)
    total = sum(counts.values())
    if done == total:
        return Verdict.UNCHECKED if other else Verdict.COMPLETE
    if counts.get(Status.MISSING, 0) == 0:
        return Verdict.REVIEW
    return Verdict.PARTIAL if matched else Verdict.NEW


_VERDICT_ORDER = {
    Verdict.UNREADABLE: 0,
    Verdict.NEW: 1,
    Verdict.PARTIAL: 2,
    Verdict.REVIEW: 3,
    Verdict.UNCHECKED: 4,
    Verdict.COMPLETE: 5,
}


def folders(
    items: Iterable[ItemResult],
    other: dict[tuple[str, str], int] | None = None,
    *,
    unseen: Iterable[tuple[str, str, str]] = (),
    ignore_other: bool = False,
) -> tuple[FolderResult, ...]:
    """Every folder that holds media, files of unknown type or could not be read, with its
    verdict: most work first, then by path. `other` counts the files of unknown type per
    (root, folder); `unseen` gives (root, folder, why) of the folders that could not be read."""
    other = other or {}
    counts: dict[tuple[str, str], Counter[Status]] = {}
    videos: Counter[tuple[str, str]] = Counter()
    for item in items:
        counts.setdefault((item.root, item.folder), Counter())[item.status] += 1
        videos[(item.root, item.folder)] += item.kind is Kind.VIDEO
    if not ignore_other:
        for key in other:
            counts.setdefault(key, Counter())
    why = {(root, path): reason for root, path, reason in unseen}
    for key in why:
        counts.setdefault(key, Counter())
    found = []
    for (root, path), c in counts.items():
        extra = other.get((root, path), 0)
        if (root, path) in why:
            verdict = Verdict.UNREADABLE
        else:
            verdict = verdict_for(dict(c), other=0 if ignore_other else extra)
        found.append(
            FolderResult(
                root,
                path,
                verdict,
                {s: c.get(s, 0) for s in Status},
                videos=videos[(root, path)],
                other=extra,
                reason=why.get((root, path)),
            )
        )
    found.sort(
        key=lambda d: (
            _VERDICT_ORDER[d.verdict],
            -sum(n for s, n in d.counts.items() if not s.done),
            d.root,
            d.path,
        )
    )
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Copy:
    """One file of a group of copies inside the library."""

    path: str
    size: int
    width: int | None = None
    height: int | None = None
    name: str | None = None  # the name its photo library shows
    kept: bool = False  # under a --keep-in folder: always kept


@dataclass(frozen=True, slots=True)
class Group:
    """Files of the library that are copies of each other: `identical` (the same bytes) or
    verified `same`, each linked to the group by at least one verified pair. `keep` is the
    one suggested to keep; `redundant` the others (never a --keep-in file)."""

    status: Status
    files: tuple[Copy, ...]
    keep: str
    redundant: tuple[str, ...]

    @property
    def redundant_bytes(self) -> int:
        sizes = {f.path: f.size for f in self.files}
        return sum(sizes[path] for path in self.redundant)


@dataclass(frozen=True, slots=True)
class Pair:
    """Two library files that are close but not verified the same: for review."""

    a: str
    b: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Copies:
    """What `reconcile dupes` found in one library."""

    haystack: tuple[str, ...]
    files: int  # photos and videos in the library
    groups: tuple[Group, ...]
    similar: tuple[Pair, ...]
    seconds: float
    warnings: tuple[str, ...] = ()

    @property
    def redundant_bytes(self) -> int:
        return sum(g.redundant_bytes for g in self.groups)
