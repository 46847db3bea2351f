"""Test media made from real pixels: short video clips (PyAV), DNG RAW files (pidng) and HEIC
pictures (pillow-heif). Used by the tests and by sample_data/make_sample_data.py."""

from __future__ import annotations

import io
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def clip_frames(
    still: np.ndarray, seconds: float, fps: int = 24, *, seed: int = 0, nudge: float = 0.0
) -> Iterator[np.ndarray]:
    """Frames of a clip over a still: a slow pan, and an object that moves across it, so that
    frames at different times differ visibly (and clips of other seeds are other takes).
    `nudge` moves the object by that fraction of the height: the same take but for the subject
    a little elsewhere, the hardest other take to tell from a copy."""
    h, w = still.shape[:2]
    rng = np.random.default_rng(seed)
    colour = tuple(int(c) for c in rng.integers(80, 256, 3))
    # Each seed is another take: the object crosses at its own height and phase.
    phase, height = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 0.7)
    count = max(1, round(seconds * fps))
    for number in range(count):
        t = number / max(1, count - 1)
        shift = np.float32([[1, 0, -0.08 * w * t], [0, 1, 0]])
        frame = cv2.warpAffine(still, shift, (w, h), borderMode=cv2.BORDER_REFLECT)
        y = height + nudge + 0.25 * np.sin(6 * t + phase)
        centre = (int(w * (0.1 + 0.8 * t)), int(h * y))
        cv2.circle(frame, centre, max(4, h // 8), colour, -1, lineType=cv2.LINE_AA)
        yield frame


def write_clip(
    path: Path,
    frames: Iterator[np.ndarray],
    *,
    fps: int = 24,
    codec: str = "libx264",
    size: tuple[int, int] | None = None,
    bit_rate: int | None = None,
    rotation: int = 0,
    gop: int | None = None,
    audio: bool = False,
    bframes: int = 0,
) -> Path:
    """Encode RGB frames into a video file (the container follows the file's extension).

    `rotation`: degrees written as the stream's display rotation (as phones do); `gop`: frames
    between keyframes (phones: about one second's worth; x264's default is 250); `audio`: a
    sound track too (a tone, AAC), as long as the frames; `bframes`: that many B-frames
    between references throughout (libx264 only: its adaptive choice puts none in a synthetic
    pan, where an export of real footage has them)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        sound = container.add_stream("aac", rate=44100, layout="mono") if audio else None
        stream.pix_fmt = "yuv420p"
        if rotation:
            stream.metadata["rotate"] = str(rotation)
        if bit_rate:
            stream.bit_rate = bit_rate
        if gop:
            stream.codec_context.gop_size = gop  # frames between keyframes
        if bframes:
            stream.options = {"bframes": str(bframes), "b-adapt": "0"}
        count = 0
        for frame in frames:
            if size is not None:
                frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            frame = frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2]  # 4:2:0: even
            if not count:
                stream.height, stream.width = frame.shape[:2]
            count += 1
            video = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
            for packet in stream.encode(video):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None:
            _tone(container, sound, count / fps)
    return path


def _tone(container: object, stream: object, seconds: float) -> None:
    """`seconds` of a 440 Hz tone encoded into an audio stream of `container`."""
    import av

    rate, block = 44100, 1024
    samples = np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate) * 0.3
    for start in range(0, len(samples), block):
        chunk = samples[start : start + block].astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):  # type: ignore[attr-defined]
            container.mux(packet)  # type: ignore[attr-defined]
    for packet in stream.encode():  # type: ignore[attr-defined]
        container.mux(packet)  # type: ignore[attr-defined]


def write_timed_clip(path: Path, frames: list[tuple[float, np.ndarray]], *, fps: int = 60) -> Path:
    """A clip whose frames are shown at the given seconds: what an hour-long recording (or a
    container that claims days) looks like to a reader, made in a moment from a few frames."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.pix_fmt = "yuv420p"
        stream.height, stream.width = frames[0][1].shape[:2]
        for seconds, rgb in frames:
            video = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            video.pts = round(seconds * fps)
            video.time_base = Fraction(1, fps)
            for packet in stream.encode(video):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def remux(source: Path, target: Path) -> Path:
    """The same video stream in another container, packets copied, nothing re-encoded."""
    import av

    target.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream_in = inp.streams.video[0]
        stream_out = out.add_stream_from_template(stream_in)
        for packet in inp.demux(stream_in):
            if packet.dts is None:
                continue
            packet.stream = stream_out
            out.mux(packet)
    return target


def audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An .mp4 with an AAC track and no video stream."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        samples = int(44100 * seconds)
        tone = (np.sin(np.arange(samples) * 440 * 2 * np.pi / 44100) * 0.2).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
        frame.sample_rate = 44100
        frame.time_base = Fraction(1, 44100)
        frame.pts = 0
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# XYZ (D65) to linear sRGB, as DNG's ColorMatrix1 (XYZ to camera): the "camera" sees linear
# sRGB, so that a raw converter renders the mosaic back to the picture's own colours.
_XYZ_TO_SRGB = [[v, 10000] for v in (32406, -15372, -4986, -9689, 18758, 415, 557, -2040, 10570)]


def dng_bytes(rgb: np.ndarray) -> bytes:
    """A DNG holding the picture as an RGGB sensor mosaic (linear 12-bit), as a camera's RAW
    would; LibRaw renders it back close to `rgb`."""
    import tempfile

    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import (
        CalibrationIlluminant,
        CFAPattern,
        DNGVersion,
        Orientation,
        PhotometricInterpretation,
        PreviewColorSpace,
    )

    h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    linear = ((rgb[:h, :w].astype(np.float32) / 255.0) ** 2.2 * 4095).astype(np.uint16)
    mosaic = np.empty((h, w), np.uint16)
    mosaic[0::2, 0::2] = linear[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = linear[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = linear[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = linear[1::2, 1::2, 2]
    tags = DNGTags()
    for tag, value in (
        (Tag.ImageWidth, w), (Tag.ImageLength, h), (Tag.TileWidth, w), (Tag.TileLength, h),
        (Tag.Orientation, Orientation.Horizontal),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]),
        (Tag.CFAPattern, CFAPattern.RGGB), (Tag.BlackLevel, 0), (Tag.WhiteLevel, 4095),
        (Tag.ColorMatrix1, _XYZ_TO_SRGB),
        (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]), (Tag.BaselineExposure, [[0, 100]]),
        (Tag.Make, "reconcile"), (Tag.Model, "test camera"),
        (Tag.DNGVersion, DNGVersion.V1_4), (Tag.DNGBackwardVersion, DNGVersion.V1_2),
        (Tag.PreviewColorSpace, PreviewColorSpace.sRGB),
    ):  # fmt: skip
        tags.set(tag, value)
    with tempfile.TemporaryDirectory() as folder:
        converter = RAW2DNG()
        converter.options(tags, path="", compress=False)
        converter.convert(mosaic, filename=str(Path(folder, "raw")))
        return Path(folder, "raw.dng").read_bytes()


def heif_of_several(frames: list[Image.Image], quality: int = 90) -> bytes:
    """A HEIF of several pictures, as a phone writes a burst or an iPhone a spatial photo's
    two views: the first the primary picture."""
    import pillow_heif

    heif = pillow_heif.from_pillow(frames[0])
    for frame in frames[1:]:
        heif.add_from_pillow(frame)
    out = io.BytesIO()
    heif.save(out, quality=quality)
    return out.getvalue()


def heic_bytes(rgb: np.ndarray, quality: int = 80, thumbnail: int | None = None) -> bytes:
    """The picture encoded as HEIC; with an embedded thumbnail of `thumbnail` px on its long
    side (iPhones write one of 320 px), or none."""
    import pillow_heif

    heif = pillow_heif.from_pillow(Image.fromarray(rgb))
    out = io.BytesIO()
    heif.save(out, quality=quality, thumbnails=[thumbnail] if thumbnail else [])
    return out.getvalue()
