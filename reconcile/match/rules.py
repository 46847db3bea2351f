"""The matching rules, each one unit, in the order they are asked.

A needle's status comes from three kinds of rule:

- *Deciders* (`DECIDERS`) give a first answer: equal bytes, a video's frames, a picture
  without detail, a picture's verified candidates. They are asked in order until one gives a
  settled decision; an unsettled one (a byte copy only in the library's trash, say) may be
  bettered by a later decider.
- *Caps* (`CAPS`) limit what one pair of files can be: a RAW against the library's JPEG of it
  is at most `similar`, whatever the pixels say. The deciders rank their candidates after the
  caps, so that a pair that is `same` uncapped wins over one capped.
- *Refiners* (`REFINERS`) look again at a decision: a fine look, at the pictures' own size,
  at every pair about to be `same` (a 64 px thumbnail cannot see a blink or a changed word).

A rule may instead say what it needs before it can answer (`Confirm`, `Look`): the caller
gets it, fetches it (fingerprints in full, pixels at the pictures' own size) and asks again.
Rules never touch files, processes or SQLite: everything they see is in `World`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

import numpy as np

from reconcile.facts import CROPS, FINE, Entry, Fine, Fingerprint, View, ViewKind
from reconcile.filetypes import Kind, is_raw_name
from reconcile.match import reasons
from reconcile.match.candidates import Hit, Query, thumbnails
from reconcile.match.haystack import Haystack
from reconcile.match.verify import (
    DEFAULT,
    Comparison,
    Likeness,
    Thresholds,
    aspect_matches,
    compare,
    fine_limits,
    flat_colour_differences,
    frame_limits,
    same_limit,
)
from reconcile.media.fingerprint import ORIENTATIONS
from reconcile.results import Status


@dataclass(frozen=True, slots=True)
class Decision:
    """A needle's status and the library file that decided it."""

    status: Status
    match: int | None = None  # the library file's id
    distance: int | None = None
    reason: str | None = None
    # False: an answer a later decider may better (equal bytes only in the library's trash).
    settled: bool = True
    # The thumbnails' verdict is to be checked on the pictures themselves (see `fine_look`).
    look: bool = False
    # The pictures are flat to their thumbnails: a fine look calls them `same` only where it
    # finds sharp edges to verify, and its refusal says there is too little to verify.
    flat: bool = False


@dataclass(frozen=True, slots=True)
class Confirm:
    """The answer rests on library files fingerprinted from their EXIF thumbnails (--quick):
    fingerprint these in full, then ask again."""

    ids: tuple[int, ...]
    # The long side each would be looked at with this needle (`look_size`) should it be about
    # to be `same`: a file whose decode gives that picture anyway (a HEIC) hands it back with
    # its prints, and is not decoded a second time for the look.
    sizes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Look:
    """Compare these two pictures at `size` px on the long side (verify.fine_difference),
    then ask again."""

    needle: int
    hay: int
    size: int
    resampled: bool = True  # the two are not of one pixel size (see fine_difference)
    clip: bool = False  # two videos, compared along the whole clip (verify.clip_difference)
    # Compare colour at half `size` rather than a quarter (fine_difference, `half_colour`).
    half_colour: bool = False
    flat: bool = False  # flat to their thumbnails: measure the edges there are to verify


Need = Confirm | Look
Outcome = Decision | Need


PairKey = tuple[int, int, str]  # (needle id, library id, the views compared: _views)


@dataclass(slots=True)
class Memo:
    """Comparisons of pairs of thumbnails: those kept from earlier runs (`known`, read from
    the index for the needles asked about) and those made now (`fresh`, to be kept). A pair
    of unchanged files compares as it did: a warm run verifies nothing it verified before."""

    known: dict[PairKey, Comparison] = field(default_factory=dict)
    fresh: dict[PairKey, Comparison] = field(default_factory=dict)

    def get(self, key: PairKey) -> Comparison | None:
        return self.known.get(key) or self.fresh.get(key)


def _views(query: Query) -> str:
    """The views of a query, as a key: which view of the needle, turned how, against which
    of the library picture's."""
    return f"{_view_name(query.view)}/{query.orientation}/{_view_name(query.against)}"


