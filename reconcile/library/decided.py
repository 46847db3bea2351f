"""The person's decisions brought into a run: looked up by the digests of the backup files
and of the library files they were made against, they take pairs out of the matcher's reach
(`different`) and stand over its answer (`same`, `unwanted`) where they still apply.

A decision applies while the backup file has the bytes it was made on (a changed file loses
it, a moved copy keeps it); a `same` needs a library file with its match's bytes still kept
by the library (not in its trash): otherwise the item gets the matcher's answer and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from reconcile.library.judge import withheld
from reconcile.library.side import Side
from reconcile.match import reasons
from reconcile.match.rules import Decision
from reconcile.results import Status, Verb
from reconcile.store.decisions import Decided, Decisions
from reconcile.store.index import Index


@dataclass(frozen=True, slots=True)
class Ruling:
    """The decisions that bear on one run: by needle id, and the library's files by digest."""

    by_needle: Mapping[int, list[Decided]] = field(default_factory=dict)
    hay_by_digest: Mapping[bytes, list[int]] = field(default_factory=dict)
    hay_paths: Mapping[int, str] = field(default_factory=dict)
    withheld: frozenset[int] = frozenset()  # library files it does not keep (its trash)
    # By needle id, the library files it was decided not to be (for the matcher).
    refused: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def apply(self, needle: int, decision: Decision) -> tuple[Decision, Verb | None]:
        """The needle's decision with the person's over it, and which of theirs applied."""
        decided = {d.verb: d for d in self.by_needle.get(needle, ())}
        was = (decision.status.value, decision.reason)
        if Verb.UNWANTED in decided:
            unwanted = replace(decision, status=Status.UNWANTED, reason=reasons.unwanted(*was))
            return unwanted, Verb.UNWANTED
        if Verb.SAME in decided:
            same = decided[Verb.SAME]
            held = self.hay_by_digest.get(same.match or b"", ())
            holders = sorted((h for h in held if h not in self.withheld), key=self._path)
            if not holders:
                reason = reasons.accepted_gone(decision.reason, same.match_path)
                return replace(decision, reason=reason), None
            if decision.status.imported:
                return decision, Verb.SAME
            match = decision.match if decision.match in holders else holders[0]
            distance = decision.distance if match == decision.match else None
            return Decision(Status.SAME, match, distance, reasons.accepted(*was)), Verb.SAME
        refused = self.refused.get(needle)
        if Verb.DIFFERENT in decided and refused:
            name = self._path(min(refused, key=self._path))
            other = decision.match is not None
            reason = reasons.decided_different(name, decision.reason, found_other=other)
            return replace(decision, reason=reason), Verb.DIFFERENT
        return decision, None

    def _path(self, id_: int) -> str:
        return self.hay_paths.get(id_, "")


def ruling(store: Decisions, needles: Side, hay: Side, index: Index) -> Ruling:
    """The decisions of `store` that bear on these backup files, and the library files (the
    ones the library keeps) whose bytes they were made against."""
    digests = {id_: digest for digest, id_, _ in index.digests(needles.files)}
    found = store.of(digests.values())
    by_needle = {id_: found[digest] for id_, digest in digests.items() if digest in found}
    if not by_needle:
        return Ruling()
    wanted = {d.match for ds in by_needle.values() for d in ds if d.match is not None}
    hay_by_digest: dict[bytes, list[int]] = {}
    for digest, id_, _ in index.digests(hay.files):
        if digest in wanted:
            hay_by_digest.setdefault(digest, []).append(id_)
    refused: dict[int, frozenset[int]] = {}
    for needle, decisions in by_needle.items():
        ids = {
            id_
            for d in decisions
            if d.verb is Verb.DIFFERENT and d.match is not None
            for id_ in hay_by_digest.get(d.match, ())
        }
        if ids:
            refused[needle] = frozenset(ids)
    return Ruling(by_needle, hay_by_digest, hay.paths, frozenset(withheld(hay)), refused)
