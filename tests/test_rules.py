"""Each matching rule on its own, on fingerprints made from arrays: no SQLite, no process.
The haystack is built from entries in memory (`Haystack.of`)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from conftest import resized, scene, verified

from reconcile.facts import Entry, Fine, Fingerprint
from reconcile.filetypes import Kind
from reconcile.match import reasons, rules
from reconcile.match.candidates import search
from reconcile.match.haystack import Haystack
from reconcile.match.matcher import Matcher
from reconcile.match.rules import Confirm, Decision, Look, World
from reconcile.match.verify import DEFAULT
from reconcile.media.fingerprint import fingerprint
from reconcile.results import Status


def _print(rgb: np.ndarray) -> Fingerprint:
    return fingerprint(rgb, width=rgb.shape[1], height=rgb.shape[0])


def _entry(id_: int, path: str, rgb: np.ndarray | None, **facts: object) -> Entry:
    base: dict[str, object] = {
        "digest": None, "full": _print(rgb) if rgb is not None else None, "trimmed": None,
        "reason": None,
    }  # fmt: skip
    return Entry(id_, path, **{**base, **facts})  # type: ignore[arg-type]


def _world(library: list[Entry], needles: list[Entry] = (), **evidence: object) -> World:  # type: ignore[assignment]
    haystack = Haystack.of(library)
    pictures = [n for n in needles if n.full is not None and n.kind is Kind.IMAGE]
    hits = search(haystack, pictures, DEFAULT)
    return World(haystack, hits, **evidence)  # type: ignore[arg-type]


PHOTO = scene(11, 480, 640)
_NOTHING_APART = Fine(320, 240, 1.0, 1.0, 0.2, 0.1, (0.5, 0.5))  # what a copy's fine look finds
OTHER = scene(12, 480, 640)


def _burst(photo: np.ndarray) -> np.ndarray:
    """The same scene a moment later: one region moved."""
    shot = photo.copy()
    shot[150:300, 200:350] = photo[150:300, 240:390]
    return shot


def test_equal_bytes_is_identical_and_an_undecodable_needle_is_unreadable() -> None:
    """A library file with the needle's bytes makes it `identical`, even when the needle was
    not decoded itself (a byte copy of a decoded library picture); a needle that cannot be
    decoded is `unreadable`, and says so when the library holds its very bytes."""
    library = [_entry(1, "/lib/a.jpg", PHOTO, digest=b"a" * 16)]
    copy = _entry(7, "/bak/a.jpg", None, digest=b"a" * 16)  # stored as a byte copy
    world = _world(library)
    assert rules.equal_bytes(copy, None, world) == Decision(Status.IDENTICAL, 1, 0)
    broken = _entry(8, "/bak/b.jpg", None, digest=b"a" * 16, reason="truncated image data")
    decision = rules.equal_bytes(broken, None, world)
    assert decision == Decision(
        Status.UNREADABLE,
        reason="truncated image data (the same bytes are in the haystack: /lib/a.jpg)",
    )
    assert rules.equal_bytes(_entry(9, "/bak/c.jpg", OTHER, digest=b"c" * 16), None, world) is None


def test_a_raw_against_the_librarys_jpeg_of_it_is_capped_at_similar() -> None:
    """The same pixels as a RAW and as a JPEG: the RAW is `similar`, with the RAW reason, and
    a RAW copy in the library wins over a closer JPEG."""
    needle = _entry(5, "/bak/IMG_1.DNG", PHOTO)
    jpeg = _entry(1, "/lib/IMG_1.jpg", PHOTO)
    assert rules.raw_only_rendered(needle, jpeg, _world([jpeg])) == reasons.RAW_ONLY_RENDERED
    world = _world([jpeg], [needle])
    decision = rules.pictures(needle, None, world)
    assert decision == Decision(Status.SIMILAR, 1, 0, reasons.RAW_ONLY_RENDERED)
    raw = _entry(2, "/lib/IMG_1.dng", resized(PHOTO, 0.5))
    world = _world([jpeg, raw], [needle])
    decision = rules.pictures(needle, None, world)
    assert isinstance(decision, Decision)
    assert (decision.status, decision.match) == (Status.SAME, 2)


def test_pictures_are_same_when_verified_similar_when_a_region_moved() -> None:
    """A half-size copy is `same` with the sizes in its reason; a burst shot (one region
    moved) is `similar`; an unrelated picture is `missing`."""
    library = [_entry(1, "/lib/a.jpg", PHOTO)]
    copy = _entry(5, "/bak/a.jpg", resized(PHOTO, 0.5))
    burst = _entry(6, "/bak/b.jpg", _burst(PHOTO))
    stranger = _entry(7, "/bak/c.jpg", OTHER)
    world = _world(library, [copy, burst, stranger])
    same = rules.pictures(copy, None, world)
    assert same == Decision(
        Status.SAME,
        1,
        same.distance,  # type: ignore[union-attr]
        "re-encoded at lower size (320x240; the library's is 640x480)",
        look=True,  # to be checked on the pictures themselves
    )
    similar = rules.pictures(burst, None, world)
    assert isinstance(similar, Decision) and similar.status is Status.SIMILAR
    assert similar.reason == "differs in one region (another shot?)"
    assert rules.pictures(stranger, None, world) == Decision(
        Status.MISSING, reason=reasons.NOTHING_CLOSE
    )


def test_a_candidate_known_only_by_its_thumbnail_is_confirmed_first() -> None:
    """A library file indexed from its EXIF thumbnail proves nothing: the needle waits for
    it to be fingerprinted in full (`Confirm`, saying the size the pair would be looked at),
    unless a verified `same` exists without it."""
    quick = _entry(1, "/lib/a.jpg", resized(PHOTO, 0.25), quick=True)
    needle = _entry(5, "/bak/a.jpg", PHOTO)
    assert rules.pictures(needle, None, _world([quick], [needle])) == Confirm((1,), (160,))
    full = _entry(2, "/lib/b.jpg", PHOTO)
    decision = rules.pictures(needle, None, _world([quick, full], [needle]))
    assert isinstance(decision, Decision) and decision.status is Status.SAME


def test_a_fine_look_is_asked_for_and_then_decides() -> None:
    """A decision marked for a fine look asks for one (`Look`, at the smaller picture's long
    side); a look that finds nothing makes it `same` (saying at which size), one that finds a
    region, a colour, a tone apart makes it `similar` (saying which); a `same` that could not
    be looked at is `similar`, and says why."""
    needle = _entry(5, "/bak/a.jpg", resized(PHOTO, 0.5))
    world = _world([_entry(1, "/lib/a.jpg", PHOTO)])
    same = Decision(Status.SAME, 1, 3, "re-encoded at lower size", look=True)
    assert rules.fine_look(needle, same, world) == Look(5, 1, 320, resampled=True)
    # Both of twice the look's size and more: compared with their colour whole (`reduced`).
    large = cv2.resize(PHOTO, (2560, 1920), interpolation=cv2.INTER_CUBIC)
    big = _world([_entry(1, "/lib/a.jpg", large)])
    look = rules.fine_look(_entry(5, "/bak/a.jpg", large), same, big)
    assert look == Look(5, 1, 1024, resampled=False, half_colour=True)

    def looked(fine: Fine | None) -> World:
        return World(world.haystack, looks={(5, 1): fine})

    nothing = Fine(320, 240, 1.0, 1.0, 0.2, 0.1, (0.5, 0.5))
    assert rules.fine_look(needle, same, looked(nothing)) == Decision(
        Status.SAME, 1, 3, verified("re-encoded at lower size", 320, 240)
    )
    region = Fine(320, 240, 20.0, 1.0, 0.2, 0.1, (0.1, 0.9))
    assert rules.fine_look(needle, same, looked(region)) == Decision(
        Status.SIMILAR, 1, 3,
        "differs in one region (near the bottom left), seen at 320x240: another shot, or a "
        "retouch?",
    )  # fmt: skip
    brighter = Fine(320, 240, 2.0, 1.0, 3.2, 0.1, (0.5, 0.5))
    decision = rules.fine_look(needle, same, looked(brighter))
    assert decision == Decision(
        Status.SIMILAR, 1, 3, "brighter by 3 grey levels throughout, seen at 320x240"
    )
    digit = Fine(320, 240, 2.0, 1.0, 0.2, 0.1, (0.9, 0.1), strokes=14)
    assert rules.fine_look(needle, same, looked(digit)) == Decision(
        Status.SIMILAR, 1, 3,
        "a few strokes differ (near the top right), seen at 320x240: a digit or a word changed?",
    )  # fmt: skip
    refused = Decision(Status.SIMILAR, 1, 3, "differs in one region (another shot?)", look=True)
    assert rules.fine_look(needle, refused, looked(nothing)) == Decision(
        Status.SAME, 1, 3, verified("re-encoded or resized", 320, 240)
    )
    # Pictures under 512 px resample less alike: what the thumbnails called `same` keeps it
    # through a difference a large picture's copy never shows, what they refused does not.
    small_difference = Fine(320, 240, 9.0, 1.0, 0.2, 0.1, (0.5, 0.5))
    kept = rules.fine_look(needle, same, looked(small_difference))
    assert isinstance(kept, Decision) and kept.status is Status.SAME
    still = rules.fine_look(needle, refused, looked(small_difference))
    assert isinstance(still, Decision) and still.status is Status.SIMILAR
    assert rules.fine_look(needle, same, looked(None)) == Decision(
        Status.SIMILAR, 1, 3, reasons.FINE_FAILED
    )


def test_pictures_too_small_for_a_fine_look_say_what_could_not_be_checked() -> None:
    """A `same` between thumbnails (under 160 px) keeps the thumbnails' verdict, and its
    reason says at which size it was compared."""
    needle = _entry(5, "/bak/a.jpg", resized(PHOTO, 0.2))
    world = _world([_entry(1, "/lib/a.jpg", PHOTO)], [needle])
    decided = rules.decide(needle, world)
    assert isinstance(decided, Decision) and decided.status is Status.SAME
    assert decided.reason == (
        "re-encoded at lower size (128x96; the library's is 640x480); compared at 128x96 only: "
        "a smaller change could not be seen"
    )


def _clip(seed: int, frames: int = 5, shift: int = 0) -> tuple[Fingerprint, ...]:
    still = scene(seed, 240, 320)
    prints = []
    for number in range(frames):
        frame = still.copy()
        x = 20 + 50 * number + shift
        cv2.circle(frame, (x, 120), 30, (250, 40, 40), -1)
        prints.append(_print(frame))
    return tuple(prints)


def test_videos_are_same_only_at_the_same_length_with_every_frame_verified() -> None:
    """A clip with the library clip's frames and length is `same`; shorter, `similar` (trimmed);
    another clip of other scenes, `missing`."""
    frames = _clip(30)
    library = _entry(1, "/lib/v.mov", None, full=frames[0], kind=Kind.VIDEO, duration=10.0,
                     frames=frames)  # fmt: skip
    world = _world([library])
    copy = _entry(5, "/bak/v.mp4", None, full=frames[0], kind=Kind.VIDEO, duration=10.1,
                  frames=frames)  # fmt: skip
    decision = rules.video(copy, None, world)
    assert isinstance(decision, Decision)
    assert (decision.status, decision.reason) == (Status.SAME, reasons.SAME_CLIP)
    trimmed = _entry(6, "/bak/t.mp4", None, full=frames[0], kind=Kind.VIDEO, duration=6.0,
                     frames=frames[:3])  # fmt: skip
    decision = rules.video(trimmed, None, world)
    assert isinstance(decision, Decision) and decision.status is Status.SIMILAR
    assert decision.reason == reasons.trimmed_clip(6.0, 10.0)
    other = _clip(31)
    stranger = _entry(7, "/bak/o.mp4", None, full=other[0], kind=Kind.VIDEO, duration=10.0,
                      frames=other)  # fmt: skip
    assert rules.video(stranger, None, world) == Decision(
        Status.MISSING, reason=reasons.NOTHING_CLOSE
    )
    assert rules.video(_entry(8, "/bak/p.jpg", PHOTO), None, world) is None


def test_pictures_without_detail_are_similar_by_colour_and_same_only_by_a_fine_look() -> None:
    """A flat grey picture finds a flat library picture of its colours and shape as
    `similar`, to be looked at in full: `same` when the look finds nothing apart and sharp
    edges to verify (a settings screen's text), `similar` still (too little to verify) when
    it finds them apart or nothing sharp at all; nothing of other colours (`missing`)."""
    grey = np.full((300, 400, 3), 128, np.uint8)
    red = np.zeros((300, 400, 3), np.uint8)
    red[..., 0] = 200
    library = [_entry(1, "/lib/grey.png", grey)]
    world = _world(library)
    needle = _entry(5, "/bak/g.png", grey)
    assert rules.without_detail(needle, None, world) == Decision(
        Status.SIMILAR, 1, None, reasons.FLAT_ALIKE, look=True, flat=True
    )
    world = _world(library, [needle])
    assert rules.decide(needle, world) == Look(5, 1, 400, resampled=False, flat=True)
    text = replace(_NOTHING_APART, edges=0.02)
    alike = World(world.haystack, world.candidates, looks={(5, 1): text})
    assert rules.decide(needle, alike) == Decision(
        Status.SAME, 1, None, verified("re-encoded or resized", 320, 240)
    )
    smooth = World(world.haystack, world.candidates, looks={(5, 1): _NOTHING_APART})
    assert rules.decide(needle, smooth) == Decision(Status.SIMILAR, 1, None, reasons.FLAT_ALIKE)
    noise = Fine(400, 300, 9.0, 1.0, 0.2, 0.1, (0.5, 0.5), edges=0.02)
    apart = World(world.haystack, world.candidates, looks={(5, 1): noise})
    assert rules.decide(needle, apart) == Decision(Status.SIMILAR, 1, None, reasons.FLAT_ALIKE)
    assert rules.without_detail(_entry(6, "/bak/r.png", red), None, world) == Decision(
        Status.MISSING, reason=reasons.TOO_FLAT
    )
    assert rules.without_detail(_entry(7, "/bak/p.jpg", PHOTO), None, world) is None


def test_an_unsettled_first_answer_is_bettered_by_a_later_rule() -> None:
    """The rules in order: a decider's unsettled `similar` (here, equal bytes capped: a RAW
    whose only byte twin is named as a JPEG) gives way to a later decider's `same`."""
    needle = _entry(5, "/bak/IMG_1.DNG", PHOTO, digest=b"d" * 16)
    twin = _entry(1, "/lib/IMG_1.jpg", OTHER, digest=b"d" * 16)  # the bytes, named as a JPEG
    raw = _entry(2, "/lib/IMG_1.dng", PHOTO)
    first = rules.equal_bytes(needle, None, _world([twin, raw]))
    assert first == Decision(Status.SIMILAR, 1, 0, reasons.RAW_ONLY_RENDERED, settled=False)
    world = _world([twin, raw], [needle])
    assert rules.decide(needle, world) == Look(5, 2, 640, resampled=False)
    world = World(world.haystack, world.candidates, looks={(5, 2): _NOTHING_APART})
    decided = rules.decide(needle, world)
    assert isinstance(decided, Decision) and (decided.status, decided.match) == (Status.SAME, 2)


