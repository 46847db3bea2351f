"""Recording what the person decided in review: of a backup file (or every one in a folder)
as the last check with this index left it, or the choices saved by the review page.

A choice is recorded only for a file that is as it was judged (its size and first and last
blocks, as the index took them; and, from the page, as the page showed it): a decision about
a file that changed since would be about a picture nobody looked at. Nothing under the
library or the backups is written: files are only read, for their digests.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconcile.errors import ReconcileError
from reconcile.files import file_digest, file_sample
from reconcile.results import Status, Verb
from reconcile.store.decisions import Decided, Decisions, decisions_path
from reconcile.store.index import Index, LastResult
from reconcile.store.schema import Owner, owner

UNDO = "undo"
PAGE_FORMAT = "reconcile-decisions"  # what a file saved by the review page says it is
PAGE_VERSION = 1


class DecideError(ReconcileError):
    """Nothing could be recorded: no index, a damaged decisions file, another library's."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One thing the person chose: a verb (or `undo`) for a backup file or folder. From the
    review page it carries what the file was when the page was made (`sample`, hex) and the
    match it was shown beside."""

    verb: str
    path: str
    sample: str | None = None
    match: str | None = None


@dataclass(slots=True)
class Recorded:
    """What a `decide` did: the decisions recorded, the files whose decisions were undone,
    and a line for each choice that was not recorded, and for each item a folder's choice
    left alone."""

    recorded: list[Decided] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def decide(choices: Sequence[Choice], *, db: str, decisions: str | None = None) -> Recorded:
    """Record `choices` (all of them in one transaction). A choice that cannot be recorded
    is refused with a reason; the others are recorded."""
    done = Recorded()
    with _index(db) as index:
        wanted: list[Decided] = []
        undo: list[bytes] = []
        for choice in choices:
            path = os.path.abspath(choice.path)
            results = index.last_results(path)
            if not results:  # named through a link (the roots are stored as real paths)
                path = os.path.realpath(path)
                results = index.last_results(path)
            if not results:
                done.refused.append(f"{choice.path}: not a backup file of the last check with "
                                    "this index (check it first)")  # fmt: skip
                continue
            folder = len(results) > 1 or results[0].path != path
            for result in results:
                _one(choice, result, folder=folder, done=done, wanted=wanted, undo=undo)
    with Decisions(decisions or decisions_path(db), create=True) as store:
        store.record(wanted, undo)
    done.recorded = wanted
    return done


def choices_from(path: str, *, db: str) -> list[Choice]:
    """The choices in a file the review page saved, checked to be such a file and made for
    the library this index's last check was of."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise DecideError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DecideError(
            f"{path}: not a decisions file saved by the review page ({error})"
        ) from None
    if not isinstance(data, dict) or data.get("format") != PAGE_FORMAT:
        raise DecideError(f"{path}: not a decisions file saved by the review page")
    if data.get("version") != PAGE_VERSION:
        raise DecideError(f"{path}: decisions file of version {data.get('version')!r}; this "
                          f"reconcile reads version {PAGE_VERSION}")  # fmt: skip
    with _index(db) as index:
        library = index.last_haystack()
    made_for = data.get("haystack")
    if library is None or list(library) != made_for:
        raise DecideError(
            f"{path}: made for the library {_roots(made_for)}, but the last check with this "
            f"index was of {_roots(library)}: nothing recorded"
        )
    try:
        return [_choice(entry) for entry in data["choices"]]
    except (KeyError, TypeError, ValueError) as error:
        raise DecideError(
            f"{path}: a choice in it is damaged ({error}): nothing recorded"
        ) from None


def listed(*, db: str, decisions: str | None = None) -> list[Decided]:
    """Every decision kept for this index, oldest first."""
    with Decisions(decisions or decisions_path(db)) as store:
        return store.all()


def as_json(decided: Iterable[Decided]) -> list[dict[str, Any]]:
    """Decisions as JSON-able records (docs/report-format.md, `decide --list`)."""
    return [
        {
            "decision": d.verb.value,
            "path": d.path,
            "match": d.match_path,
            "was": d.was,
            "decided": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(d.decided)),
            "digest": d.needle.hex(),
            "match_digest": d.match.hex() if d.match else None,
        }
        for d in decided
    ]


def _one(
    choice: Choice,
    result: LastResult,
    *,
    folder: bool,
    done: Recorded,
    wanted: list[Decided],
    undo: list[bytes],
) -> None:
    """One backup file's part of a choice: refused, left alone, or added to `wanted`."""
    path = result.path
    try:
        now = file_sample(path)
    except OSError as error:
        done.refused.append(f"{path}: cannot be read ({error.strerror or error})")
        return
    if now != result.sample or (choice.sample is not None and choice.sample != now.hex()):
        since = "the page was made" if choice.sample is not None else "the last check"
        done.refused.append(f"{path}: changed since {since}: check it again before deciding")
        return
    try:
        digest = file_digest(path)
    except OSError as error:
        done.refused.append(f"{path}: cannot be read ({error.strerror or error})")
        return
    if choice.verb == UNDO:
        undo.append(digest)
        done.undone.append(path)
        return
    verb = Verb(choice.verb)
    was = f"{result.status}: {result.reason}" if result.reason else result.status
    if verb is Verb.UNWANTED:
        wanted.append(Decided(verb, digest, result.size, path, was=was))
        return
    match = choice.match or result.match
    if match is None:
        why = (
            "has no match in the library (`unwanted` is for a file you do not want)"
            if verb is Verb.SAME
            else "has no match in the library to be different from"
        )
        (done.left if folder else done.refused).append(f"{path}: {why}")
        return
    if verb is Verb.SAME and result.status == Status.IDENTICAL.value:
        done.left.append(f"{path}: already identical to a library file")
        return
    try:
        match_digest = file_digest(match)
        match_size = os.stat(match).st_size
    except OSError as error:
        done.refused.append(f"{path}: its match {match} cannot be read ({error.strerror})")
        return
    wanted.append(Decided(verb, digest, result.size, path, match_digest, match_size, match, was))


def _choice(entry: Any) -> Choice:
    verb = entry["choice"]
    if verb != UNDO:
        Verb(verb)  # ValueError for anything else
    path, sample, match = entry["path"], entry.get("sample"), entry.get("match")
    texts = all(v is None or isinstance(v, str) for v in (sample, match))
    if not isinstance(path, str) or not texts:
        raise ValueError(f"paths and samples are text: {entry!r}")
    return Choice(verb, path, sample, match)


def _index(db: str) -> Index:
    """The index, which must exist: decisions are about what its last check found."""
    if owner(db) is Owner.NONE:
        raise DecideError(
            f"{db}: no index here: run `reconcile --haystack ... --needles ...` first, then "
            "decide what it found"
        )
    return Index(db)


def _roots(roots: object) -> str:
    if isinstance(roots, list | tuple) and roots:
        return ", ".join(str(r) for r in roots)
    return "(none)"
