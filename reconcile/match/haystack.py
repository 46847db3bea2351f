"""The library as the matcher sees it, in memory: who has which bytes, searchable hashes of
every view, the videos' frames, the pictures without detail, and each file's facts on demand.

Built from the index's neutral columns (`Index.columns`), or from entries alone for a test:
the matcher never asks SQLite anything itself. Which files may be searched at all is decided
here (pictures with enough detail; videos by their frames; flat pictures by colour).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from reconcile.facts import (
    COLOUR,
    CROPS,
    FULL,
    TRIM,
    Columns,
    Entry,
    Fingerprint,
    FrameColumns,
    View,
    crop_view,
)
from reconcile.filetypes import Kind
from reconcile.match.search import HammingIndex
from reconcile.match.verify import DEFAULT, Thresholds

_CROP_VIEWS = len(CROPS)
_CACHE = 8192  # library entries kept at once (about 9 KB each: thumbnails)


class EntrySource(Protocol):
    """Where the facts of library files come from (the index, or a dict in a test)."""

    def entries(self, ids: Iterable[int]) -> dict[int, Entry]: ...


@dataclass(frozen=True, slots=True)
class Table:
    """Hashes of one view of many pictures, searchable; `ids` says whose each row is."""

    ids: np.ndarray
    by_dhash: HammingIndex
    by_phash: HammingIndex


@dataclass(frozen=True, slots=True)
class Twin:
    """A library file with given bytes; `decoded`: its picture was decoded (not only its
    EXIF thumbnail), which proves the bytes readable."""

    id: int
    decoded: bool


class Haystack:
    """The library of one run, for matching."""

    def __init__(
        self,
        columns: Columns,
        frames: FrameColumns,
        digests: Iterable[tuple[bytes, int, bool]],
        paths: Mapping[int, str],
        source: EntrySource,
        *,
        limits: Thresholds = DEFAULT,
    ) -> None:
        self._source = source
        self._paths = paths
        self._cache: OrderedDict[int, Entry] = OrderedDict()
        self.twins: dict[bytes, list[Twin]] = {}
        for digest, id_, decoded in digests:
            self.twins.setdefault(digest, []).append(Twin(id_, decoded))
        self.tables = _tables(columns, limits)
        searchable = frames.detail >= limits.detail
        self.frames = Table(
            frames.ids[searchable],
            HammingIndex(frames.dhash[searchable]),
            HammingIndex(frames.phash[searchable]),
        )
        flat = columns.printed & ~columns.video & ~columns.quick & (columns.detail < limits.detail)
        self._flat_ids = columns.ids[flat].tolist()
        self._flat: tuple[list[tuple[int, Fingerprint]], np.ndarray] | None = None

    @classmethod
    def of(cls, entries: Sequence[Entry], *, limits: Thresholds = DEFAULT) -> Haystack:
        """A haystack of these entries alone, without an index (for tests and one-off use)."""
        by_id = {entry.id: entry for entry in entries}
        return cls(
            _columns_of(entries),
            _frames_of(entries),
            [(e.digest, e.id, e.full is not None and not e.quick) for e in entries if e.digest],
            {e.id: e.path for e in entries},
            _Entries(by_id),
            limits=limits,
        )

    def path(self, id_: int) -> str:
        return self._paths[id_]

    def entry(self, id_: int) -> Entry:
        return self.entries([id_])[id_]

    def entries(self, ids: Iterable[int]) -> dict[int, Entry]:
        """These files' facts, read once for many (the latest few thousand are kept)."""
        wanted = list(dict.fromkeys(ids))
        missing = [id_ for id_ in wanted if id_ not in self._cache]
        if missing:
            for id_, entry in self._source.entries(missing).items():
                self._cache[id_] = entry
        found = {}
        for id_ in wanted:
            if id_ in self._cache:
                self._cache.move_to_end(id_)
                found[id_] = self._cache[id_]
        while len(self._cache) > max(_CACHE, len(wanted)):
            self._cache.popitem(last=False)
        return found

    def flat(self) -> tuple[list[tuple[int, Fingerprint]], np.ndarray]:
        """The pictures without detail and their 8x8 colour thumbnails, one row each."""
        if self._flat is None:
            entries = self._source.entries(self._flat_ids)
            found = [(id_, e.full) for id_, e in entries.items() if e.full is not None]
            colours = np.zeros((len(found), COLOUR * COLOUR * 3), dtype=np.float32)
            for row, (_, fp) in enumerate(found):
                colours[row] = fp.colour_array().reshape(-1)
            self._flat = (found, colours)
        return self._flat


