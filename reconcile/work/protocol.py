"""What the pool and a worker say to each other, in one place: typed messages, framed as
pickles on a pipe.

The pool sends `Job`s; a worker answers `Ready` once, then one `Done` per job, naming the job
it answers (never matched by order), or `CannotStart` instead of `Ready` when it cannot work.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import BinaryIO

from reconcile.facts import FileFacts, Task


@dataclass(frozen=True, slots=True)
class Job:
    """One file for a worker to analyse; `number` names it in the answer."""

    number: int
    task: Task


@dataclass(frozen=True, slots=True)
class Ready:
    """The worker has loaded the analysis code and waits for jobs."""


@dataclass(frozen=True, slots=True)
class CannotStart:
    """The worker cannot work (a broken install, a refused limit); `reason` says why."""

    reason: str


@dataclass(frozen=True, slots=True)
class Done:
    """The facts of job `number`."""

    number: int
    facts: FileFacts


ToWorker = Job
FromWorker = Ready | CannotStart | Done


class ProtocolError(Exception):
    """A frame that is not one of the messages (a stream out of step, or foreign bytes)."""


def send(stream: BinaryIO, message: ToWorker | FromWorker) -> None:
    pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def receive_job(stream: BinaryIO) -> Job:
    """The next job; EOFError when the pool closed the stream."""
    message = pickle.load(stream)
    if not isinstance(message, Job):
        raise ProtocolError(f"expected a job, got {type(message).__name__}")
    return message


def receive_answer(stream: BinaryIO) -> FromWorker:
    """The next answer; EOFError (or a pickle error) when the worker died mid-frame."""
    message = pickle.load(stream)
    if not isinstance(message, Ready | CannotStart | Done):
        raise ProtocolError(f"expected an answer, got {type(message).__name__}")
    return message