def test_the_matcher_decides_a_batch_in_memory() -> None:
    """The matcher over a haystack of entries gives every needle its answer by id."""
    library = [_entry(1, "/lib/a.jpg", PHOTO), _entry(2, "/lib/b.jpg", OTHER)]
    needles = [
        _entry(5, "/bak/a.jpg", resized(PHOTO, 0.5)),
        _entry(6, "/bak/b.jpg", _burst(OTHER)),
        _entry(7, "/bak/c.jpg", scene(13, 480, 640)),
    ]
    matcher = Matcher(Haystack.of(library))
    out = matcher.decide(needles)
    assert out[5] == Look(5, 1, 320, resampled=True)  # the copy, to be looked at in full
    statuses = {id_: o.status for id_, o in out.items() if isinstance(o, Decision)}
    assert statuses == {6: Status.SIMILAR, 7: Status.MISSING}
    out = matcher.decide(needles, looks={(5, 1): _NOTHING_APART})
    statuses = {id_: o.status for id_, o in out.items() if isinstance(o, Decision)}
    assert statuses == {5: Status.SAME, 6: Status.SIMILAR, 7: Status.MISSING}


def test_a_pair_decided_different_is_never_offered_again() -> None:
    """`reconcile decide different`: the library file the person refused is no candidate for
    any decider (equal bytes, pictures), while another library file still may be."""
    twin = _entry(1, "/lib/a.jpg", PHOTO, digest=b"a" * 16)
    resized_copy = _entry(2, "/lib/a-small.jpg", resized(PHOTO, 0.5))
    needle = _entry(7, "/bak/a.jpg", PHOTO, digest=b"a" * 16)
    assert rules.offered(needle, 1, _world([twin]))
    refused = _world([twin, resized_copy], [needle], refused={7: frozenset({1})})
    assert not rules.offered(needle, 1, refused) and rules.offered(needle, 2, refused)
    assert rules.equal_bytes(needle, None, refused) is None
    decision = rules.pictures(needle, None, refused)
    assert isinstance(decision, Decision) and decision.match == 2
    alone = _world([twin], [needle], refused={7: frozenset({1})})
    assert rules.decide(needle, alone) == Decision(Status.MISSING, reason=reasons.NOTHING_CLOSE)