def _view_name(view: View) -> str:
    return f"crop{view.crop}" if view.kind is ViewKind.CROP else view.kind.value


@dataclass(frozen=True, slots=True)
class World:
    """Everything the rules may see for one batch of needles."""

    haystack: Haystack
    candidates: Mapping[int, Sequence[Hit]] = field(default_factory=dict)  # by needle id
    # Fine looks taken: (needle id, library id) -> what they measured, or None where a file
    # could not be read again.
    looks: Mapping[tuple[int, int], Fine | None] = field(default_factory=dict)
    limits: Thresholds = DEFAULT
    # Library files the library does not keep as photos, with why (in its trash, not in its
    # catalogue): a match to one of them is at most `similar`.
    withheld: Mapping[int, str] = field(default_factory=dict)
    # Library files that are backup files themselves (a link, a hard link, a bind mount): the
    # real path of the backup file each is; and the needles' real paths, to say which.
    links: Mapping[int, str] = field(default_factory=dict)
    real_paths: Mapping[int, str] = field(default_factory=dict)
    # Library files the person decided a needle is not the same as (`reconcile decide
    # different`), by needle id: those pairs are never offered again.
    refused: Mapping[int, AbstractSet[int]] = field(default_factory=dict)
    # Comparisons already made, and those made while deciding (the caller keeps them).
    memo: Memo = field(default_factory=Memo)


def offered(needle: Entry, hay: int, world: World) -> bool:
    """Whether the library file `hay` may be the needle's match at all: not when the person
    decided that the two are different. Every decider asks it of every candidate."""
    return hay not in world.refused.get(needle.id, ())


Decider = Callable[[Entry, Decision | None, World], Outcome | None]
Cap = Callable[[Entry, Entry, World], str | None]
Refiner = Callable[[Entry, Decision, World], Outcome | None]


# --- caps -------------------------------------------------------------------------------


def raw_only_rendered(needle: Entry, hay: Entry, world: World) -> str | None:
    """A RAW whose shot the library holds only as a JPEG or other rendering is at most
    `similar`: the picture is there, the RAW's latitude is not."""
    if is_raw_name(needle.path) and not is_raw_name(hay.path):
        return reasons.RAW_ONLY_RENDERED
    return None


def not_kept(needle: Entry, hay: Entry, world: World) -> str | None:
    """A library file the library does not keep (in its trash, or not in its catalogue at
    all) holds nothing the person may count on: the needle is at most `similar`, saying why,
    and its folder is not complete."""
    return world.withheld.get(hay.id)


def linked_back(needle: Entry, hay: Entry, world: World) -> str | None:
    """A library file that is a backup file itself (a symlink into the backups, a hard link,
    a bind mount) is no copy: deleting the backup deletes it. At most `similar`."""
    target = world.links.get(hay.id)
    if target is None:
        return None
    if world.real_paths.get(needle.id, needle.path) == target:
        return reasons.THIS_FILE_LINKED
    return reasons.another_file_linked(target)


def other_pictures(needle: Entry, hay: Entry, world: World) -> str | None:
    """A file of several pictures (the pages of a TIFF, an animation's frames, an MPO's
    views) is the same as another only if every picture is: against a file of another count,
    or where one of the sampled pictures differs, it is at most `similar`. (The first picture
    is the deciders' to verify.) Equal bytes hold the same pictures however many: a byte
    copy is not decoded again, so only the library's side knows how many."""
    if needle.kind is not Kind.IMAGE or hay.kind is not Kind.IMAGE:
        return None
    if needle.digest is not None and needle.digest == hay.digest:
        return None
    if needle.pages != hay.pages:
        return reasons.other_pictures(needle.pages, hay.pages)
    if needle.pages == 1:
        return None
    if len(needle.frames) != len(hay.frames):
        return reasons.pictures_differ(needle.pages)
    for a, b in list(zip(needle.frames, hay.frames, strict=True))[1:]:
        result = compare(a.thumb_array(), b.thumb_array(), a, b, exact=True, limits=world.limits)
        if result.verdict is not Likeness.SAME:
            return reasons.pictures_differ(needle.pages)
    return None


