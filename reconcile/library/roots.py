"""The roots of a run: each given folder checked and made absolute, nested roots counted once,
each side kept out of the other's folders, and the index kept out of all of them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reconcile.disk.scan import check_root, inside
from reconcile.errors import IndexFileError, RootError


@dataclass(frozen=True, slots=True)
class Roots:
    """Both sides' roots, and per root the other side's roots its walk must not enter."""

    haystack: tuple[str, ...]
    needles: tuple[str, ...]
    exclude: dict[str, tuple[str, ...]]
    warnings: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.haystack, *self.needles)


def plan(haystack: Sequence[str], needles: Sequence[str], *, db: str) -> Roots:
    """The roots of a run of `needles` against `haystack`; RootError for a root that cannot
    be used, IndexFileError for an index that would be written inside one."""
    hay_roots, hay_nested = _outermost(_unique(check_root(path) for path in haystack), "haystack")
    needle_roots, nested = _outermost(_unique(check_root(path) for path in needles), "needles")
    for root in hay_roots:
        if root in needle_roots:
            raise RootError(f"{root}: given as both --haystack and --needles")
    exclude = {h: tuple(n for n in needle_roots if inside(n, h)) for h in hay_roots}
    exclude |= {n: tuple(h for h in hay_roots if inside(h, n)) for n in needle_roots}
    notes = [
        f"needles {n} lies inside haystack {h}: left out of the haystack"
        for h in hay_roots
        for n in exclude[h]
    ] + [
        f"haystack {h} lies inside needles {n}: left out of the needles"
        for n in needle_roots
        for h in exclude[n]
    ]
    refuse_index_inside(db, [*hay_roots, *needle_roots])
    return Roots(tuple(hay_roots), tuple(needle_roots), exclude, (*hay_nested, *nested, *notes))


def plan_library(haystack: Sequence[str], *, db: str) -> Roots:
    """The roots of a command that reads only the library (nested roots counted once)."""
    hay_roots, nested = _outermost(_unique(check_root(path) for path in haystack), "haystack")
    refuse_index_inside(db, hay_roots)
    return Roots(tuple(hay_roots), (), {h: () for h in hay_roots}, tuple(nested))


def refuse_index_inside(db: str, roots: Iterable[str]) -> None:
    """The index and its WAL files are never written inside the photo folders (a `--db` that
    names a photo, or a symlink into them, included)."""
    if db == ":memory:":
        return
    real = os.path.realpath(os.path.abspath(os.path.expanduser(db)))
    for root in roots:
        if real == root or inside(real, root):
            raise IndexFileError(
                f"{db}: the index would be written inside {root}; reconcile never writes "
                "under the haystack or needles: choose a --db outside them"
            )


def _unique(paths: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _outermost(roots: list[str], side: str) -> tuple[list[str], list[str]]:
    """Roots without those inside another one (whose files it holds already), and a warning
    for each left out: every file is counted once."""
    kept = [r for r in roots if not any(inside(r, other) for other in roots if other != r)]
    notes = [
        f"{side} {r} lies inside {side} {o}: counted once, as part of {o}"
        for r in roots
        if r not in kept
        for o in kept
        if inside(r, o)
    ]
    return kept, notes
