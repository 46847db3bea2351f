"""A video is `same` only when its frames agree along the whole clip, not at a few points,
and when its sound is there as the library's is: a slideshow with one slide replaced, or a
muted copy, is `similar`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from conftest import judged, scene
from media import write_clip


def _slideshow(seeds: list[int], fps: int = 4, seconds: float = 1.5) -> Iterator[np.ndarray]:
    """Slides shown `seconds` each."""
    for seed in seeds:
        slide = scene(seed, 240, 320)
        for _ in range(round(seconds * fps)):
            yield slide


SLIDES = [51, 52, 53, 54, 55, 56, 57, 58]  # 12 s: the five points fall in slides 1, 3, 5, 6, 8


def test_a_slide_replaced_between_the_five_points_is_seen(tmp_path: Path) -> None:
    """The slideshow's frames at 10, 30, 50, 70 and 90 % fall in slides 1, 3, 5, 6 and 8;
    slide 4 (4.5-6 s) replaced makes another video, and it is `similar`. The slideshow
    re-encoded at a lower rate is `same`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write_clip(hay / "slides.mp4", _slideshow(SLIDES), fps=4)
    write_clip(needles / "slides-copy.mp4", _slideshow(SLIDES), fps=4, bit_rate=300_000)
    other = [*SLIDES[:3], 60, *SLIDES[4:]]
    write_clip(needles / "slides-other.mp4", _slideshow(other), fps=4)
    items = judged(tmp_path, hay, needles)
    assert items["slides-copy.mp4"][0] == "same"
    assert items["slides-other.mp4"][0] == "similar"


def test_a_muted_copy_is_an_edit(tmp_path: Path) -> None:
    """A clip with sound against its copy without (and the reverse) is `similar`, saying
    which lacks the sound; with the sound kept it is `same`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"
    write_clip(hay / "talk.mp4", _slideshow(SLIDES[:3]), fps=4, audio=True)
    write_clip(hay / "silent.mp4", _slideshow(SLIDES[3:6]), fps=4)
    write_clip(needles / "talk-muted.mp4", _slideshow(SLIDES[:3]), fps=4, bit_rate=300_000)
    write_clip(needles / "talk-copy.mp4", _slideshow(SLIDES[:3]), fps=4, bit_rate=300_000,
               audio=True)  # fmt: skip
    write_clip(needles / "silent-dubbed.mp4", _slideshow(SLIDES[3:6]), fps=4, audio=True)
    items = judged(tmp_path, hay, needles)
    assert items["talk-copy.mp4"][0] == "same"
    assert items["talk-muted.mp4"] == ("similar", "this clip has no sound; the library's has "
                                                  "(a muted copy?)")  # fmt: skip
    assert items["silent-dubbed.mp4"] == ("similar", "the library's clip has no sound; this one "
                                                     "has")  # fmt: skip


def _title(words: str) -> np.ndarray:
    """A title card: a dark picture with white words, as a slideshow app opens with."""
    from PIL import Image, ImageDraw, ImageFont

    card = Image.fromarray((scene(70, 240, 320) * 0.4).astype(np.uint8))
    draw = ImageDraw.Draw(card)
    draw.text((160, 120), words, font=ImageFont.load_default(size=30), fill="white",
              anchor="mm")  # fmt: skip
    return np.asarray(card)


def test_a_title_cards_changed_digit_is_seen(tmp_path: Path) -> None:
    """ "Summer 2019" and "Summer 2018": the same slides after a title card whose one digit
    differs. At 64 px a frame the two are alike; the frames along the clip compared pixel
    for pixel are not, and the clip is `similar`. A copy at a lower rate stays `same`."""
    hay, needles = tmp_path / "hay", tmp_path / "needles"

    def slideshow(words: str) -> Iterator[np.ndarray]:
        yield from (_title(words) for _ in range(6))
        yield from _slideshow(SLIDES)

    write_clip(hay / "summer.mp4", slideshow("Summer 2019"), fps=4)
    write_clip(needles / "summer-copy.mp4", slideshow("Summer 2019"), fps=4, bit_rate=300_000)
    write_clip(needles / "summer-2018.mp4", slideshow("Summer 2018"), fps=4)
    items = judged(tmp_path, hay, needles)
    assert items["summer-copy.mp4"][0] == "same"
    assert items["summer-2018.mp4"][0] == "similar"
    assert "strokes" in items["summer-2018.mp4"][1] or "clip" in items["summer-2018.mp4"][1]
