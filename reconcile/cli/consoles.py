"""The two streams, defined once: results on stdout, progress and diagnostics on stderr; and
the library's progress drawn as bars on stderr when it is a terminal."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from reconcile.output.formats import Rendered
from reconcile.output.text import printable

stdout = Console(soft_wrap=False)
if not stdout.is_terminal:
    stdout.width = 120  # a file or pipe has no width; wide enough for the to-do table
stderr = Console(stderr=True, soft_wrap=True)  # one error, one line, however long


def error(message: str, *, plain: bool = False) -> None:
    """One line on stderr, the first of `message`'s."""
    text = escape(printable(message.splitlines()[0] if message else ""))
    stderr.print(("reconcile: " if plain else "[bold red]reconcile:[/] ") + text, highlight=False)


def warn(message: str, label: str = "warning") -> None:
    stderr.print(f"[yellow]{label}:[/] {escape(printable(message))}", highlight=False)


def note(message: str) -> None:
    stderr.print(escape(printable(message)), highlight=False)


def write(rendered: Rendered) -> None:
    """A format's output on stdout, names that are not UTF-8 as the bytes they have."""
    if rendered.rich is not None:
        stdout.print(rendered.rich)
    elif rendered.raw is not None:
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.flush()
            sys.stdout.buffer.write(rendered.raw)
        else:  # a captured stream (tests)
            sys.stdout.write(rendered.raw.decode("utf-8", "surrogateescape"))
    elif rendered.text is not None:
        if rendered.surrogates and isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="surrogateescape")
        sys.stdout.write(rendered.text)
    sys.stdout.flush()


def silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Bar:
    """Draws the library's progress phases as rich progress bars on stderr."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: object = None

    def start(self, phase: str, total: int) -> None:
        self._task = self._progress.add_task(phase, total=total)

    def advance(self, count: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)  # type: ignore[arg-type]


class _RateColumn(ProgressColumn):
    """Files per second."""

    def render(self, task: Task) -> Text:
        # Files advance in batches, too few samples for rich's own speed estimate.
        elapsed = task.finished_time or task.elapsed
        if not elapsed or not task.completed:
            return Text("      /s", style="progress.data.speed")
        return Text(f"{task.completed / elapsed:6.1f}/s", style="progress.data.speed")


@contextlib.contextmanager
def progress_bars(*, quiet: bool) -> Iterator[_Bar]:
    """Progress on stderr, off with --quiet or when stderr is not a terminal."""
    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    show = not quiet and stderr.is_terminal
    with Progress(*columns, console=stderr, disable=not show, transient=False) as bars:
        yield _Bar(bars)
