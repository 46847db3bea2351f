"""Copies inside one library: every library file judged against the rest of the library by
the same search, verification and rules as a backup file, and the verified pairs joined
into groups. A file is never its own copy (nor a link to the same bytes on disk: it takes no
room); a group holds only files linked to it by a verified pair, so bursts and other shots,
which are never `same`, never join one. Only what can be `same` is searched for (the pictures
as stored, not turned, cropped or widely): the `similar` pairs listed are the close ones.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Mapping, Sequence

from reconcile.disk.entries import Found
from reconcile.filetypes import extension, is_raw_name
from reconcile.library import roots as planning
from reconcile.library.judge import judge, withheld
from reconcile.library.side import Side, bring_in, walk
from reconcile.match.rules import Decision
from reconcile.match.verify import DEFAULT, Thresholds
from reconcile.progress import Progress, Silent
from reconcile.results import Copies, Copy, Group, Pair, Status
from reconcile.store.index import Index, remove_index
from reconcile.work.pool import FILE_SECONDS, Analyser, ProcessPool


def dupes(
    *,
    haystack: Sequence[str],
    db: str,
    keep_in: Sequence[str] = (),
    jobs: int | None = None,
    rebuild: bool = False,
    quick: bool = False,
    limits: Thresholds = DEFAULT,
    progress: Progress | None = None,
    analyser: Analyser | None = None,
    file_seconds: float = FILE_SECONDS,
    verify: bool = False,
) -> Copies:
    """The groups of copies in the library under `haystack`, and its `similar` pairs. Files
    under a `keep_in` folder are always kept."""
    started = time.monotonic()
    progress = progress or Silent()
    roots = planning.plan_library(haystack, db=db)
    kept_roots = tuple(os.path.realpath(os.path.abspath(path)) for path in keep_in)
    if rebuild:
        remove_index(db)
    with contextlib.ExitStack() as stack:
        index = stack.enter_context(Index(db))
        if analyser is None:
            analyser = stack.enter_context(ProcessPool(jobs, file_seconds=file_seconds))
        scans = walk(roots.haystack, roots.exclude, roots.all, progress, "Scanning library",
                     side="haystack")  # fmt: skip
        # Byte copies have equal sizes: files of a size that occurs twice get a digest.
        sizes = Counter(f.size for s in scans for f in s.media if f.problem is None)
        hay = bring_in(
            scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Indexing library", digest_sizes={n for n, k in sizes.items() if k > 1},
            quick=quick, verify=verify,
        )  # fmt: skip
        left_out = withheld(hay)
        judged = [id_ for id_ in hay.files if id_ not in left_out]
        decided = judge(
            hay, hay, index=index, analyser=analyser, progress=progress, limits=limits,
            ids=judged, refused=_itself(hay), copies=True,
        )  # fmt: skip
        paired = {d.match for d in decided.values() if d.status.imported and d.match is not None}
        paired |= {i for i, d in decided.items() if d.status.imported and d.match is not None}
        entries = index.entries(paired)  # for the pixels of the grouped files only
    dims: dict[int, tuple[int | None, int | None]] = {
        id_: (e.full.width, e.full.height) if e.full is not None else (None, None)
        for id_, e in entries.items()
    }
    groups = _groups(hay, decided, dims, kept_roots)
    group_of = {f.path: number for number, g in enumerate(groups) for f in g.files}
    similar = _similar(hay, decided, group_of)
    return Copies(
        haystack=roots.haystack,
        files=len(hay.files),
        groups=tuple(groups),
        similar=tuple(similar),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple([*roots.warnings, *hay.warnings]),
    )


def _itself(hay: Side) -> Mapping[int, frozenset[int]]:
    """Each file refused as its own match, and so is every file that is the same file on
    disk (a hard link, or a symlink the walk followed): a link takes no room."""
    by_inode: dict[tuple[int | None, int | None], list[int]] = {}
    for id_, found in hay.files.items():
        key = (found.device, found.inode) if found.inode is not None else (None, id_)
        by_inode.setdefault(key, []).append(id_)
    return {id_: frozenset(same) for same in by_inode.values() for id_ in same}


def _groups(
    hay: Side,
    decided: dict[int, Decision],
    dims: dict[int, tuple[int | None, int | None]],
    kept_roots: tuple[str, ...],
) -> list[Group]:
    """The verified pairs joined into groups (union-find), each with its keep."""
    edges = [
        (id_, d.match, d.status)
        for id_, d in decided.items()
        if d.status.imported and d.match is not None
    ]
    parent: dict[int, int] = {}

    def top(id_: int) -> int:
        while parent.get(id_, id_) != id_:
            id_ = parent[id_]
        return id_

    for a, b, _ in edges:
        ra, rb = top(a), top(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, set[int]] = {}
    alike: dict[int, bool] = {}
    for a, b, status in edges:
        group = top(a)
        members.setdefault(group, set()).update((a, b))
        alike[group] = alike.get(group, True) and status is Status.IDENTICAL
    groups = []
    for group, ids in members.items():
        files = sorted(
            (_copy(hay.files[i], dims.get(i, (None, None)), kept_roots) for i in ids),
            key=_keep_order,
        )
        redundant = tuple(f.path for f in files[1:] if not f.kept)
        status = Status.IDENTICAL if alike[group] else Status.SAME
        groups.append(Group(status, tuple(files), files[0].path, redundant))
    groups.sort(key=lambda g: (-g.redundant_bytes, g.keep))
    return groups


def _copy(found: Found, dims: tuple[int | None, int | None], kept: tuple[str, ...]) -> Copy:
    under = any(found.path.startswith(root.rstrip(os.sep) + os.sep) for root in kept)
    return Copy(found.path, found.size, dims[0], dims[1], found.name, under)


def _keep_order(copy: Copy) -> tuple[object, ...]:
    """The one to keep first: a --keep-in file, then the most pixels, then an original
    format over an export (RAW, then HEIC, then the rest, JPEG last), then the oldest."""
    pixels = (copy.width or 0) * (copy.height or 0)
    return (not copy.kept, -pixels, _format_rank(copy.path), _mtime(copy.path), copy.path)


def _format_rank(path: str) -> int:
    if is_raw_name(path):
        return 0
    ext = extension(path)
    if ext in (".heic", ".heif", ".avif"):
        return 1
    if ext in (".jpg", ".jpeg"):
        return 3
    return 2


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _similar(hay: Side, decided: dict[int, Decision], group_of: dict[str, int]) -> list[Pair]:
    """The `similar` pairs, each once, leaving out pairs within one group."""
    seen: set[frozenset[int]] = set()
    pairs = []
    for id_, decision in decided.items():
        if decision.status is not Status.SIMILAR or decision.match is None:
            continue
        key = frozenset((id_, decision.match))
        a, b = hay.files[id_].path, hay.files[decision.match].path
        if key in seen or (a in group_of and group_of.get(b) == group_of[a]):
            continue
        seen.add(key)
        first, second = sorted((a, b))
        pairs.append(Pair(first, second, decision.reason))
    pairs.sort(key=lambda p: (p.a, p.b))
    return pairs