def other_sound(needle: Entry, hay: Entry, world: World) -> str | None:
    """A clip with sound against one without (a muted copy is an edit, and the sound may be
    what matters): at most `similar`, whichever side lacks it."""
    if needle.kind is not Kind.VIDEO or hay.kind is not Kind.VIDEO:
        return None
    if needle.audio is None or hay.audio is None or needle.audio == hay.audio:
        return None
    return reasons.NO_SOUND_HERE if hay.audio else reasons.NO_SOUND_THERE


CAPS: tuple[Cap, ...] = (linked_back, not_kept, raw_only_rendered, other_pictures, other_sound)


def capped(needle: Entry, hay: Entry, world: World) -> str | None:
    """The reason the first cap gives for this pair, if any."""
    for cap in CAPS:
        reason = cap(needle, hay, world)
        if reason is not None:
            return reason
    return None


# --- deciders ---------------------------------------------------------------------------


def equal_bytes(needle: Entry, so_far: Decision | None, world: World) -> Outcome | None:
    """`identical` when a library file has the needle's bytes, and `unreadable` when the
    needle cannot be decoded (even if the library holds its bytes: we never count a file we
    cannot read). Equal bytes decode alike, so one side's decode vouches for both."""
    twins = world.haystack.twins.get(needle.digest or b"", [])
    usable = [
        t for t in twins if (t.decoded or needle.full is not None) and offered(needle, t.id, world)
    ]
    if needle.reason is not None or not (usable or needle.full is not None):
        reason = needle.reason or reasons.NOT_DECODED
        if twins:
            first = min(twins, key=lambda t: world.haystack.path(t.id))
            reason = reasons.same_bytes_elsewhere(reason, world.haystack.path(first.id))
        return Decision(Status.UNREADABLE, reason=reason)
    if not usable:
        return None
    entries = world.haystack.entries(t.id for t in usable)
    ranked = sorted(
        (t for t in usable if t.id in entries),
        key=lambda t: (not t.decoded, world.haystack.path(t.id)),
    )
    for twin in ranked:
        if capped(needle, entries[twin.id], world) is None:
            return Decision(Status.IDENTICAL, match=twin.id, distance=0)
    if not ranked:
        return None
    twin = ranked[0]
    return Decision(
        Status.SIMILAR, twin.id, 0, capped(needle, entries[twin.id], world), settled=False
    )


def video(needle: Entry, so_far: Decision | None, world: World) -> Outcome | None:
    """A video is `same` when a library video of the same length shows the same frames at
    every sample point; `similar` when some frames are alike (trimmed, edited, or another
    clip of the scene); `missing` otherwise. A video never matches a picture."""
    if needle.kind is not Kind.VIDEO:
        return None
    limits, table = world.limits, world.haystack.frames
    found: dict[int, int] = {}  # candidate video id: smallest hash distance
    for searcher, codes in (
        (table.by_dhash, [f.dhash for f in needle.frames]),
        (table.by_phash, [f.phash for f in needle.frames]),
    ):
        hits = searcher.search(np.array(codes, dtype=np.uint64), limits.radius)
        for _, ei, dist in zip(*(c.tolist() for c in hits), strict=True):
            id_ = int(table.ids[ei])
            found[id_] = min(dist, found.get(id_, dist))
    ranked = sorted(found.items(), key=lambda item: (item[1], world.haystack.path(item[0])))
    ranked = ranked[:_MAX_VIDEO_CANDIDATES]
    entries = world.haystack.entries(id_ for id_, _ in ranked)
    best: tuple[tuple[int, int, int], Decision] | None = None
    for id_, distance in ranked:
        hay = entries.get(id_)
        if hay is None or not offered(needle, id_, world):
            continue
        aligned, alike = _frame_pairs_alike(needle, hay, limits)
        if not alike:
            continue
        same_length = _same_length(needle.duration, hay.duration)
        cap = capped(needle, hay, world)
        if same_length and aligned == len(needle.frames) == len(hay.frames):
            # To be compared along the whole clip before it is `same` (clip_along).
            decision = Decision(Status.SAME, id_, distance, reasons.SAME_CLIP, look=True)
        elif same_length:
            decision = Decision(Status.SIMILAR, id_, distance, reasons.EDITED_CLIP)
        else:
            reason = reasons.trimmed_clip(needle.duration, hay.duration)
            decision = Decision(Status.SIMILAR, id_, distance, reason)
        if cap is not None:
            decision = Decision(Status.SIMILAR, id_, distance, cap)
        key = (_RANK[decision.status], -aligned, -alike)
        if best is None or key < best[0]:
            best = (key, decision)
    return best[1] if best else Decision(Status.MISSING, reason=reasons.NOTHING_CLOSE)


