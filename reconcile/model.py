"""The records passed between modules: what is known of a file (its facts and fingerprints),
and the results the library hands back (a status per needle image, a verdict per folder).

Plain data: numpy for the thumbnail views, nothing that decodes, draws or stores.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from reconcile.filetypes import Kind

CLOSER = 384  # the long side of a closer look at a candidate pair (see verify.closer_difference)
THUMB = 64  # side of the grayscale verification thumbnail
COLOUR = 8  # side of the colour thumbnail that tells a grayscale edit from the original


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Two 64-bit perceptual hashes, the thumbnails they came from, and the picture's size."""

    dhash: int
    phash: int
    thumb: bytes  # THUMB x THUMB grayscale, row-major uint8
    colour: bytes  # COLOUR x COLOUR x 3 RGB uint8
    width: int
    height: int
    detail: float = 0.0  # `information` of the thumbnail
    # (dHash, pHash) of the picture cropped by each of fingerprint.CROPS per side, so that a
    # crop of it (or it, when it is the crop) can be found.
    crops: tuple[tuple[int, int], ...] = ()

    def thumb_array(self) -> np.ndarray:
        return np.frombuffer(self.thumb, dtype=np.uint8).reshape(THUMB, THUMB)

    def colour_array(self) -> np.ndarray:
        return np.frombuffer(self.colour, dtype=np.uint8).reshape(COLOUR, COLOUR, 3)


class ViewKind(enum.Enum):
    """Which part of a picture a hash was taken from."""

    FULL = "full"  # the picture as stored
    TRIM = "trim"  # without its uniform border (letterbox, frame)
    CROP = "crop"  # its centre, fingerprint.CROPS[crop] cut from each side


@dataclass(frozen=True, slots=True, eq=False)
class View:
    """One view of a picture: a kind, and for a crop, which of the crop fractions.

    Views are singletons (FULL, TRIM, crop_view(n)) compared by identity: the matcher keys
    millions of hits by view, and an enum's hash is Python code."""

    kind: ViewKind
    crop: int = 0

    @property
    def is_full(self) -> bool:
        return self.kind is ViewKind.FULL


FULL = View(ViewKind.FULL)
TRIM = View(ViewKind.TRIM)


@functools.cache
def crop_view(number: int) -> View:
    return View(ViewKind.CROP, number)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the index keeps about one file (a failure is a fact too: `reason` says why)."""

    path: str
    size: int
    mtime_ns: int
    digest: bytes | None = None
    print: Fingerprint | None = None
    trimmed: Fingerprint | None = None  # the picture without its uniform border, if it has one
    reason: str | None = None
    quick: bool = False  # the prints come from the embedded EXIF thumbnail, not the picture
    kind: Kind = Kind.IMAGE
    duration: float | None = None  # seconds, for a video
    # A video's frames sampled across the clip, in order (`print` is the middle one's).
    frames: tuple[Fingerprint, ...] = ()
    # The picture in grey at up to CLOSER px a side, when the task asked for a closer look
    # (never stored: it serves one comparison).
    closer: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Task:
    """One file to analyse, as the pipeline hands it to a worker."""

    path: str
    size: int
    mtime_ns: int
    want_digest: bool = True  # only when a file of the same size is on the other side
    quick: bool = False  # fingerprint a JPEG from its EXIF thumbnail when it has a usable one
    kind: Kind = Kind.IMAGE
    closer: bool = False  # also hand back the picture itself, for a closer look (verify)


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
    videos: int = 0  # how many of its items are videos
    other: int = 0  # files of unknown type beside them (not media as far as we know)

    @property
    def images(self) -> int:
        """How many items (pictures and videos) the folder holds."""
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
    # Folders that hold no media but files of unknown type: (root, folder) -> how many.
    other: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        return sum(1 for image in self.images if image.status is status)

    @property
    def todo(self) -> tuple[DirectoryResult, ...]:
        """The folders that are not complete, the ones needing most work first."""
        return tuple(d for d in self.directories if d.verdict is not Verdict.COMPLETE)

    @property
    def to_do_items(self) -> tuple[ImageResult, ...]:
        """The items not yet in the haystack: similar, missing and unreadable."""
        return tuple(image for image in self.images if not image.status.imported)

    def only(self, statuses: frozenset[Status]) -> Report:
        """This report with only the items of these statuses, and only the folders that hold
        some (their counts stay whole: a folder's verdict is about all of it)."""
        images = tuple(i for i in self.images if i.status in statuses)
        folders = tuple(d for d in self.directories if any(d.counts[s] for s in statuses))
        return dataclasses.replace(self, images=images, directories=folders)

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


_VERDICT_ORDER = {Verdict.NEW: 0, Verdict.PARTIAL: 1, Verdict.REVIEW: 2, Verdict.COMPLETE: 3}


def directories(
    images: Iterable[ImageResult], other: dict[tuple[str, str], int] | None = None
) -> tuple[DirectoryResult, ...]:
    """Every folder that holds media, with its verdict: most work first, then by path.
    `other` counts the files of unknown type per (root, folder)."""
    other = other or {}
    counts: dict[tuple[str, str], Counter[Status]] = {}
    videos: Counter[tuple[str, str]] = Counter()
    for image in images:
        counts.setdefault((image.root, image.folder), Counter())[image.status] += 1
        videos[(image.root, image.folder)] += image.kind is Kind.VIDEO
    folders = [
        DirectoryResult(
            root,
            path,
            verdict_for(dict(c)),
            {s: c.get(s, 0) for s in Status},
            videos=videos[(root, path)],
            other=other.get((root, path), 0),
        )
        for (root, path), c in counts.items()
    ]
    folders.sort(
        key=lambda d: (
            _VERDICT_ORDER[d.verdict],
            -(d.counts[Status.MISSING] + d.counts[Status.UNREADABLE] + d.counts[Status.SIMILAR]),
            d.root,
            d.path,
        )
    )
    return tuple(folders)
