"""What the matching rules say, in words a person reviewing a pair can use: every reason a
rule gives is written here, so that the report's vocabulary is in one place (the decoders'
reasons for an unreadable file are the decoders' own)."""

from __future__ import annotations

from reconcile.facts import Fine
from reconcile.match.verify import Comparison, Likeness, Thresholds

NOTHING_CLOSE = "nothing close in the library"
SAME_CLIP = "the same clip re-encoded, re-containered or resized (same length; frames verify)"
EDITED_CLIP = "edited clip (frames differ)"
TOO_FLAT = (
    "too little detail to compare (flat, dark or a smooth gradient); nothing of its colours "
    "and shape in the library"
)
FLAT_ALIKE = (
    "too little detail to verify (flat, dark or a smooth gradient); a library picture has the "
    "same colours and shape"
)
RAW_ONLY_RENDERED = "RAW; the library holds a JPEG or other rendering of this shot, not the RAW"
FINE_FAILED = "the thumbnails agree, but a file could not be read again to compare it in full"
NOT_DECODED = "not decoded"
ALONG_FAILED = "the sampled frames agree, but a clip could not be read again along its length"
NO_SOUND_HERE = "this clip has no sound; the library's has (a muted copy?)"
NO_SOUND_THERE = "the library's clip has no sound; this one has"
THIS_FILE_LINKED = "the library's copy is this backup file (a link)"
OLD_TRASH = "in its old library's trash: not asked to be imported"
UNCATALOGUED = (
    "in the library's originals folder, but not in its catalogue (left over, or removed from "
    "the library): not counted as held"
)


def another_file_linked(target: str) -> str:
    return f"the library's copy is another backup file (a link to {target})"


def in_trash(layout: str | None) -> str:
    """Why a match that the library's catalogue puts in its trash does not count."""
    where = "Recently Deleted" if layout and layout.startswith("Photos 5") else "its Trash"
    return f"in the library only in its trash ({where})"


# Mean grey levels (of 255) between the thumbnails that read as a brightness edit.
_TONE_STEP = 6.0


def trimmed_clip(needle_seconds: float | None, library_seconds: float | None) -> str:
    return (
        f"trimmed or edited clip ({_seconds(needle_seconds)}; the library's is "
        f"{_seconds(library_seconds)})"
    )


def same_bytes_elsewhere(reason: str, path: str) -> str:
    """An unreadable file whose very bytes the library holds: we still never count it."""
    return f"{reason} (the same bytes are in the haystack: {path})"


def same_picture(width: int, height: int, hay_width: int, hay_height: int) -> str:
    """Why a verified pair is `same`: which sizes were compared."""
    area, hay_area = width * height, hay_width * hay_height
    sizes = f"{width}x{height}; the library's is {hay_width}x{hay_height}"
    if area < 0.9 * hay_area:
        return f"re-encoded at lower size ({sizes})"
    if area > 1.1 * hay_area:
        return f"larger than the library's copy ({sizes})"
    return "re-encoded or re-tagged at the same size"


def similar_picture(
    result: Comparison,
    orientation: str | None,
    trimmed: bool,
    cropped: str | None,
    limits: Thresholds,
) -> str:
    """Why a pair is only `similar`: the first difference the checks measured. `cropped`:
    how, when the pair was found by a crop view ("cropped from ...")."""
    assert result.verdict is not Likeness.SAME
    if orientation is not None:
        return f"rotated or mirrored ({orientation})"
    if trimmed:
        return "border differs (letterbox or frame added or removed)"
    if cropped:
        return cropped
    if not result.aspect_ok:
        return "cropped"
    if abs(result.brightness) > _TONE_STEP:
        return "brighter" if result.brightness > 0 else "darker"
    if result.colour > limits.same_colour:
        return "colours differ (grayscale or tinted version?)"
    return "differs in one region (another shot?)"


def cropped_from(crop: str) -> str:
    """The needle is a crop of the library's picture."""
    return f"cropped from the library's picture ({crop})"


def cropped_here(crop: str) -> str:
    """The library's picture is a crop of the needle: the needle holds more."""
    return f"the library holds a crop of this picture ({crop}); this one shows more"


def other_pictures(needle: int, hay: int) -> str:
    """A file of one count of pictures (pages, frames, views) against one of another."""
    return f"{_pictures(needle)}; the library's file has {_pictures(hay)}"


