"""Bringing the index up to date with what a walk found: what to read again, and reading it.

A file is taken as unchanged only when its size, mtime, inode and ctime are what the index
holds (a file replaced under the same size and mtime, `touch -r`, a restore or a sync tool,
has another inode or ctime: no program can set a ctime) and its first and last blocks digest
as they did (`files.file_sample`). `verify` re-digests every unchanged file whole, for bit rot.
Files gone from disk are dropped, except below nested roots that the walk left out.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor

from reconcile.disk.scan import Found, Scan
from reconcile.facts import FileFacts, Task
from reconcile.files import file_digest, file_sample
from reconcile.filetypes import is_heif_name
from reconcile.progress import Progress
from reconcile.store.index import Index, Known
from reconcile.work.pool import Analyser

BATCH = 128  # files per index transaction


class Refresh:
    """Brings one side's files into the index, and says their ids by path.

    Files whose size is in `digest_sizes` get a digest; a new needle whose digest is in
    `copies_of` is stored as a byte copy and not decoded. `verify`: re-digest every file the
    index holds unchanged, and read again those whose bytes changed (or were never digested).

    `quick` fingerprints JPEGs from their EXIF thumbnails (--quick); `heif_thumbnails` (a
    library's side, in every run) fingerprints HEICs from the thumbnail a phone embeds, from
    EMBEDDED_HEIF_MIN_SIDE px: the same picture at 320 px, where libheif decodes a 12 MP
    HEIC at 13 times a JPEG's cost. Such prints only propose candidates: a candidate is
    fingerprinted in full (`confirm`) before any answer rests on it, and keeps that print.
    (An EXIF thumbnail is left to --quick: 160 px, letterboxed or stale after an edit.)
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
        heif_thumbnails: bool = False,
        verify: bool = False,
    ) -> None:
        self._index = index
        self._analyser = analyser
        self._progress = progress
        self._digest_sizes = digest_sizes
        self._copies_of = copies_of
        self._quick = quick
        self._heif = heif_thumbnails
        self._verify = verify
        self._full_digest: set[str] = set()  # paths to digest whole whatever their size

    def run(
        self,
        scans: Sequence[Scan],
        exclude: dict[str, tuple[str, ...]],
        phase: str,
        *,
        leave_out: Callable[[Found], bool] | None = None,
    ) -> dict[str, int]:
        stale: list[int] = []
        unchanged: list[tuple[Known, Found]] = []  # as far as size and times tell
        todo: list[Found] = []
        for s in scans:
            if s.chosen:
                known = self._index.known_at(f.path for f in s.media)
                for found in s.media:
                    row = known.get(os.fsencode(found.path))
                    if row is not None and self._same_on_disk(row, found):
                        unchanged.append((row, found))
                    else:
                        todo.append(found)
                continue
            known = self._index.known_under(s.root)
            # A library's originals kept elsewhere ("referenced") are known by their paths.
            prefix = s.root.rstrip(os.sep) + os.sep
            known |= self._index.known_at(f.path for f in s.media if not f.path.startswith(prefix))
            seen: set[bytes] = set()
            for found in s.media:
                if leave_out is not None and leave_out(found):
                    continue
                key = os.fsencode(found.path)
                seen.add(key)
                row = known.get(key)
                if row is not None and self._same_on_disk(row, found):
                    unchanged.append((row, found))
                else:
                    todo.append(found)
            skip = tuple(os.fsencode(root.rstrip(os.sep) + os.sep) for root in exclude[s.root])
            stale.extend(
                row.id for key, row in known.items() if key not in seen and not key.startswith(skip)
            )
        self._index.forget(stale)
        ids, changed, undigested = self._check(unchanged)
        todo.extend(changed)
        self._progress.start(phase, len(todo) + len(undigested))
        digests = digests_of([found.path for _, found in undigested])
        self._index.set_digests(
            (id_, digest)
            for (id_, _), digest in zip(undigested, digests, strict=True)
            if digest is not None
        )
        self._progress.advance(len(undigested))
        copies, todo = self._copies(todo)
        ids.update(self._store(iter(copies)))
        ids.update(self._store(self._analyse(todo, quick=self._quick, heif=self._heif)))
        return ids

    def confirm(
        self,
        files: list[Found],
        looks: Mapping[str, tuple[int, ...]] | None = None,
        also: Sequence[Task] = (),
    ) -> dict[tuple[str, int], FileFacts]:
        """Fingerprint in full files that were fingerprinted from their thumbnails. `looks`:
        by path, the long sides at which a file may be looked at next; where its decode gives
        those pictures anyway (a HEIC), they come back by (path, long side), as a look task's
        facts would, and the file need not be decoded again for them. `also`: look tasks
        (of other files) run in the same batch, their facts kept the same way (a picture that
        could not be read is left out: its look will say so)."""
        self._progress.start("Confirming candidates", len(files))
        kept: dict[tuple[str, int], FileFacts] = {}

        def taking(analysed: Iterator[FileFacts]) -> Iterator[FileFacts]:
            for facts in analysed:
                if facts.look_size is not None:  # one of `also`: a picture, nothing to store
                    if facts.look is not None:
                        kept[(facts.path, facts.look_size)] = facts
                    continue
                for side, picture in facts.looks_too:
                    kept[(facts.path, side)] = FileFacts(
                        facts.path, facts.size, facts.mtime_ns, kind=facts.kind, look=picture,
                        look_size=side,
                    )  # fmt: skip
                yield dataclasses.replace(facts, looks_too=()) if facts.looks_too else facts

        self._store(taking(self._analyse(files, quick=False, looks=looks or {}, also=also)))
        return kept

    def _same_on_disk(self, row: Known, found: Found) -> bool:
        """Whether the walk sees the file the index holds, by what `stat` tells: the same
        size and mtime, the same inode and ctime where the index knows them, and facts that
        are complete for this run."""
        if found.problem is not None or (row.size, row.mtime_ns) != (found.size, found.mtime_ns):
            return False
        if not (row.settled or row.digest in self._copies_of):
            return False  # a byte copy whose library twin is gone: to decode now
        if row.quick and not (self._quick or (self._heif and is_heif_name(found.path))):
            return False  # a thumbnail's print, and this run wants the picture's
        if row.inode is None or row.ctime_ns is None:
            return True  # indexed before schema 6: the sample decides, and the identity is kept
        return (row.inode, row.ctime_ns) == (found.inode, found.ctime_ns)

    def _check(
        self, unchanged: list[tuple[Known, Found]]
    ) -> tuple[dict[str, int], list[Found], list[tuple[int, Found]]]:
        """The files whose bytes are still what the index holds, by id; the rest, to read
        again; and those of the first that now need a digest (a file of their size is on the
        other side). Each file's first and last blocks are read (`verify`: all of it)."""
        self._progress.start("Checking unchanged files", len(unchanged))
        samples = _threaded(_sample_or_none, [found.path for _, found in unchanged])
        digests = (
            _threaded(_digest_or_none, [found.path for _, found in unchanged])
            if self._verify
            else [None] * len(unchanged)
        )
        ids: dict[str, int] = {}
        changed: list[Found] = []
        undigested: list[tuple[int, Found]] = []
        identities: list[tuple[int, int, int, bytes]] = []
        for (row, found), sample, digest in zip(unchanged, samples, digests, strict=True):
            if sample is None or (row.sample is not None and sample != row.sample):
                changed.append(found)  # replaced in place, damaged, or gone since the walk
                continue
            if self._verify and (row.digest is None or digest != row.digest):
                self._full_digest.add(found.path)
                changed.append(found)  # bit rot, or never digested: read it again whole
                continue
            ids[found.path] = row.id
            if row.inode is None or row.sample is None:
                assert found.inode is not None and found.ctime_ns is not None
                identities.append((row.id, found.inode, found.ctime_ns, sample))
            if row.digest is None and found.size in self._digest_sizes:
                undigested.append((row.id, found))
        self._index.set_identity(identities)
        self._progress.advance(len(unchanged))
        return ids, changed, undigested

    def _analyse(
        self,
        todo: list[Found],
        *,
        quick: bool,
        heif: bool = False,
        looks: Mapping[str, tuple[int, ...]] | None = None,
        also: Sequence[Task] = (),
    ) -> Iterator[FileFacts]:
        for found in todo:
            if found.problem is not None:
                yield FileFacts(
                    found.path, found.size, found.mtime_ns, reason=found.problem,
                    kind=found.kind, inode=found.inode, ctime_ns=found.ctime_ns,
                )  # fmt: skip
        tasks = [
            Task(
                f.path,
                f.size,
                f.mtime_ns,
                want_digest=f.size in self._digest_sizes or f.path in self._full_digest,
                quick=quick,
                heif_thumbnail=heif,
                kind=f.kind,
                inode=f.inode,
                ctime_ns=f.ctime_ns,
                looks_too=looks.get(f.path, ()) if looks else (),
            )
            for f in todo
            if f.problem is None
        ]
        tasks += also
        if tasks:
            yield from self._analyser.analyse(tasks)

    def _copies(self, todo: list[Found]) -> tuple[list[FileFacts], list[Found]]:
        """Byte copies of decoded haystack pictures among `todo`, and the rest of `todo`."""
        if not self._copies_of:
            return [], todo
        candidates = [i for i in todo if i.problem is None and i.size in self._digest_sizes]
        digests = _threaded(_digest_or_none, [found.path for found in candidates])
        copies = [
            (found, digest)
            for found, digest in zip(candidates, digests, strict=True)
            if digest in self._copies_of
        ]
        samples = _threaded(_sample_or_none, [found.path for found, _ in copies])
        facts = [
            FileFacts(
                f.path,
                f.size,
                f.mtime_ns,
                digest=digest,
                kind=f.kind,
                inode=f.inode,
                ctime_ns=f.ctime_ns,
                sample=sample,
            )
            for (f, digest), sample in zip(copies, samples, strict=True)
        ]
        taken = {f.path for f in facts}
        return facts, [found for found in todo if found.path not in taken]

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


def _threaded(read: Callable[[str], bytes | None], paths: Sequence[str]) -> list[bytes | None]:
    """`read` of each path, in order, on a thread per core (hashlib and reads release the
    GIL)."""
    if not paths:
        return []
    if len(paths) < 8:
        return [read(path) for path in paths]
    # One task per chunk of paths: a future per file costs more than reading its 16 KB.
    size = max(8, min(256, len(paths) // (4 * (os.cpu_count() or 1))))
    chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        done = pool.map(lambda chunk: [read(path) for path in chunk], chunks)
        return [value for chunk in done for value in chunk]


def digests_of(paths: list[str]) -> list[bytes | None]:
    """Digests of these files, in order; None for a file that cannot be read now."""
    return _threaded(_digest_or_none, paths)


def _digest_or_none(path: str) -> bytes | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def _sample_or_none(path: str) -> bytes | None:
    try:
        return file_sample(path)
    except OSError:
        return None
