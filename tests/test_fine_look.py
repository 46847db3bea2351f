"""The fine look: a pair the thumbnails call `same` is compared at the pictures' own size
(up to facts.FINE px), so that a small difference is never `same`: a digit changed on a
statement, closed eyes in a burst, a white balance nudged. Their copies (re-encoded, resized,
PNG to JPEG) stay `same`."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import judged, resized, scene, write
from PIL import Image, ImageDraw, ImageFont

from reconcile.facts import Fine
from reconcile.match.verify import DEFAULT, fine_difference, fine_limits
from reconcile.media.fingerprint import look_picture


def _statement(amount: int) -> np.ndarray:
    """A bank statement's page at 150 dpi: 28 rows of dates, payees and amounts; the 14th
    row's amount is `amount` cents."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((90, 80), "Current account statement", font=ImageFont.load_default(44), fill="navy")
    font = ImageFont.load_default(22)
    rng = np.random.default_rng(3)
    for row in range(28):
        y = 230 + 48 * row
        cents = amount if row == 13 else int(rng.integers(-90000, 90000))
        draw.text((100, y), f"{row % 28 + 1:02d}.03", font=font, fill="black")
        draw.text((260, y), f"Payee number {row}", font=font, fill="black")
        draw.text((1140, y), f"{cents / 100:,.2f}", font=font, fill="black", anchor="ra")
    return np.asarray(page)


def test_a_statement_with_one_digit_changed_is_not_its_copy(tmp_path: Path) -> None:
    """One amount differs by a digit (12,345.67 against 12,335.67): `similar`, saying a few
    strokes differ. The page saved as JPEG at quality 50, and at half size, are `same`."""
    page = _statement(1234567)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    hay.mkdir()
    needles.mkdir()
    Image.fromarray(page).save(hay / "statement.png")
    Image.fromarray(_statement(1233567)).save(needles / "statement-other.png")
    write(needles / "statement-q50.jpg", page, 50)
    write(needles / "statement-half.jpg", resized(page, 0.5), 85)
    items = judged(tmp_path, hay, needles)
    status, reason = items["statement-other.png"]
    assert status == "similar"
    assert reason.startswith("a few strokes differ") and "seen at 724x1024" in reason
    assert items["statement-q50.jpg"] == (
        "same", "re-encoded or re-tagged at the same size; verified at 724x1024"
    )  # fmt: skip
    assert items["statement-half.jpg"][0] == "same"


def _blink(photo: np.ndarray) -> np.ndarray:
    """Closed eyes: a patch of 0.1 % of the frame smoothed to its mean and darkened."""
    out = photo.copy()
    h, w = photo.shape[:2]
    side = int((0.001 * h * w) ** 0.5)
    top, left = h // 3, w // 2
    patch = out[top : top + side, left : left + side].astype(np.float32)
    out[top : top + side, left : left + side] = (patch.mean(axis=(0, 1)) * 0.8).astype(np.uint8)
    return out


def _warmer(photo: np.ndarray) -> np.ndarray:
    out = photo.astype(np.float32)
    out[:, :, 0] *= 1.06
    return np.clip(out, 0, 255).astype(np.uint8)


def _brighter(photo: np.ndarray) -> np.ndarray:
    """A tenth of a stop, in linear light."""
    linear = (photo.astype(np.float32) / 255) ** 2.2 * 2**0.1
    return (np.clip(linear, 0, 1) ** (1 / 2.2) * 255).astype(np.uint8)


def test_small_edits_of_a_photo_are_not_its_copies(tmp_path: Path) -> None:
    """A burst shot with closed eyes (0.1 % of the frame), a white balance x1.06 and a tenth
    of a stop brighter are `similar`, the fine look's saying what differs and at which size;
    re-encoded at quality 80 and exported at 60 % the photo is `same`."""
    photo = scene(41, 768, 1024)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "IMG_0001.jpg", photo, 92)
    write(needles / "blink.jpg", _blink(photo), 92)
    write(needles / "warmer.jpg", _warmer(photo), 92)
    write(needles / "brighter.jpg", _brighter(photo), 92)
    write(needles / "copy.jpg", photo, 80)
    write(needles / "export.jpg", resized(photo, 0.6), 85)
    items = judged(tmp_path, hay, needles)
    assert items["blink.jpg"][0] == "similar"
    assert items["blink.jpg"][1].startswith("differs in one region (in the middle)")
    assert items["warmer.jpg"][0] == "similar"
    assert "seen at 1024x768" in items["warmer.jpg"][1]
    assert items["brighter.jpg"][0] == "similar"
    assert items["copy.jpg"] == (
        "same", "re-encoded or re-tagged at the same size; verified at 1024x768"
    )  # fmt: skip
    assert items["export.jpg"][0] == "same"


