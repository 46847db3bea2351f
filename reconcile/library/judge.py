"""Judging one side's files against the library: the matcher asked, and what its rules need
fetched, until every file has a decision. Every command that matches comes here.

What rules may need: library files known only by their EXIF thumbnails fingerprinted in full
(`--quick`), and fine looks at pairs (both pictures decoded again by the workers at the
pair's size, what the look measured kept in the index until either file changes).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor

from reconcile.disk.entries import Found, Standing
from reconcile.facts import FileFacts, Fine, Task
from reconcile.filetypes import is_heif_name
from reconcile.library.side import Side
from reconcile.match import reasons
from reconcile.match.haystack import Haystack
from reconcile.match.matcher import Matcher
from reconcile.match.rules import Confirm, Decision, Look, Memo
from reconcile.match.verify import (
    DEFAULT,
    Comparison,
    Likeness,
    Thresholds,
    clip_difference,
    fine_difference,
    limits_token,
)
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
    refused: Mapping[int, AbstractSet[int]] | None = None,
    copies: bool = False,
) -> dict[int, Decision]:
    """The decision for each of `needles`' files (or only `ids` of them), by id. `links`:
    library files that are backup files themselves (see `library.links`); `refused`: by
    needle id, the library files the person decided it is not (see `library.decided`);
    `copies`: search only for what can be `same` (`candidates.search`)."""
    links = links or {}
    real_paths = (
        {id_: os.path.realpath(f.path) for id_, f in needles.files.items()} if links else {}
    )
    pending = list(needles.files if ids is None else ids)
    decided: dict[int, Decision] = {}
    looks: dict[tuple[int, int], Fine | None] = {}
    haystack = haystack_of(hay, index, limits)
    token = limits_token(limits)
    memo = Memo()
    kept: dict[tuple[str, int], FileFacts] = {}
    while pending:
        progress.start("Matching", len(pending))
        matcher = Matcher(haystack, limits=limits, withheld=withheld(hay), links=links,
                          real_paths=real_paths, refused=refused, copies=copies)  # fmt: skip
        matcher.memo = memo
        confirm: dict[int, set[int]] = {}  # library id: the long sides of looks to come
        asking: dict[int, set[tuple[int, int]]] = {}  # backup id: (library id, long side)
        wanted: dict[Look, None] = {}
        waiting: list[int] = []
        for start in range(0, len(pending), _CHUNK):
            chunk = pending[start : start + _CHUNK]
            entries = index.entries(chunk)
            memo.known.update(
                (key, Comparison(Likeness(v[0]), *v[1:]))
                for key, v in index.comparisons(chunk, token).items()
            )
            outcomes = matcher.decide(
                [entries[id_] for id_ in chunk if id_ in entries], looks=looks
            )
            for id_, outcome in outcomes.items():
                if isinstance(outcome, Decision):
                    decided[id_] = outcome
                    continue
                waiting.append(id_)
                if isinstance(outcome, Confirm):
                    sides = outcome.sizes or (0,) * len(outcome.ids)
                    for hay_id, side in zip(outcome.ids, sides, strict=True):
                        confirm.setdefault(hay_id, set()).add(side)
                        asking.setdefault(id_, set()).add((hay_id, side))
                elif isinstance(outcome, Look):
                    wanted[outcome] = None
            progress.advance(len(chunk))
        confirmed: dict[tuple[str, int], FileFacts] = {}
        if confirm:
            # Each round leaves fewer quick prints in the library, so this ends.
            assert hay.refresh is not None
            wanted_too, also = _looks_too(confirm, hay, asking, needles)
            confirmed = hay.refresh.confirm([hay.files[id_] for id_ in confirm], wanted_too,
                                            also)  # fmt: skip
            haystack = haystack_of(hay, index, limits)
        if wanted:
            looks.update(_fine_looks(list(wanted), needles, hay, index, analyser, progress,
                                     limits, kept))  # fmt: skip
        # What a confirmation decoded serves the looks that its files' pairs ask for next.
        kept = confirmed
        pending = waiting
    index.store_comparisons(
        {key: (c.verdict.value, c.score, c.colour, c.brightness, c.aspect_ok, c.correlation,
               c.gain) for key, c in memo.fresh.items()},
        token,
    )  # fmt: skip
    return decided


def _looks_too(
    confirm: Mapping[int, set[int]],
    hay: Side,
    asking: Mapping[int, set[tuple[int, int]]],
    needles: Side,
) -> tuple[dict[str, tuple[int, ...]], list[Task]]:
    """What a confirmation decodes beside its library files for the looks that may follow,
    as long as the pictures fit in _KEPT_BYTES (beyond, a look decodes again): by path, the
    long sides of the library files' own pictures (a HEIC's decode gives them anyway: see
    `media.decode.decoded_alike`), and look tasks for the backup files of pairs with such a
    HEIC, decoded beside it on cores its decode leaves free instead of after it. (Where the
    library's picture is not kept, a look decodes both anyway: nothing is gained by
    decoding the backup's early, and it is wasted if the pair proves unlike.)"""
    wanted: dict[str, tuple[int, ...]] = {}
    room = _KEPT_BYTES
    for id_, sides in confirm.items():
        fitting = tuple(sorted(side for side in sides if side > 0))
        needed = sum(3 * side * side for side in fitting)  # YCrCb, square at the most
        if fitting and needed <= room:
            wanted[hay.files[id_].path] = fitting
            room -= needed
    tasks = []
    for id_, pairs in asking.items():
        kept = {side for hay_id, side in pairs if is_heif_name(hay.files[hay_id].path)
                and side in wanted.get(hay.files[hay_id].path, ())}  # fmt: skip
        for side in sorted(kept):
            if 3 * side * side <= room:
                tasks.append(_look_task(needles.files[id_], side))
                room -= 3 * side * side
    return wanted, tasks


def _fine_looks(
    looks: list[Look],
    needles: Side,
    hay: Side,
    index: Index,
    analyser: Analyser,
    progress: Progress,
    limits: Thresholds,
    kept: Mapping[tuple[str, int], FileFacts] | None = None,
) -> dict[tuple[int, int], Fine | None]:
    """What fine looks at these pairs measure: kept ones from the index, the rest taken now
    (both files decoded again by the workers, at the pair's size, or a clip along its whole
    length; each file once a batch) and kept. None for a pair whose files could not both be
    read again. `kept`: pictures already decoded (by a confirmation), by (path, long side):
    those files are not decoded again."""
    kept = kept or {}
    found: dict[tuple[int, int], Fine | None] = dict(
        index.looks((look.needle, look.hay) for look in looks)
    )
    todo = sorted((look for look in looks if (look.needle, look.hay) not in found),
                  key=lambda look: (look.hay, look.size))  # fmt: skip
    if not todo:
        return found
    progress.start("Comparing in full", len(todo))
    for batch in _batches(todo):
        # Each file once for each size its pairs are compared at (0: a clip along its
        # length). Resampled twice (to the larger size, then the smaller), thin strokes
        # would lose contrast a copy's do not.
        wanted: dict[tuple[str, int], Found] = {}
        for look in batch:
            for file in (needles.files[look.needle], hay.files[look.hay]):
                if (file.path, look.size) not in kept:
                    wanted[(file.path, look.size)] = file
        tasks = [_look_task(f, size) for (_, size), f in wanted.items()]
        # Each pair is compared as soon as both its files are in, on threads (OpenCV lets go
        # of the GIL) while the workers decode the rest.
        needs: dict[tuple[str, int], list[Look]] = {}
        for look in batch:
            for path in (needles.files[look.needle].path, hay.files[look.hay].path):
                needs.setdefault((path, look.size), []).append(look)
        seen: dict[tuple[str, int], FileFacts] = {}
        comparing: dict[tuple[int, int], Future[Fine]] = {}
        already = [kept[key] for key in needs if key in kept]
        with ThreadPoolExecutor(_COMPARERS) as threads:
            for facts in itertools.chain(already, analyser.analyse(tasks) if tasks else ()):
                if facts.reason is not None or facts.look_size is None:
                    continue
                seen[(facts.path, facts.look_size)] = facts
                for look in needs.get((facts.path, facts.look_size), ()):
                    a = seen.get((needles.files[look.needle].path, look.size))
                    b = seen.get((hay.files[look.hay].path, look.size))
                    if a is not None and b is not None:
                        pair = (look.needle, look.hay)
                        comparing[pair] = threads.submit(_measured, look, a, b, limits)
            taken = {pair: future.result() for pair, future in comparing.items()}
        for look in batch:
            found[(look.needle, look.hay)] = taken.get((look.needle, look.hay))
            progress.advance()
        index.store_looks(taken)
    return found


def _look_task(file: Found, size: int) -> Task:
    return Task(file.path, file.size, file.mtime_ns, want_digest=False, kind=file.kind,
                look=size or None, along=not size)  # fmt: skip


def _measured(look: Look, a: FileFacts, b: FileFacts, limits: Thresholds) -> Fine:
    if look.clip:
        return clip_difference(a.frames, b.frames, limits, (a.looks, b.looks))
    assert a.look is not None and b.look is not None
    return fine_difference(a.look, b.look, limits, resampled=look.resampled,
                           half_colour=look.half_colour,
                           edges=look.flat)  # fmt: skip


def _batches(looks: list[Look]) -> list[list[Look]]:
    """The looks in batches whose pictures are held at once: fewer of clips, whose frames
    along their length take far more room than one picture."""
    batches: list[list[Look]] = []
    for look in looks:
        most = _CLIP_BATCH if look.clip else _LOOK_BATCH
        if not batches or len(batches[-1]) >= most or batches[-1][0].clip != look.clip:
            batches.append([])
        batches[-1].append(look)
    return batches


_LOOK_BATCH = 32  # pairs whose pictures are held at once (about 2 MB each)
# Pictures a confirmation hands back for the looks after it, at most (about 110 of 1024 px).
_KEPT_BYTES = 384 * 1024**2
_CLIP_BATCH = 4  # pairs of clips (up to 120 frames of CLIP_LOOK px each: about 13 MB a clip)
_COMPARERS = os.cpu_count() or 1