def without_detail(needle: Entry, so_far: Decision | None, world: World) -> Outcome | None:
    """A picture without detail (flat, dark, a smooth gradient): its thumbnails verify
    nothing, so a library picture of the same colours and shape makes it `similar` (to
    review), `same` only when a fine look at the pictures' own size finds nothing apart;
    otherwise `missing`."""
    if not is_flat(needle, world.limits):
        return None
    assert needle.full is not None
    flat, colours = world.haystack.flat()
    if not flat:
        return Decision(Status.MISSING, reason=reasons.TOO_FLAT)
    # Against every flat library picture at once: a library may hold thousands.
    differences = flat_colour_differences(colours, needle.full.colour_array().reshape(-1))
    near = [
        (float(differences[i]), world.haystack.path(flat[i][0]), flat[i][0])
        for i in _below(differences, world.limits.flat_colour)
        if aspect_matches(needle.full, flat[i][1], limits=world.limits)
        and offered(needle, flat[i][0], world)
    ]
    if not near:
        return Decision(Status.MISSING, reason=reasons.TOO_FLAT)
    entries = world.haystack.entries(id_ for _, _, id_ in near)
    ranked = sorted(near, key=lambda n: (capped(needle, entries[n[2]], world) is not None, n))
    match = ranked[0][2]
    cap = capped(needle, entries[match], world)
    # The thumbnails cannot tell, the pictures may: a settings screen, a page of text, is
    # flat at 64 px and full of strokes at its own size. A fine look there decides `same`
    # with the strict limit of detail (as for a pair the thumbnails refused).
    hay = entries[match].full
    look = cap is None and hay is not None and _large_enough(needle.full, hay, world.limits)
    return Decision(Status.SIMILAR, match, None, cap or reasons.FLAT_ALIKE, look=look, flat=True)


