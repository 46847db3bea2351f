"""Reading a file safely: only regular files, opened without blocking, and their digests."""

from __future__ import annotations

import hashlib
import io
import os
import stat


def open_regular(path: str) -> io.BufferedReader:
    """Open a file for reading, and only if it is a regular file. The open itself does not
    block: a FIFO or a device swapped in under an image name would otherwise hang forever."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, f"not a regular file: {kind_of_mode(mode)}")
        os.set_blocking(fd, True)
        return open(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def kind_of_mode(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def digest_of(data: bytes) -> bytes:
    """BLAKE2b-128 of some bytes: what `identical` compares."""
    return hashlib.blake2b(data, digest_size=16).digest()


# The blocks a file's sample is taken from, at its start and at its end.
SAMPLE_BLOCK = 8192


def sample_of(data: bytes) -> bytes:
    """A digest of a file's first and last blocks and its length, from its whole bytes: what
    tells a file replaced under the same size and mtime (another photo, bytes zeroed by a
    failing disk, a restore) from the one indexed, without reading it all."""
    return _sample(data[:SAMPLE_BLOCK], data[-SAMPLE_BLOCK:], len(data))


def file_sample(path: str) -> bytes:
    """`sample_of` the file at `path`, reading only its first and last blocks."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(SAMPLE_BLOCK)
        if size > SAMPLE_BLOCK:
            handle.seek(max(0, size - SAMPLE_BLOCK))
        tail = handle.read(SAMPLE_BLOCK) if size > SAMPLE_BLOCK else head
    return _sample(head, tail[-SAMPLE_BLOCK:], size)


def _sample(head: bytes, tail: bytes, size: int) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(size.to_bytes(8, "little"))
    digest.update(head)
    digest.update(tail)
    return digest.digest()


def file_digest(path: str) -> bytes:
    """The digest of a file's bytes, read in blocks (no decoding, little memory)."""
    with open_regular(path) as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).digest()
