"""Which needles the library covers: candidates searched for a batch of needles at once,
then each needle decided by the rules (`match.rules`), in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

from reconcile.facts import Entry, Fine
from reconcile.filetypes import Kind
from reconcile.match import rules
from reconcile.match.candidates import search
from reconcile.match.haystack import Haystack
from reconcile.match.rules import Decision, Memo, Outcome, World, is_flat
from reconcile.match.verify import DEFAULT, Thresholds

BATCH = 128  # needles searched at once: the search is vectorised over a batch's views


class Matcher:
    """Decides needles against one haystack."""

    def __init__(
        self,
        haystack: Haystack,
        *,
        limits: Thresholds = DEFAULT,
        withheld: Mapping[int, str] | None = None,
        links: Mapping[int, str] | None = None,
        real_paths: Mapping[int, str] | None = None,
        refused: Mapping[int, AbstractSet[int]] | None = None,
        copies: bool = False,
    ) -> None:
        self.haystack = haystack
        self.limits = limits
        self.withheld = withheld or {}
        self.links = links or {}
        self.real_paths = real_paths or {}
        self.refused = refused or {}
        self.copies = copies  # search only for what can be `same` (candidates.search)
        self.memo = Memo()  # pairs compared, before and now (the caller keeps the new ones)

    def decide(
        self,
        needles: Sequence[Entry],
        *,
        looks: Mapping[tuple[int, int], Fine | None] | None = None,
    ) -> dict[int, Outcome]:
        """Each needle's decision by id, or what its rules need first (`rules.Need`)."""
        looks = looks or {}
        out: dict[int, Outcome] = {}
        for start in range(0, len(needles), BATCH):
            batch = needles[start : start + BATCH]
            bare = World(self.haystack, limits=self.limits, withheld=self.withheld,
                         links=self.links, real_paths=self.real_paths,
                         refused=self.refused, memo=self.memo)  # fmt: skip
            searched = [n for n in batch if self._searched(n, bare)]
            hits = search(self.haystack, searched, self.limits, copies=self.copies)
            world = World(self.haystack, hits, looks, self.limits, self.withheld, self.links,
                          self.real_paths, self.refused, self.memo)  # fmt: skip
            for needle in batch:
                out[needle.id] = rules.decide(needle, world)
        return out

    def _searched(self, needle: Entry, world: World) -> bool:
        """Whether a needle needs its candidates: a picture with detail that no library file
        matches byte for byte (those are settled before any search)."""
        if needle.kind is not Kind.IMAGE or needle.full is None or is_flat(needle, self.limits):
            return False
        exact = rules.equal_bytes(needle, None, world)
        return not (isinstance(exact, Decision) and exact.settled)
