"""`reconcile dupes`: which files of the library are copies of each other."""

from __future__ import annotations

import argparse
import contextlib
import json

from reconcile.cli import consoles
from reconcile.cli.check import capped_jobs, cluster_of
from reconcile.commands.dupes import dupes
from reconcile.output import copies
from reconcile.output.formats import Rendered
from reconcile.store.index import default_path

EXIT_NONE = 0  # no copies
EXIT_COPIES = 1  # some groups of copies were found


def run(args: argparse.Namespace) -> int:
    cluster = cluster_of(args)
    with consoles.progress_bars(quiet=args.quiet) as bars, cluster or contextlib.nullcontext():
        found = dupes(
            haystack=args.haystack, db=args.db or default_path(), keep_in=args.keep_in or (),
            jobs=capped_jobs(args.jobs), rebuild=args.rebuild, quick=args.quick,
            progress=bars, analyser=cluster, verify=args.verify,
        )  # fmt: skip
    for warning in found.warnings:
        consoles.warn(warning)
    if args.format == "json":
        shown = Rendered(text=json.dumps(copies.to_json(found), indent=2) + "\n")
    elif args.format == "csv":
        shown = Rendered(text=copies.to_csv(found), surrogates=True)
    elif args.format == "html":
        from reconcile.media.thumbs import thumbnails  # the decoders, for the page only

        shown = Rendered(text=copies.to_html(found, thumbnails))
    elif args.format == "paths":
        text = copies.to_paths(found, "\0" if args.null else "\n")
        shown = Rendered(raw=text.encode("utf-8", "surrogateescape"))
    else:
        shown = Rendered(rich=copies.to_tables(found))
    consoles.write(shown)
    return EXIT_COPIES if found.groups else EXIT_NONE
