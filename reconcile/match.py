"""Which needles are covered: exact bytes first, then hash candidates checked by `verify`.

Candidates come from several views of each picture, so that an edit can still be found:
the needle in all eight orientations, border-trimmed, and cropped; the haystack pictures
border-trimmed and cropped. Only the needle as stored against a haystack picture as stored can
verify as `same`; every other pairing can at most be `similar`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reconcile.filetypes import Kind, is_raw_name
from reconcile.fingerprint import CROPS, ORIENTATIONS, crop_thumbnail, dhash, orient, phash
from reconcile.index import Entry, Index
from reconcile.model import FULL, TRIM, Fingerprint, Status, View, ViewKind, crop_view
from reconcile.progress import Progress
from reconcile.search import HammingIndex
from reconcile.verify import (
    DEFAULT,
    Comparison,
    Likeness,
    Thresholds,
    aspect_matches,
    compare,
    flat_colour_differences,
    frame_limits,
    same_limit,
)

_MAX_CANDIDATES = 24  # per needle, nearest first: similar pictures can collide by the hundred
_CROP_VIEWS = tuple(crop_view(number) for number in range(len(CROPS)))
_BATCH = 128  # needles per matching batch


@dataclass(frozen=True, slots=True)
class Decision:
    """The status of one needle and the haystack file that decided it."""

    status: Status
    match: int | None = None  # haystack file id
    distance: int | None = None
    reason: str | None = None
    # Haystack files fingerprinted from their EXIF thumbnails that came up as candidates: the
    # decision waits until they are fingerprinted in full (see `quick` in the pipeline).
    unconfirmed: tuple[int, ...] = ()
    # The thumbnails' verdict is worth checking on the pictures themselves: `similar` by a
    # little, or `same` at low contrast (see verify.closer_difference and the pipeline).
    closer: bool = False


@dataclass(frozen=True, slots=True)
class _Query:
    """One view of a needle, searched in one view of the haystack."""

    needle: int  # position in the batch
    view: View  # of the needle
    orientation: int
    against: View  # the haystack view searched
    dhash: int
    phash: int


def decide_all(
    index: Index,
    needles: list[int],
    haystack: list[int],
    *,
    limits: Thresholds,
    progress: Progress,
    confirm: Callable[[list[int]], None],
) -> list[Decision]:
    """The decision for each needle id, in order.

    A needle whose candidates include quick prints waits: those haystack files are
    fingerprinted in full (`confirm`) and the needle is decided again, until no decision rests
    on a thumbnail. Each round leaves fewer quick prints, so this ends.
    """
    decisions: list[Decision | None] = [None] * len(needles)
    todo = list(range(len(needles)))
    while todo:
        progress.start("Matching", len(todo))
        matcher = Matcher(index, haystack, limits=limits)
        waiting: dict[int, None] = {}
        again: list[int] = []
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            entries = [index.entry(needles[position]) for position in batch]
            for position, decision in zip(batch, matcher.decide(entries), strict=True):
                if decision.unconfirmed:
                    waiting.update(dict.fromkeys(decision.unconfirmed))
                    again.append(position)
                else:
                    decisions[position] = decision
            progress.advance(len(batch))
        if waiting:
            confirm(list(waiting))
        todo = again
    return [decision for decision in decisions if decision is not None]


RAW_ONLY_RENDERED = "RAW; the library holds a JPEG or other rendering of this shot, not the RAW"


class Matcher:
    """Decides needle statuses against a fixed set of haystack files."""

    def __init__(self, index: Index, haystack_ids: list[int], *, limits: Thresholds = DEFAULT):
        self._index = index
        self._limits = limits
        self._by_digest: dict[bytes, tuple[int, bool]] = {}  # digest: (id, decoded)
        for digest, id_, decoded in index.digests(haystack_ids):
            if decoded or digest not in self._by_digest:  # a decoded twin proves readability
                self._by_digest[digest] = (id_, decoded)
        self._tables = index.hash_tables(haystack_ids, min_detail=limits.detail)
        self._searchers = {
            view: (HammingIndex(table.dhash), HammingIndex(table.phash))
            for view, table in self._tables.items()
        }
        # Videos are searched by every sampled frame, and never against pictures.
        self._frames = index.frame_table(haystack_ids, min_detail=limits.detail)
        self._frame_searchers = (HammingIndex(self._frames.dhash), HammingIndex(self._frames.phash))
        self._haystack_ids = haystack_ids
        # Library pictures without detail and their colour thumbnails, read when first needed.
        self._flat: tuple[list[tuple[int, Fingerprint]], np.ndarray] | None = None

    def decide(self, needles: list[Entry]) -> list[Decision]:
        """The decision for each needle, in order."""
        decisions = [self._exact(entry) for entry in needles]
        for position, entry in enumerate(needles):
            if decisions[position] is None and entry.kind is Kind.VIDEO:
                decisions[position] = self._decide_video(entry)
            elif decisions[position] is None and _is_flat(entry, self._limits):
                decisions[position] = self._decide_flat(entry)
        queries = [
            query
            for position, entry in enumerate(needles)
            if decisions[position] is None
            for query in _queries(position, entry, self._limits)
        ]
        candidates = self._candidates(queries, self._limits.radius)
        # What found nothing near is searched again wider, as stored (tone edits of
        # low-texture photos; a turned or cropped view that far finds only strangers).
        unfound = [
            q
            for q in queries
            if q.needle not in candidates and q.orientation == 0 and q.view is q.against is FULL
        ]
        if unfound:
            candidates.update(self._candidates(unfound, self._limits.wide_radius))
        cache: dict[int, Entry] = {}
        return [
            decision
            if decision is not None
            else self._verify(needles[position], candidates.get(position, []), cache)
            for position, decision in enumerate(decisions)
        ]

    def _decide_video(self, needle: Entry) -> Decision:
        """A video is `same` when a library video of the same length shows the same frames at
        every sample point; `similar` when some frames are alike (trimmed, edited, or another
        clip of the scene); `missing` otherwise."""
        by_dhash, by_phash = self._frame_searchers
        ids = self._frames.ids
        found: dict[int, int] = {}  # candidate video id: smallest hash distance
        for searcher, codes in (
            (by_dhash, np.array([f.dhash for f in needle.frames], dtype=np.uint64)),
            (by_phash, np.array([f.phash for f in needle.frames], dtype=np.uint64)),
        ):
            for _, ei, dist in zip(
                *(c.tolist() for c in searcher.search(codes, self._limits.radius)), strict=True
            ):
                id_ = int(ids[ei])
                found[id_] = min(dist, found.get(id_, dist))
        best: tuple[tuple[int, int], Decision] | None = None
        path = self._index.paths_of(found)
        ranked = sorted(found.items(), key=lambda item: (item[1], path[item[0]]))
        for id_, distance in ranked[:_MAX_CANDIDATES]:
            hay = self._index.entry(id_)
            aligned, alike = _frame_pairs_alike(needle, hay, self._limits)
            if not alike:
                continue
            same_length = _same_length(needle.duration, hay.duration)
            if same_length and aligned == len(needle.frames) == len(hay.frames):
                return Decision(Status.SAME, id_, distance, SAME_CLIP)
            reason = (
                "edited clip (frames differ)"
                if same_length
                else f"trimmed or edited clip ({_seconds(needle.duration)}; the library's is "
                f"{_seconds(hay.duration)})"
            )
            key = (-aligned, -alike)
            if best is None or key < best[0]:
                best = (key, Decision(Status.SIMILAR, id_, distance, reason))
        return best[1] if best else Decision(Status.MISSING, reason=NOTHING_CLOSE)

    def _exact(self, entry: Entry) -> Decision | None:
        twin, decoded = self._by_digest.get(entry.digest or b"", (None, False))
        if entry.reason is None and twin is not None and (decoded or entry.print is not None):
            # Equal bytes decode alike, so one side's decode vouches for both: the pipeline
            # skips decoding byte copies of decoded haystack pictures, and a decoded needle
            # vouches for a twin only indexed from its thumbnail (--quick).
            return Decision(Status.IDENTICAL, match=twin, distance=0)
        if entry.reason is not None or entry.print is None:
            reason = entry.reason or "not decoded"
            if twin is not None:
                # Same bytes are in the haystack, but we never count a file we cannot read.
                reason += f" (the same bytes are in the haystack: {self._index.path_of(twin)})"
            return Decision(Status.UNREADABLE, reason=reason)
        return None

    def _decide_flat(self, needle: Entry) -> Decision:
        """A picture without detail (flat, dark, a smooth gradient): nothing in it can be
        verified, so a library picture of the same colours and shape makes it `similar` (to
        review), never `same`; otherwise `missing`."""
        assert needle.print is not None
        if self._flat is None:
            flat = self._index.flat_pictures(self._haystack_ids, below=self._limits.detail)
            thumbs = [fp.colour_array().reshape(-1) for _, fp in flat]
            self._flat = (flat, np.array(thumbs, dtype=np.float32))
        flat, colours = self._flat
        if not flat:
            return Decision(Status.MISSING, reason=TOO_FLAT)
        # Against every flat library picture at once: a library may hold thousands.
        differences = flat_colour_differences(colours, needle.print.colour_array().reshape(-1))
        near = [
            (float(differences[i]), self._index.path_of(flat[i][0]), flat[i][0])
            for i in np.flatnonzero(differences <= self._limits.flat_colour).tolist()
            if aspect_matches(needle.print, flat[i][1], limits=self._limits)
        ]
        if not near:
            return Decision(Status.MISSING, reason=TOO_FLAT)
        return Decision(Status.SIMILAR, min(near)[2], None, FLAT_ALIKE)

    def _candidates(
        self, queries: list[_Query], radius: int
    ) -> dict[int, list[tuple[int, _Query, int]]]:
        """Per needle: (hash distance, query, haystack id), nearest first."""
        best: dict[tuple[int, int, View, int, View], tuple[int, _Query, int]] = {}
        for view, (by_dhash, by_phash) in self._searchers.items():
            asked = [q for q in queries if q.against == view]
            if not asked:
                continue
            ids = self._tables[view].ids
            for searcher, codes in (
                (by_dhash, np.array([q.dhash for q in asked], dtype=np.uint64)),
                (by_phash, np.array([q.phash for q in asked], dtype=np.uint64)),
            ):
                hits = searcher.search(codes, radius)
                for qi, ei, dist in zip(*(column.tolist() for column in hits), strict=True):
                    query = asked[qi]
                    id_ = int(ids[ei])
                    key = (query.needle, id_, query.view, query.orientation, view)
                    if key not in best or dist < best[key][0]:
                        best[key] = (dist, query, id_)
        per_needle: dict[int, list[tuple[int, _Query, int]]] = {}
        for hit in best.values():
            per_needle.setdefault(hit[1].needle, []).append(hit)
        # Ties (library files with the same pixels) go by path, not by the order files were
        # indexed in: the same folders give the same report, however the index was built.
        path = self._index.paths_of({hit[2] for hit in best.values()})
        return {
            needle: sorted(
                hits, key=lambda h: (h[0], not h[1].view.is_full, h[1].orientation, path[h[2]])
            )[:_MAX_CANDIDATES]
            for needle, hits in per_needle.items()
        }

    def _verify(
        self, needle: Entry, candidates: list[tuple[int, _Query, int]], cache: dict[int, Entry]
    ) -> Decision:
        best: tuple[tuple[int, float, str], Decision] | None = None
        unconfirmed: dict[int, None] = {}
        for distance, query, id_ in candidates:
            entry = cache.get(id_)
            if entry is None:
                entry = cache[id_] = self._index.entry(id_)
            if entry.quick:
                unconfirmed[id_] = None  # a thumbnail's likeness proves nothing either way
                continue
            pair = _thumbnails(needle, query, entry)
            if pair is None:
                continue
            a, b, needle_print, hay_print = pair
            exact = query.view.is_full and query.orientation == 0 and query.against.is_full
            result = compare(
                a,
                b,
                needle_print,
                hay_print,
                exact=exact,
                transposed=ORIENTATIONS[query.orientation][1],
                limits=self._limits,
            )
            if result.verdict is Likeness.DIFFERENT:
                continue
            far = distance > self._limits.radius  # found by the wide search
            if far and not _same_or_close(result, self._limits):
                continue
            same = result.verdict is Likeness.SAME
            reason = _words(result, query, needle_print, hay_print, self._limits)
            raw_only = is_raw_name(needle.path) and not is_raw_name(entry.path)
            if raw_only:
                # The library holds a rendering of this shot (the camera's JPEG, an export),
                # not the RAW: the RAW's latitude is not in the library.
                same, reason = False, RAW_ONLY_RENDERED
            closer = (
                not raw_only
                and exact
                and _worth_a_closer_look(result, needle_print, hay_print, self._limits)
            )
            decision = Decision(
                Status.SAME if same else Status.SIMILAR, id_, distance, reason, closer=closer
            )
            key = (0 if same else 1, result.score, entry.path)
            if best is None or key < best[0]:
                best = (key, decision)
        if best is not None and best[1].status is Status.SAME:
            return best[1]  # nothing a confirmation could find would change the status
        if unconfirmed:
            return Decision(Status.MISSING, unconfirmed=tuple(unconfirmed))
        return best[1] if best else Decision(Status.MISSING, reason=NOTHING_CLOSE)


def _same_length(a: float | None, b: float | None) -> bool:
    """Durations that agree within half a second or 2 % (containers round differently)."""
    if not a or not b:
        return False
    return abs(a - b) <= max(0.5, 0.02 * max(a, b))


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value else "length unknown"


def _frame_pairs_alike(needle: Entry, hay: Entry, limits: Thresholds) -> tuple[int, int]:
    """(frames at the same points that verify `same`, frame pairs at any points that are at
    least `similar`) between two videos."""
    limits = frame_limits(limits)
    aligned = 0
    alike = 0
    for i, nf in enumerate(needle.frames):
        for j, hf in enumerate(hay.frames):
            exact = i == j
            result = compare(nf.thumb_array(), hf.thumb_array(), nf, hf, exact=exact, limits=limits)
            if result.verdict is Likeness.DIFFERENT:
                continue
            alike += 1
            aligned += exact and result.verdict is Likeness.SAME
    return aligned, alike


def _queries(position: int, entry: Entry, limits: Thresholds) -> list[_Query]:
    """Every view of the needle, each paired with the haystack view it is searched in."""
    fp = entry.print
    if fp is None or fp.detail < limits.detail:
        return []  # too little detail to match on pixels: compared by colour instead
    thumb = fp.thumb_array()
    queries = []
    for orientation in range(len(ORIENTATIONS)):
        turned = orient(thumb, orientation)
        queries.append(_Query(position, FULL, orientation, FULL, dhash(turned), phash(turned)))
    for against in (TRIM, *_CROP_VIEWS):  # the haystack picture was trimmed or cropped
        queries.append(_Query(position, FULL, 0, against, fp.dhash, fp.phash))
    if entry.trimmed is not None:  # the needle has a border the haystack picture lacks
        trimmed = entry.trimmed
        queries.append(_Query(position, TRIM, 0, FULL, trimmed.dhash, trimmed.phash))
        # ... or both have one, of other widths (a photo with its own dark edge, letterboxed)
        queries.append(_Query(position, TRIM, 0, TRIM, trimmed.dhash, trimmed.phash))
    for view, (cdh, cph) in zip(_CROP_VIEWS, fp.crops, strict=False):  # the needle is wider
        queries.append(_Query(position, view, 0, FULL, cdh, cph))
    return queries


def _thumbnails(
    needle: Entry, query: _Query, hay: Entry
) -> tuple[np.ndarray, np.ndarray, Fingerprint, Fingerprint] | None:
    """The two thumbnails to compare for a query's pairing of views, and their fingerprints."""
    needle_print = needle.trimmed if query.view.kind is ViewKind.TRIM else needle.print
    hay_print = hay.trimmed if query.against.kind is ViewKind.TRIM else hay.print
    if needle_print is None or hay_print is None:
        return None
    a = orient(needle_print.thumb_array(), query.orientation)
    b = hay_print.thumb_array()
    if query.view.kind is ViewKind.CROP:
        a = crop_thumbnail(a, CROPS[query.view.crop])
    if query.against.kind is ViewKind.CROP:
        b = crop_thumbnail(b, CROPS[query.against.crop])
    return a, b, needle_print, hay_print


