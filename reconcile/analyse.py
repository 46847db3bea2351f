"""One file from path to facts: its bytes' digest, its fingerprints, or why it cannot be read."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from reconcile.decode import HEAD_BYTES, Pixels, Undecodable, decode, decode_embedded
from reconcile.fingerprint import Fingerprint, fingerprint, trim_border


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the index keeps about one file (a failure is a fact too: `reason` says why)."""

    path: str
    size: int
    mtime_ns: int
    digest: bytes | None = None
    print: Fingerprint | None = None
    trimmed: Fingerprint | None = None  # the picture without its uniform border, if it has one
    reason: str | None = None
    quick: bool = False  # the prints come from the embedded EXIF thumbnail, not the picture


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def file_digest(path: str) -> bytes:
    """The digest of a file's bytes, read in blocks (no decoding, little memory)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).digest()


@cache
def _digester() -> ThreadPoolExecutor:
    # hashlib and Pillow's decoder both release the GIL: digesting beside the decode hides
    # the digest's cost wherever a core is free (one job on a multi-core machine).
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="reconcile-digest")


def analyse(
    path: str, size: int, mtime_ns: int, want_digest: bool = True, quick: bool = False
) -> FileFacts:
    """Read, decode and fingerprint one file, and digest it if asked. Never raises for a bad file.

    The digest only serves to find byte-identical copies, so the pipeline asks for it only when
    a file of the same size is on the other side: most files never pay for it. `quick`
    fingerprints a JPEG's embedded EXIF thumbnail instead of the picture when it has a usable
    one; such prints only ever propose candidates (see `quick` in the pipeline).
    """
    head_only = quick and not want_digest  # the thumbnail is in the head; the digest needs all
    try:
        with open(path, "rb") as handle:
            data = handle.read(HEAD_BYTES if head_only else -1)
            embedded = decode_embedded(data) if quick else None
            if embedded is None and head_only:
                data += handle.read()
    except OSError as error:
        return FileFacts(path, size, mtime_ns, reason=f"cannot read ({error.strerror})")
    if embedded is not None:
        digest = digest_of(data) if want_digest else None
        return _guarded_facts(path, size, mtime_ns, digest, embedded, quick=True)
    pending = _digester().submit(digest_of, data) if want_digest else None
    try:
        pixels = decode(data, name=os.path.basename(path))
    except Undecodable as error:
        digest = pending.result() if pending else None
        return FileFacts(path, size, mtime_ns, digest=digest, reason=str(error))
    digest = pending.result() if pending else None
    del data
    return _guarded_facts(path, size, mtime_ns, digest, pixels)


def _guarded_facts(
    path: str, size: int, mtime_ns: int, digest: bytes | None, pixels: Pixels, quick: bool = False
) -> FileFacts:
    try:
        return _facts(path, size, mtime_ns, digest, pixels, quick)
    except MemoryError:
        return FileFacts(path, size, mtime_ns, digest=digest, reason="out of memory fingerprinting")
    except Exception as error:  # a bad picture is a record, never a crash
        text = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        return FileFacts(path, size, mtime_ns, digest=digest, reason=f"cannot fingerprint ({text})")


def _facts(
    path: str, size: int, mtime_ns: int, digest: bytes | None, pixels: Pixels, quick: bool = False
) -> FileFacts:
    full = fingerprint(pixels.rgb, width=pixels.width, height=pixels.height)
    inner = trim_border(pixels.rgb)
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
    return FileFacts(path, size, mtime_ns, digest=digest, print=full, trimmed=trimmed, quick=quick)


def analyse_task(task: tuple[str, int, int, bool, bool]) -> FileFacts:
    """`analyse` for a process pool, which passes one argument."""
    return analyse(*task)