class _Entries:
    def __init__(self, by_id: dict[int, Entry]) -> None:
        self._by_id = by_id

    def entries(self, ids: Iterable[int]) -> dict[int, Entry]:
        return {id_: self._by_id[id_] for id_ in ids if id_ in self._by_id}


def _tables(columns: Columns, limits: Thresholds) -> dict[View, Table]:
    """Searchable tables of each view: the pictures as stored, without their border, and
    their centre crops. Pictures with less detail than the limit can never match on pixels
    and are left out (they are compared by colour); videos are searched by their frames."""
    searchable = columns.printed & ~columns.video & (columns.detail >= limits.detail)
    views: dict[View, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
        FULL: (columns.ids[searchable], columns.dhash[searchable], columns.phash[searchable])
    }
    trimmed = searchable & columns.trimmed
    if trimmed.any():
        views[TRIM] = (columns.ids[trimmed], columns.tdhash[trimmed], columns.tphash[trimmed])
    for number in range(_CROP_VIEWS):
        has = searchable & (columns.cropped > number)
        if has.any():
            views[crop_view(number)] = (
                columns.ids[has], columns.crops[has, number, 0], columns.crops[has, number, 1]
            )  # fmt: skip
    return {
        view: Table(ids, HammingIndex(dh), HammingIndex(ph))
        for view, (ids, dh, ph) in views.items()
    }


def _columns_of(entries: Sequence[Entry]) -> Columns:
    n = len(entries)
    crops = np.zeros((n, _CROP_VIEWS, 2), dtype=np.uint64)
    cropped = np.zeros(n, dtype=np.int64)
    for i, entry in enumerate(entries):
        pairs = entry.full.crops[:_CROP_VIEWS] if entry.full else ()
        for j, pair in enumerate(pairs):
            crops[i, j] = pair
        cropped[i] = len(pairs)

    def hashes(values: Iterable[int]) -> np.ndarray:
        return np.array(list(values), dtype=np.uint64)

    return Columns(
        ids=np.array([e.id for e in entries], dtype=np.int64),
        video=np.array([e.kind is Kind.VIDEO for e in entries], dtype=bool),
        quick=np.array([e.quick for e in entries], dtype=bool),
        printed=np.array([e.full is not None for e in entries], dtype=bool),
        detail=np.array([e.full.detail if e.full else 0.0 for e in entries], dtype=np.float32),
        dhash=hashes(e.full.dhash if e.full else 0 for e in entries),
        phash=hashes(e.full.phash if e.full else 0 for e in entries),
        crops=crops,
        cropped=cropped,
        trimmed=np.array([e.trimmed is not None for e in entries], dtype=bool),
        tdhash=hashes(e.trimmed.dhash if e.trimmed else 0 for e in entries),
        tphash=hashes(e.trimmed.phash if e.trimmed else 0 for e in entries),
    )


def _frames_of(entries: Sequence[Entry]) -> FrameColumns:
    rows = [(e.id, f) for e in entries if e.kind is Kind.VIDEO for f in e.frames]
    return FrameColumns(
        np.array([id_ for id_, _ in rows], dtype=np.int64),
        np.array([f.detail for _, f in rows], dtype=np.float32),
        np.array([f.dhash for _, f in rows], dtype=np.uint64),
        np.array([f.phash for _, f in rows], dtype=np.uint64),
    )