NOTHING_CLOSE = "nothing close in the library"
SAME_CLIP = "the same clip re-encoded, re-containered or resized (same length; frames verify)"
TOO_FLAT = (
    "too little detail to compare (flat, dark or a smooth gradient); nothing of its colours "
    "and shape in the library"
)
FLAT_ALIKE = (
    "too little detail to verify (flat, dark or a smooth gradient); a library picture has the "
    "same colours and shape"
)


def _worth_a_closer_look(
    result: Comparison, needle: Fingerprint, hay: Fingerprint, limits: Thresholds
) -> bool:
    """Whether the thumbnails' verdict should be checked on the pictures themselves: refused
    `same` by the blocks alone and by little (colours, shape and size agree, the block score
    within `closer_up_to` of the limit), or passed as `same` at low contrast, where a change
    in the dark averages away."""
    side = min(needle.width, needle.height, hay.width, hay.height)
    if side < limits.closer_from:
        return False
    if result.verdict is Likeness.SAME:
        return result.gain >= limits.closer_gain
    return (
        result.aspect_ok
        and result.colour <= limits.same_colour
        and result.score <= limits.closer_up_to * same_limit(side, limits)
    )


def _same_or_close(result: Comparison, limits: Thresholds) -> bool:
    return result.verdict is Likeness.SAME or result.correlation >= limits.wide_correlation


