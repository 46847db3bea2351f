"""One file from path to facts: its bytes' digest, its fingerprints, or why it cannot be read."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from reconcile.facts import CLIP_LOOK, FileFacts, Task
from reconcile.files import digest_of, file_digest, file_sample, open_regular
from reconcile.filetypes import MAGIC_BYTES, Kind, image_format
from reconcile.media.decode import (
    HEAD_BYTES,
    Pixels,
    Undecodable,
    decode,
    decode_embedded,
    decoded_alike,
)
from reconcile.media.fingerprint import fingerprint, grey, look_picture, trim_border

# Files up to this size are read once into memory, digested and decoded from there; larger
# ones (TIFF scans, or a disk image named .jpg) are digested as a stream and decoded from disk.
READ_WHOLE = 256 * 1024 * 1024


def analyse(task: Task) -> FileFacts:
    """Read, decode and fingerprint one file, and digest it if asked. Never raises for a bad file.

    The facts carry the file's identity as the walk saw it (inode, ctime) and the sample of
    its first and last blocks, by which a later run tells it unchanged (see library.refresh).
    """
    if task.look is not None:
        return _look(task)
    if task.along:
        return _along(task)
    facts = _analyse(task)
    try:
        sample: bytes | None = file_sample(task.path)  # in the page cache: just read
    except OSError:
        sample = None
    return dataclasses.replace(facts, inode=task.inode, ctime_ns=task.ctime_ns, sample=sample)


def _look(task: Task) -> FileFacts:
    """Only the picture, decoded near the size a fine look asks for (a JPEG at the DCT scale
    that gives it, never in full when less will do)."""
    assert task.look is not None
    facts = FileFacts(task.path, task.size, task.mtime_ns, kind=task.kind, look_size=task.look)
    try:
        with open_regular(task.path) as handle:
            data = _read_whole(handle, task.size)
        pixels = decode(
            data if len(data) <= READ_WHOLE else task.path,
            name=os.path.basename(task.path), fit=task.look,
        )  # fmt: skip
        return dataclasses.replace(facts, look=look_picture(pixels.rgb, task.look))
    except OSError as error:
        return dataclasses.replace(facts, reason=f"cannot read ({error.strerror or error})")
    except (Undecodable, MemoryError) as error:
        return dataclasses.replace(facts, reason=str(error) or "out of memory")


def _along(task: Task) -> FileFacts:
    """Only a video's frames along the whole clip, fingerprinted, for comparing it with a
    clip it is about to be `same` as."""
    from reconcile.media.video import along

    facts = FileFacts(task.path, task.size, task.mtime_ns, kind=Kind.VIDEO, look_size=0)
    try:
        with open_regular(task.path):
            pass
        clip = along(task.path)
        prints = tuple(
            fingerprint(frame.rgb, width=frame.width, height=frame.height, crop_views=False)
            for frame in clip.frames
        )
    except OSError as error:
        return dataclasses.replace(facts, reason=f"cannot read ({error.strerror or error})")
    except (Undecodable, MemoryError) as error:
        return dataclasses.replace(facts, reason=str(error) or "out of memory")
    looks = tuple(look_picture(frame.rgb, CLIP_LOOK) for frame in clip.frames)
    return dataclasses.replace(
        facts, frames=prints, duration=clip.duration, audio=clip.audio, looks=looks
    )


def _analyse(task: Task) -> FileFacts:
    """Read, decode and fingerprint one file, and digest it if asked.

    The digest only serves to find byte-identical copies, so it is asked for only when
    a file of the same size is on the other side: most files never pay for it. `quick`
    fingerprints a JPEG's embedded EXIF thumbnail instead of the picture when it has a usable
    one; such prints only ever propose candidates (see `rules.Confirm`).
    """
    if task.kind is Kind.VIDEO:
        return _analyse_video(task)
    path, size, mtime_ns = task.path, task.size, task.mtime_ns
    head_only = task.quick and not task.want_digest  # the thumbnail is in the head
    try:
        with open_regular(path) as handle:
            data = handle.read(HEAD_BYTES) if head_only else _read_whole(handle, size)
            if head_only and image_format(data) == "HEIC":  # its thumbnail may lie anywhere
                data += _read_whole(handle, size - len(data), READ_WHOLE + 1 - len(data))
                head_only = False
            heif = task.heif_thumbnail and image_format(data) == "HEIC"
            embedded = decode_embedded(data) if task.quick or heif else None
            if embedded is None and head_only:
                data += _read_whole(handle, size - len(data), READ_WHOLE + 1 - len(data))
    except OSError as error:
        return FileFacts(path, size, mtime_ns, reason=f"cannot read ({error.strerror or error})")
    except MemoryError:
        return FileFacts(path, size, mtime_ns, reason="cannot read (out of memory)")
    if embedded is not None:
        digest = digest_of(data) if task.want_digest else None
        return _guarded_facts(task, digest, embedded, quick=True)
    basename = os.path.basename(path)
    with ThreadPoolExecutor(1) as digester:
        # hashlib and the decoders release the GIL: digesting beside the decode hides the
        # digest's cost wherever a core is free.
        if len(data) > READ_WHOLE:
            del data  # too large to hold: digest the file as a stream, decode from disk
            pending = digester.submit(file_digest, path) if task.want_digest else None
            source: bytes | str = path
        else:
            pending = digester.submit(digest_of, data) if task.want_digest else None
            source = data
        try:
            pixels = decode(source, name=basename)
        except Undecodable as error:
            return FileFacts(path, size, mtime_ns, digest=_result(pending), reason=str(error))
        digest = _result(pending)
    facts = _guarded_facts(task, digest, pixels)
    if not task.looks_too or facts.reason is not None or not isinstance(source, bytes):
        return facts
    if not decoded_alike(source[:MAGIC_BYTES], basename):
        return facts  # a look decodes it at the look's own size
    looks = tuple((side, look_picture(pixels.rgb, side)) for side in task.looks_too)
    return dataclasses.replace(facts, looks_too=looks)


def _analyse_video(task: Task) -> FileFacts:
    """A video: frames sampled along the clip (never all of it decoded), each fingerprinted,
    and whether it has sound; its digest, when wanted, read as a stream beside them."""
    from reconcile.media.video import sample  # PyAV is loaded only where videos are met

    with ThreadPoolExecutor(1) as digester:
        pending = digester.submit(file_digest, task.path) if task.want_digest else None
        try:
            with open_regular(task.path):  # a FIFO or device in its place: refused at once
                pass
            clip = sample(task.path)
        except OSError as error:
            reason = f"cannot read ({error.strerror or error})"
            return FileFacts(task.path, task.size, task.mtime_ns, reason=reason, kind=task.kind)
        except Undecodable as error:
            digest = _result(pending)
            return FileFacts(
                task.path, task.size, task.mtime_ns, digest=digest, reason=str(error),
                kind=task.kind,
            )  # fmt: skip
        digest = _result(pending)
    try:
        prints = tuple(
            fingerprint(frame.rgb, width=frame.width, height=frame.height, crop_views=False)
            for frame in clip.frames
        )
    except Exception as error:  # a bad frame is a reason, never a crash
        text = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return FileFacts(
            task.path, task.size, task.mtime_ns, digest=digest,
            reason=f"cannot fingerprint ({text})", kind=task.kind,
        )  # fmt: skip
    return FileFacts(
        task.path,
        task.size,
        task.mtime_ns,
        digest=digest,
        full=prints[0],
        kind=Kind.VIDEO,
        duration=clip.duration,
        frames=prints,
        audio=clip.audio,
    )


def _read_whole(handle: BinaryIO, expected: int, limit: int = READ_WHOLE + 1) -> bytes:
    """Up to `limit` bytes. Asked for `limit` at once, Python would allocate that much (256 MB)
    for every file and shrink it after: the size the scan saw is asked for first (one byte
    more, to notice a file that grew), and the rest only if there is more."""
    data = handle.read(min(max(expected, 0) + 1, limit))
    if len(data) > expected and len(data) < limit:
        data += handle.read(limit - len(data))
    return data


def _result(pending: Future[bytes] | None) -> bytes | None:
    if pending is None:
        return None
    try:
        return pending.result()
    except OSError:
        return None


def _guarded_facts(
    task: Task, digest: bytes | None, pixels: Pixels, quick: bool = False
) -> FileFacts:
    try:
        return _facts(task, digest, pixels, quick)
    except MemoryError:
        reason = "out of memory fingerprinting"
    except Exception as error:  # a bad picture is a record, never a crash
        text = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        reason = f"cannot fingerprint ({text})"
    return FileFacts(task.path, task.size, task.mtime_ns, digest=digest, reason=reason)


def _facts(task: Task, digest: bytes | None, pixels: Pixels, quick: bool) -> FileFacts:
    gray = grey(pixels.rgb)  # once, for the prints and the border
    full = fingerprint(pixels.rgb, width=pixels.width, height=pixels.height, gray=gray)
    inner = trim_border(pixels.rgb, gray=gray)
    trimmed = None
    if inner is not None:
        # The trimmed picture's full size, scaled from the decoded one.
        scale = pixels.width / pixels.rgb.shape[1]
        trimmed = fingerprint(
            inner,
            width=max(1, round(inner.shape[1] * scale)),
            height=max(1, round(inner.shape[0] * scale)),
            crop_views=False,
        )
    # A file of several pictures: each sampled page printed, the first standing for the file.
    pages = tuple(fingerprint(page.rgb, width=page.width, height=page.height, crop_views=False)
                  for page in pixels.pages)  # fmt: skip
    return FileFacts(
        task.path,
        task.size,
        task.mtime_ns,
        digest=digest,
        full=full,
        trimmed=trimmed,
        quick=quick,
        frames=(full, *pages) if pages else (),
        pages=pixels.count,
    )
