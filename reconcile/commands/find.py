"""Whether some photos are already in the library: each file judged as a backup file is, with
its match, against the library brought up to date as for a check. The files are not added to
the index: what was fingerprinted for them alone is dropped again at the end."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence

from reconcile.disk.entries import Found, Scan, classify
from reconcile.errors import RootError
from reconcile.library import roots as planning
from reconcile.library.decided import ruling
from reconcile.library.judge import judge
from reconcile.library.links import linked_into
from reconcile.library.side import bring_in, unread, walk
from reconcile.match.verify import DEFAULT, Thresholds
from reconcile.progress import Progress, Silent
from reconcile.results import ItemResult, OtherFile, Report, folders
from reconcile.store.decisions import Decisions, decisions_path
from reconcile.store.index import Index, remove_index
from reconcile.work.pool import FILE_SECONDS, Analyser, ProcessPool


def find(
    files: Sequence[str],
    *,
    haystack: Sequence[str],
    db: str,
    jobs: int | None = None,
    quick: bool = False,
    limits: Thresholds = DEFAULT,
    progress: Progress | None = None,
    analyser: Analyser | None = None,
    file_seconds: float = FILE_SECONDS,
    verify: bool = False,
    decisions: str | None = None,
    rebuild: bool = False,
) -> Report:
    """Each of `files` with the status a backup file gets (`identical`, `same`, `similar`,
    `missing`, `unreadable`) and its match in the library under `haystack`. A file that is
    not a photo or video is listed in `others`. RootError for a file that does not exist."""
    started = time.monotonic()
    progress = progress or Silent()
    roots = planning.plan_library(haystack, db=db)
    asked = [_asked(path) for path in files]
    if rebuild:
        remove_index(db)
    with contextlib.ExitStack() as stack:
        index = stack.enter_context(Index(db))
        store = stack.enter_context(Decisions(decisions or decisions_path(db)))
        if analyser is None:
            analyser = stack.enter_context(ProcessPool(jobs, file_seconds=file_seconds))
        hay_scans = walk(roots.haystack, roots.exclude, roots.all, progress, "Scanning library",
                         side="haystack")  # fmt: skip
        needle_sizes, match_sizes = store.sizes()
        sizes = {found.size for scan in asked for found in scan.media}
        hay = bring_in(
            hay_scans, roots.exclude, index=index, analyser=analyser, progress=progress,
            phase="Indexing library", digest_sizes=sizes | match_sizes, quick=quick,
            heif_thumbnails=True, verify=verify,
        )  # fmt: skip
        known = set(index.ids_for(f.path for scan in asked for f in scan.media).values())
        copies = {digest for digest, _, decoded in index.digests(hay.files) if decoded}
        looked = bring_in(
            asked, {scan.root: () for scan in asked}, index=index, analyser=analyser,
            progress=progress, phase="Fingerprinting", digest_sizes=sizes | needle_sizes,
            copies_of=copies,
        )  # fmt: skip
        unreadable = unread(hay, index)
        try:
            person = ruling(store, looked, hay, index)
            judged = judge(
                looked, hay, index=index, analyser=analyser, progress=progress, limits=limits,
                links=linked_into(hay, (), looked), refused=person.refused,
            )  # fmt: skip
        finally:
            index.forget(id_ for id_ in looked.files if id_ not in known and id_ not in hay.files)
    items = []
    for id_, found in looked.files.items():
        decision, verb = person.apply(id_, judged[id_])
        match = hay.files[decision.match] if decision.match is not None else None
        items.append(
            ItemResult(
                root=found.root, path=found.relpath, status=decision.status,
                match=match.path if match else None, distance=decision.distance,
                reason=decision.reason, kind=found.kind,
                match_name=match.name if match else None, decision=verb,
            )
        )  # fmt: skip
    others = tuple(OtherFile(s.root, p) for s in asked for p in s.other_files)
    return Report(
        haystack=roots.haystack,
        needles=tuple(dict.fromkeys(s.root for s in asked)),
        items=tuple(items),
        folders=folders(items),
        others=others,
        skipped=len(others),
        seconds=round(time.monotonic() - started, 2),
        warnings=tuple([*roots.warnings, *hay.warnings, *unreadable]),
    )


def _asked(path: str) -> Scan:
    """One file to look up, as a walk of its folder that found only it."""
    absolute = os.path.realpath(os.path.abspath(os.path.expanduser(path)))
    if not os.path.exists(absolute):
        raise RootError(f"{path}: no such file")
    if os.path.isdir(absolute):
        raise RootError(f"{path}: a folder (find takes files; check a folder with --needles)")
    folder, name = os.path.split(absolute)
    scan = Scan(root=folder, chosen=True)
    found = classify(folder, name, absolute)
    if isinstance(found, Found):
        scan.media.append(found)
    else:
        scan.other_files.append(name)
    return scan