def _is_flat(entry: Entry, limits: Thresholds) -> bool:
    return (
        entry.kind is Kind.IMAGE and entry.print is not None and entry.print.detail < limits.detail
    )


def _words(
    result: Comparison, query: _Query, needle: Fingerprint, hay: Fingerprint, limits: Thresholds
) -> str:
    """Which check decided, in words a person reviewing the pair can use."""
    if result.verdict is Likeness.SAME:
        area, hay_area = needle.width * needle.height, hay.width * hay.height
        sizes = f"{needle.width}x{needle.height}; the library's is {hay.width}x{hay.height}"
        if area < 0.9 * hay_area:
            return f"re-encoded at lower size ({sizes})"
        if area > 1.1 * hay_area:
            return f"larger than the library's copy ({sizes})"
        return "re-encoded or re-tagged at the same size"
    if query.orientation:
        return f"rotated or mirrored ({ORIENTATIONS[query.orientation][0]})"
    kinds = (query.view.kind, query.against.kind)
    if ViewKind.TRIM in kinds:
        return "border differs (letterbox or frame added or removed)"
    if ViewKind.CROP in kinds or not result.aspect_ok:
        return "cropped"
    if abs(result.brightness) > _TONE_STEP:
        return "brighter" if result.brightness > 0 else "darker"
    if result.colour > limits.same_colour:
        return "colours differ (grayscale or tinted version?)"
    return "differs in one region (another shot?)"


# Mean grey levels (of 255) between the thumbnails that read as a brightness edit.
_TONE_STEP = 6.0