def pictures(needle: Entry, so_far: Decision | None, world: World) -> Outcome | None:
    """A picture against its candidates, each verified on the thumbnails (`verify.compare`):
    the best verified `same`, else the best `similar`, else `missing`. A candidate known
    only by its EXIF thumbnail proves nothing either way: the answer waits until it is
    fingerprinted in full, unless a `same` is found without it."""
    if needle.kind is not Kind.IMAGE or needle.full is None or is_flat(needle, world.limits):
        return None
    limits = world.limits
    hits = [h for h in world.candidates.get(needle.id, ()) if offered(needle, h.hay, world)]
    entries = world.haystack.entries(hit.hay for hit in hits)
    best: tuple[tuple[int, float, str], Decision] | None = None
    unconfirmed: dict[int, int] = {}  # library id: the long side of a look at the pair
    for hit in hits:
        hay = entries.get(hit.hay)
        if hay is None or not offered(needle, hit.hay, world):
            continue
        if hay.quick:
            unconfirmed[hit.hay] = look_size(needle.full, hay.full) if hay.full else 0
            continue
        query = hit.query
        needle_print = needle.trimmed if query.view.kind is ViewKind.TRIM else needle.full
        hay_print = hay.trimmed if query.against.kind is ViewKind.TRIM else hay.full
        if needle_print is None or hay_print is None:
            continue
        pair_key = (needle.id, hit.hay, _views(query))
        result = world.memo.get(pair_key)
        if result is None:
            pair = thumbnails(needle, query, hay)
            if pair is None:
                continue
            a, b, _, _ = pair
            result = compare(
                a, b, needle_print, hay_print, exact=query.exact,
                transposed=ORIENTATIONS[query.orientation][1], limits=limits,
            )  # fmt: skip
            world.memo.fresh[pair_key] = result
        if result.verdict is Likeness.DIFFERENT:
            continue
        if hit.distance > limits.radius and not _same_or_close(result, limits):
            continue  # found by the wide search, and not close enough for it
        if _wide_crop(query) and result.correlation < limits.crop_correlation:
            continue
        same = result.verdict is Likeness.SAME
        if same:
            reason = reasons.same_picture(
                needle_print.width, needle_print.height, hay_print.width, hay_print.height
            )
        else:
            reason = reasons.similar_picture(
                result,
                ORIENTATIONS[query.orientation][0] if query.orientation else None,
                trimmed="trim" in (query.view.kind.value, query.against.kind.value),
                cropped=_crop_reason(query),
                limits=limits,
            )
        cap = capped(needle, hay, world)
        if cap is not None:
            same, reason = False, cap
        look = cap is None and _lookable(query, needle, hay, limits) and _worth_a_fine_look(
            result, needle_print, hay_print, limits)  # fmt: skip
        status = Status.SAME if same else Status.SIMILAR
        decision = Decision(status, hit.hay, hit.distance, reason, look=look)
        key = (0 if same else 1, result.score, hay.path)
        if best is None or key < best[0]:
            best = (key, decision)
    if best is not None and best[1].status is Status.SAME:
        return best[1]  # nothing a confirmation could find would change the status
    if unconfirmed:
        return Confirm(tuple(unconfirmed), tuple(unconfirmed.values()))
    return best[1] if best else Decision(Status.MISSING, reason=reasons.NOTHING_CLOSE)


DECIDERS: tuple[Decider, ...] = (equal_bytes, video, without_detail, pictures)


# --- refiners ---------------------------------------------------------------------------


def fine_look(needle: Entry, decision: Decision, world: World) -> Outcome | None:
    """Every pair the thumbnails call `same`, and every pair they refuse by a little (fine
    regular detail: facades, fabric), is compared at the pictures' own size (up to
    facts.FINE px): `same` only when no region, no colour and no tone differs by more than
    the limits (verify.fine_difference). A `same` that cannot be looked at (a file gone
    mid-run) is `similar`: the look is what vouches for it. Pictures too small for a look
    keep the thumbnails' verdict, and say what could not be checked."""
    if decision.match is None or needle.full is None or needle.kind is not Kind.IMAGE:
        return None
    hay = world.haystack.entry(decision.match)
    if hay.full is None:
        return None
    if not decision.look:
        if decision.status is Status.SAME and decision.distance is not None:
            side = _smaller(needle.full, hay.full)
            return _replaced(decision, Status.SAME, reasons.checked_small(decision.reason,
                                                                          *side))  # fmt: skip
        return None
    pair = (needle.id, decision.match)
    if pair not in world.looks:
        resampled = (needle.full.width, needle.full.height) != (hay.full.width, hay.full.height)
        size = look_size(needle.full, hay.full)
        smaller = min(max(f.width, f.height) for f in (needle.full, hay.full))
        half_colour = smaller >= 2 * size or (resampled and size >= world.limits.fine_full)
        return Look(needle.id, decision.match, size, resampled, half_colour=half_colour,
                    flat=decision.flat)  # fmt: skip
    fine = world.looks[pair]
    if fine is None:
        if decision.status is Status.SAME:
            return _replaced(decision, Status.SIMILAR, reasons.FINE_FAILED)
        return _replaced(decision, Status.SIMILAR, decision.reason)
    # What the thumbnails called `same` needs a difference beyond what small pictures' copies
    # reach to be refused; what they refused (by its blocks: fine detail) needs no region to
    # differ beyond the strict limit to be accepted.
    resampled = (needle.full.width, needle.full.height) != (hay.full.width, hay.full.height)
    limits = fine_limits(fine, world.limits, resampled=resampled)
    if decision.status is not Status.SAME:
        limits = replace(limits, fine_detail=world.limits.fine_detail)
    if fine_same(fine, limits) and not (decision.flat and fine.edges < world.limits.flat_edges):
        said = decision.reason if decision.status is Status.SAME else None
        return _replaced(decision, Status.SAME, reasons.verified(said, fine, world.limits))
    if decision.flat:
        # A flat picture's look finds nothing sharp to verify, or apart mostly its noise,
        # stretched: say what was said, that there is too little to verify.
        return _replaced(decision, Status.SIMILAR, decision.reason)
    return _replaced(decision, Status.SIMILAR, reasons.fine_difference(fine, limits))