def _beside_a_copy(
    tmp_path: Path, photo: np.ndarray, version: np.ndarray, quality: int
) -> tuple[tuple[str, str | None], str]:
    """(status, reason) of `version` (saved at JPEG quality 92) and the status of `photo`
    re-encoded at `quality`, each judged against `photo` as the library holds it (quality
    92), through the command line."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "photo.jpg", photo, 92)
    write(needles / "version.jpg", version, 92)
    write(needles / "copy.jpg", photo, quality)
    items = judged(tmp_path, hay, needles)
    return items["version.jpg"], items["copy.jpg"][0]


def test_a_small_change_in_a_small_photo_stands_out_of_what_compression_leaves(
    tmp_path: Path,
) -> None:
    """A 512 x 340 photo with a patch of 0.05 % of the frame smoothed over (closed eyes) is
    `similar`: the limits widened for small pictures hold only for a difference spread as a
    copy's is, and this one stands in one place. The photo re-encoded at quality 50, which
    differs a little everywhere, stays `same`."""
    photo = scene(49, 340, 512)
    closed = photo.copy()
    side = int((0.0005 * 340 * 512) ** 0.5)
    patch = closed[120 : 120 + side, 250 : 250 + side].astype(np.float32)
    closed[120 : 120 + side, 250 : 250 + side] = (patch.mean(axis=(0, 1)) * 0.8).astype(np.uint8)
    (status, reason), copy = _beside_a_copy(tmp_path, photo, closed, 50)
    assert status == "similar"
    assert reason is not None and reason.startswith("differs in one region (in the middle)")
    assert copy == "same"


def test_wider_limits_for_small_pictures_hold_only_for_a_spread_difference() -> None:
    """On the measures: at 512 x 340 the detail limit is widened (1.85 times), for a pair
    whose worst cell is within `fine_local` times its 90th percentile cell; a worst cell
    far above it meets the limit as it is. Below 512 px on the long side, as before."""
    spread = Fine(512, 340, 6.0, 1.0, 0.0, 0.0, (0.5, 0.5), spread_detail=1.5, spread_colour=0.5)
    local = Fine(512, 340, 6.0, 1.0, 0.0, 0.0, (0.5, 0.5), spread_detail=0.5, spread_colour=0.5)
    assert fine_limits(spread).fine_detail > 6.0
    assert fine_limits(local).fine_detail == DEFAULT.fine_detail
    assert fine_limits(local).fine_colour > DEFAULT.fine_colour  # colour 1.0 is within 5x 0.5
    tiny = Fine(384, 255, 6.0, 1.0, 0.0, 0.0, (0.5, 0.5), spread_detail=0.5, spread_colour=0.5)
    assert fine_limits(tiny).fine_detail > 6.0


def test_the_region_limit_widens_only_for_pairs_resampled_from_another_size() -> None:
    """On the measures: two pictures of one pixel size are compared pixel for pixel, and a
    region apart meets the limit as it is, however small the pictures; the colour limit
    still widens (4:2:0 colour of a small picture at a low quality)."""
    spread = Fine(480, 320, 6.0, 3.0, 0.0, 0.0, (0.5, 0.5), spread_detail=1.5, spread_colour=1.0)
    assert fine_limits(spread, resampled=True).fine_detail > 6.0
    assert fine_limits(spread, resampled=False).fine_detail == DEFAULT.fine_detail
    assert fine_limits(spread, resampled=False).fine_colour > 3.0


def _textured(
    seed: int, height: int, width: int, contrast: float, interpolation: int
) -> np.ndarray:
    """A photo with texture of 3 px all over it, of +-`contrast` grey levels."""
    rng = np.random.default_rng(seed)
    grains = rng.uniform(-contrast, contrast, (height // 3 + 1, width // 3 + 1))
    grains = cv2.resize(grains.astype(np.float32), (width, height), interpolation=interpolation)
    photo = scene(seed, height, width).astype(np.float32) + grains[:, :, None]
    return np.clip(photo, 0, 255).astype(np.uint8)


def _gravel(seed: int, height: int = 320, width: int = 480) -> np.ndarray:
    """A photo of sharp texture (gravel, leaves)."""
    return _textured(seed, height, width, 80, cv2.INTER_NEAREST)


def _foliage(seed: int, height: int, width: int) -> np.ndarray:
    """A photo of soft, dense texture (leaves, grass at a distance), of +-20 grey levels."""
    return _textured(seed, height, width, 20, cv2.INTER_LINEAR)


def _half_blurred(photo: np.ndarray, sigma: float) -> np.ndarray:
    soft = photo.copy()
    half = photo.shape[1] // 2
    soft[:, :half] = cv2.GaussianBlur(photo[:, :half], (0, 0), sigma)
    return soft


def test_focus_measures_a_part_of_the_frame_softer_than_the_rest() -> None:
    """On arrays: the left half of a 1024 x 768 photo blurred by 0.2 % of its long side is
    softer there by far more than the limit, and said to be on the left; the photo at JPEG
    quality 50 (softer everywhere alike), and at 60 % (resampled), stay within it."""
    photo = _foliage(7, 768, 1024)
    soft = fine_difference(_ycrcb(_half_blurred(photo, 2.0)), _ycrcb(photo), resampled=False)
    assert soft.focus < -DEFAULT.fine_focus
    assert soft.where[0] < 0.5
    sharper = fine_difference(_ycrcb(photo), _ycrcb(_half_blurred(photo, 2.0)), resampled=False)
    assert sharper.focus > DEFAULT.fine_focus
    copy = fine_difference(_ycrcb(_jpeg(photo, 50)), _ycrcb(photo), resampled=False)
    assert abs(copy.focus) < DEFAULT.fine_focus / 2
    export = fine_difference(_ycrcb(_jpeg(resized(photo, 0.6), 85)), _ycrcb(photo))
    assert abs(export.focus) < DEFAULT.fine_focus / 2


def test_half_a_photo_out_of_focus_is_not_its_copy_nor_its_export(tmp_path: Path) -> None:
    """A 1024 x 768 photo of soft texture with its left half out of focus (by 0.2 % of the
    long side), where the library's photo is sharp: no region differs beyond what a copy's
    may, yet it is `similar`, its focus differing in one part, both at its own size and
    exported at 60 % (where the blur is little more than a pixel). The photo re-encoded at
    quality 50 and exported at 60 % stays `same`."""
    photo = _foliage(11, 768, 1024)
    soft = _half_blurred(photo, 2.0)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "photo.jpg", photo, 92)
    write(needles / "soft.jpg", soft, 92)
    write(needles / "soft-60.jpg", resized(soft, 0.6), 85)
    write(needles / "copy.jpg", photo, 50)
    write(needles / "copy-60.jpg", resized(photo, 0.6), 85)
    items = judged(tmp_path, hay, needles)
    for name, at in (("soft.jpg", "1024x768"), ("soft-60.jpg", "614x460")):
        status, reason = items[name]
        assert status == "similar", (name, reason)
        assert reason is not None
        assert reason.startswith("focus or sharpening differs in one part (near the ")
        assert reason.endswith(f"seen at {at}: refocused, blurred or sharpened?")
    assert items["copy.jpg"][0] == "same"
    assert items["copy-60.jpg"][0] == "same"


def test_half_a_small_photo_out_of_focus_is_not_its_copy(tmp_path: Path) -> None:
    """A 480 x 320 photo with its left half blurred by a pixel, saved at its own size: the
    thumbnails cannot tell, and the difference is spread over half the frame, so the wider
    limit of small pictures let it pass; pixel for pixel it is apart. Its re-encoded copies,
    down to quality 30, stay `same`."""
    photo = _gravel(31)
    soft = photo.copy()
    soft[:, :240] = cv2.GaussianBlur(photo[:, :240], (0, 0), 1.0)
    (status, reason), copy = _beside_a_copy(tmp_path, photo, soft, 30)
    assert status == "similar"
    assert reason is not None and reason.startswith("differs in one region")
    assert copy == "same"


def _ycrcb(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YCrCb)


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", rgb[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(data, cv2.IMREAD_COLOR)[:, :, ::-1])


def test_strokes_count_a_changed_glyph_pixel_for_pixel() -> None:
    """On arrays: a page against itself differs in nothing; against its JPEG at quality 50
    by no stroke; against the page with one digit changed by more strokes than a copy may
    have. Its half-size copy, compared as resampled, has no stroke apart either."""
    page = _ycrcb(_statement(1234567))
    other = _ycrcb(_statement(1233567))
    alike = fine_difference(page, page, resampled=False)
    assert (alike.detail, alike.colour, alike.strokes) == (0.0, 0.0, 0)
    copy = fine_difference(_ycrcb(_jpeg(_statement(1234567), 50)), page, resampled=False)
    assert copy.strokes <= DEFAULT.fine_strokes
    changed = fine_difference(other, page, resampled=False)
    assert changed.strokes > 2 * DEFAULT.fine_strokes
    assert changed.where[0] > 0.8 and 0.45 < changed.where[1] < 0.55  # the 14th row's amount
    half = _ycrcb(_jpeg(resized(_statement(1234567), 0.5), 85))
    assert fine_difference(half, page).strokes <= DEFAULT.fine_strokes


def _form(ticked: bool) -> np.ndarray:
    """An application form at 150 dpi: a title, seven boxed fields and six tick boxes at the
    top, the lower third of the page white; the fourth box ticked or not."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((100, 90), "Application form", font=ImageFont.load_default(48), fill="black")
    font = ImageFont.load_default(26)
    y = 220
    for number, label in enumerate(("Name", "Street", "City", "Postcode", "Phone", "E-mail")):
        draw.text((100, y), label, font=font, fill=(60, 60, 60))
        draw.rectangle((380, y - 8, 1140, y + 40), outline="black", width=2)
        draw.text((395, y), f"Answer {number * 37 % 101} Harbour Lane", font=font, fill="black")
        y += 90
    for number in range(6):
        top = y + 40 + number * 70
        draw.rectangle((100, top, 140, top + 40), outline="black", width=3)
        if number in (0, 2) or (number == 3 and ticked):
            draw.line((106, top + 20, 118, top + 34, 136, top + 6), fill="black", width=5)
        draw.text((170, top + 4), f"I agree to clause {number + 1}", font=font, fill="black")
    return np.asarray(page)


