"""What a run hands back: a status per needle item, a verdict per folder, the report."""

from __future__ import annotations

import dataclasses
import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconcile.filetypes import Kind


class Status(enum.StrEnum):
    """What the haystack holds of one needle image (see docs/report-format.md)."""

    IDENTICAL = "identical"
    SAME = "same"
    SIMILAR = "similar"
    MISSING = "missing"
    UNREADABLE = "unreadable"

    @property
    def imported(self) -> bool:
        """True when the picture is verifiably in the haystack already."""
        return self in (Status.IDENTICAL, Status.SAME)


class Verdict(enum.StrEnum):
    """What a needle folder still needs."""

    COMPLETE = "complete"
    REVIEW = "review"
    PARTIAL = "partial"
    NEW = "new"


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

    @property
    def folder(self) -> str:
        """The item's folder relative to its root; `.` for the root itself."""
        head, _, _ = self.path.rpartition("/")
        return head or "."


@dataclass(frozen=True, slots=True)
class FolderResult:
    """One needle folder that holds items, with its counts and verdict."""

    root: str
    path: str
    verdict: Verdict
    counts: dict[Status, int]
    videos: int = 0  # how many of its items are videos
    other: int = 0  # files of unknown type beside them (not media as far as we know)

    @property
    def items(self) -> int:
        """How many items (pictures and videos) the folder holds."""
        return sum(self.counts.values())


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

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status is status)

    @property
    def todo(self) -> tuple[FolderResult, ...]:
        """The folders that are not complete, the ones needing most work first."""
        return tuple(d for d in self.folders if d.verdict is not Verdict.COMPLETE)

    @property
    def to_do_items(self) -> tuple[ItemResult, ...]:
        """The items not yet in the haystack: similar, missing and unreadable."""
        return tuple(item for item in self.items if not item.status.imported)

    def only(self, statuses: frozenset[Status]) -> Report:
        """This report with only the items of these statuses, and only the folders that hold
        some (their counts stay whole: a folder's verdict is about all of it)."""
        items = tuple(i for i in self.items if i.status in statuses)
        folders = tuple(d for d in self.folders if any(d.counts[s] for s in statuses))
        return dataclasses.replace(self, items=items, folders=folders)

    @property
    def nothing_to_import(self) -> bool:
        return all(item.status.imported for item in self.items)


def verdict_for(counts: dict[Status, int]) -> Verdict:
    """A folder's verdict from its item counts."""
    matched = counts.get(Status.IDENTICAL, 0) + counts.get(Status.SAME, 0)
    total = sum(counts.values())
    if matched == total:
        return Verdict.COMPLETE
    if counts.get(Status.MISSING, 0) == 0:
        return Verdict.REVIEW
    return Verdict.PARTIAL if matched else Verdict.NEW


_VERDICT_ORDER = {Verdict.NEW: 0, Verdict.PARTIAL: 1, Verdict.REVIEW: 2, Verdict.COMPLETE: 3}


def folders(
    items: Iterable[ItemResult], other: dict[tuple[str, str], int] | None = None
) -> tuple[FolderResult, ...]:
    """Every folder that holds media, with its verdict: most work first, then by path.
    `other` counts the files of unknown type per (root, folder)."""
    other = other or {}
    counts: dict[tuple[str, str], Counter[Status]] = {}
    videos: Counter[tuple[str, str]] = Counter()
    for item in items:
        counts.setdefault((item.root, item.folder), Counter())[item.status] += 1
        videos[(item.root, item.folder)] += item.kind is Kind.VIDEO
    found = [
        FolderResult(
            root,
            path,
            verdict_for(dict(c)),
            {s: c.get(s, 0) for s in Status},
            videos=videos[(root, path)],
            other=other.get((root, path), 0),
        )
        for (root, path), c in counts.items()
    ]
    found.sort(
        key=lambda d: (
            _VERDICT_ORDER[d.verdict],
            -(d.counts[Status.MISSING] + d.counts[Status.UNREADABLE] + d.counts[Status.SIMILAR]),
            d.root,
            d.path,
        )
    )
    return tuple(found)
