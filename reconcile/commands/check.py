"""The main job: which backup folders still hold photos and videos the library lacks. Both
sides walked and brought into the index, each backup file judged against the library, and the
report put together folder by folder."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from reconcile.disk.entries import Found, Scan, Standing
from reconcile.library import roots as planning
from reconcile.library.decided import Ruling, ruling
from reconcile.library.judge import judge
from reconcile.library.links import linked_into
from reconcile.library.links import warnings as link_warnings
from reconcile.library.side import Side, bring_in, unread, walk
from reconcile.match import reasons
from reconcile.match.rules import Decision
from reconcile.match.verify import DEFAULT, Thresholds
from reconcile.progress import Progress, Silent
from reconcile.results import ItemResult, OtherFile, Report, Status, folders
from reconcile.store.decisions import Decisions, decisions_path
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
    ignore_other: bool = False,
    verify: bool = False,
    decisions: str | None = None,
) -> Report:
    """Which needle items the haystack already holds, folder by folder.

    `quick` fingerprints haystack JPEGs from their embedded EXIF thumbnails, which skips
    decoding most of the library. Such a print only proposes candidates: a haystack file a
    needle might match is fingerprinted in full before any decision rests on it. Needles are
    always fingerprinted in full. Files are analysed by `analyser` (by default `jobs` worker
    processes here, each file allowed `file_seconds`). `ignore_other`: files reconcile cannot
    judge (a PSD, a ZIP) keep no folder from being complete. `verify` reads every unchanged
    file whole against its stored digest (bit rot shows in no file time). `decisions`: the
    file of the person's decisions (`reconcile decide`; by default beside the index).
    """
    started = time.monotonic()
    progress = progress or Silent()
    roots = planning.plan(haystack, needles, db=db)
    if rebuild:
        remove_index(db)
    with contextlib.ExitStack() as stack:
        index = stack.enter_context(Index(db))
        store = stack.enter_context(Decisions(decisions or decisions_path(db)))
        needle_sizes, match_sizes = store.sizes()
        if analyser is None:
            # Workers start when the first file needs them: a run with nothing to decode (an
            # unchanged library, a backup of byte copies) starts none.
            analyser = stack.enter_context(ProcessPool(jobs, file_seconds=file_seconds))
        hay_scans = walk(
            roots.haystack, roots.exclude, roots.all, progress, "Scanning haystack",
            side="haystack",
        )  # fmt: skip
        needle_scans = walk(
            roots.needles, roots.exclude, roots.all, progress, "Scanning needles", side="needles"
        )
        # Byte-identical copies have equal sizes: only files whose size is on both sides are
        # digested, and a needle whose digest is a decoded haystack picture's is not decoded.
        shared = Side((), hay_scans).sizes() & Side((), needle_scans).sizes()
        hay = bring_in(
            hay_scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Indexing haystack", digest_sizes=shared | match_sizes, quick=quick,
            heif_thumbnails=True, verify=verify,
        )  # fmt: skip
        copies = {digest for digest, _, decoded in index.digests(hay.files) if decoded}
        backups = bring_in(
            needle_scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Fingerprinting needles", digest_sizes=shared | needle_sizes, copies_of=copies,
            leave_out=_in_trash, verify=verify,
        )  # fmt: skip
        linked = linked_into(hay, roots.needles, backups)
        person = ruling(store, backups, hay, index)
        judged = judge(
            backups, hay, index=index, analyser=analyser, progress=progress, limits=limits,
            links=linked, refused=person.refused,
        )  # fmt: skip
        index.store_outcomes(
            roots.haystack, ((id_, d.status.value, d.match, d.reason) for id_, d in judged.items())
        )
        items = _items(backups, hay, judged, person, index.samples(backups.files))
        unreadable = unread(hay, index)
    warnings = [*roots.warnings, *hay.warnings, *unreadable, *backups.warnings]
    warnings += link_warnings(hay, linked)
    if roots.haystack and not hay.files:
        warnings.append("the haystack holds no photos or videos: nothing can be found in it")
    other = {(s.root, folder): count for s in needle_scans for folder, count in s.other.items()}
    unseen = [(s.root, folder, why) for s in needle_scans for folder, why in _unseen(s)]
    found = folders(items, other, unseen=unseen, ignore_other=ignore_other)
    media_folders = {(i.root, i.folder) for i in items}
    return Report(
        haystack=roots.haystack,
        needles=roots.needles,
        items=tuple(items),
        folders=found,
        other={key: count for key, count in other.items() if key not in media_folders},
        others=tuple(OtherFile(s.root, path) for s in needle_scans for path in s.other_files),
        libraries=tuple(n for s in (*hay_scans, *needle_scans) for n in s.libraries),
        skipped=sum(s.skipped for s in needle_scans),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple(warnings),
        ignore_other=ignore_other,
    )


def _in_trash(found: Found) -> bool:
    """A backup file in its old library's trash: not asked to be imported, so not judged."""
    return found.standing is Standing.TRASHED


def _unseen(scan: Scan) -> list[tuple[str, str]]:
    """A needles root's unseen folders with why (one line each), and the root itself when
    nothing in it was media."""
    why: dict[str, list[str]] = {}
    for folder, reason in scan.unseen:
        why.setdefault(folder, []).append(reason)
    if not scan.media and not scan.other_files and not why:
        why["."] = ["no photos or videos found here"]
    return [(folder, "; ".join(reasons)) for folder, reasons in why.items()]


def _items(
    backups: Side,
    hay: Side,
    judged: dict[int, Decision],
    person: Ruling,
    samples: dict[int, bytes],
) -> list[ItemResult]:
    """Every backup file once, in the order the walks found them, with the matcher's decision
    and the person's over it."""
    ids = {found.path: id_ for id_, found in backups.files.items()}
    items = []
    for found in (f for s in backups.scans for f in s.media):
        verb = None
        sample = None
        if _in_trash(found):
            decision = Decision(Status.TRASHED, reason=reasons.OLD_TRASH)
        else:
            decision, verb = person.apply(ids[found.path], judged[ids[found.path]])
            sample = samples.get(ids[found.path])
        match = hay.files[decision.match] if decision.match is not None else None
        items.append(
            ItemResult(
                root=found.root,
                path=found.relpath,
                status=decision.status,
                match=match.path if match is not None else None,
                distance=decision.distance,
                reason=decision.reason,
                kind=found.kind,
                name=found.name,
                match_name=match.name if match is not None else None,
                group=found.group,
                decision=verb,
                sample=sample.hex() if sample is not None else None,
            )
        )
    return items