def pictures_differ(count: int) -> str:
    return f"{_pictures(count)}, not all of them the library's file's"


def _pictures(count: int) -> str:
    return "a single picture" if count == 1 else f"{count} pictures in one file"


def same_along(reason: str | None, along: Fine) -> str:
    return f"{reason or SAME_CLIP}; compared along the whole clip"


def differs_along(along: Fine) -> str:
    """Why clips whose sample points agree are not the same."""
    return (
        f"the same at the sample points, but not at {along.where[0]:.0%} of the clip "
        "(a scene, a slide or a title changed?)"
    )


def verified(reason: str | None, fine: Fine, limits: Thresholds) -> str:
    """A `same` as the fine look confirmed it, saying at which size, and below `fine_full`
    px what that size cannot show (bench.accuracy, held-out half: at 256-480 px changes of
    0.05 and 0.1 % of the frame passed for copies, none of 0.4 %)."""
    said = f"{reason or 're-encoded or resized'}; verified at {fine.width}x{fine.height}"
    if max(fine.width, fine.height) < limits.fine_full:
        return f"{said} only: a change of under 0.5 % of the frame may not show at that size"
    return said


def fine_difference(fine: Fine, limits: Thresholds) -> str:
    """Why the fine look refused `same`: the first difference it measured."""
    at = f"seen at {fine.width}x{fine.height}"
    if fine.detail > limits.fine_detail:
        return f"differs in one region ({_place(fine.where)}), {at}: another shot, or a retouch?"
    if fine.strokes > limits.fine_strokes:
        return f"a few strokes differ ({_place(fine.where)}), {at}: a digit or a word changed?"
    if fine.colour > limits.fine_colour:
        return f"colours differ in one region ({_place(fine.where)}), {at}"
    if abs(fine.focus) > limits.fine_focus:
        # Said of no side: with half the frame refocused, either half stands apart from
        # the rest (verify._focus).
        return (f"focus or sharpening differs in one part ({_place(fine.where)}), {at}: "
                "refocused, blurred or sharpened?")  # fmt: skip
    if fine.plain > limits.fine_plain:
        return (f"one region differs from the rest ({_place(fine.where)}), {at}: a patch "
                "moved, replaced or retouched?")  # fmt: skip
    if abs(fine.tone) > limits.fine_tone:
        way = "brighter" if fine.tone > 0 else "darker"
        return f"{way} by {abs(fine.tone):.0f} grey levels throughout, {at}"
    if abs(fine.relative_tone) > limits.fine_relative_tone:
        way = "brighter" if fine.relative_tone > 0 else "darker"
        return f"{way} by {abs(fine.relative_tone):.1%} throughout, {at}"
    return f"tinted (a white balance or colour edit?), {at}"


def checked_small(reason: str | None, width: int, height: int) -> str:
    """A `same` of pictures too small for a fine look: what could not be checked."""
    said = reason or "re-encoded or resized"
    return f"{said}; compared at {width}x{height} only: a smaller change could not be seen"


def _place(where: tuple[float, float]) -> str:
    x, y = where
    row = "top" if y < 1 / 3 else "bottom" if y > 2 / 3 else ""
    column = "left" if x < 1 / 3 else "right" if x > 2 / 3 else ""
    if not row and not column:
        return "in the middle"
    return "near the " + " ".join(part for part in (row, column) if part)


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value else "length unknown"


# --- what the person decided in review (library.decided) ----------------------------------


def _was(status: str, reason: str | None) -> str:
    return f"{status}: {reason}" if reason else status


def accepted(status: str, reason: str | None) -> str:
    """A `same` the person decided, over the matcher's own answer."""
    return f"accepted in review (was: {_was(status, reason)})"


def accepted_gone(reason: str | None, match: str | None) -> str:
    """A `same` decided against a library file that is no longer in the library."""
    gone = (
        f"accepted in review as the same as {match}, which is no longer in the library"
        if match
        else "accepted in review, but its match is no longer in the library"
    )
    return f"{reason}; {gone}" if reason else gone


def decided_different(match: str, reason: str | None, *, found_other: bool) -> str:
    """A needle the person decided is not the same as `match`: what the matcher found else."""
    if found_other:
        return f"{reason}; decided in review: not the same as {match}"
    return f"decided in review: not the same as {match}; nothing else in the library comes close"


def unwanted(status: str, reason: str | None) -> str:
    return f"not wanted (decided in review; was: {_was(status, reason)})"
