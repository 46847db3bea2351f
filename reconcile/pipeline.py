"""One reconcile run: scan both sides, bring the index up to date, match, and report."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from reconcile.analyse import FileFacts, analyse, analyse_task
from reconcile.errors import RootError
from reconcile.index import Index, remove_index
from reconcile.match import Matcher
from reconcile.model import DirectoryResult, ImageResult, Report, Status, Verdict, verdict_for
from reconcile.scan import Found, Scan, check_root, scan
from reconcile.verify import DEFAULT, Thresholds

_BATCH = 128  # files per index transaction, and needles per matching batch
_POOL_THRESHOLD = 16  # fewer files than this are not worth starting worker processes


class Progress(Protocol):
    """Where a run reports how far it got; the CLI draws it, the library never prints."""

    def start(self, phase: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class _Silent:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


def reconcile(
    *,
    haystack: Sequence[str],
    needles: Sequence[str],
    db: str,
    jobs: int | None = None,
    rebuild: bool = False,
    limits: Thresholds = DEFAULT,
    progress: Progress | None = None,
) -> Report:
    """Which needle images the haystack already holds, folder by folder."""
    started = time.monotonic()
    progress = progress or _Silent()
    hay_roots = _unique(check_root(path) for path in haystack)
    needle_roots = _unique(check_root(path) for path in needles)
    warnings: list[str] = []
    hay_exclude, needle_exclude = _overlaps(hay_roots, needle_roots, warnings)
    if rebuild:
        remove_index(db)
    with Index(db) as index:
        hay_scans = _scan_all(hay_roots, hay_exclude, progress, "Scanning haystack")
        hay_ids = _refresh(
            index, hay_scans, hay_exclude, jobs, progress, "Indexing haystack", warnings
        )
        needle_scans = _scan_all(needle_roots, needle_exclude, progress, "Scanning needles")
        needle_ids = _refresh(
            index, needle_scans, needle_exclude, jobs, progress, "Fingerprinting needles", warnings
        )
        found = [image for s in needle_scans for image in s.images]
        progress.start("Matching", len(found))
        matcher = Matcher(index, list(hay_ids.values()), limits=limits)
        images: list[ImageResult] = []
        for start in range(0, len(found), _BATCH):
            batch = found[start : start + _BATCH]
            entries = [index.entry(needle_ids[image.path]) for image in batch]
            for image, decision in zip(batch, matcher.decide(entries), strict=True):
                match = index.path_of(decision.match) if decision.match is not None else None
                images.append(
                    ImageResult(
                        root=image.root,
                        path=image.relpath,
                        status=decision.status,
                        match=match,
                        distance=decision.distance,
                        reason=decision.reason,
                    )
                )
            progress.advance(len(batch))
    for s in (*hay_scans, *needle_scans):
        warnings.extend(s.warnings)
    return Report(
        haystack=tuple(hay_roots),
        needles=tuple(needle_roots),
        images=tuple(images),
        directories=_directories(images),
        skipped=sum(s.skipped for s in needle_scans),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple(warnings),
    )


def _unique(paths: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _inside(path: str, root: str) -> bool:
    return path.startswith(root.rstrip(os.sep) + os.sep)


def _overlaps(
    hay: list[str], needles: list[str], warnings: list[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Per root, the other side's roots nested inside it, which its scan must not enter."""
    for root in hay:
        if root in needles:
            raise RootError(f"{root}: given as both --haystack and --needles")
    hay_exclude = {h: tuple(n for n in needles if _inside(n, h)) for h in hay}
    needle_exclude = {n: tuple(h for h in hay if _inside(h, n)) for n in needles}
    for h, inner in hay_exclude.items():
        for n in inner:
            warnings.append(f"needles {n} lies inside haystack {h}: left out of the haystack")
    for n, inner in needle_exclude.items():
        for h in inner:
            warnings.append(f"haystack {h} lies inside needles {n}: left out of the needles")
    return hay_exclude, needle_exclude


