"""Everything a photo backup holds: videos, HEIC, RAW, Live Photos, library bundles, sidecars
and unknown files, each accounted for, through the CLI's JSON report."""

from __future__ import annotations

import json
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import REENCODED, encode, run_cli, scene, verified, write
from media import (
    audio_only,
    clip_frames,
    dng_bytes,
    heic_bytes,
    remux,
    write_clip,
    write_timed_clip,
)

from reconcile.match.reasons import NOTHING_CLOSE, SAME_CLIP

ALONG = f"{SAME_CLIP}; compared along the whole clip"


def _report(tmp_path: Path, hay: Path, needles: Path) -> dict:
    result = run_cli(
        tmp_path, "--haystack", str(hay), "--needles", str(needles), "--format", "json",
        "--db", str(tmp_path / "i.sqlite"),
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _items(report: dict) -> dict[str, tuple[str, str, str | None]]:
    return {i["path"]: (i["kind"], i["status"], i["reason"]) for i in report["images"]}


def _still(seed: int) -> np.ndarray:
    return scene(seed, 240, 320)


def test_a_folder_of_never_imported_videos_is_new_and_on_the_to_do_list(tmp_path: Path) -> None:
    """Two clips the library lacks: `missing` videos, the folder `new`, exit 1."""
    hay = tmp_path / "hay"
    write(hay / "photo.jpg", _still(1), 90)
    needles = tmp_path / "needles"
    write_clip(needles / "videos_only/clip1.mp4", clip_frames(_still(2), 2.0))
    write_clip(needles / "videos_only/clip2.mov", clip_frames(_still(3), 2.0, seed=3))
    report = _report(tmp_path, hay, needles)
    assert _items(report) == {
        "videos_only/clip1.mp4": ("video", "missing", NOTHING_CLOSE),
        "videos_only/clip2.mov": ("video", "missing", NOTHING_CLOSE),
    }
    (folder,) = report["directories"]
    assert (folder["path"], folder["status"], folder["videos"]) == ("videos_only", "new", 2)
    assert report["summary"]["videos"] == 2
    assert report["summary"]["video_statuses"]["missing"] == 2


def test_copies_of_a_library_clip_and_other_clips(tmp_path: Path) -> None:
    """A byte copy is `identical`; re-encoded at another codec, bitrate and size, or remuxed
    into another container, `same`; trimmed, `similar`; another clip of the same scene and an
    unrelated clip, never `same`."""
    hay = tmp_path / "hay"
    original = write_clip(hay / "MVI_0001.mp4", clip_frames(_still(10), 4.0, seed=1))
    needles = tmp_path / "needles"
    (needles / "copies").mkdir(parents=True)
    (needles / "copies/byte copy.mp4").write_bytes(original.read_bytes())
    write_clip(needles / "copies/reencoded.mp4", clip_frames(_still(10), 4.0, seed=1),
               codec="mpeg4", bit_rate=600_000, size=(240, 180))  # fmt: skip
    remux(original, needles / "copies/remuxed.mkv")
    frames = list(clip_frames(_still(10), 4.0, seed=1))
    write_clip(needles / "edits/trimmed.mp4", iter(frames[24:72]))
    # What a messenger does to a clip of fine texture (foliage, grain): another codec at a
    # starved bitrate, a quarter the size. Its frames differ from the library's by more than
    # a photo's export may; the clip's length and all five frames together still say `same`.
    grain = np.random.default_rng(0).normal(0, 25, (240, 320, 3))
    grainy = np.clip(_still(13) + grain, 0, 255).astype(np.uint8)
    write_clip(hay / "MVI_0002.mp4", clip_frames(grainy, 4.0, seed=1))
    write_clip(needles / "copies/starved.mp4", clip_frames(grainy, 4.0, seed=1),
               codec="mpeg4", bit_rate=30_000, size=(160, 120))  # fmt: skip
    write_clip(needles / "other/same scene.mp4", clip_frames(_still(10), 4.0, seed=7))
    moved = clip_frames(_still(10), 4.0, seed=1, nudge=0.06)  # the same take but for the subject
    write_clip(needles / "other/subject moved.mp4", moved)
    write_clip(needles / "other/unrelated.mp4", clip_frames(_still(11), 4.0, seed=2))
    items = _items(_report(tmp_path, hay, needles))
    assert items["copies/byte copy.mp4"] == ("video", "identical", None)
    assert items["copies/reencoded.mp4"] == ("video", "same", ALONG)
    assert items["copies/remuxed.mkv"] == ("video", "same", ALONG)
    assert items["copies/starved.mp4"] == ("video", "same", ALONG)
    kind, status, reason = items["edits/trimmed.mp4"]
    assert (kind, status) == ("video", "similar") and reason.startswith("trimmed or edited clip")
    assert items["other/same scene.mp4"][1] != "same"
    assert items["other/subject moved.mp4"][1] == "similar"
    assert items["other/unrelated.mp4"][1] == "missing"


def test_a_video_never_matches_a_picture(tmp_path: Path) -> None:
    """A still exported from a clip does not make the clip imported, nor the clip the still."""
    frames = list(clip_frames(_still(12), 2.0))
    hay = tmp_path / "hay"
    write(hay / "still.jpg", frames[24], 95)
    needles = tmp_path / "needles"
    write_clip(needles / "clip.mp4", iter(frames))
    assert _items(_report(tmp_path, hay, needles))["clip.mp4"][1] != "same"


def test_live_photo_with_only_its_still_in_the_library_is_not_complete(tmp_path: Path) -> None:
    """The still and its companion .MOV are each accounted for: with only the still imported,
    the motion part is `missing` and the folder is `partial`."""
    still = _still(20)
    hay = tmp_path / "hay"
    write(hay / "IMG_0001.JPG", still, 92)
    needles = tmp_path / "needles"
    write(needles / "Live/IMG_0001.JPG", still, 92)
    write_clip(needles / "Live/IMG_0001.MOV", clip_frames(still, 1.5, fps=30))
    report = _report(tmp_path, hay, needles)
    assert _items(report) == {
        "Live/IMG_0001.JPG": ("image", "identical", None),
        "Live/IMG_0001.MOV": ("video", "missing", NOTHING_CLOSE),
    }
    assert report["directories"][0]["status"] == "partial"


def test_broken_videos_are_unreadable_with_a_reason(tmp_path: Path) -> None:
    """A truncated clip, a zero-length .mov, text named .mp4 and an audio-only .mp4 each get
    `unreadable` with a reason (or, truncated, whatever frames survive); none hangs."""
    hay = tmp_path / "hay"
    write(hay / "photo.jpg", _still(30), 90)
    needles = tmp_path / "needles"
    good = write_clip(needles / "good.mp4", clip_frames(_still(31), 2.0))
    data = good.read_bytes()
    (needles / "truncated.mp4").write_bytes(data[: len(data) // 3])
    (needles / "empty.mov").write_bytes(b"")
    (needles / "notes.mp4").write_text("a shopping list\n" * 20)
    audio_only(needles / "voice memo.mp4")
    items = _items(_report(tmp_path, hay, needles))
    assert items["good.mp4"] == ("video", "missing", NOTHING_CLOSE)
    assert items["empty.mov"][:2] == ("video", "unreadable")
    assert items["notes.mp4"][:2] == ("video", "unreadable")
    assert items["voice memo.mp4"] == ("video", "unreadable", "no video stream (an audio file?)")
    assert items["truncated.mp4"][1] in ("unreadable", "missing")
    assert items["truncated.mp4"][2] is None or items["truncated.mp4"][2]


def test_an_hour_long_4k_clip_and_a_container_claiming_days(tmp_path: Path) -> None:
    """Long recordings cost seeks, not a decode of their length (five to fingerprint, at most
    120 to compare a pair along the clip): an hour of 4K at 60 fps (made sparse, so that the
    test is quick; the reader sees an hour-long stream) is matched against its remux in the
    library, and a clip whose container claims three days gets a status, within a minute."""
    big = cv2.resize(_still(40), (3840, 2160))
    hour = [(0.0, big), (1200.0, big[::-1].copy()), (2400.0, big[:, ::-1].copy()), (3599.0, big)]
    hay = tmp_path / "hay"
    original = write_timed_clip(tmp_path / "made/hour.mp4", hour)
    remux(original, hay / "hour.mkv")
    needles = tmp_path / "needles"
    (needles / "long").mkdir(parents=True)
    (needles / "long/hour.mp4").write_bytes(original.read_bytes())
    remux(original, needles / "long/hour.mov")
    full_hd = [cv2.resize(_still(seed), (1920, 1080)) for seed in (41, 42)]
    days = [(0.0, full_hd[0]), (3 * 86400.0, full_hd[1])]
    write_timed_clip(needles / "long/days.mkv", days, fps=30)
    started = time.monotonic()
    report = _report(tmp_path, hay, needles)
    assert time.monotonic() - started < 60
    items = _items(report)
    assert items["long/hour.mp4"] == ("video", "same", ALONG)  # the library's is an .mkv
    assert items["long/hour.mov"] == ("video", "same", ALONG)
    assert items["long/days.mkv"] == ("video", "missing", NOTHING_CLOSE)


def test_frames_are_sampled_as_a_whole_decode_gives_them_in_a_long_gop(tmp_path: Path) -> None:
    """A clip as x264 writes it by default (a keyframe every 250 frames, B-frames between):
    the frames sampled by seeking, with the B-frames nothing refers to skipped on the way,
    are those a decode of every frame gives at the same times, to the bit."""
    import av
    from av.video.reformatter import VideoReformatter

    from reconcile.media import video

    # 24 fps: most sample points fall between frames, and the frame before is the nearer.
    path = write_clip(tmp_path / "x264.mp4", clip_frames(_still(43), 16.0, fps=24), fps=24)
    clip = video.sample(str(path))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        every = [(frame.pts, frame) for frame in container.decode(stream)]
        base = stream.time_base
    converter = VideoReformatter()
    for point, got in zip(video.SAMPLE_POINTS, clip.frames, strict=True):
        target = int(clip.duration * point / base)
        after = next(i for i, (pts, _) in enumerate(every) if pts >= target)
        nearest = after - 1 if target - every[after - 1][0] < every[after][0] - target else after
        assert np.array_equal(got.rgb, video._pixels(every[nearest][1], converter).rgb), point


def test_heic_is_read_by_a_plain_install(tmp_path: Path) -> None:
    """A HEIC copy of a library JPEG and a JPEG export of a library HEIC are `same`; a
    truncated HEIC is `unreadable`."""
    a, b = _still(40), _still(41)
    hay = tmp_path / "hay"
    write(hay / "a.jpg", a, 92)
    (hay / "b.heic").write_bytes(heic_bytes(b))
    needles = tmp_path / "needles"
    needles.mkdir()
    (needles / "a.heic").write_bytes(heic_bytes(a))
    (needles / "b.jpg").write_bytes(encode(b, ".jpg", 85))
    broken = heic_bytes(_still(42))
    (needles / "broken.heic").write_bytes(broken[: len(broken) // 2])
    items = _items(_report(tmp_path, hay, needles))
    assert items["a.heic"] == ("image", "same", verified(REENCODED, 320, 240))
    assert items["b.jpg"] == ("image", "same", verified(REENCODED, 320, 240))
    assert items["broken.heic"][:2] == ("image", "unreadable")


def test_raw_files(tmp_path: Path) -> None:
    """A DNG byte copy is `identical`; a DNG whose shot the library holds only as a JPEG is
    `similar` with the reason saying so (the RAW itself is not in the library)."""
    a, b = _still(50), _still(51)
    hay = tmp_path / "hay"
    hay.mkdir()
    (hay / "IMG_0050.DNG").write_bytes(dng_bytes(a))
    write(hay / "IMG_0051.JPG", b, 92)
    needles = tmp_path / "needles"
    needles.mkdir()
    (needles / "IMG_0050.DNG").write_bytes((hay / "IMG_0050.DNG").read_bytes())
    (needles / "IMG_0051.DNG").write_bytes(dng_bytes(b))
    (needles / "IMG_0052.DNG").write_bytes(dng_bytes(_still(52)))
    items = _items(_report(tmp_path, hay, needles))
    assert items["IMG_0050.DNG"] == ("image", "identical", None)
    assert items["IMG_0051.DNG"] == (
        "image", "similar",
        "RAW; the library holds a JPEG or other rendering of this shot, not the RAW",
    )  # fmt: skip
    assert items["IMG_0052.DNG"] == ("image", "missing", NOTHING_CLOSE)


@pytest.mark.parametrize("bundle", ["Photos Library.photoslibrary", "iPhoto Library"])
def test_a_library_bundle_is_read_by_its_originals(tmp_path: Path, bundle: str) -> None:
    """Inside a Photos or iPhoto bundle whose catalogue is missing or damaged, only
    originals/ and Masters/ are read, with a warning each: derivatives, previews, thumbnails
    and the database are not media to reconcile, on either side. (tests/test_catalogue.py
    has the libraries whose catalogue is read.)"""
    a, b = _still(60), _still(61)
    hay = tmp_path / "hay" / bundle
    write(hay / "originals/0/A.jpg", a, 95)
    write(hay / "resources/derivatives/0/A_1_105_c.jpeg", a, 70)
    write(hay / "resources/derivatives/masters/B_4_5005_c.jpeg", b, 60)  # a preview only
    (hay / "database").mkdir()
    (hay / "database/Photos.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(100))
    needles = tmp_path / "needles" / "Old drive" / bundle
    write(needles / "Masters/2010/B.jpg", b, 92)
    write(needles / "Thumbnails/2010/B.jpg", b, 40)
    write(needles / "Previews/2010/B.jpg", b, 60)
    report = _report(tmp_path, tmp_path / "hay", tmp_path / "needles")
    # B's only library counterpart is a cached preview: B is not in the library.
    assert _items(report) == {
        f"Old drive/{bundle}/Masters/2010/B.jpg": ("image", "missing", NOTHING_CLOSE)
    }
    assert sum("the files of its originals folders decide" in w for w in report["warnings"]) == 2
    assert [(d["path"], d["status"]) for d in report["directories"]] == [
        (f"Old drive/{bundle}", "new")  # a library's items count as the library
    ]


def test_sidecars_are_skipped_and_unknown_files_counted_per_folder(tmp_path: Path) -> None:
    """.xmp, .aae, .thm, .lrv and litter are skipped; a .psd or .zip is counted as `other` in
    its folder and listed by name, and keeps its folder from being complete: `unchecked`
    (a folder holding only such files too, also in `other_folders`)."""
    hay = tmp_path / "hay"
    write(hay / "a.jpg", _still(70), 90)
    needles = tmp_path / "needles"
    write(needles / "card/a.jpg", _still(70), 90)
    for name in ("a.xmp", "a.aae", "MVI_1.THM", "GX01.LRV", ".DS_Store", "notes.txt"):
        (needles / "card" / name).write_bytes(b"x" * 10)
    (needles / "card/layers.psd").write_bytes(b"8BPS" + bytes(100))
    (needles / "docs").mkdir()
    (needles / "docs/photos.zip").write_bytes(b"PK\x03\x04" + bytes(100))
    report = _report(tmp_path, hay, needles)
    assert _items(report) == {"card/a.jpg": ("image", "identical", None)}
    verdicts = {d["path"]: (d["status"], d["images"], d["other"]) for d in report["directories"]}
    assert verdicts == {"card": ("unchecked", 1, 1), "docs": ("unchecked", 0, 1)}
    assert report["other_folders"] == [{"root": str(needles), "path": "docs", "other": 1}]
    assert report["other_files"] == [
        {"root": str(needles), "path": "card/layers.psd", "status": "unchecked"},
        {"root": str(needles), "path": "docs/photos.zip", "status": "unchecked"},
    ]
    assert report["summary"]["skipped"] == 8
    assert report["summary"]["other"] == 2