def test_a_page_with_wide_margins_is_the_same_at_half_size_and_not_with_a_box_ticked(
    tmp_path: Path,
) -> None:
    """A form's white margins, trimmed from its fingerprints, come out of a half-size copy a
    little wider or narrower: that is no border added. The half-size copy and the page as
    JPEG are `same`; the form with one more box ticked is `similar`."""
    page = _form(False)
    statuses = _statuses_against_png(tmp_path, page, {
        "form-half.jpg": (resized(page, 0.5), 85), "form-q50.jpg": (page, 50),
        "form-ticked.png": (_form(True), None),
    })  # fmt: skip
    assert statuses == {"form-half.jpg": "same", "form-q50.jpg": "same",
                        "form-ticked.png": "similar"}  # fmt: skip


def _statuses_against_png(
    tmp_path: Path, library: np.ndarray, backup: dict[str, tuple[np.ndarray, int | None]]
) -> dict[str, str]:
    """Each backup file's status against a library holding `library` as PNG: the backup's
    pictures are written as JPEG at the quality given, or as PNG for None."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    hay.mkdir()
    needles.mkdir()
    Image.fromarray(library).save(hay / "original.png")
    for name, (picture, quality) in backup.items():
        if quality is None:
            Image.fromarray(picture).save(needles / name, optimize=True)
        else:
            write(needles / name, picture, quality)
    return {path: status for path, (status, _) in judged(tmp_path, hay, needles).items()}


def _settings(switched: bool) -> np.ndarray:
    """A phone's settings screen (1170 x 2532): light grey labels and switches on white, too
    faint for a 64 px thumbnail to hold anything; the seventh switch on or off."""
    page = Image.new("RGB", (1170, 2532), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(26)
    for row in range(14):
        y = 300 + 150 * row
        draw.text((80, y + 40), f"Setting number {row + 1}", font=font, fill=(150, 150, 156))
        lit = row % 2 == 1 or (row == 6 and switched)
        draw.rounded_rectangle((960, y + 30, 1080, y + 90), radius=30,
                               fill=(190, 230, 198) if lit else (240, 240, 243))  # fmt: skip
        knob = 1022 if lit else 962
        draw.ellipse((knob, y + 32, knob + 56, y + 88), fill="white")
    return np.asarray(page)


def test_a_screen_too_faint_for_its_thumbnail_is_verified_at_its_own_size(
    tmp_path: Path,
) -> None:
    """A settings screen its thumbnail calls flat: saved again and as JPEG it is `same`, the
    fine look finding its text's edges and nothing apart; with one switch turned it is
    `similar`."""
    screen = _settings(False)
    statuses = _statuses_against_png(tmp_path, screen, {
        "resaved.png": (screen, None), "screen.jpg": (screen, 90),
        "switched.png": (_settings(True), None),
    })  # fmt: skip
    assert statuses == {"resaved.png": "same", "screen.jpg": "same", "switched.png": "similar"}


def test_a_small_recolouring_shows_at_half_the_size_when_both_photos_are_large() -> None:
    """On arrays: a 0.05 % patch of a 3200 x 2400 photo tinted by 6 levels of chroma, compared
    at 1024 px. Colour is kept at half resolution by JPEG, and is compared at a quarter of
    the size for pictures at their own size; these were both twice as large and more
    (`half_colour`), so their colour at 1024 px is whole and is compared at half: the patch is
    over the limit there and not at a quarter. A copy at quality 75 stays well under."""
    rng = np.random.default_rng(3)
    photo = cv2.resize(scene(3, 600, 800), (3200, 2400), interpolation=cv2.INTER_CUBIC)
    photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
    side, top, left = int((0.0005 * 3200 * 2400) ** 0.5), 1000, 1500
    tinted = _ycrcb(photo).astype(np.int16)
    tinted[top : top + side, left : left + side, 1] += 6
    tinted[top : top + side, left : left + side, 2] -= 6
    version = cv2.cvtColor(np.clip(tinted, 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2RGB)
    library = look_picture(_jpeg(photo, 92), 1024)
    changed = look_picture(_jpeg(version, 92), 1024)
    copy = look_picture(_jpeg(photo, 75), 1024)
    quarter = fine_difference(changed, library, resampled=False)
    half = fine_difference(changed, library, resampled=False, half_colour=True)
    assert quarter.colour <= DEFAULT.fine_colour < half.colour
    assert fine_difference(copy, library, resampled=False, half_colour=True).colour < 1.0


def _tinted_patch(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 1024 x 768 photo, and the photo with a patch of 0.05 % of the frame tinted by 6
    levels of chroma."""
    rng = np.random.default_rng(seed)
    photo = np.clip(scene(seed, 768, 1024) + rng.normal(0, 4, (768, 1024, 3)), 0, 255)
    photo = photo.astype(np.uint8)
    side, top, left = int((0.0005 * 1024 * 768) ** 0.5), 300, 500
    tinted = _ycrcb(photo).astype(np.int16)
    tinted[top : top + side, left : left + side, 1] += 6
    tinted[top : top + side, left : left + side, 2] -= 6
    return photo, cv2.cvtColor(np.clip(tinted, 0, 255).astype(np.uint8), cv2.COLOR_YCrCb2RGB)


