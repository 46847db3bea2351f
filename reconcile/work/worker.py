"""A worker process: analyses the files the pool sends it, one at a time, until its input ends.

On Linux the pool forks workers from the main process, which has imported the analysis code
already (`forked`): a worker is ready in milliseconds instead of the 0.3 s that starting
Python and importing numpy, OpenCV and Pillow again takes, on every worker of every run.
Elsewhere, or if forking fails, the pool starts `python -m reconcile.work.worker PARENT_PID`
(`main`). Either way it speaks `protocol`: jobs in, `Ready` once, then one `Done` per job.
This is reconcile's own process, so here (and only here) Pillow's limits and the
address-space limit are set for the whole process.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import BinaryIO, NoReturn

from reconcile.work.protocol import CannotStart, Done, Ready, receive_job, send

NAME = "reconcile-work"  # what `ps` and `top` show for a worker (at most 15 bytes)
# Address space a worker may use beyond what it holds after its imports (the decoder budgets
# MEMORY_BUDGET per file; the rest is room for the fingerprint maths and allocator slack).
_HEADROOM = 2 * 1024**3


def main(argv: list[str]) -> int:
    """A worker started as its own program: tasks on stdin, answers on what was stdout."""
    parent = int(argv[0]) if argv else os.getppid()
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    out = os.fdopen(os.dup(1), "wb")
    # Anything a library prints must not corrupt the frames: fd 1 goes nowhere from here on.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    return _serve(sys.stdin.buffer, out)


def prepare() -> None:
    """Load the analysis code (numpy, OpenCV, Pillow and ours) into this process: the pool
    does so before forking, so that every worker starts with it loaded."""
    import reconcile.media.analyse  # noqa: F401


def forked(tasks: int, results: int, parent: int) -> NoReturn:
    """A worker's life in a child the pool forked from the main process: it reads tasks from
    the pipe `tasks` and answers on `results`, and never returns into the caller's code."""
    code = 1
    try:
        # The caller's handlers are for the caller: Ctrl-C is the main process's to handle,
        # SIGTERM and SIGHUP end a worker at once.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        _die_with(parent)
        _one_openmp_thread()
        # Nothing of the caller's stays open here: not its stdout (a `| wc -c` must see the
        # end when the main process ends), not the other workers' pipes (they must see theirs
        # close), not its index. The standard streams go nowhere, our pipes above them.
        import fcntl  # POSIX: only forked workers, on Linux, come here

        tasks, results = (fcntl.fcntl(fd, fcntl.F_DUPFD, 3) for fd in (tasks, results))
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        low, high = sorted((tasks, results))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, os.sysconf("SC_OPEN_MAX"))
        code = _serve(os.fdopen(tasks, "rb"), os.fdopen(results, "wb"))
    finally:
        os._exit(code)  # no atexit handlers, no flushing of buffers the caller filled


def _one_openmp_thread() -> None:
    """OpenMP in this forked child runs on this thread alone. LibRaw (rawpy) decodes with
    OpenMP, whose thread pool does not survive a fork: once the caller has decoded a RAW (a
    program using the library, a review page, a test), a child's next parallel region waits
    for threads that were never copied, and its RAW "took too long". One thread needs no
    pool; a worker per core needs no more."""
    try:
        with open("/proc/self/maps") as maps:
            found = {line.split()[-1] for line in maps if "libgomp" in line.split()[-1]}
    except (OSError, IndexError):
        return
    import ctypes

    for path in found:
        try:
            ctypes.CDLL(path).omp_set_num_threads(1)
        except (OSError, AttributeError):
            continue


def _serve(tasks: BinaryIO, out: BinaryIO) -> int:
    _name_process()
    try:
        from PIL import Image

        from reconcile.media.analyse import analyse
        from reconcile.media.decode import MEMORY_BUDGET

        # The decoder checks pixels (MAX_PIXELS) and memory itself, from the header, before
        # any pixel is decoded, and names the size in its reason.
        Image.MAX_IMAGE_PIXELS = None
        _limit_memory(MEMORY_BUDGET + _HEADROOM)
    except BaseException as error:  # tell the pool why this worker cannot work
        send(out, CannotStart(f"{type(error).__name__}: {error}"))
        return 1
    send(out, Ready())
    while True:
        try:
            job = receive_job(tasks)
        except EOFError:
            return 0  # the pool closed our input, or the main process died
        send(out, Done(job.number, analyse(job.task)))


def _prctl(option: int, argument: object) -> bool:
    """Linux's prctl(2); False where it is missing or refuses."""
    import ctypes

    try:
        return bool(ctypes.CDLL(None, use_errno=True).prctl(option, argument) == 0)
    except (OSError, AttributeError, ctypes.ArgumentError):
        return False


def _die_with(parent: int) -> None:
    """On Linux, have the kernel kill this worker when the main process dies, by any signal:
    otherwise a worker busy with one long file outlives a killed run until that file ends."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere the worker ends when its input closes (the pool's per-file limit)
    if _prctl(1, signal.SIGKILL) and os.getppid() != parent:  # PR_SET_PDEATHSIG
        os._exit(0)  # the parent died before the request took effect


def _name_process() -> None:
    """Name the process for `ps` and `top` (a forked worker would show the caller's command,
    a started one "python")."""
    if sys.platform.startswith("linux"):
        import ctypes

        _prctl(15, ctypes.create_string_buffer(NAME.encode()))  # PR_SET_NAME


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
