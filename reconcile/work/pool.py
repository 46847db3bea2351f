"""Where files are analysed: worker processes on this machine, one file at a time each.

A file that kills its worker (the OOM killer, a decoder crash) or holds it past the per-file
time limit becomes that file's `unreadable` record, and a fresh worker takes the rest: one bad
file never stops a run, and it is never retried in the main process. Workers end with the main
process, whatever ends it (closed input everywhere; the kernel's parent-death signal on Linux).

On Linux workers are forked from this process, with the analysis code imported once here;
elsewhere (or when forking fails, or a forked worker is not ready within seconds: it inherited
something its caller held) each is a new `python -m reconcile.work.worker`. See `worker`.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Literal, Protocol

from reconcile.errors import ReconcileError
from reconcile.facts import FileFacts, Task
from reconcile.work.protocol import CannotStart, Done, FromWorker, Job, Ready, receive_answer, send

# Seconds one file may take before its worker is stopped and the file is `unreadable`.
FILE_SECONDS = 120.0
_IN_FLIGHT = 2  # tasks queued per worker, so that it never waits for the next one
_TICK = 0.5  # the longest wait for an answer (deadlines are checked at least this often)
_START_SECONDS = 60.0  # a worker not ready by then will not be
# A forked worker is ready in milliseconds (everything is loaded): one that is not by then is
# stuck on something its caller held when it forked (a lock, another thread's decoder state
# that Python frees in the child: PyAV's converter joining threads a fork does not copy), and
# the pool starts its workers as new programs from then on.
_FORK_READY_SECONDS = 10.0


class WorkerError(ReconcileError):
    """Worker processes could not be started."""


class Analyser(Protocol):
    """Turns tasks into facts, one record per task, in any order."""

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]: ...

    def close(self) -> None: ...


def max_jobs() -> int:
    """More workers than twice the cores only queue for the CPU and multiply memory."""
    return 2 * (os.cpu_count() or 1)


class _Child:
    """A forked worker: the parts of `subprocess.Popen` that the pool uses."""

    def __init__(self, pid: int, stdin: IO[bytes], stdout: IO[bytes]) -> None:
        self.pid = pid
        self.stdin: IO[bytes] | None = stdin
        self.stdout: IO[bytes] | None = stdout
        self.returncode: int | None = None

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status as `Popen.wait` gives it (minus the signal that killed it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0.0)
            else:
                time.sleep(0.005)
        return self.returncode


Start = Literal["fork", "spawn"]


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes] | _Child
    errors: IO[bytes] | None = None  # a started program's stderr, read if it cannot start
    inflight: deque[Job] = field(default_factory=deque)  # in the order the worker takes them
    since: float = 0.0  # when the job at the head of `inflight` started (or the start-up)
    stopped_for_time: bool = False
    killed: bool = False  # by a deadline; its reader reports the death
    ready: bool = False
    forked: bool = False

    def deadline(self, file_seconds: float) -> float | None:
        """When this worker is stopped if nothing changes: its start-up's end, or its
        current file's; None when it is idle or already stopped."""
        if self.killed:
            return None
        if not self.ready:
            return self.since + (_FORK_READY_SECONDS if self.forked else _START_SECONDS)
        if self.inflight:
            return self.since + file_seconds
        return None


