"""The result records the library hands back: a status per needle image, a verdict per folder."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Status(enum.StrEnum):
    """What the haystack holds of one needle image (see REPORT_FORMAT.md)."""

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
class ImageResult:
    """One needle image and what was decided for it."""

    root: str
    path: str
    status: Status
    match: str | None = None
    distance: int | None = None
    reason: str | None = None

    @property
    def folder(self) -> str:
        """The image's folder relative to its root; `.` for the root itself."""
        head, _, _ = self.path.rpartition("/")
        return head or "."


@dataclass(frozen=True, slots=True)
class DirectoryResult:
    """One needle folder that holds images, with its counts and verdict."""

    root: str
    path: str
    verdict: Verdict
    counts: dict[Status, int]

    @property
    def images(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run found: every needle image once, every needle folder once."""

    haystack: tuple[str, ...]
    needles: tuple[str, ...]
    images: tuple[ImageResult, ...]
    directories: tuple[DirectoryResult, ...]
    skipped: int
    seconds: float
    warnings: tuple[str, ...] = field(default=())

    def count(self, status: Status) -> int:
        return sum(1 for image in self.images if image.status is status)

    @property
    def todo(self) -> tuple[DirectoryResult, ...]:
        """The folders that are not complete, the ones needing most work first."""
        return tuple(d for d in self.directories if d.verdict is not Verdict.COMPLETE)

    @property
    def nothing_to_import(self) -> bool:
        return all(image.status.imported for image in self.images)


def verdict_for(counts: dict[Status, int]) -> Verdict:
    """A folder's verdict from its image counts."""
    matched = counts.get(Status.IDENTICAL, 0) + counts.get(Status.SAME, 0)
    total = sum(counts.values())
    if matched == total:
        return Verdict.COMPLETE
    if counts.get(Status.MISSING, 0) == 0:
        return Verdict.REVIEW
    return Verdict.PARTIAL if matched else Verdict.NEW
