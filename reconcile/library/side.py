"""One side of a run (the library, or the backups) walked and brought into the index: every
media file under its roots, known from here on by its index id. Every command starts here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from reconcile.disk.scan import Found, Scan, scan
from reconcile.library.refresh import Refresh
from reconcile.progress import Progress
from reconcile.store.index import Index
from reconcile.work.pool import Analyser


@dataclass(slots=True)
class Side:
    """A side's walks and its media files by id (a file that was found but could not be
    indexed has no id, and no facts to match on: it does not occur)."""

    roots: tuple[str, ...]
    scans: list[Scan]
    files: dict[int, Found] = field(default_factory=dict)
    refresh: Refresh | None = None  # what brought it in: it fingerprints quick prints in full

    @property
    def paths(self) -> dict[int, str]:
        return {id_: found.path for id_, found in self.files.items()}

    @property
    def warnings(self) -> list[str]:
        return [w for s in self.scans for w in s.warnings]

    def sizes(self) -> set[int]:
        return {f.size for s in self.scans for f in s.media if f.problem is None}


def walk(
    roots: Sequence[str],
    exclude: dict[str, tuple[str, ...]],
    within: tuple[str, ...],
    progress: Progress,
    phase: str,
    *,
    side: str,
) -> list[Scan]:
    """Each root walked (see `disk.scan`), never entering `exclude[root]`."""
    progress.start(phase, len(roots))
    scans = []
    for root in roots:
        scans.append(scan(root, exclude=exclude[root], within=within, side=side))
        progress.advance()
    return scans


def bring_in(
    scans: list[Scan],
    exclude: dict[str, tuple[str, ...]],
    *,
    index: Index,
    analyser: Analyser,
    progress: Progress,
    phase: str,
    digest_sizes: AbstractSet[int],
    copies_of: AbstractSet[bytes] = frozenset(),
    quick: bool = False,
    heif_thumbnails: bool = False,
    leave_out: Callable[[Found], bool] | None = None,
    verify: bool = False,
) -> Side:
    """The side of these walks, its changed and new files analysed and stored, unchanged ones
    taken from the index. See `refresh.Refresh` for `digest_sizes`, `copies_of`, `quick`,
    `heif_thumbnails`, `verify`;
    `leave_out` says which found files need no facts (they are neither stored nor judged)."""
    refresh = Refresh(
        index, analyser, progress, digest_sizes=digest_sizes, copies_of=copies_of, quick=quick,
        heif_thumbnails=heif_thumbnails, verify=verify,
    )  # fmt: skip
    ids = refresh.run(scans, exclude, phase, leave_out=leave_out)
    files = {ids[f.path]: f for s in scans for f in s.media if f.path in ids}
    return Side(tuple(s.root for s in scans), scans, files, refresh)


def unread(side: Side, index: Index, *, shown: int = 3) -> list[str]:
    """A warning naming the library files that could not be read (the first `shown` of them,
    each with why): nothing is matched against them, so a backup copy of one is not found,
    and the person should know before trusting a `missing` or a `similar`."""
    reasons = index.reasons(side.files)
    if not reasons:
        return []
    named = sorted((side.files[id_].path, why) for id_, why in reasons.items())
    listed = "; ".join(f"{path}: {why}" for path, why in named[:shown])
    more = f"; and {len(named) - shown} more" if len(named) > shown else ""
    if len(named) == 1:
        files, them, one = "1 file", "it", "it"
    else:
        files, them, one = f"{len(named)} files", "them", "one"
    return [
        f"the library holds {files} that cannot be read ({listed}{more}): nothing is matched "
        f"against {them}, so a backup copy of {one} is not found in the library"
    ]
