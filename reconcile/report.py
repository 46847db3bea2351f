"""How to show a report: a JSON-able dict, CSV text, or rich tables. Nothing here prints."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reconcile.filetypes import Kind
from reconcile.model import DirectoryResult, Report, Status, Verdict

FORMAT_VERSION = 1
CSV_COLUMNS = ("root", "path", "status", "match", "distance", "reason", "kind")
# The to-do table shows the worst folders first and stops here, so that they stay on screen.
TODO_ROWS = 40
_STYLE = {
    Verdict.NEW: "bold red",
    Verdict.PARTIAL: "yellow",
    Verdict.REVIEW: "cyan",
    Verdict.COMPLETE: "green",
}


def to_json(report: Report) -> dict[str, Any]:
    """The report as REPORT_FORMAT.md describes it."""
    return {
        "version": FORMAT_VERSION,
        "haystack": list(report.haystack),
        "needles": list(report.needles),
        "summary": {
            "images": len(report.images),
            **{status.value: report.count(status) for status in Status},
            "videos": sum(image.kind is Kind.VIDEO for image in report.images),
            "video_statuses": {
                status.value: sum(
                    i.status is status and i.kind is Kind.VIDEO for i in report.images
                )
                for status in Status
            },
            "skipped": report.skipped,
            "other": sum(d.other for d in report.directories) + sum(report.other.values()),
            "todo_folders": len(report.todo),
            "seconds": report.seconds,
        },
        "directories": [_directory_json(d) for d in report.directories],
        "images": [
            {
                "root": image.root,
                "path": image.path,
                "status": image.status.value,
                "match": image.match,
                "distance": image.distance,
                "reason": image.reason,
                "kind": image.kind.value,
            }
            for image in report.images
        ],
        "other_folders": [
            {"root": root, "path": path, "other": count}
            for (root, path), count in sorted(report.other.items())
        ],
        "warnings": list(report.warnings),
    }


def _directory_json(directory: DirectoryResult) -> dict[str, Any]:
    return {
        "root": directory.root,
        "path": directory.path,
        "status": directory.verdict.value,
        "images": directory.images,
        **{status.value: directory.counts[status] for status in Status},
        "videos": directory.videos,
        "other": directory.other,
    }


def to_csv(report: Report) -> str:
    """One CSV row per needle image, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for image in report.images:
        writer.writerow(
            (
                image.root,
                image.path,
                image.status.value,
                image.match or "",
                "" if image.distance is None else image.distance,
                image.reason or "",
                image.kind.value,
            )
        )
    return out.getvalue()


def printable(path: str) -> str:
    """A path safe to show: undecodable bytes and control characters made visible."""
    raw = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in raw)


def to_tables(report: Report) -> Group:
    """The summary and the to-do list as rich tables."""
    summary = Table(title="Summary", header_style="bold")
    summary.add_column("needle photos and videos")
    summary.add_column("count", justify="right")
    for status in Status:
        summary.add_row(status.value, str(report.count(status)))
    summary.add_row("total", str(len(report.images)), style="bold")
    summary.add_row("of which videos", str(sum(i.kind is Kind.VIDEO for i in report.images)))
    summary.add_row("skipped (not media)", str(report.skipped))
    summary.add_row("folders to do", str(len(report.todo)), style="bold")
    parts: list[Table | Text] = [summary]
    if report.todo:
        todo = Table(title="To do: folders with media the haystack lacks", header_style="bold")
        todo.add_column("folder", overflow="fold")
        todo.add_column("verdict")
        todo.add_column("items", justify="right")
        todo.add_column("videos", justify="right")
        for status in Status:
            todo.add_column(status.value, justify="right")
        several_roots = len(report.needles) > 1
        for d in report.todo[:TODO_ROWS]:
            name = d.path if not several_roots else f"{d.root}/{d.path}"
            todo.add_row(
                escape(printable(name)),
                f"[{_STYLE[d.verdict]}]{d.verdict.value}[/]",
                str(d.images),
                str(d.videos),
                *(str(d.counts[status]) for status in Status),
            )
        parts.append(todo)
        hidden = len(report.todo) - TODO_ROWS
        if hidden > 0:
            parts.append(
                Text(
                    f"... and {hidden} more folders to do, with less work in each. "
                    "All of them: --format html (a review page) or --format json.",
                    "bold",
                )
            )
    else:
        parts.append(
            Text("Nothing to import: every needle photo and video is in the haystack.", "green")
        )
    return Group(*parts)
