"""What is known of one file: its fingerprints and views, its facts as the index keeps them,
and the request to analyse it. Plain data: numpy for the thumbnails, nothing that decodes,
draws or stores.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field

import numpy as np

from reconcile.filetypes import Kind

# The long side at which a clip's frames along its length are compared pixel for pixel.
CLIP_LOOK = 256
# The long side, at most, at which a pair about to be `same` is compared in full (a fine look,
# verify.fine_difference): enough to see a change of 0.05 % of the frame, and a JPEG of a
# camera still decodes at 1/4 for it. Measured on bench.accuracy's tuning half: 1536 px found
# no more versions than 1024 (only single digits in spreadsheets, under 0.01 % of the frame).
FINE = 1024
THUMB = 64  # side of the grayscale verification thumbnail
COLOUR = 8  # side of the colour thumbnail that tells a grayscale edit from the original


@dataclass(frozen=True, slots=True)
class Crop:
    """A view of a picture's centre: `side` of the width and of the height cut from each
    side, or the largest centre of the shape `aspect` (width over height; turned for a
    portrait picture), as people crop ("Instagram" squares, 4:3 prints of a 3:2 photo)."""

    name: str  # in words, for reasons
    side: float = 0.0
    aspect: float | None = None

    @property
    def wide(self) -> bool:
        """Whether it cuts enough (a tenth a side, or to another shape) that a stranger's
        picture may come as close as its crop: finds by it must correlate more."""
        return self.aspect is not None or self.side >= 0.1

    def fractions(self, width: int, height: int) -> tuple[float, float]:
        """What is cut from each side of a picture of this size, as fractions of its width
        and of its height."""
        if self.aspect is None:
            return self.side, self.side
        shape = width / max(height, 1)
        target = self.aspect if width >= height else 1 / self.aspect
        if shape > target:
            return (1 - target / shape) / 2, 0.0
        return 0.0, (1 - shape / target) / 2


# The crop views of every picture, by position (the index keeps their hashes in this order).
CROPS = (
    Crop("2.5 % a side", 0.025),
    Crop("5 % a side", 0.05),
    Crop("10 % a side", 0.10),
    Crop("a square", aspect=1.0),
    Crop("4:3", aspect=4 / 3),
)


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
    # (dHash, pHash) of each of the picture's CROPS views, so that a crop of it (or it, when
    # it is the crop) can be found.
    crops: tuple[tuple[int, int], ...] = ()

    def thumb_array(self) -> np.ndarray:
        return np.frombuffer(self.thumb, dtype=np.uint8).reshape(THUMB, THUMB)

    def colour_array(self) -> np.ndarray:
        return np.frombuffer(self.colour, dtype=np.uint8).reshape(COLOUR, COLOUR, 3)


class ViewKind(enum.Enum):
    """Which part of a picture a hash was taken from."""

    FULL = "full"  # the picture as stored
    TRIM = "trim"  # without its uniform border (letterbox, frame)
    CROP = "crop"  # its centre, as CROPS[crop] says


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
    full: Fingerprint | None = None  # the picture as stored
    trimmed: Fingerprint | None = None  # the picture without its uniform border, if it has one
    reason: str | None = None
    quick: bool = False  # the prints come from the embedded EXIF thumbnail, not the picture
    kind: Kind = Kind.IMAGE
    duration: float | None = None  # seconds, for a video
    # A video's frames sampled across the clip, in order (`full` is the middle one's); a file
    # of several pictures' pages or frames (a TIFF, an animated GIF, an MPO), `full` first.
    frames: tuple[Fingerprint, ...] = ()
    pages: int = 1  # pictures in the file (all of them, however many `frames` sampled)
    audio: bool | None = None  # a video's sound: whether it has an audio stream
    # The picture itself (YCrCb, at most `Task.look` px on its long side) when the task asked
    # for a fine look: never stored, it serves one comparison.
    look: np.ndarray | None = field(default=None, compare=False)
    look_size: int | None = None  # the Task's `look` it answers (0: `along`)
    # A clip's frames along its length as pictures (YCrCb, CLIP_LOOK px), when the task asked
    # for them (`along`): a title card's changed word shows there, not in a 64 px print.
    looks: tuple[np.ndarray, ...] = field(default=(), compare=False)
    # Pictures for fine looks to come, by long side, that the decode for the prints gave at no
    # further cost (`Task.looks_too`): never stored.
    looks_too: tuple[tuple[int, np.ndarray], ...] = field(default=(), compare=False)
    # Who the file is beyond size and mtime, as the scan saw it: a file replaced under the same
    # size and mtime has another inode or ctime, and another `sample` (see files.sample_of).
    inode: int | None = None
    ctime_ns: int | None = None
    sample: bytes | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """One file to analyse, as a command hands it to a worker."""

    path: str
    size: int
    mtime_ns: int
    want_digest: bool = True  # only when a file of the same size is on the other side
    quick: bool = False  # fingerprint a JPEG from its EXIF thumbnail when it has a usable one
    # Fingerprint a HEIC (only) from its embedded thumbnail when it has a usable one: what a
    # library's HEICs get in every run (`refresh.Refresh`), where `quick` is --quick's.
    heif_thumbnail: bool = False
    kind: Kind = Kind.IMAGE
    # Only the picture itself, at most this many pixels on its long side, for a fine look.
    look: int | None = None
    along: bool = False  # only a video's frames along the whole clip (media.video.along)
    # With the prints, the picture at each of these long sides for a fine look to come, where
    # the decode for the prints gives it as a look's would (a HEIC: libheif has no reduced
    # decode); a file that decodes at another size for a look (a JPEG, a RAW) ignores them.
    looks_too: tuple[int, ...] = ()
    inode: int | None = None  # as the scan saw them, handed back in the facts
    ctime_ns: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A fingerprinted file as the index holds it: what matching needs of it."""

    id: int
    path: str
    digest: bytes | None
    full: Fingerprint | None
    trimmed: Fingerprint | None
    reason: str | None
    quick: bool = False  # the prints come from the EXIF thumbnail: candidates, not answers
    kind: Kind = Kind.IMAGE
    duration: float | None = None
    frames: tuple[Fingerprint, ...] = ()  # a video's sampled frames, or a file's pages
    pages: int = 1
    audio: bool | None = None


