"""The main job: which backup folders still hold photos and videos the library lacks. Both
sides walked and brought into the index, each backup file judged against the library, and the
report put together folder by folder."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from reconcile.library import roots as planning
from reconcile.library.judge import judge
from reconcile.library.side import Side, bring_in, walk
from reconcile.match.rules import Decision
from reconcile.match.verify import DEFAULT, Thresholds
from reconcile.progress import Progress, Silent
from reconcile.results import ItemResult, Report, folders
from reconcile.store.index import Index, remove_index
from reconcile.work.pool import FILE_SECONDS, Analyser, ProcessPool


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
    """Which needle items the haystack already holds, folder by folder.

    `quick` fingerprints haystack JPEGs from their embedded EXIF thumbnails, which skips
    decoding most of the library. Such a print only proposes candidates: a haystack file a
    needle might match is fingerprinted in full before any decision rests on it. Needles are
    always fingerprinted in full. Files are analysed by `analyser` (by default `jobs` worker
    processes here, each file allowed `file_seconds`).
    """
    started = time.monotonic()
    progress = progress or Silent()
    roots = planning.plan(haystack, needles, db=db)
    if rebuild:
        remove_index(db)
    with contextlib.ExitStack() as stack:
        index = stack.enter_context(Index(db))
        if analyser is None:
            # Workers start when the first file needs them: a run with nothing to decode (an
            # unchanged library, a backup of byte copies) starts none.
            analyser = stack.enter_context(ProcessPool(jobs, file_seconds=file_seconds))
        hay_scans = walk(roots.haystack, roots.exclude, roots.all, progress, "Scanning haystack")
        needle_scans = walk(roots.needles, roots.exclude, roots.all, progress, "Scanning needles")
        # Byte-identical copies have equal sizes: only files whose size is on both sides are
        # digested, and a needle whose digest is a decoded haystack picture's is not decoded.
        shared = Side((), hay_scans).sizes() & Side((), needle_scans).sizes()
        hay = bring_in(
            hay_scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Indexing haystack", digest_sizes=shared, quick=quick,
        )  # fmt: skip
        copies = {digest for digest, _, decoded in index.digests(hay.files) if decoded}
        backups = bring_in(
            needle_scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Fingerprinting needles", digest_sizes=shared, copies_of=copies,
        )  # fmt: skip
        decisions = judge(
            backups, hay, index=index, analyser=analyser, progress=progress, limits=limits
        )
        items = _items(backups, hay, decisions)
    warnings = [*roots.warnings, *hay.warnings, *backups.warnings]
    other = {(s.root, folder): count for s in needle_scans for folder, count in s.other.items()}
    found = folders(items, other)
    listed = {(d.root, d.path) for d in found}
    return Report(
        haystack=roots.haystack,
        needles=roots.needles,
        items=tuple(items),
        folders=found,
        other={key: count for key, count in other.items() if key not in listed},
        skipped=sum(s.skipped for s in needle_scans),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple(warnings),
    )


def _items(backups: Side, hay: Side, decisions: dict[int, Decision]) -> list[ItemResult]:
    """Every backup file once, in the order the walks found them, with its decision."""
    ids = {found.path: id_ for id_, found in backups.files.items()}
    items = []
    for found in (f for s in backups.scans for f in s.media):
        decision = decisions[ids[found.path]]
        match = hay.files[decision.match].path if decision.match is not None else None
        items.append(
            ItemResult(
                root=found.root,
                path=found.relpath,
                status=decision.status,
                match=match,
                distance=decision.distance,
                reason=decision.reason,
                kind=found.kind,
            )
        )
    return items