def _scan_all(
    roots: list[str], exclude: dict[str, tuple[str, ...]], progress: Progress, phase: str
) -> list[Scan]:
    progress.start(phase, len(roots))
    scans = []
    for root in roots:
        scans.append(scan(root, exclude=exclude[root]))
        progress.advance()
    return scans


def _refresh(
    index: Index,
    scans: list[Scan],
    exclude: dict[str, tuple[str, ...]],
    jobs: int | None,
    progress: Progress,
    phase: str,
    warnings: list[str],
) -> dict[str, int]:
    """Bring the index up to date with the scanned files; their ids by path.

    Unchanged files (same path, size and modification time) are not read again; files gone
    from disk are dropped, except below nested roots that this scan left out.
    """
    ids: dict[str, int] = {}
    stale: list[int] = []
    todo: list[Found] = []
    for s in scans:
        known = index.known_under(s.root)
        seen: set[bytes] = set()
        for image in s.images:
            key = os.fsencode(image.path)
            seen.add(key)
            row = known.get(key)
            fresh = row and row.size == image.size and row.mtime_ns == image.mtime_ns
            if fresh and image.problem is None:
                ids[image.path] = row.id  # type: ignore[union-attr]
            else:
                todo.append(image)
        skip = tuple(os.fsencode(root.rstrip(os.sep) + os.sep) for root in exclude[s.root])
        stale.extend(
            row.id for key, row in known.items() if key not in seen and not key.startswith(skip)
        )
    index.forget(stale)
    progress.start(phase, len(todo))
    batch: list[FileFacts] = []
    for facts in _analyse_all(todo, jobs, warnings):
        batch.append(facts)
        if len(batch) >= _BATCH:
            ids.update(_store(index, batch))
            progress.advance(len(batch))
            batch = []
    if batch:
        ids.update(_store(index, batch))
        progress.advance(len(batch))
    return ids


def _store(index: Index, batch: list[FileFacts]) -> dict[str, int]:
    index.store(batch)
    return index.ids_for(facts.path for facts in batch)


def _analyse_all(todo: list[Found], jobs: int | None, warnings: list[str]) -> Iterator[FileFacts]:
    """Facts for each file, from worker processes when there is enough work for them."""
    for image in todo:
        if image.problem is not None:
            yield FileFacts(image.path, image.size, image.mtime_ns, reason=image.problem)
    work = [(i.path, i.size, i.mtime_ns) for i in todo if i.problem is None]
    workers = min(jobs or os.cpu_count() or 1, len(work))
    done = 0
    if workers > 1 and len(work) >= _POOL_THRESHOLD:
        context = multiprocessing.get_context("forkserver")
        # Import the heavy modules once in the fork server, not once per worker.
        context.set_forkserver_preload(["reconcile.analyse"])
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)
        try:
            for facts in pool.map(analyse_task, work, chunksize=4):
                done += 1
                yield facts
        except BrokenProcessPool:
            # A worker could not start (say, a caller's main module that cannot be
            # re-imported): finish the work here rather than fail or hang.
            warnings.append("worker processes failed to start; continued with one process")
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for task in work[done:]:
        yield analyse(*task)


def _ignore_interrupts() -> None:
    # Ctrl-C is the main process's to handle; workers just stop when it terminates them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _directories(images: list[ImageResult]) -> tuple[DirectoryResult, ...]:
    counts: dict[tuple[str, str], Counter[Status]] = {}
    for image in images:
        counts.setdefault((image.root, image.folder), Counter())[image.status] += 1
    folders = [
        DirectoryResult(root, path, verdict_for(dict(c)), {s: c.get(s, 0) for s in Status})
        for (root, path), c in counts.items()
    ]
    order = {Verdict.NEW: 0, Verdict.PARTIAL: 1, Verdict.REVIEW: 2, Verdict.COMPLETE: 3}
    folders.sort(
        key=lambda d: (
            order[d.verdict],
            -(d.counts[Status.MISSING] + d.counts[Status.UNREADABLE] + d.counts[Status.SIMILAR]),
            d.root,
            d.path,
        )
    )
    return tuple(folders)