def test_a_small_recolouring_shows_in_an_export_whose_colour_is_compared_at_half() -> None:
    """A 0.05 % patch of a 1024 x 768 photo tinted by 6 levels of chroma, exported at 60 %
    (614 px): the export keeps its colour at half its size (4:2:0), and the library's photo,
    reduced to it, has whole colour; compared at a quarter the patch dilutes under the limit,
    at half it is over it. The photo's own export stays well under."""
    photo, version = _tinted_patch(3)
    library = look_picture(_jpeg(photo, 92), 614)
    export = look_picture(_jpeg(resized(version, 0.6), 85), 614)
    copy = look_picture(_jpeg(resized(photo, 0.6), 85), 614)
    assert fine_difference(export, library).colour <= DEFAULT.fine_colour
    assert fine_difference(export, library, half_colour=True).colour > DEFAULT.fine_colour
    assert fine_difference(copy, library, half_colour=True).colour < DEFAULT.fine_colour / 2


def test_a_resampled_pair_from_512_px_has_its_colour_looked_at_half(tmp_path: Path) -> None:
    """Through the command line: the recoloured photo's 60 % export is `similar`, its colours
    differing in one region; the photo's own 60 % export is `same`."""
    photo, version = _tinted_patch(8)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "photo.jpg", photo, 92)
    write(needles / "tinted-60.jpg", resized(version, 0.6), 85)
    write(needles / "photo-60.jpg", resized(photo, 0.6), 85)
    items = judged(tmp_path, hay, needles)
    status, reason = items["tinted-60.jpg"]
    assert status == "similar"
    assert reason is not None and reason.startswith("colours differ in one region")
    assert items["photo-60.jpg"][0] == "same"


