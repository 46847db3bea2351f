"""Judging one side's files against the library: the matcher asked, and what its rules need
fetched, until every file has a decision. Every command that matches comes here.

What rules may need: library files known only by their EXIF thumbnails fingerprinted in full
(`--quick`), and closer looks at pairs (both pictures decoded again by the workers, the score
kept in the index until either file changes).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import numpy as np

from reconcile.disk.entries import Standing
from reconcile.facts import Task
from reconcile.library.side import Side
from reconcile.match import reasons
from reconcile.match.haystack import Haystack
from reconcile.match.matcher import Matcher
from reconcile.match.rules import Confirm, Decision, Look
from reconcile.match.verify import DEFAULT, Thresholds, closer_difference
from reconcile.progress import Progress
from reconcile.store.index import Index
from reconcile.work.pool import Analyser

_CHUNK = 1024  # needles whose facts are read from the index at once


def haystack_of(side: Side, index: Index, limits: Thresholds = DEFAULT) -> Haystack:
    """The library side as the matcher sees it, read from the index in one pass."""
    ids = list(side.files)
    return Haystack(
        index.columns(ids),
        index.frame_columns(ids),
        index.digests(ids),
        side.paths,
        index,
        limits=limits,
    )


def withheld(hay: Side) -> dict[int, str]:
    """The library files its own catalogue does not keep as photos, with why."""
    found: dict[int, str] = {}
    for id_, file in hay.files.items():
        if file.standing is Standing.TRASHED:
            found[id_] = reasons.in_trash(file.library)
        elif file.standing is Standing.UNCATALOGUED:
            found[id_] = reasons.UNCATALOGUED
    return found


def judge(
    needles: Side,
    hay: Side,
    *,
    index: Index,
    analyser: Analyser,
    progress: Progress,
    limits: Thresholds = DEFAULT,
    ids: Iterable[int] | None = None,
    links: Mapping[int, str] | None = None,
) -> dict[int, Decision]:
    """The decision for each of `needles`' files (or only `ids` of them), by id. `links`:
    library files that are backup files themselves (see `library.links`)."""
    links = links or {}
    real_paths = (
        {id_: os.path.realpath(f.path) for id_, f in needles.files.items()} if links else {}
    )
    pending = list(needles.files if ids is None else ids)
    decided: dict[int, Decision] = {}
    looks: dict[tuple[int, int], float | None] = {}
    haystack = haystack_of(hay, index, limits)
    while pending:
        progress.start("Matching", len(pending))
        matcher = Matcher(haystack, limits=limits, withheld=withheld(hay), links=links,
                          real_paths=real_paths)  # fmt: skip
        confirm: dict[int, None] = {}
        wanted: dict[tuple[int, int], None] = {}
        waiting: list[int] = []
        for start in range(0, len(pending), _CHUNK):
            chunk = pending[start : start + _CHUNK]
            entries = index.entries(chunk)
            outcomes = matcher.decide(
                [entries[id_] for id_ in chunk if id_ in entries], looks=looks
            )
            for id_, outcome in outcomes.items():
                if isinstance(outcome, Decision):
                    decided[id_] = outcome
                    continue
                waiting.append(id_)
                if isinstance(outcome, Confirm):
                    confirm.update(dict.fromkeys(outcome.ids))
                elif isinstance(outcome, Look):
                    wanted[(outcome.needle, outcome.hay)] = None
            progress.advance(len(chunk))
        if confirm:
            # Each round leaves fewer quick prints in the library, so this ends.
            assert hay.refresh is not None
            hay.refresh.confirm([hay.files[id_] for id_ in confirm])
            haystack = haystack_of(hay, index, limits)
        if wanted:
            looks.update(_look_closer(list(wanted), needles, hay, index, analyser, progress,
                                      limits))  # fmt: skip
        pending = waiting
    return decided


def _look_closer(
    pairs: list[tuple[int, int]],
    needles: Side,
    hay: Side,
    index: Index,
    analyser: Analyser,
    progress: Progress,
    limits: Thresholds,
) -> dict[tuple[int, int], float | None]:
    """Scores of closer looks at these pairs: kept ones from the index, the rest taken now
    (both files decoded again, once each, by the workers) and kept. None for a pair whose
    files could not both be read again."""
    scores: dict[tuple[int, int], float | None] = dict(index.looks(pairs))
    todo = [pair for pair in pairs if pair not in scores]
    if not todo:
        return scores
    files = {f.path: f for n, h in todo for f in (needles.files[n], hay.files[h])}
    progress.start("Looking closer", len(files))
    tasks = [
        Task(f.path, f.size, f.mtime_ns, want_digest=False, closer=True) for f in files.values()
    ]
    pictures: dict[str, np.ndarray] = {}
    for facts in analyser.analyse(tasks):
        if facts.closer is not None:
            pictures[facts.path] = facts.closer
        progress.advance()
    taken: dict[tuple[int, int], float] = {}
    for n, h in todo:
        a, b = pictures.get(needles.files[n].path), pictures.get(hay.files[h].path)
        if a is not None and b is not None:
            taken[(n, h)] = closer_difference(a, b, limits)
        scores[(n, h)] = taken.get((n, h))
    index.store_looks(taken)
    return scores
