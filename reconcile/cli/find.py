"""`reconcile find FILE...`: whether these photos are already in the library."""

from __future__ import annotations

import argparse
import contextlib
import sys

from rich.table import Table

from reconcile.cli import consoles
from reconcile.cli.check import capped_jobs, cluster_of
from reconcile.commands.find import find
from reconcile.output.formats import Choices, Rendered, render
from reconcile.output.text import printable
from reconcile.results import Report
from reconcile.store.index import default_path

EXIT_FOUND = 0  # every file is in the library (identical or same)
EXIT_NOT_ALL = 1  # some file is not, or not verifiably


def run(args: argparse.Namespace) -> int:
    files = args.files
    if files == ["-"]:  # one path a line, as find(1) and rsync write them
        files = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    cluster = cluster_of(args)
    with consoles.progress_bars(quiet=args.quiet) as bars, cluster or contextlib.nullcontext():
        report = find(
            files, haystack=args.haystack, db=args.db or default_path(),
            jobs=capped_jobs(args.jobs), quick=args.quick, progress=bars, analyser=cluster,
            verify=args.verify,
            decisions=args.decisions, rebuild=args.rebuild,
        )  # fmt: skip
    for warning in report.warnings:
        consoles.warn(warning)
    if args.format == "table":
        consoles.write(Rendered(rich=_table(report)))
    else:
        consoles.write(render(report, args.format, Choices()))  # paths: those not found
    found = all(item.status.imported for item in report.items) and not report.others
    return EXIT_FOUND if found else EXIT_NOT_ALL


def _table(report: Report) -> Table:
    table = Table(header_style="bold")
    for column in ("file", "status", "in the library", "why"):
        table.add_column(column, overflow="fold")
    for item in report.items:
        match = item.match_name or item.match or ""
        table.add_row(
            printable(f"{item.root}/{item.path}"), item.status.value, printable(match),
            printable(item.reason or ""),
        )  # fmt: skip
    for other in report.others:
        table.add_row(printable(f"{other.root}/{other.path}"), "not a photo or video", "", "")
    return table