@dataclass(frozen=True, slots=True)
class Columns:
    """What searching needs of many stored files, as arrays with one entry per file: the
    hashes of each view, and what tells which files may be searched at all. Read from the
    index in one pass (no thumbnails), so that a library of millions fits in memory."""

    ids: np.ndarray  # int64
    video: np.ndarray  # bool
    quick: np.ndarray  # bool: prints from an EXIF thumbnail
    printed: np.ndarray  # bool: has a fingerprint (decoded, or quick)
    detail: np.ndarray  # float32 (0 without a print)
    dhash: np.ndarray  # uint64 (0 without a print)
    phash: np.ndarray  # uint64
    crops: np.ndarray  # uint64, (files, crop views, 2): dHash and pHash of each crop view
    cropped: np.ndarray  # int64: how many crop views each file has
    trimmed: np.ndarray  # bool: has a trimmed print
    tdhash: np.ndarray  # uint64
    tphash: np.ndarray  # uint64


@dataclass(frozen=True, slots=True)
class FrameColumns:
    """Every sampled frame of many videos (a video's id repeats once per frame)."""

    ids: np.ndarray  # int64
    detail: np.ndarray  # float32
    dhash: np.ndarray  # uint64
    phash: np.ndarray  # uint64


@dataclass(frozen=True, slots=True)
class Fine:
    """What a fine look at a pair measured: both pictures at the smaller one's size (up to FINE
    px), cell by cell. Grey levels of 255 throughout."""

    width: int  # compared at
    height: int
    detail: float  # the largest cell difference of luma that no small shift explains
    colour: float  # the same of the colour (chroma) channels, at half the size
    tone: float  # the median cell's luma difference (the needle's minus the library's)
    tint: float  # the median cell's chroma difference, both channels
    where: tuple[float, float]  # the worst cell's centre, as fractions of width and height
    # Pixels in the worst small window (a glyph's size) whose luma differs by a stroke's
    # contrast: a digit or a word changed, which averages away in a cell.
    strokes: int = 0
    # The 90th percentile cell of detail and of colour: how much the two differ nearly
    # everywhere. A copy's compression and resampling spread its difference like this; a
    # small change stands far above it in one place (verify.fine_limits).
    spread_detail: float = 0.0
    spread_colour: float = 0.0
    # The share of the frame on a sharp edge, the lesser of the two pictures': what there is
    # to verify in a picture its thumbnail calls flat (a faint settings screen's text at
    # 1024 px: 1.8-2.1 %; a smooth gradient, a grey sky, a night or fog photo: none).
    # Measured only for such pictures (0 for the rest).
    edges: float = 0.0
    # How much sharper (> 0) or softer the needle is in its most different region than
    # overall, as a log ratio of edge steepness (verify._focus): a refocus or a blur.
    focus: float = 0.0
    # The median cell's luma difference as a share of the library's level there (plus 16
    # grey levels): an exposure change of a dark picture, which moves few grey levels.
    relative_tone: float = 0.0
    # The worst cell of the pair's plain luma difference, no neighbour's slack, and the 90th
    # percentile cell (verify._plain). A patch moved inside a texture stands far above what
    # a re-encode or a resize leaves everywhere.
    plain: float = 0.0
    spread_plain: float = 0.0
