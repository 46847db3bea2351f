"""Which needles are covered: exact bytes first, then hash candidates checked by `verify`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from reconcile.fingerprint import ORIENTATIONS, Fingerprint, dhash, orient, phash
from reconcile.index import Entry, HashTable, Index
from reconcile.model import Status
from reconcile.search import HammingIndex
from reconcile.verify import DEFAULT, Thresholds, Verdict, compare

_MAX_CANDIDATES = 24  # per needle, nearest first: flat pictures can collide with thousands


@dataclass(frozen=True, slots=True)
class Decision:
    """The status of one needle and the haystack file that decided it."""

    status: Status
    match: int | None = None  # haystack file id
    distance: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class _View:
    """One searchable set of haystack hashes: whole pictures, or border-trimmed ones."""

    table: HashTable
    by_dhash: HammingIndex
    by_phash: HammingIndex
    trimmed: bool


@dataclass(frozen=True, slots=True)
class _Query:
    needle: int  # position in the batch
    print: Fingerprint
    orientation: int
    trimmed: bool
    dhash: int
    phash: int


class Matcher:
    """Decides needle statuses against a fixed set of haystack files."""

    def __init__(self, index: Index, haystack_ids: list[int], *, limits: Thresholds = DEFAULT):
        self._index = index
        self._limits = limits
        self._by_digest: dict[bytes, int] = {}
        for digest, id_ in index.digests(haystack_ids):
            self._by_digest.setdefault(digest, id_)
        full, trim = index.hash_tables(haystack_ids)
        self._views = [
            _View(t, HammingIndex(t.dhash), HammingIndex(t.phash), trimmed)
            for t, trimmed in ((full, False), (trim, True))
            if t.ids.size
        ]

    def decide(self, needles: list[Entry]) -> list[Decision]:
        """The decision for each needle, in order."""
        decisions: list[Decision | None] = [self._exact(entry) for entry in needles]
        queries = [
            query
            for position, entry in enumerate(needles)
            if decisions[position] is None
            for query in _queries(position, entry)
        ]
        candidates = self._candidates(queries)
        cache: dict[int, Entry] = {}
        for position in range(len(needles)):
            if decisions[position] is None:
                decisions[position] = self._verify(candidates.get(position, []), cache)
        return [decision for decision in decisions if decision is not None]

    def _exact(self, entry: Entry) -> Decision | None:
        twin = self._by_digest.get(entry.digest) if entry.digest else None
        if entry.reason is not None or entry.print is None:
            reason = entry.reason or "not decoded"
            if twin is not None:
                # Same bytes are in the haystack, but we never count a file we cannot read.
                reason += f" (the same bytes are in the haystack: {self._index.path_of(twin)})"
            return Decision(Status.UNREADABLE, reason=reason)
        if twin is not None:
            return Decision(Status.IDENTICAL, match=twin, distance=0)
        return None

    def _candidates(self, queries: list[_Query]) -> dict[int, list[tuple[int, _Query, int, bool]]]:
        """Per needle: (hash distance, query, haystack id, haystack view trimmed)."""
        found: dict[int, dict[tuple[int, int, bool, bool], tuple[int, _Query, int, bool]]]
        found = defaultdict(dict)
        if not queries:
            return {}
        dh = np.array([q.dhash for q in queries], dtype=np.uint64)
        ph = np.array([q.phash for q in queries], dtype=np.uint64)
        for view in self._views:
            for searcher, codes in ((view.by_dhash, dh), (view.by_phash, ph)):
                hits_q, hits_e, hits_d = searcher.search(codes, self._limits.radius)
                for qi, ei, dist in zip(
                    hits_q.tolist(), hits_e.tolist(), hits_d.tolist(), strict=True
                ):
                    query = queries[qi]
                    id_ = int(view.table.ids[ei])
                    key = (id_, query.orientation, query.trimmed, view.trimmed)
                    best = found[query.needle].get(key)
                    if best is None or dist < best[0]:
                        found[query.needle][key] = (dist, query, id_, view.trimmed)
        return {
            needle: sorted(hits.values(), key=lambda hit: (hit[0], hit[1].orientation))[
                :_MAX_CANDIDATES
            ]
            for needle, hits in found.items()
        }

    def _verify(
        self, candidates: list[tuple[int, _Query, int, bool]], cache: dict[int, Entry]
    ) -> Decision:
        best: tuple[int, float, Decision] | None = None
        rank = {Verdict.SAME: 0, Verdict.SIMILAR: 1}
        for _, query, id_, view_trimmed in candidates:
            entry = cache.get(id_)
            if entry is None:
                entry = cache[id_] = self._index.entry(id_)
            target = entry.trimmed if view_trimmed else entry.print
            if target is None:
                continue
            result = compare(
                query.print,
                target,
                orientation=query.orientation,
                exact_view=not (query.trimmed or view_trimmed),
                limits=self._limits,
            )
            if result.verdict is Verdict.DIFFERENT:
                continue
            status = Status.SAME if result.verdict is Verdict.SAME else Status.SIMILAR
            reason = None
            if status is Status.SIMILAR:
                reason = _describe(query, view_trimmed)
            key = (rank[result.verdict], result.score)
            if best is None or key < best[:2]:
                best = (*key, Decision(status, id_, result.distance, reason))
        return best[2] if best else Decision(Status.MISSING)


def _queries(position: int, entry: Entry) -> list[_Query]:
    """The needle's picture in all eight orientations, and its border-trimmed picture."""
    queries: list[_Query] = []
    if entry.print is not None:
        thumb = entry.print.thumb_array()
        for orientation in range(len(ORIENTATIONS)):
            turned = orient(thumb, orientation)
            queries.append(
                _Query(position, entry.print, orientation, False, dhash(turned), phash(turned))
            )
    if entry.trimmed is not None:
        queries.append(
            _Query(position, entry.trimmed, 0, True, entry.trimmed.dhash, entry.trimmed.phash)
        )
    return queries


def _describe(query: _Query, view_trimmed: bool) -> str:
    """Why a match is only `similar`, as far as the match itself tells."""
    parts = []
    if query.orientation:
        parts.append(ORIENTATIONS[query.orientation][0])
    if query.trimmed or view_trimmed:
        parts.append("border differs")
    return "; ".join(parts) if parts else "close but not verified the same"
