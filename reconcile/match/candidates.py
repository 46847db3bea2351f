"""Which library pictures come close to a needle: every view of the needle searched in every
view of the library within a Hamming radius, nearest first.

Candidates come from several views of each picture, so that an edit can still be found: the
needle in all eight orientations, border-trimmed, and cropped; the library pictures
border-trimmed and cropped. Only the needle as stored against a library picture as stored can
verify as `same` (`Hit.exact`); every other pairing can at most be `similar`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reconcile.facts import CROPS, FULL, TRIM, Entry, Fingerprint, View, ViewKind, crop_view
from reconcile.match.haystack import Haystack
from reconcile.match.verify import Thresholds
from reconcile.media.fingerprint import crop_thumbnail, orient, oriented_hashes

MAX_CANDIDATES = 24  # per needle, nearest first: similar pictures can collide by the hundred
_CROP_VIEWS = tuple(crop_view(number) for number in range(len(CROPS)))


@dataclass(frozen=True, slots=True)
class Query:
    """One view of a needle, searched in one view of the library."""

    needle: int  # the needle's id
    view: View  # of the needle
    orientation: int  # index into ORIENTATIONS
    against: View  # the library view searched
    dhash: int
    phash: int

    @property
    def exact(self) -> bool:
        """The needle as stored against a library picture as stored: only this can be same."""
        return self.view.is_full and self.orientation == 0 and self.against.is_full


@dataclass(frozen=True, slots=True)
class Hit:
    """A library picture found by a query, at a Hamming distance."""

    distance: int
    query: Query
    hay: int  # the library file's id


def queries(entry: Entry) -> list[Query]:
    """Every view of the needle, each paired with the library view it is searched in."""
    fp = entry.full
    assert fp is not None
    found = [Query(entry.id, FULL, orientation, FULL, dh, ph)
             for orientation, (dh, ph) in enumerate(oriented_hashes(fp.thumb_array()))]  # fmt: skip
    for against in (TRIM, *_CROP_VIEWS):  # the library picture was trimmed or cropped
        found.append(Query(entry.id, FULL, 0, against, fp.dhash, fp.phash))
    if entry.trimmed is not None:  # the needle has a border the library picture lacks
        trimmed = entry.trimmed
        found.append(Query(entry.id, TRIM, 0, FULL, trimmed.dhash, trimmed.phash))
        # ... or both have one, of other widths (a photo with its own dark edge, letterboxed)
        found.append(Query(entry.id, TRIM, 0, TRIM, trimmed.dhash, trimmed.phash))
    for view, (cdh, cph) in zip(_CROP_VIEWS, fp.crops, strict=False):  # the needle is wider
        found.append(Query(entry.id, view, 0, FULL, cdh, cph))
    return found


def search(
    haystack: Haystack, needles: Sequence[Entry], limits: Thresholds, *, copies: bool = False
) -> dict[int, list[Hit]]:
    """Per needle id: its candidates, nearest first, at most MAX_CANDIDATES. A needle that
    found nothing within the radius is searched again wider, as stored (tone edits of
    low-texture photos; a turned or cropped view that far finds only strangers). `copies`:
    only what can be `same` is searched (the pictures as stored, within the radius): turned,
    cropped and trimmed views, and the wide search, find only `similar` pairs."""
    if copies:
        exact = [Query(e.id, FULL, 0, FULL, e.full.dhash, e.full.phash) for e in needles
                 if e.full is not None]  # fmt: skip
        return _search(haystack, exact, limits.radius)
    asked = [q for entry in needles for q in queries(entry)]
    hits = _search(haystack, asked, limits.radius)
    unfound = [q for q in asked if q.needle not in hits and q.exact]
    if unfound:
        hits.update(_search(haystack, unfound, limits.wide_radius))
    return hits


def _search(haystack: Haystack, asked: list[Query], radius: int) -> dict[int, list[Hit]]:
    best: dict[tuple[int, int, View, int, View], Hit] = {}
    for view, table in haystack.tables.items():
        these = [q for q in asked if q.against is view]
        if not these:
            continue
        for searcher, codes in (
            (table.by_dhash, np.array([q.dhash for q in these], dtype=np.uint64)),
            (table.by_phash, np.array([q.phash for q in these], dtype=np.uint64)),
        ):
            found = searcher.search(codes, radius)
            for qi, ei, dist in zip(*(column.tolist() for column in found), strict=True):
                query = these[qi]
                hay = int(table.ids[ei])
                key = (query.needle, hay, query.view, query.orientation, view)
                if key not in best or dist < best[key].distance:
                    best[key] = Hit(dist, query, hay)
    per_needle: dict[int, list[Hit]] = {}
    for hit in best.values():
        per_needle.setdefault(hit.query.needle, []).append(hit)
    # Ties (library files with the same pixels) go by path, not by the order files were
    # indexed in: the same folders give the same report, however the index was built.
    return {
        needle: sorted(
            hits,
            key=lambda h: (
                h.distance,
                not h.query.view.is_full,
                h.query.orientation,
                haystack.path(h.hay),
            ),
        )[:MAX_CANDIDATES]
        for needle, hits in per_needle.items()
    }


def thumbnails(
    needle: Entry, query: Query, hay: Entry
) -> tuple[np.ndarray, np.ndarray, Fingerprint, Fingerprint] | None:
    """The two thumbnails to compare for a query's pairing of views, and their fingerprints."""
    needle_print = needle.trimmed if query.view.kind is ViewKind.TRIM else needle.full
    hay_print = hay.trimmed if query.against.kind is ViewKind.TRIM else hay.full
    if needle_print is None or hay_print is None:
        return None
    a = orient(needle_print.thumb_array(), query.orientation)
    b = hay_print.thumb_array()
    if query.view.kind is ViewKind.CROP:
        a = crop_thumbnail(a, CROPS[query.view.crop], needle_print.width, needle_print.height)
    if query.against.kind is ViewKind.CROP:
        b = crop_thumbnail(b, CROPS[query.against.crop], hay_print.width, hay_print.height)
    return a, b, needle_print, hay_print