class ProcessPool:
    """`jobs` worker processes, started on first use and reused until `close`.

    `start` says how: "fork" (the default on Linux) or "spawn", a new `python` program each
    (elsewhere, and wherever forking fails)."""

    def __init__(
        self,
        jobs: int | None = None,
        *,
        file_seconds: float = FILE_SECONDS,
        start: Start | None = None,
        python: str = sys.executable,
    ) -> None:
        self.jobs = max(1, min(jobs or os.cpu_count() or 1, max_jobs()))
        self._file_seconds = file_seconds
        self._start_by: Start = start or ("fork" if _FORK else "spawn")
        self._python = python
        self._workers: list[_Worker] = []
        # What the workers' reader threads heard: an answer, or None when one died.
        self._results: queue.Queue[tuple[_Worker, FromWorker | None]] = queue.Queue()
        self._numbers = itertools.count()

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def analyse(self, tasks: Sequence[Task]) -> Iterator[FileFacts]:
        pending = deque(Job(next(self._numbers), task) for task in tasks)
        outstanding = len(pending)
        while len(self._workers) < min(self.jobs, outstanding):
            self._start()
        for ahead in (False, True):  # every worker a file before any gets a second
            for worker in self._workers:
                self._feed(worker, pending, ahead=ahead)
        while outstanding:
            # Deadlines are checked on every turn, and no wait outlasts the next one: a file
            # over its limit is stopped on time however many answers stream in beside it.
            self._enforce_deadlines()
            try:
                worker, message = self._results.get(timeout=self._wait())
            except queue.Empty:
                continue
            if isinstance(message, Ready):
                worker.ready = True
                worker.since = time.monotonic()
                continue
            if isinstance(message, Done):
                job = worker.inflight.popleft()
                if job.number != message.number:
                    raise WorkerError(f"worker {worker.process.pid} answered out of turn")
                worker.since = time.monotonic()
                outstanding -= 1
                self._feed(worker, pending)
                yield message.facts
                continue
            # The worker is gone (it could not start, or died: None).
            facts, unstarted = self._bury(worker, message)
            pending.extendleft(reversed(unstarted))
            while pending and len(self._workers) < self.jobs:
                self._feed(self._start(), pending)
            if facts is not None:
                outstanding -= 1
                yield facts

    def _wait(self) -> float:
        """Seconds until the next deadline, at most _TICK."""
        deadlines = [d for w in self._workers if (d := w.deadline(self._file_seconds)) is not None]
        now = time.monotonic()
        return max(0.0, min([_TICK, *(d - now for d in deadlines)]))

    def close(self) -> None:
        """Stop every worker: closed input ends one between files; one still starting or
        still busy (the caller was interrupted) is killed."""
        workers, self._workers = self._workers, []
        for worker in workers:
            _close(worker.process.stdin)
            if worker.inflight or not worker.ready:
                worker.process.kill()
        deadline = time.monotonic() + 2.0
        for worker in workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            _close(worker.errors)

    def _start(self) -> _Worker:
        child = _fork() if self._start_by == "fork" else None
        if child is not None:
            worker = _Worker(child, since=time.monotonic(), forked=True)
        else:
            errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the worker
            worker = _Worker(_spawn(self._python, errors), errors, since=time.monotonic())
        self._workers.append(worker)
        threading.Thread(target=self._read, args=(worker,), daemon=True).start()
        return worker

    def _read(self, worker: _Worker) -> None:
        stream = worker.process.stdout
        assert stream is not None
        while True:
            try:
                message = receive_answer(stream)  # type: ignore[arg-type]
            except Exception:  # EOF, a frame cut short by the worker's death, or garbage
                self._results.put((worker, None))
                return
            self._results.put((worker, message))

    def _feed(self, worker: _Worker, pending: deque[Job], *, ahead: bool = True) -> None:
        """Hand `worker` files until it has _IN_FLIGHT (only one unless `ahead`). A file
        queued behind another is a worker's for good: one is queued ahead only while there
        are files for every worker, so that the last few of a batch go to workers that are
        free rather than wait behind a slow one (three HEICs to confirm on two workers took
        two decodes' time where one and a half will do: libheif spreads a HEIC's tiles over
        the free core)."""
        stdin = worker.process.stdin
        assert stdin is not None
        while pending and (
            not worker.inflight
            or (ahead and len(worker.inflight) < _IN_FLIGHT and len(pending) >= len(self._workers))
        ):
            job = pending.popleft()
            if not worker.inflight and worker.ready:
                # An idle worker's clock starts with this file, not when it last answered:
                # a wait between batches is no file's decoding time.
                worker.since = time.monotonic()
            worker.inflight.append(job)
            try:
                send(stdin, job)  # type: ignore[arg-type]
            except OSError:
                return  # it died; its reader reports that, and the job is handed on then

    def _bury(
        self, worker: _Worker, message: CannotStart | None
    ) -> tuple[FileFacts | None, list[Job]]:
        """A dead worker's file in flight as `unreadable`, and the jobs it had not started."""
        worker.process.wait()
        self._workers.remove(worker)
        if isinstance(message, CannotStart):
            raise WorkerError(f"worker processes cannot start ({message.reason})")
        if not worker.ready and worker.forked:
            # Stuck from its fork (or dead before it could answer): its jobs go to workers
            # started as new programs, which inherit nothing, and say why if they fail too.
            self._start_by = "spawn"
            return None, list(worker.inflight)
        if not worker.ready:
            said = _last_line(worker.errors)
            why = said or f"exit status {worker.process.returncode}"
            raise WorkerError(f"worker processes cannot start ({why})")
        if not worker.inflight:
            return None, []
        culprit = worker.inflight.popleft().task
        reason = self._death(worker)
        facts = FileFacts(
            culprit.path, culprit.size, culprit.mtime_ns, reason=reason, kind=culprit.kind,
            inode=culprit.inode, ctime_ns=culprit.ctime_ns,
        )  # fmt: skip
        return facts, list(worker.inflight)

    def _death(self, worker: _Worker) -> str:
        if worker.stopped_for_time:
            return f"took too long (over {self._file_seconds:g} s)"
        code = worker.process.returncode
        if code == -signal.SIGKILL:
            return "worker ran out of memory (killed by the system)"
        if code is not None and code < 0:
            return f"decoder crashed ({signal.Signals(-code).name})"
        return f"worker stopped (exit status {code})"

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in self._workers:
            deadline = worker.deadline(self._file_seconds)
            if deadline is None or now < deadline:
                continue
            # Not ready: forked, stuck on what it inherited (the pool starts new programs
            # instead); started, hung importing (a dead network mount), and the run stops.
            # Ready: its file took too long, and becomes `unreadable` when the reader hears
            # it die.
            worker.stopped_for_time = worker.ready
            worker.killed = True
            worker.process.kill()