def test_a_dark_photo_a_tenth_of_a_stop_brighter_is_not_its_copy(tmp_path: Path) -> None:
    """A dark 1024 x 768 photo at +0.1 EV: its median cell moves by under a grey level,
    within the tone limit, but by 1.5 % of its level, beyond the relative one: `similar`,
    brighter. Its copy at quality 50 stays `same`."""
    photo = (_foliage(5, 768, 1024) * 0.5).astype(np.uint8)
    linear = (photo / 255.0) ** 2.2 * 2**0.1
    brighter = np.clip(255 * linear ** (1 / 2.2), 0, 255).astype(np.uint8)
    (status, reason), copy = _beside_a_copy(tmp_path, photo, brighter, 50)
    assert status == "similar"
    assert reason is not None and reason.startswith("brighter by 1.")
    assert reason.endswith("% throughout, seen at 1024x768")
    assert copy == "same"


def _patch_moved(photo: np.ndarray) -> np.ndarray:
    """A patch of 0.1 % of a 1024 x 768 frame replaced by the texture 4 px beside it: a
    retouch that a neighbour's pixel explains almost everywhere."""
    moved = photo.copy()
    moved[300:328, 600:628] = photo[300:328, 604:632]
    return moved


def test_a_patch_moved_inside_a_texture_differs_plainly() -> None:
    """On arrays: the moved patch stays within the region limit (no pixel is far from what a
    neighbour holds), but its plain difference stands beyond what copies leave: at JPEG
    quality 50 and 30 they stay far under the limit."""
    photo = _textured(7, 768, 1024, 30, cv2.INTER_LINEAR)
    moved = fine_difference(_ycrcb(_jpeg(_patch_moved(photo), 90)), _ycrcb(photo),
                            resampled=False)  # fmt: skip
    assert moved.detail <= DEFAULT.fine_detail < DEFAULT.fine_plain < moved.plain
    assert moved.where == pytest.approx((0.6, 0.4), abs=0.02)
    for quality in (50, 30):
        copy = fine_difference(_ycrcb(_jpeg(photo, quality)), _ycrcb(photo), resampled=False)
        assert copy.plain < DEFAULT.fine_plain / 2


