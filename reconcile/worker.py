"""A worker process: analyses the files the pool sends it, one at a time, until its input ends.

Started by `pool` as `python -m reconcile.worker PARENT_PID`. Frames are pickles: the pool
sends `Task`s on stdin; the worker answers `READY` once, then one `FileFacts` per task on the
pipe that was its stdout. This is reconcile's own process, so here (and only here) Pillow's
limits and the address-space limit are set for the whole process.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import BinaryIO

READY = "ready"
# Address space a worker may use beyond what it holds after its imports (the decoder budgets
# MEMORY_BUDGET per file; the rest is room for the fingerprint maths and allocator slack).
_HEADROOM = 2 * 1024**3


def main(argv: list[str]) -> int:
    parent = int(argv[0]) if argv else os.getppid()
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    out = os.fdopen(os.dup(1), "wb")
    # Anything a library prints must not corrupt the frames: fd 1 goes nowhere from here on.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        from PIL import Image

        from reconcile.analyse import analyse
        from reconcile.decode import MEMORY_BUDGET

        # The decoder checks pixels (MAX_PIXELS) and memory itself, from the header, before
        # any pixel is decoded, and names the size in its reason.
        Image.MAX_IMAGE_PIXELS = None
        _limit_memory(MEMORY_BUDGET + _HEADROOM)
    except BaseException as error:  # tell the pool why this worker cannot work
        _send(out, ("error", f"{type(error).__name__}: {error}"))
        return 1
    _send(out, READY)
    tasks = sys.stdin.buffer
    while True:
        try:
            task = pickle.load(tasks)
        except EOFError:
            return 0  # the pool closed our input, or the main process died
        # Our stderr goes nowhere: OpenCV's JPEG decoder may write libjpeg's warnings there.
        _send(out, analyse(task, opencv_jpeg=True))


def _send(out: BinaryIO, message: object) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _die_with(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the main process dies, by any signal:
    otherwise a worker busy with one long file outlives a killed run until that file ends."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the worker ends when its input closes (the pool's per-file limit)
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _limit_memory(extra: int) -> None:
    """Cap the address space at what the imports left plus `extra`, so that a file that needs
    more fails with MemoryError (a reason) instead of drawing the kernel's OOM killer."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    try:
        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        used = 1024**3
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
