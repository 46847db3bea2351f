"""The command line's grammar: one subcommand per question, `check` the default, so that
`reconcile --haystack A --needles B` means `reconcile check --haystack A --needles B`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from reconcile import __version__
from reconcile.output.formats import FORMATS
from reconcile.results import Status
from reconcile.store.index import default_path
from reconcile.work.cluster import CONNECT_SECONDS

DEFAULT_COMMAND = "check"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="reconcile",
        description="List the backup folders that still hold photos your library lacks. "
        f"Without a command: `{DEFAULT_COMMAND}`.",
    )
    top.add_argument("--version", action="version", version=f"reconcile {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="which backup folders still hold photos and videos the library lacks (default)",
        description="List the backup folders that still hold photos your library lacks.",
    )
    _library(check)
    check.add_argument(
        "--needles", action="append", required=True, metavar="DIR",
        help="backup folders to check against the library (repeatable)",
    )  # fmt: skip
    _formats(check)
    check.add_argument(
        "--only", type=_statuses, default=None, metavar="STATUS[,STATUS]",
        help="restrict the items of every format, and the to-do list, to these statuses",
    )  # fmt: skip
    check.add_argument(
        "-0", "--null", action="store_true",
        help="with --format paths: end each path with NUL instead of a newline",
    )  # fmt: skip
    check.add_argument(
        "--ignore-other", action="store_true",
        help="files reconcile cannot judge (.psd, .zip, .pdf, ...) keep no folder from being "
        "complete (they are still listed)",
    )  # fmt: skip
    check.add_argument(
        "--copy-to", metavar="DIR", default=None,
        help="copy the to-do files (missing ones, or --only's statuses) into DIR, keeping the "
        "backups' folder tree; checked, never overwriting, resumable",
    )  # fmt: skip
    return top


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments, with the default command supplied when none is named."""
    argv = list(argv)
    names = {"check"}
    if not argv or (argv[0] not in names and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, DEFAULT_COMMAND)
    return parser().parse_args(argv)


def _library(command: argparse.ArgumentParser) -> None:
    """The options of every command that reads the library."""
    command.add_argument(
        "--haystack", action="append", required=True, metavar="DIR",
        help="the photo library (repeatable)",
    )  # fmt: skip
    command.add_argument(
        "--db", metavar="PATH", default=None, help=f"index file (default: {default_path()})"
    )
    command.add_argument(
        "--jobs", type=_positive, default=None, metavar="N",
        help="worker processes for decoding (default: all cores; at most twice the cores)",
    )  # fmt: skip
    command.add_argument(
        "--rebuild", action="store_true", help="delete the index and fingerprint everything anew"
    )
    command.add_argument(
        "--verify", action="store_true",
        help="read every unchanged file whole and check it against its stored digest (for bit "
        "rot, which no file time shows); files that differ are read again",
    )  # fmt: skip
    command.add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="analyse the files on the Dask cluster at ADDRESS (tcp://host:8786), whose "
        "workers see the same paths; needs pip install 'reconcile[dask]'",
    )  # fmt: skip
    command.add_argument(
        "--scheduler-timeout", type=_seconds, default=CONNECT_SECONDS, metavar="SECONDS",
        help=f"how long to wait for the Dask scheduler to answer (default: {CONNECT_SECONDS:g})",
    )  # fmt: skip
    command.add_argument(
        "--quick",
        action="store_true",
        help="index library JPEGs from their embedded EXIF thumbnails; library files a backup "
        "photo might match are still fingerprinted in full before any verdict",
    )
    command.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def _formats(command: argparse.ArgumentParser, names: Sequence[str] = tuple(FORMATS)) -> None:
    command.add_argument(
        "--format", choices=names, default=names[0],
        help="; ".join(f"{name}: {FORMATS[name].help}" for name in names),
    )  # fmt: skip


def _statuses(text: str) -> frozenset[Status]:
    try:
        return frozenset(Status(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        names = ", ".join(status.value for status in Status)
        raise argparse.ArgumentTypeError(f"not a status: {text!r} (one of {names})") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
