"""Talking to the person: arguments, progress on stderr, results on stdout, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import signal
import sys
from collections.abc import Sequence

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

from reconcile import __version__
from reconcile.cluster import DaskAnalyser
from reconcile.copy import check_destination, copy_out
from reconcile.errors import ReconcileError
from reconcile.index import default_path
from reconcile.model import Report, Status
from reconcile.page import to_html
from reconcile.pipeline import reconcile
from reconcile.pool import max_jobs
from reconcile.report import printable, to_csv, to_json, to_tables
from reconcile.thumbs import thumbnails

EXIT_DONE = 0  # every needle picture is already in the haystack
EXIT_TODO = 1  # the to-do list is not empty
EXIT_ERROR = 2  # a usage error or a failure that stopped the run
EXIT_INTERRUPTED = 130

# One place for both consoles: results on stdout, progress and diagnostics on stderr.
stdout = Console(soft_wrap=False)
if not stdout.is_terminal:
    stdout.width = 120  # a file or pipe has no width; wide enough for the to-do table
stderr = Console(stderr=True, soft_wrap=True)  # one error, one line, however long


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconcile",
        description="List the backup folders that still hold photos your library lacks.",
    )
    parser.add_argument(
        "--haystack", action="append", required=True, metavar="DIR",
        help="the photo library (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--needles", action="append", required=True, metavar="DIR",
        help="backup folders to check against the library (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=("table", "json", "csv", "html", "paths"), default="table",
        help="table (default), json or csv; html: a self-contained review page (> report.html); "
        "paths: one absolute path per line of the to-do items (of --only's statuses if given), "
        "for xargs and rsync --files-from",
    )  # fmt: skip
    parser.add_argument(
        "--only", type=_statuses, default=None, metavar="STATUS[,STATUS]",
        help="restrict the items of every format, and the to-do list, to these statuses",
    )  # fmt: skip
    parser.add_argument(
        "-0", "--null", action="store_true",
        help="with --format paths: end each path with NUL instead of a newline",
    )  # fmt: skip
    parser.add_argument(
        "--copy-to", metavar="DIR", default=None,
        help="copy the to-do files (missing ones, or --only's statuses) into DIR, keeping the "
        "backups' folder tree; checked, never overwriting, resumable",
    )  # fmt: skip
    parser.add_argument(
        "--db", metavar="PATH", default=None,
        help=f"index file (default: {default_path()})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=_positive, default=None, metavar="N",
        help="worker processes for decoding (default: all cores; at most twice the cores)",
    )  # fmt: skip
    parser.add_argument(
        "--rebuild", action="store_true", help="delete the index and fingerprint everything anew"
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="analyse the files on the Dask cluster at ADDRESS (tcp://host:8786), whose "
        "workers see the same paths; needs pip install 'reconcile[dask]'",
    )  # fmt: skip
    parser.add_argument(
        "--quick",
        action="store_true",
        help="index library JPEGs from their embedded EXIF thumbnails; library files a backup "
        "photo might match are still fingerprinted in full before any verdict",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    parser.add_argument("--version", action="version", version=f"reconcile {__version__}")
    return parser


def _statuses(text: str) -> frozenset[Status]:
    try:
        return frozenset(Status(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        names = ", ".join(status.value for status in Status)
        raise argparse.ArgumentTypeError(f"not a status: {text!r} (one of {names})") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class _Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C (workers stopped, index consistent)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status. The one error boundary."""
    args = _parser().parse_args(argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        _error("stdout is closed: nowhere to write the report")
        return EXIT_ERROR
    # What `timeout`, systemd and `kill` send, and a closed terminal, end the run as Ctrl-C does.
    previous = {sig: signal.signal(sig, _stop) for sig in _STOP_SIGNALS}
    try:
        return _run(args)
    except ReconcileError as error:
        _error(str(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted; the index keeps what was finished", plain=True)
        return EXIT_INTERRUPTED
    except _Stopped as stop:
        name = signal.Signals(stop.signum).name
        _error(f"stopped by {name}; the index keeps what was finished", plain=True)
        return 128 + stop.signum
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from complaining.
        _silence_stdout()
        return EXIT_TODO
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EIO, errno.EBADF):  # stdout on a full disk
            _silence_stdout()
            _error(f"cannot write the report ({error.strerror})")
            return EXIT_ERROR
        _error(f"unexpected error: {error}")
        return EXIT_ERROR
    except Exception as error:  # a bug: still one line and "failed", never "to-do not empty"
        _error(f"unexpected error ({type(error).__name__}: {error}); please report it")
        return EXIT_ERROR
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _error(message: str, *, plain: bool = False) -> None:
    text = escape(printable(message.splitlines()[0] if message else ""))
    stderr.print(("reconcile: " if plain else "[bold red]reconcile:[/] ") + text, highlight=False)


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _run(args: argparse.Namespace) -> int:
    if args.copy_to is not None:  # refused before any work, not after it
        check_destination(args.copy_to, (*args.haystack, *args.needles))
    if args.jobs is not None and args.jobs > max_jobs():
        stderr.print(
            f"[yellow]warning:[/] --jobs {args.jobs}: using {max_jobs()}, twice the cores "
            "(more processes only wait for the CPU and multiply memory)",
            highlight=False,
        )
        args.jobs = max_jobs()
    show_progress = not args.quiet and stderr.is_terminal
    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    cluster = DaskAnalyser(args.scheduler) if args.scheduler else None
    with (
        Progress(*columns, console=stderr, disable=not show_progress, transient=False) as bars,
        cluster or contextlib.nullcontext(),
    ):
        report = reconcile(
            analyser=cluster,
            haystack=args.haystack,
            needles=args.needles,
            db=args.db or default_path(),
            jobs=args.jobs,
            rebuild=args.rebuild,
            quick=args.quick,
            progress=_Bar(bars),
        )
    for warning in report.warnings:
        stderr.print(f"[yellow]warning:[/] {escape(printable(warning))}", highlight=False)
    full = report
    if args.only is not None:
        report = report.only(args.only)
    if args.format == "paths":
        items = report.images if args.only is not None else report.to_do_items
        end = "\0" if args.null else "\n"
        _write_raw("".join(os.path.join(i.root, i.path) + end for i in items))
    elif args.format == "json":
        sys.stdout.write(json.dumps(to_json(report), indent=2) + "\n")
    elif args.format == "html":
        sys.stdout.write(to_html(report, thumbnails, printable=printable))
    elif args.format == "csv":
        # Names that are not valid UTF-8 come out as the same bytes they have on disk.
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="surrogateescape")
        sys.stdout.write(to_csv(report))
    else:
        stdout.print(to_tables(report))
    sys.stdout.flush()
    if args.copy_to is not None:
        _copy(full, args)
    return EXIT_DONE if full.nothing_to_import else EXIT_TODO


def _copy(report: Report, args: argparse.Namespace) -> None:
    destination = check_destination(args.copy_to, (*report.haystack, *report.needles))
    chosen = args.only or frozenset({Status.MISSING})
    done = copy_out((i for i in report.images if i.status in chosen), destination)
    for note in done.notes:
        stderr.print(f"[yellow]note:[/] {escape(printable(note))}", highlight=False)
    stderr.print(
        f"copied {len(done.copied)} files to {escape(printable(destination))}"
        + (f" ({done.present} were there already)" if done.present else ""),
        highlight=False,
    )


def _write_raw(text: str) -> None:
    """Text whose names may not be UTF-8, written as the bytes they have on disk."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))
    else:  # a captured stream (tests)
        sys.stdout.write(text)