def _wide_crop(query: Query) -> bool:
    return any(v.kind is ViewKind.CROP and CROPS[v.crop].wide for v in (query.view, query.against))


def _crop_reason(query: Query) -> str | None:
    """How the pair of a query found by a crop view is cropped, in words."""
    if query.against.kind is ViewKind.CROP:
        return reasons.cropped_from(CROPS[query.against.crop].name)
    if query.view.kind is ViewKind.CROP:
        return reasons.cropped_here(CROPS[query.view.crop].name)
    return None


def look_size(needle: Fingerprint, hay: Fingerprint) -> int:
    """The long side a pair is compared at: the smaller picture's, at most facts.FINE; or a
    little less, when that lets the larger one be decoded at a quarter or an eighth of its
    size (a JPEG's DCT scaling: a 4000 px photo is compared at 1000 px, decoded at 1/4,
    rather than decoded at 1/2 and reduced to 1024)."""
    sides = sorted((max(needle.width, needle.height), max(hay.width, hay.height)))
    size = min(sides[0], FINE)
    for reduction in (8, 4, 2):
        if sides[1] // reduction >= _NEAR_ENOUGH * size:
            return min(size, sides[1] // reduction)
    return size


_NEAR_ENOUGH = 0.9  # of the size a fine look would compare at


def _smaller(a: Fingerprint, b: Fingerprint) -> tuple[int, int]:
    return (a.width, a.height) if a.width * a.height <= b.width * b.height else (b.width, b.height)


def clip_along(needle: Entry, decision: Decision, world: World) -> Outcome | None:
    """Two clips whose sampled frames are the same are compared along the whole clip, a
    frame a second (media.video.along): `same` only when every one is; a slide, a title or
    a scene replaced between the sample points makes it `similar`, saying where. A pair
    that cannot be read again is `similar`."""
    if needle.kind is not Kind.VIDEO or not decision.look or decision.match is None:
        return None
    pair = (needle.id, decision.match)
    if pair not in world.looks:
        return Look(needle.id, decision.match, 0, clip=True)
    along = world.looks[pair]
    if along is None:
        return _replaced(decision, Status.SIMILAR, reasons.ALONG_FAILED)
    if along.strokes == 0:
        return _replaced(decision, Status.SAME, reasons.same_along(decision.reason, along))
    return _replaced(decision, Status.SIMILAR, reasons.differs_along(along))


REFINERS: tuple[Refiner, ...] = (fine_look, clip_along)


# --- running them -------------------------------------------------------------------------


def decide(needle: Entry, world: World) -> Outcome:
    """The needle's decision by the rules in order, or what a rule needs first."""
    decision: Decision | None = None
    for decider in DECIDERS:
        if decision is not None and decision.settled:
            break
        outcome = decider(needle, decision, world)
        if outcome is None:
            continue
        if not isinstance(outcome, Decision):
            return outcome
        if decision is None or _RANK[outcome.status] < _RANK[decision.status]:
            decision = outcome
        elif outcome.settled:
            decision = _replaced(decision, decision.status, decision.reason, settled=True)
    if decision is None:
        decision = Decision(Status.MISSING, reason=reasons.NOTHING_CLOSE)
    for refiner in REFINERS:
        outcome = refiner(needle, decision, world)
        if outcome is None:
            continue
        if not isinstance(outcome, Decision):
            return outcome
        decision = outcome
    return decision


# Better answers first: a decider's answer replaces an earlier one only if it is better.
_RANK = {
    Status.IDENTICAL: 0,
    Status.SAME: 1,
    Status.SIMILAR: 2,
    Status.MISSING: 3,
    Status.UNREADABLE: 4,
}
_MAX_VIDEO_CANDIDATES = 24


def is_flat(entry: Entry, limits: Thresholds) -> bool:
    return entry.kind is Kind.IMAGE and entry.full is not None and entry.full.detail < limits.detail


def _replaced(
    decision: Decision, status: Status, reason: str | None, *, settled: bool = True
) -> Decision:
    return Decision(status, decision.match, decision.distance, reason, settled, look=False)


def _below(values: np.ndarray, limit: float) -> list[int]:
    return [int(i) for i in np.flatnonzero(values <= limit)]


def _lookable(query: Query, needle: Entry, hay: Entry, limits: Thresholds) -> bool:
    """Whether a fine look at the pictures as stored can decide a pair this query found: it
    compared them as stored, or both without their uniform borders, the pictures being of
    one shape (a page's white margins come out of a resized or re-encoded copy a little
    wider or narrower, which is no border added)."""
    if query.exact:
        return True
    trimmed = query.view.kind is ViewKind.TRIM and query.against.kind is ViewKind.TRIM
    return (
        trimmed
        and query.orientation == 0
        and needle.full is not None
        and hay.full is not None
        and aspect_matches(needle.full, hay.full, limits=limits)
    )


def _large_enough(needle: Fingerprint, hay: Fingerprint, limits: Thresholds) -> bool:
    """Whether both pictures show more than their thumbnails hold (`fine_from` px)."""
    return min(needle.width, needle.height, hay.width, hay.height) >= limits.fine_from


def _worth_a_fine_look(
    result: Comparison, needle: Fingerprint, hay: Fingerprint, limits: Thresholds
) -> bool:
    """Whether a pair is compared at the pictures' own size: both large enough to show more
    than the thumbnails, and the thumbnails call it `same`, or refuse it by the blocks alone
    and by little (colours, shape and size agree, the block score within `look_up_to` of the
    limit)."""
    if not _large_enough(needle, hay, limits):
        return False
    side = min(needle.width, needle.height, hay.width, hay.height)
    if result.verdict is Likeness.SAME:
        return True
    return (
        result.aspect_ok
        and result.colour <= limits.same_colour
        and result.score <= limits.look_up_to * same_limit(side, limits)
    )


def fine_same(fine: Fine, limits: Thresholds) -> bool:
    """Whether a fine look finds nothing that tells the pictures apart."""
    return (
        fine.detail <= limits.fine_detail
        and fine.colour <= limits.fine_colour
        and abs(fine.tone) <= limits.fine_tone
        and abs(fine.relative_tone) <= limits.fine_relative_tone
        and fine.tint <= limits.fine_tint
        and fine.strokes <= limits.fine_strokes
        and abs(fine.focus) <= limits.fine_focus
        and fine.plain <= limits.fine_plain
    )


def _same_or_close(result: Comparison, limits: Thresholds) -> bool:
    return result.verdict is Likeness.SAME or result.correlation >= limits.wide_correlation


def _same_length(a: float | None, b: float | None) -> bool:
    """Durations that agree within half a second or 2 % (containers round differently)."""
    if not a or not b:
        return False
    return abs(a - b) <= max(0.5, 0.02 * max(a, b))


def _frame_pairs_alike(needle: Entry, hay: Entry, limits: Thresholds) -> tuple[int, int]:
    """(frames at the same points that verify `same`, frame pairs at any points that are at
    least `similar`) between two videos."""
    limits = frame_limits(limits)
    aligned = 0
    alike = 0
    for i, nf in enumerate(needle.frames):
        for j, hf in enumerate(hay.frames):
            exact = i == j
            result = compare(nf.thumb_array(), hf.thumb_array(), nf, hf, exact=exact, limits=limits)
            if result.verdict is Likeness.DIFFERENT:
                continue
            alike += 1
            aligned += exact and result.verdict is Likeness.SAME
    return aligned, alike
