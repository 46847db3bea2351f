"""Turning a video file into a few frames: seeks to sample points, never a whole decode.

PyAV (FFmpeg's libraries) reads every container and codec a phone or camera writes, reports a
broken file as an error, and seeks by timestamp. Frames come back upright (the rotation in the
container's display matrix applied) and reduced to the working size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from reconcile.media.decode import WORKING_SIZE, Pixels, Undecodable

# Where frames are taken, as fractions of the clip's duration: the middle one first (it
# stands for the clip in the hash search), then the others in order.
SAMPLE_POINTS = (0.5, 0.1, 0.3, 0.7, 0.9)
# A pair of clips about to be `same` is compared along the whole clip (`along`): a frame
# every SPACING seconds (further apart in clips of more than MAX_ALONG of them), so that a
# slide or a title replaced between the five points shows.
SPACING = 1.0
MAX_ALONG = 120
# Frames decoded forward from a keyframe to reach one sample point, at most (a camera's GOP
# is 0.5-2 s); past it the last frame decoded stands in.
MAX_FRAMES_PER_SEEK = 240
# Seconds, and frames, before a point from which every frame is decoded (before it, those no
# frame is predicted from are skipped): the frame nearest the point, on either side, is among
# them however far a B-frame's packet comes before its time (a few frames).
SKIP_UNTIL = 0.5
SKIP_UNTIL_FRAMES = 8
# A clip longer than this is sampled as if it were this long: a container that claims days
# still costs five seeks, each from the start's neighbourhood.
MAX_DURATION = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Clip:
    """What the fingerprints need of a video: frames at the sample points, and its length."""

    duration: float  # seconds (0 when the container does not say)
    frames: tuple[Pixels, ...]  # at the times asked for, those that could be read
    audio: bool  # the file has a sound track


def sample(path: str) -> Clip:
    """Frames of the video at `path` at SAMPLE_POINTS, and whether it has sound; raises
    Undecodable with a reason."""
    return _sampled(path, lambda duration: [duration * point for point in SAMPLE_POINTS])


def along(path: str) -> Clip:
    """Frames of the video at `path` along the whole clip (along_times)."""
    return _sampled(path, along_times)


def _sampled(path: str, times: Callable[[float], list[float]]) -> Clip:
    import av  # loaded by the workers that meet a video, not by every importer
    from av.video.reformatter import VideoReformatter

    try:
        container = av.open(path, metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise Undecodable("not a video (unknown format)") from None
    except av.FFmpegError as error:
        raise Undecodable(f"cannot open video ({_first_line(error)})") from None
    with container:
        if not container.streams.video:
            raise Undecodable("no video stream (an audio file?)")
        stream = container.streams.video[0]
        duration = _duration(container, stream)
        # A converter of our own, on this thread alone: PyAV's shared one (one a thread, with
        # a thread pool of its own) may come from the process this worker was forked from,
        # whose pool threads a fork does not copy; converting with it waited for them for
        # ever (a caller that had decoded a video, then a worker's clip "took too long").
        reformatter = VideoReformatter()
        frames = []
        for seconds in times(min(duration, MAX_DURATION)):
            frame = _frame_at(container, stream, seconds, reformatter)
            if frame is not None:
                frames.append(frame)
        if not frames:
            raise Undecodable("video without a decodable frame")
        audio = bool(container.streams.audio)
    return Clip(duration=duration, frames=tuple(frames), audio=audio)


def along_times(duration: float) -> list[float]:
    """Seconds into a clip of `duration` where `along` takes frames: every SPACING seconds
    from half of it in (at most MAX_ALONG, spread wider in long clips). Two copies of a
    clip, of lengths a frame apart, are sampled at the same times."""
    spacing = max(SPACING, duration / MAX_ALONG)
    count = max(1, int(duration / spacing))
    return [spacing * (step + 0.5) for step in range(count)]


def _duration(container: object, stream: object) -> float:
    if getattr(stream, "duration", None) and getattr(stream, "time_base", None):
        return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]
    if getattr(container, "duration", None):
        return float(container.duration) / 1_000_000  # type: ignore[attr-defined]
    return 0.0


def _frame_at(container: object, stream: object, seconds: float, reformatter: Any) -> Pixels | None:
    """The first frame at or after `seconds` (decoded forward from the keyframe before it).

    Until the packets come within SKIP_UNTIL seconds (or SKIP_UNTIL_FRAMES frames) of the
    point, frames no other frame is predicted from (most B-frames) are not decoded: nothing
    refers to them, so every frame decoded after them is the same to the bit, and an
    export's long GOP costs a fifth less."""
    import av

    time_base = stream.time_base  # type: ignore[attr-defined]
    start = stream.start_time or 0  # type: ignore[attr-defined]
    target = start + (int(seconds / time_base) if time_base else 0)
    rate = stream.average_rate  # type: ignore[attr-defined]
    margin = max(SKIP_UNTIL, SKIP_UNTIL_FRAMES / float(rate) if rate else SKIP_UNTIL)
    near = target - (int(margin / time_base) if time_base else 0)
    before = last = None
    try:
        container.seek(target, stream=stream, backward=True, any_frame=False)  # type: ignore[attr-defined]
        for count, frame in enumerate(_decoded(container, stream, near)):
            before, last = last, frame
            if frame.pts is None or frame.pts >= target or count >= MAX_FRAMES_PER_SEEK:
                break
    except (av.FFmpegError, ValueError, EOFError):
        last = last or before
    if last is None:
        return None
    # The frame nearest the point, so that copies at another frame rate sample alike.
    nearer = before is not None and before.pts is not None and last.pts is not None
    if nearer and target - before.pts < last.pts - target:  # type: ignore[union-attr]
        last = before
    return _pixels(last, reformatter)


def _decoded(container: object, stream: object, near: int) -> Iterator[Any]:
    """The frames decoded forward from where the container stands, those no frame is
    predicted from skipped until the packets reach `near` (in the stream's time base)."""
    codec = stream.codec_context  # type: ignore[attr-defined]
    codec.skip_frame = "NONREF"
    try:
        for packet in container.demux(stream):  # type: ignore[attr-defined]
            if packet.dts is None or packet.dts >= near:
                codec.skip_frame = "DEFAULT"
            yield from packet.decode()
    finally:
        codec.skip_frame = "DEFAULT"


def _pixels(frame: object, reformatter: Any) -> Pixels:
    width, height = frame.width, frame.height  # type: ignore[attr-defined]
    scale = max(1, min(width, height) // WORKING_SIZE)
    # One thread: a worker per core wants no more.
    small = reformatter.reformat(frame, width=max(1, width // scale),
                                 height=max(1, height // scale), format="rgb24",
                                 threads=1)  # fmt: skip
    rgb = small.to_ndarray()
    turns = _quarter_turns(getattr(frame, "rotation", 0) or 0)
    if turns:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=turns))
        if turns % 2:
            width, height = height, width
    return Pixels(rgb=rgb, width=width, height=height)


def _quarter_turns(rotation: float) -> int:
    """Counter-clockwise quarter turns that show the frame upright (FFmpeg's display matrix
    gives the rotation counter-clockwise in degrees)."""
    if not math.isfinite(rotation):
        return 0
    return round(rotation / 90) % 4


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
