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
    Verdict.UNCHECKED: "magenta",
    Verdict.UNREADABLE: "bold magenta",
}
# Statuses shown as a row and a column even when no item has them.
_ALWAYS = (Status.IDENTICAL, Status.SAME, Status.SIMILAR, Status.MISSING, Status.UNREADABLE)


def to_tables(report: Report) -> Group:
    """The summary and the to-do list as rich tables."""
    shown = [s for s in Status if s in _ALWAYS or report.count(s)]
    summary = Table(title="Summary", header_style="bold")
    summary.add_column("needle photos and videos")
    summary.add_column("count", justify="right")
    for status in shown:
        summary.add_row(status.value, str(report.count(status)))
    summary.add_row("total", str(len(report.items)), style="bold")
    summary.add_row("of which videos", str(sum(i.kind is Kind.VIDEO for i in report.items)))
    if report.decided:
        summary.add_row("of which decided in review", str(report.decided))
    summary.add_row("skipped (not media)", str(report.skipped))
    if report.others:
        checked = "ignored" if report.ignore_other else "not checked"
        summary.add_row(f"other files ({checked})", str(len(report.others)))
    if report.unseen:
        summary.add_row("folders not read", str(len(report.unseen)), style="bold")
    summary.add_row("folders to do", str(len(report.todo)), style="bold")
    parts: list[Table | Text] = [summary]
    if report.todo:
        todo = Table(title="To do: folders with media the haystack lacks", header_style="bold")
        todo.add_column("folder", overflow="fold")
        todo.add_column("verdict")
        todo.add_column("items", justify="right")
        todo.add_column("videos", justify="right")
        for status in shown:
            todo.add_column(status.value, justify="right")
        several_roots = len(report.needles) > 1
        for d in report.todo[:TODO_ROWS]:
            name = d.path if not several_roots else f"{d.root}/{d.path}"
            todo.add_row(
                escape(printable(name)),
                f"[{_STYLE[d.verdict]}]{d.verdict.value}[/]",
                str(d.items),
                str(d.videos),
                *(str(d.counts[status]) for status in shown),
            )
        parts.append(todo)
        for d in report.unseen[:TODO_ROWS]:
            name = d.path if not several_roots else f"{d.root}/{d.path}"
            parts.append(Text(f"not read: {printable(name)}: {d.reason}", _STYLE[d.verdict]))
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