# Forking is how Linux starts workers cheaply; elsewhere a forked child may not use the system
# frameworks its parent loaded (macOS), and there is no parent-death signal.
_FORK = sys.platform.startswith("linux")


def _fork() -> _Child | None:
    """A worker forked from this process, or None when the system refuses (no memory to
    duplicate a large caller, too many processes) or the analysis code cannot be loaded: then
    one is started as a new program, which says why if it cannot work either.

    The child inherits what this process has imported (numpy, OpenCV, Pillow and the
    analysis code, loaded here first) and runs `worker.forked`, which closes everything of
    ours but its two pipes and never returns. This process may have threads (the pool's
    readers, a progress display); the child never uses what they hold: it touches no stream,
    lock or object of ours beyond its pipes.
    """
    from reconcile.work.worker import forked, prepare

    try:
        prepare()  # once here, for every child
    except Exception:  # a broken install: a started worker reports why in one line
        return None
    parent = os.getpid()
    tasks_read, tasks_write = os.pipe()
    results_read, results_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (tasks_read, tasks_write, results_read, results_write):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the child; its work is seen through the pipes
        forked(tasks_read, results_write, parent)
    os.close(tasks_read)
    os.close(results_write)
    return _Child(pid, os.fdopen(tasks_write, "wb"), os.fdopen(results_read, "rb"))


def _spawn(python: str, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            [python, "-m", "reconcile.work.worker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Never the caller's streams: a worker must not hold a pipe the caller waits on.
            # A file, not a pipe, so that no amount of a library's chatter can block it.
            stderr=errors,
            env=_worker_env(),
            start_new_session=False,
        )
    except OSError as error:
        raise WorkerError(f"cannot start worker processes ({error.strerror})") from None


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    # Workers decode one file each on their own core: no BLAS or OpenCV thread pools on top.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    # The package as this process sees it, even when it is not installed (a checkout).
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _last_line(stream: IO[bytes] | None) -> str:
    """The last line a started worker wrote to its stderr (a traceback ends with the error)."""
    if stream is None:
        return ""
    stream.seek(0)
    lines = stream.read()[-4096:].decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else ""


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):  # a dead worker's pipe
            stream.close()
