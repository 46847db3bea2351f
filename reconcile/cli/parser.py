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
    _decisions(check)
    check.add_argument(
        "--copy-to", metavar="DIR", default=None,
        help="copy the to-do files (missing ones, or --only's statuses) into DIR, keeping the "
        "backups' folder tree; checked, never overwriting, resumable",
    )  # fmt: skip
    _decide(commands)
    _dupes(commands)
    _find(commands)
    return top


def _dupes(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dupes = commands.add_parser(
        "dupes",
        help="which files of the library are copies of each other",
        description="Groups of library files that are identical or verified the same, each "
        "with a suggested keep (most pixels, then RAW or HEIC over JPEG, then the oldest), "
        "and the similar pairs for review. Never deletes or moves anything.",
    )
    _library(dupes)
    dupes.add_argument(
        "--keep-in", action="append", metavar="DIR", default=None,
        help="files under DIR are always kept, never listed as copies (repeatable)",
    )  # fmt: skip
    dupes.add_argument(
        "--format", choices=("table", "json", "csv", "html", "paths"), default="table",
        help="table: the groups; json: docs/report-format.md; csv: a row per file; html: a "
        "page with each group side by side; paths: the copies to spare, never a keep",
    )  # fmt: skip
    dupes.add_argument("-0", "--null", action="store_true", help="with --format paths: NUL ends")


def _find(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    find = commands.add_parser(
        "find",
        help="whether photos are already in the library (exit 0 when every one is)",
        description="Each FILE judged as a backup file is, against the library; exit 0 when "
        "every one is identical or same. The files are not added to the index.",
    )
    find.add_argument("files", nargs="+", metavar="FILE", help="photos or videos; - reads "
                      "paths from stdin, one a line")  # fmt: skip
    _library(find)
    _formats(find, ("table", "json", "csv", "paths"))
    _decisions(find)


def _decide(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    decide = commands.add_parser(
        "decide",
        help="record what you decided in review: same, different, unwanted (or undo it)",
        description="Record what you decided of backup files the last check judged: `same` "
        "(it is in the library), `different` (not the same as its match), `unwanted` (not "
        "wanted in the library), `undo` (the matcher's own answer again). A folder stands "
        "for every item in it. Decisions follow the files' bytes: a moved copy keeps its "
        "decision, a changed file loses it; --rebuild keeps them.",
    )
    decide.add_argument(
        "verb", nargs="?", choices=("same", "different", "unwanted", "undo"),
        help="what you decided",
    )  # fmt: skip
    decide.add_argument("paths", nargs="*", metavar="PATH", help="backup files or folders")
    decide.add_argument(
        "--from", dest="from_file", metavar="FILE", default=None,
        help="record the choices saved by the review page (reconcile-decisions.json)",
    )  # fmt: skip
    decide.add_argument("--list", action="store_true", help="show every decision kept")
    decide.add_argument("--format", choices=("table", "json"), default="table", help="of --list")
    decide.add_argument(
        "--db", metavar="PATH", default=None, help=f"index file (default: {default_path()})"
    )
    _decisions(decide)


def _decisions(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--decisions", metavar="PATH", default=None,
        help="the file of your review decisions (default: beside the index; for the default "
        "index, in ~/.local/share/reconcile)",
    )  # fmt: skip


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments, with the default command supplied when none is named."""
    argv = list(argv)
    names = {"check", "decide", "dupes", "find"}
    if not argv or (argv[0] not in names and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, DEFAULT_COMMAND)
    grammar = parser()
    args = grammar.parse_args(argv)
    if args.command == "decide":
        _check_decide(grammar, args)
    return args


def _check_decide(grammar: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say of `decide`: one of a verb with paths, --from or --list."""
    asked = [bool(args.verb or args.paths), args.from_file is not None, args.list]
    if sum(asked) != 1:
        grammar.error("decide: give a verb and paths, or --from FILE, or --list")
    if args.verb and not args.paths:
        grammar.error(f"decide {args.verb}: which backup files or folders?")
    if args.paths and not args.verb:
        grammar.error("decide: same, different, unwanted or undo?")


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
