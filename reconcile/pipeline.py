"""One reconcile run: scan both sides, bring the index up to date, match, and report."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Iterator, Sequence

import numpy as np

from reconcile.errors import IndexFileError, RootError
from reconcile.index import Index, remove_index
from reconcile.match import Decision, decide_all
from reconcile.model import ImageResult, Report, Status, Task, directories
from reconcile.pool import FILE_SECONDS, Analyser, ProcessPool
from reconcile.progress import Progress, Silent
from reconcile.refresh import Refresh
from reconcile.scan import Found, Scan, check_root, inside, scan
from reconcile.verify import DEFAULT, Thresholds, closer_difference


def reconcile(
    *,
    haystack: Sequence[str],
    needles: Sequence[str],
    db: str,
    jobs: int | None = None,
    rebuild: bool = False,
    quick: bool = False,
    limits: Thresholds = DEFAULT,
    progress: Progress | None = None,
    analyser: Analyser | None = None,
    file_seconds: float = FILE_SECONDS,
) -> Report:
    """Which needle images the haystack already holds, folder by folder.

    `quick` fingerprints haystack JPEGs from their embedded EXIF thumbnails, which skips
    decoding most of the library. Such a print only proposes candidates: a haystack file a
    needle might match is fingerprinted in full before any decision rests on it. Needles are
    always fingerprinted in full. Files are analysed by `analyser` (by default `jobs` worker
    processes here, each file allowed `file_seconds`).
    """
    started = time.monotonic()
    progress = progress or Silent()
    hay_roots = _unique(check_root(path) for path in haystack)
    needle_roots, nested = _outermost(_unique(check_root(path) for path in needles))
    hay_exclude, needle_exclude, overlaps = _overlaps(hay_roots, needle_roots)
    _refuse_index_inside(db, [*hay_roots, *needle_roots])
    if rebuild:
        remove_index(db)
    with contextlib.ExitStack() as stack:
        index = stack.enter_context(Index(db))
        if analyser is None:
            # Workers start when the first file needs them: a run with nothing to decode (an
            # unchanged library, a backup of byte copies) starts none.
            analyser = stack.enter_context(ProcessPool(jobs, file_seconds=file_seconds))
        roots = (*hay_roots, *needle_roots)
        hay_scans = _scan_all(hay_roots, hay_exclude, roots, progress, "Scanning haystack")
        needle_scans = _scan_all(needle_roots, needle_exclude, roots, progress, "Scanning needles")
        # Byte-identical copies have equal sizes: only files whose size is on both sides are
        # digested, and a needle whose digest is a decoded haystack picture's is not decoded.
        shared = _sizes(hay_scans) & _sizes(needle_scans)
        hay = Refresh(index, analyser, progress, digest_sizes=shared, quick=quick)
        hay_ids = hay.run(hay_scans, hay_exclude, "Indexing haystack")
        copies = {digest for digest, _, decoded in index.digests(hay_ids.values()) if decoded}
        needle = Refresh(index, analyser, progress, digest_sizes=shared, copies_of=copies)
        needle_ids = needle.run(needle_scans, needle_exclude, "Fingerprinting needles")
        found = [image for s in needle_scans for image in s.images]
        hay_files = {hay_ids[i.path]: i for s in hay_scans for i in s.images if i.path in hay_ids}
        decisions = decide_all(
            index,
            [needle_ids[image.path] for image in found],
            list(hay_ids.values()),
            limits=limits,
            progress=progress,
            confirm=lambda ids: hay.confirm([hay_files[id_] for id_ in ids]),
        )
        decisions = _look_closer(
            decisions, found, needle_ids, hay_files, index, analyser, limits, progress
        )
        images = [
            ImageResult(
                root=image.root,
                path=image.relpath,
                status=decision.status,
                match=index.path_of(decision.match) if decision.match is not None else None,
                distance=decision.distance,
                reason=decision.reason,
                kind=image.kind,
            )
            for image, decision in zip(found, decisions, strict=True)
        ]
    warnings = [*nested, *overlaps, *(w for s in (*hay_scans, *needle_scans) for w in s.warnings)]
    other = {(s.root, folder): count for s in needle_scans for folder, count in s.other.items()}
    folders = directories(images, other)
    listed = {(d.root, d.path) for d in folders}
    return Report(
        haystack=tuple(hay_roots),
        needles=tuple(needle_roots),
        images=tuple(images),
        directories=folders,
        other={key: count for key, count in other.items() if key not in listed},
        skipped=sum(s.skipped for s in needle_scans),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple(warnings),
    )


CLOSER_SAME = "re-encoded or resized (fine detail compared at the pictures' own size)"
CLOSER_DIFFERS = "differs in one region, seen at the pictures' own size (another shot?)"
CLOSER_FAILED = "low contrast, and a file could not be read again to look closer"


def _look_closer(
    decisions: list[Decision],
    needles: list[Found],
    needle_ids: dict[str, int],
    hay: dict[int, Found],
    index: Index,
    analyser: Analyser,
    limits: Thresholds,
    progress: Progress,
) -> list[Decision]:
    """Pairs that the thumbnails refused `same` by a little (fine regular detail: facades,
    fabric) or passed as `same` at low contrast (fog, night) are compared at the pictures'
    own detail: both files decoded again, once each, by the workers, and the score kept in
    the index until either file changes."""
    pairs = {
        (needle_ids[needle.path], d.match): needle
        for needle, d in zip(needles, decisions, strict=True)
        if d.closer and d.match in hay
    }
    if not pairs:
        return decisions
    scores = index.looks(pairs)
    todo = [pair for pair in pairs if pair not in scores]
    if todo:
        files = {f.path: f for n, h in todo for f in (pairs[(n, h)], hay[h])}
        progress.start("Looking closer", len(files))
        tasks = [
            Task(f.path, f.size, f.mtime_ns, want_digest=False, closer=True) for f in files.values()
        ]
        looks: dict[str, np.ndarray] = {}
        for facts in analyser.analyse(tasks):
            if facts.closer is not None:
                looks[facts.path] = facts.closer
            progress.advance()
        taken = {}
        for n, h in todo:
            a, b = looks.get(pairs[(n, h)].path), looks.get(hay[h].path)
            if a is not None and b is not None:
                taken[(n, h)] = closer_difference(a, b, limits)
        index.store_looks(taken)
        scores.update(taken)
    out = []
    for needle, decision in zip(needles, decisions, strict=True):
        score = scores.get((needle_ids[needle.path], decision.match or 0))
        if not decision.closer:
            pass
        elif score is None and decision.status is Status.SAME:
            # A low-contrast `same` needs the closer look; without it, a review.
            decision = dataclasses.replace(decision, status=Status.SIMILAR, reason=CLOSER_FAILED)
        elif score is None:
            pass  # `similar` stays what the thumbnails said
        elif decision.status is Status.SIMILAR and score <= limits.closer_block:
            decision = dataclasses.replace(decision, status=Status.SAME, reason=CLOSER_SAME)
        elif decision.status is Status.SAME and score > limits.closer_block:
            decision = dataclasses.replace(decision, status=Status.SIMILAR, reason=CLOSER_DIFFERS)
        out.append(decision)
    return out


def _refuse_index_inside(db: str, roots: list[str]) -> None:
    """The index and its WAL files are never written inside the photo folders (a `--db` that
    names a photo, or a symlink into them, included)."""
    if db == ":memory:":
        return
    real = os.path.realpath(os.path.abspath(os.path.expanduser(db)))
    for root in roots:
        if real == root or inside(real, root):
            raise IndexFileError(
                f"{db}: the index would be written inside {root}; reconcile never writes "
                "under the haystack or needles: choose a --db outside them"
            )


def _unique(paths: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _outermost(roots: list[str]) -> tuple[list[str], list[str]]:
    """Needles roots without those inside another one (whose files it holds already), and a
    warning for each left out: every file is counted once."""
    kept = [r for r in roots if not any(inside(r, other) for other in roots if other != r)]
    notes = [
        f"needles {r} lies inside needles {o}: counted once, as part of {o}"
        for r in roots
        if r not in kept
        for o in kept
        if inside(r, o)
    ]
    return kept, notes


def _overlaps(
    hay: list[str], needles: list[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], list[str]]:
    """Per root, the other side's roots nested inside it, which its scan must not enter, and a
    warning for each."""
    for root in hay:
        if root in needles:
            raise RootError(f"{root}: given as both --haystack and --needles")
    hay_exclude = {h: tuple(n for n in needles if inside(n, h)) for h in hay}
    needle_exclude = {n: tuple(h for h in hay if inside(h, n)) for n in needles}
    notes = [
        f"needles {n} lies inside haystack {h}: left out of the haystack"
        for h, inner in hay_exclude.items()
        for n in inner
    ] + [
        f"haystack {h} lies inside needles {n}: left out of the needles"
        for n, inner in needle_exclude.items()
        for h in inner
    ]
    return hay_exclude, needle_exclude, notes


def _scan_all(
    roots: list[str],
    exclude: dict[str, tuple[str, ...]],
    within: tuple[str, ...],
    progress: Progress,
    phase: str,
) -> list[Scan]:
    progress.start(phase, len(roots))
    scans = []
    for root in roots:
        scans.append(scan(root, exclude=exclude[root], within=within))
        progress.advance()
    return scans


def _sizes(scans: list[Scan]) -> set[int]:
    return {image.size for s in scans for image in s.images if image.problem is None}
