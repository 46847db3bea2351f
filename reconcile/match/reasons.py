"""What the matching rules say, in words a person reviewing a pair can use: every reason a
rule gives is written here, so that the report's vocabulary is in one place (the decoders'
reasons for an unreadable file are the decoders' own)."""

from __future__ import annotations

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
CLOSER_SAME = "re-encoded or resized (fine detail compared at the pictures' own size)"
CLOSER_DIFFERS = "differs in one region, seen at the pictures' own size (another shot?)"
CLOSER_FAILED = "low contrast, and a file could not be read again to look closer"
NOT_DECODED = "not decoded"
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
    result: Comparison, orientation: str | None, trimmed: bool, cropped: bool, limits: Thresholds
) -> str:
    """Why a pair is only `similar`: the first difference the checks measured."""
    assert result.verdict is not Likeness.SAME
    if orientation is not None:
        return f"rotated or mirrored ({orientation})"
    if trimmed:
        return "border differs (letterbox or frame added or removed)"
    if cropped or not result.aspect_ok:
        return "cropped"
    if abs(result.brightness) > _TONE_STEP:
        return "brighter" if result.brightness > 0 else "darker"
    if result.colour > limits.same_colour:
        return "colours differ (grayscale or tinted version?)"
    return "differs in one region (another shot?)"


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value else "length unknown"
