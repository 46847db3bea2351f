"""A report as rich tables for the terminal: the summary and the to-do list."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reconcile.filetypes import Kind
from reconcile.output.text import printable
from reconcile.results import Report, Status, Verdict

# The to-do table shows the worst folders first and stops here, so that they stay on screen.
TODO_ROWS = 40
_STYLE = {
    Verdict.NEW: "bold red",
    Verdict.PARTIAL: "yellow",
    Verdict.REVIEW: "cyan",
    Verdict.COMPLETE: "green",
}


def to_tables(report: Report) -> Group:
    """The summary and the to-do list as rich tables."""
    summary = Table(title="Summary", header_style="bold")
    summary.add_column("needle photos and videos")
    summary.add_column("count", justify="right")
    for status in Status:
        summary.add_row(status.value, str(report.count(status)))
    summary.add_row("total", str(len(report.items)), style="bold")
    summary.add_row("of which videos", str(sum(i.kind is Kind.VIDEO for i in report.items)))
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
                str(d.items),
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
