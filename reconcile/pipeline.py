"""One reconcile run: scan both sides, bring the index up to date, match, and report."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from reconcile.analyse import FileFacts, analyse, analyse_task, file_digest
from reconcile.errors import IndexFileError, RootError
from reconcile.index import Index, remove_index
from reconcile.match import Decision, Matcher
from reconcile.model import DirectoryResult, ImageResult, Report, Status, Verdict, verdict_for
from reconcile.scan import Found, Scan, check_root, scan
from reconcile.verify import DEFAULT, Thresholds

_BATCH = 128  # files per index transaction, and needles per matching batch
# Fewer files than this are not worth starting worker processes, unless there are this many
# bytes to decode in full (a few camera photos take longer than starting the workers).
_POOL_THRESHOLD = 16
_POOL_BYTES = 24_000_000


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
    quick: bool = False,
    limits: Thresholds = DEFAULT,
    progress: Progress | None = None,
) -> Report:
    """Which needle images the haystack already holds, folder by folder.

    `quick` fingerprints haystack JPEGs from their embedded EXIF thumbnails, which skips
    decoding most of the library. Such a print only proposes candidates: a haystack file a
    needle might match is fingerprinted in full before any decision rests on it. Needles are
    always fingerprinted in full.
    """
    started = time.monotonic()
    progress = progress or _Silent()
    hay_roots = _unique(check_root(path) for path in haystack)
    needle_roots = _unique(check_root(path) for path in needles)
    warnings: list[str] = []
    hay_exclude, needle_exclude = _overlaps(hay_roots, needle_roots, warnings)
    _refuse_index_inside(db, [*hay_roots, *needle_roots])
    if rebuild:
        remove_index(db)
    with Index(db) as index:
        hay_scans = _scan_all(hay_roots, hay_exclude, progress, "Scanning haystack")
        needle_scans = _scan_all(needle_roots, needle_exclude, progress, "Scanning needles")
        # Byte-identical copies have equal sizes: only files whose size is on both sides are
        # digested, and a needle whose digest is a decoded haystack picture's is not decoded.
        shared = _sizes(hay_scans) & _sizes(needle_scans)
        hay = _Refresh(index, jobs, progress, warnings, digest_sizes=shared, quick=quick)
        hay_ids = hay.run(hay_scans, hay_exclude, "Indexing haystack")
        copies = {digest for digest, _, decoded in index.digests(hay_ids.values()) if decoded}
        needle = _Refresh(index, jobs, progress, warnings, digest_sizes=shared, copies_of=copies)
        needle_ids = needle.run(needle_scans, needle_exclude, "Fingerprinting needles")
        found = [image for s in needle_scans for image in s.images]
        hay_files = {hay_ids[i.path]: i for s in hay_scans for i in s.images if i.path in hay_ids}
        decisions = _decide(
            index,
            [needle_ids[image.path] for image in found],
            list(hay_ids.values()),
            limits,
            progress,
            confirm=lambda ids: hay.confirm([hay_files[id_] for id_ in ids]),
        )
        images = [
            ImageResult(
                root=image.root,
                path=image.relpath,
                status=decision.status,
                match=index.path_of(decision.match) if decision.match is not None else None,
                distance=decision.distance,
                reason=decision.reason,
            )
            for image, decision in zip(found, decisions, strict=True)
        ]
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


def _decide(
    index: Index,
    needles: list[int],
    haystack: list[int],
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


def _refuse_index_inside(db: str, roots: list[str]) -> None:
    """The index and its WAL files are never written inside the photo folders (a `--db` that
    names a photo, or a symlink into them, included)."""
    if db == ":memory:":
        return
    real = os.path.realpath(os.path.abspath(os.path.expanduser(db)))
    for root in roots:
        if real == root or _inside(real, root):
            raise IndexFileError(
                f"{db}: the index would be written inside {root}; reconcile never writes "
                "under the haystack or needles: choose a --db outside them"
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


def _sizes(scans: list[Scan]) -> set[int]:
    return {image.size for s in scans for image in s.images if image.problem is None}


class _Refresh:
    """Brings the index up to date with scanned files, and says their ids by path.

    Unchanged files (same path, size and modification time) are not read again; files gone
    from disk are dropped, except below nested roots that this scan left out. Files whose
    size is in `digest_sizes` get a digest; a new needle whose digest is in `copies_of` is
    stored as a byte copy and not decoded.
    """

    def __init__(
        self,
        index: Index,
        jobs: int | None,
        progress: Progress,
        warnings: list[str],
        *,
        digest_sizes: set[int],
        copies_of: AbstractSet[bytes] = frozenset(),
        quick: bool = False,
    ) -> None:
        self._index = index
        self._jobs = jobs
        self._progress = progress
        self._warnings = warnings
        self._digest_sizes = digest_sizes
        self._copies_of = copies_of
        self._quick = quick

    def run(
        self, scans: list[Scan], exclude: dict[str, tuple[str, ...]], phase: str
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        stale: list[int] = []
        todo: list[Found] = []
        undigested: list[tuple[int, Found]] = []  # stored, but now a digest is wanted
        for s in scans:
            known = self._index.known_under(s.root)
            seen: set[bytes] = set()
            for image in s.images:
                key = os.fsencode(image.path)
                seen.add(key)
                row = known.get(key)
                fresh = (
                    row is not None
                    and row.size == image.size
                    and row.mtime_ns == image.mtime_ns
                    and image.problem is None
                    and (row.settled or row.digest in self._copies_of)
                    and (self._quick or not row.quick)
                )
                if row is not None and fresh:
                    ids[image.path] = row.id
                    if row.digest is None and image.size in self._digest_sizes:
                        undigested.append((row.id, image))
                else:
                    todo.append(image)
            skip = tuple(os.fsencode(root.rstrip(os.sep) + os.sep) for root in exclude[s.root])
            stale.extend(
                row.id for key, row in known.items() if key not in seen and not key.startswith(skip)
            )
        self._index.forget(stale)
        self._progress.start(phase, len(todo) + len(undigested))
        digests = _digests([image.path for _, image in undigested])
        self._index.set_digests(
            (id_, digest)
            for (id_, _), digest in zip(undigested, digests, strict=True)
            if digest is not None
        )
        self._progress.advance(len(undigested))
        copies, todo = self._copies(todo)
        ids.update(self._store(iter(copies)))
        ids.update(self._store(self._analyse(todo, quick=self._quick)))
        return ids

    def confirm(self, files: list[Found]) -> None:
        """Fingerprint in full files that were fingerprinted from their thumbnails."""
        self._progress.start("Confirming candidates", len(files))
        self._store(self._analyse(files, quick=False))

    def _analyse(self, todo: list[Found], *, quick: bool) -> Iterator[FileFacts]:
        return _analyse_all(todo, self._jobs, self._digest_sizes, quick, self._warnings)

    def _copies(self, todo: list[Found]) -> tuple[list[FileFacts], list[Found]]:
        """Byte copies of decoded haystack pictures among `todo`, and the rest of `todo`."""
        if not self._copies_of:
            return [], todo
        candidates = [i for i in todo if i.problem is None and i.size in self._digest_sizes]
        digests = _digests([image.path for image in candidates])
        copies = [
            FileFacts(image.path, image.size, image.mtime_ns, digest=digest)
            for image, digest in zip(candidates, digests, strict=True)
            if digest in self._copies_of
        ]
        taken = {facts.path for facts in copies}
        return copies, [image for image in todo if image.path not in taken]

    def _store(self, facts: Iterator[FileFacts]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for batch in _chunks(facts, _BATCH):
            self._index.store(batch)
            ids.update(self._index.ids_for(f.path for f in batch))
            self._progress.advance(len(batch))
        return ids


def _chunks(items: Iterator[FileFacts], size: int) -> Iterator[list[FileFacts]]:
    batch: list[FileFacts] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _digests(paths: list[str]) -> list[bytes | None]:
    """Digests of these files, in order; None for a file that cannot be read now."""
    if not paths:
        return []
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # hashlib releases the GIL
        return list(pool.map(_digest_or_none, paths))


def _digest_or_none(path: str) -> bytes | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def _analyse_all(
    todo: list[Found], jobs: int | None, digest_sizes: set[int], quick: bool, warnings: list[str]
) -> Iterator[FileFacts]:
    """Facts for each file, from worker processes when there is enough work for them."""
    for image in todo:
        if image.problem is not None:
            yield FileFacts(image.path, image.size, image.mtime_ns, reason=image.problem)
    work = [
        (i.path, i.size, i.mtime_ns, i.size in digest_sizes, quick)
        for i in todo
        if i.problem is None
    ]
    workers = min(jobs or os.cpu_count() or 1, len(work))
    done = 0
    heavy = not quick and sum(task[1] for task in work) >= _POOL_BYTES
    if workers > 1 and (len(work) >= _POOL_THRESHOLD or heavy):
        context = multiprocessing.get_context("forkserver")
        # Import the heavy modules once in the fork server, not once per worker.
        context.set_forkserver_preload(["reconcile.analyse"])
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)
        try:
            # Chunks save messages on long runs; on short ones the last chunk would keep one
            # worker busy while the others idle.
            chunksize = 4 if len(work) >= 64 * workers else 1
            for facts in pool.map(analyse_task, work, chunksize=chunksize):
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