def test_a_patch_moved_inside_a_texture_differs_plainly_in_an_export() -> None:
    """On arrays, exported at 60 %: resampling leaves a plain difference at every edge of the
    texture, a page's or a photo's; the moved patch's stands alone (local: beyond
    `fine_local` times the 90th percentile cell), the export's and a text page's do not."""
    photo = _textured(7, 768, 1024, 60, cv2.INTER_LINEAR)
    exported = _ycrcb(_jpeg(resized(_patch_moved(photo), 0.6), 85))
    moved = fine_difference(exported, _ycrcb(photo))
    assert moved.detail <= DEFAULT.fine_detail < DEFAULT.fine_plain < moved.plain
    assert fine_limits(moved, resampled=True).fine_plain == DEFAULT.fine_plain
    copy = fine_difference(_ycrcb(_jpeg(resized(photo, 0.6), 85)), _ycrcb(photo))
    assert copy.plain < DEFAULT.fine_plain
    page = _statement(1234567)
    half = fine_difference(_ycrcb(_jpeg(resized(page, 0.5), 85)), look_picture(page, 1024))
    assert half.plain < DEFAULT.fine_local * half.spread_plain
    assert fine_limits(half, resampled=True).fine_plain == float("inf")


@pytest.mark.parametrize(
    ("contrast", "scale", "qualities", "seen"),
    [(30, 1.0, (90, 50), "1024x768"), (60, 0.6, (85, 85), "614x460")],
    ids=["at its own size", "exported at 60 %"],
)
def test_a_patch_moved_inside_a_texture_is_not_its_copy(
    tmp_path: Path, contrast: int, scale: float, qualities: tuple[int, int], seen: str
) -> None:
    """Through the command line: the photo with the moved patch, at its own size or exported
    at 60 %, is `similar`, saying which region differs; the photo's own copy (at quality 50,
    or exported alike) stays `same`."""
    photo = _textured(7, 768, 1024, contrast, cv2.INTER_LINEAR)
    copy, retouched = photo, _patch_moved(photo)
    if scale != 1.0:
        copy, retouched = resized(copy, scale), resized(retouched, scale)
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write(hay / "photo.jpg", photo, 92)
    write(needles / "retouched.jpg", retouched, qualities[0])
    write(needles / "copy.jpg", copy, qualities[1])
    items = judged(tmp_path, hay, needles)
    assert items["retouched.jpg"] == (
        "similar",
        f"one region differs from the rest (in the middle), seen at {seen}: a patch moved, "
        "replaced or retouched?",
    )
    assert items["copy.jpg"][0] == "same"
