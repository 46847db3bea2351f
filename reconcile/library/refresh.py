"""Bringing the index up to date with what a scan found: what to read again, and reading it.

Unchanged files (same path, size and modification time) are not read again; files gone from
disk are dropped, except below nested roots that the scan left out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor

from reconcile.disk.scan import Found, Scan
from reconcile.facts import FileFacts, Task
from reconcile.files import file_digest
from reconcile.progress import Progress
from reconcile.store.index import Index
from reconcile.work.pool import Analyser

BATCH = 128  # files per index transaction


class Refresh:
    """Brings one side's files into the index, and says their ids by path.

    Files whose size is in `digest_sizes` get a digest; a new needle whose digest is in
    `copies_of` is stored as a byte copy and not decoded.
    """

    def __init__(
        self,
        index: Index,
        analyser: Analyser,
        progress: Progress,
        *,
        digest_sizes: AbstractSet[int],
        copies_of: AbstractSet[bytes] = frozenset(),
        quick: bool = False,
    ) -> None:
        self._index = index
        self._analyser = analyser
        self._progress = progress
        self._digest_sizes = digest_sizes
        self._copies_of = copies_of
        self._quick = quick

    def run(
        self,
        scans: Sequence[Scan],
        exclude: dict[str, tuple[str, ...]],
        phase: str,
        *,
        leave_out: Callable[[Found], bool] | None = None,
    ) -> dict[str, int]:
        ids: dict[str, int] = {}
        stale: list[int] = []
        todo: list[Found] = []
        undigested: list[tuple[int, Found]] = []  # stored, but now a digest is wanted
        for s in scans:
            known = self._index.known_under(s.root)
            # A library's originals kept elsewhere ("referenced") are known by their paths.
            prefix = s.root.rstrip(os.sep) + os.sep
            known |= self._index.known_at(f.path for f in s.media if not f.path.startswith(prefix))
            seen: set[bytes] = set()
            for image in s.media:
                if leave_out is not None and leave_out(image):
                    continue
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
        digests = digests_of([image.path for _, image in undigested])
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
        for image in todo:
            if image.problem is not None:
                yield FileFacts(
                    image.path, image.size, image.mtime_ns, reason=image.problem, kind=image.kind
                )
        tasks = [
            Task(
                i.path,
                i.size,
                i.mtime_ns,
                want_digest=i.size in self._digest_sizes,
                quick=quick,
                kind=i.kind,
            )
            for i in todo
            if i.problem is None
        ]
        if tasks:
            yield from self._analyser.analyse(tasks)

    def _copies(self, todo: list[Found]) -> tuple[list[FileFacts], list[Found]]:
        """Byte copies of decoded haystack pictures among `todo`, and the rest of `todo`."""
        if not self._copies_of:
            return [], todo
        candidates = [i for i in todo if i.problem is None and i.size in self._digest_sizes]
        digests = digests_of([image.path for image in candidates])
        copies = [
            FileFacts(image.path, image.size, image.mtime_ns, digest=digest, kind=image.kind)
            for image, digest in zip(candidates, digests, strict=True)
            if digest in self._copies_of
        ]
        taken = {facts.path for facts in copies}
        return copies, [image for image in todo if image.path not in taken]

    def _store(self, facts: Iterator[FileFacts]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for batch in _chunks(facts, BATCH):
            ids.update(self._index.store(batch))
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


def digests_of(paths: list[str]) -> list[bytes | None]:
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
