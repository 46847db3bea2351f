"""`reconcile check` (the default): run the main job, show the report, copy out if asked."""

from __future__ import annotations

import argparse
import contextlib

from reconcile.cli import consoles
from reconcile.commands.check import reconcile
from reconcile.output.copy import check_destination, copy_out
from reconcile.output.formats import Choices, render
from reconcile.results import Report, Status
from reconcile.store.index import default_path
from reconcile.work.cluster import DaskAnalyser
from reconcile.work.pool import max_jobs

EXIT_DONE = 0  # every needle picture is already in the haystack
EXIT_TODO = 1  # the to-do list is not empty


def run(args: argparse.Namespace) -> int:
    if args.copy_to is not None:  # refused before any work, not after it
        check_destination(args.copy_to, (*args.haystack, *args.needles))
    jobs = capped_jobs(args.jobs)
    cluster = cluster_of(args)
    with (
        consoles.progress_bars(quiet=args.quiet) as bars,
        cluster or contextlib.nullcontext(),
    ):
        report = reconcile(
            analyser=cluster,
            haystack=args.haystack,
            needles=args.needles,
            db=args.db or default_path(),
            jobs=jobs,
            rebuild=args.rebuild,
            quick=args.quick,
            progress=bars,
            ignore_other=args.ignore_other,
            verify=args.verify,
            decisions=args.decisions,
        )
    for warning in report.warnings:
        consoles.warn(warning)
    shown = report.only(args.only) if args.only is not None else report
    consoles.write(render(shown, args.format, Choices(args.only is not None, args.null)))
    if args.copy_to is not None:
        _copy(report, args)
    return EXIT_DONE if report.nothing_to_import else EXIT_TODO


def cluster_of(args: argparse.Namespace) -> DaskAnalyser | None:
    """The Dask cluster --scheduler names, if any (every command that reads the library)."""
    if not args.scheduler:
        return None
    return DaskAnalyser(args.scheduler, connect_seconds=args.scheduler_timeout)


def capped_jobs(jobs: int | None) -> int | None:
    """--jobs, at most twice the cores (with a warning when asked for more)."""
    if jobs is not None and jobs > max_jobs():
        consoles.warn(
            f"--jobs {jobs}: using {max_jobs()}, twice the cores "
            "(more processes only wait for the CPU and multiply memory)"
        )
        return max_jobs()
    return jobs


def _copy(report: Report, args: argparse.Namespace) -> None:
    destination = check_destination(args.copy_to, (*report.haystack, *report.needles))
    chosen = args.only or frozenset({Status.MISSING})
    done = copy_out((i for i in report.items if i.status in chosen), destination)
    for note in done.notes:
        consoles.warn(note, "note")
    consoles.note(
        f"copied {len(done.copied)} files to {destination}"
        + (f" ({done.present} were there already)" if done.present else "")
    )
