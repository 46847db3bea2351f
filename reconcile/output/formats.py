"""Every output format, in one place: its name, what it is for, and how a result becomes it.

A renderer returns what is to be written, never writes: text, bytes (names exactly as they
are on disk), or a rich renderable for the terminal. The command line prints it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import RenderableType

from reconcile.output.data import to_csv, to_json
from reconcile.output.page import to_html
from reconcile.output.tables import to_tables
from reconcile.output.text import printable
from reconcile.results import Report


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a format makes of a result: exactly one of these is set."""

    text: str | None = None
    raw: bytes | None = None  # names written as the bytes they have on disk
    rich: RenderableType | None = None
    # CSV writes names that are not UTF-8 as their own bytes too, through a text stream.
    surrogates: bool = False


@dataclass(frozen=True, slots=True)
class Choices:
    """What the person asked of the format beyond its name."""

    listed: bool = False  # --only was given: the items shown are the ones asked for
    null: bool = False  # paths end in NUL


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    help: str
    render: Callable[[Report, Choices], Rendered] = field(repr=False)


def _table(report: Report, choices: Choices) -> Rendered:
    return Rendered(rich=to_tables(report))


def _json(report: Report, choices: Choices) -> Rendered:
    return Rendered(text=json.dumps(to_json(report), indent=2) + "\n")


def _csv(report: Report, choices: Choices) -> Rendered:
    return Rendered(text=to_csv(report), surrogates=True)


def _html(report: Report, choices: Choices) -> Rendered:
    # The decoders are loaded only for the page: a run that shows a table decodes nothing
    # here, and a warm run should not pay for them.
    from reconcile.media.thumbs import thumbnails

    return Rendered(text=to_html(report, thumbnails, printable=printable))


def _paths(report: Report, choices: Choices) -> Rendered:
    items = report.items if choices.listed else report.to_do_items
    end = "\0" if choices.null else "\n"
    paths = [os.path.join(i.root, i.path) for i in items]
    if not choices.listed and not report.ignore_other:
        paths += [os.path.join(f.root, f.path) for f in report.others]  # to do: not judged
    text = "".join(path + end for path in paths)
    return Rendered(raw=text.encode("utf-8", "surrogateescape"))


FORMATS = {
    f.name: f
    for f in (
        Format("table", "the summary and the to-do list (the default)", _table),
        Format("json", "the whole report (docs/report-format.md)", _json),
        Format("csv", "one row per item", _csv),
        Format("html", "a self-contained review page (> report.html)", _html),
        Format(
            "paths",
            "one absolute path per line of the to-do items (of --only's statuses if given), "
            "for xargs and rsync --files-from",
            _paths,
        ),
    )
}


def render(report: Report, name: str, choices: Choices = Choices()) -> Rendered:
    return FORMATS[name].render(report, choices)
