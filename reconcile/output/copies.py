"""What `reconcile dupes` found, in each format: JSON (docs/report-format.md), CSV, tables,
paths (the redundant files, never a keep) and a page with each group side by side."""

from __future__ import annotations

import csv
import html
import io
import os
from collections.abc import Callable
from typing import Any

from rich.console import Group as Rows
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reconcile.filetypes import Kind, kind_by_name
from reconcile.output.text import counted, printable, size
from reconcile.results import Copies, Group

Thumbs = Callable[..., dict[str, str | None]]
TABLE_GROUPS = 40  # groups shown in the terminal, most bytes first


def to_json(found: Copies) -> dict[str, Any]:
    return {
        "version": 1,
        "haystack": list(found.haystack),
        "groups": [
            {
                "status": g.status.value,
                "files": [f.path for f in g.files],
                "keep": g.keep,
                "redundant": list(g.redundant),
                "redundant_bytes": g.redundant_bytes,
                "sizes": {f.path: f.size for f in g.files},
                "names": {f.path: f.name for f in g.files if f.name},
                "kept": [f.path for f in g.files if f.kept],
            }
            for g in found.groups
        ],
        "similar": [{"files": [p.a, p.b], "reason": p.reason} for p in found.similar],
        "summary": {
            "files": found.files,
            "groups": len(found.groups),
            "identical_groups": sum(g.status.value == "identical" for g in found.groups),
            "redundant_files": sum(len(g.redundant) for g in found.groups),
            "redundant_bytes": found.redundant_bytes,
            "similar": len(found.similar),
            "seconds": found.seconds,
        },
        "warnings": list(found.warnings),
    }


def to_csv(found: Copies) -> str:
    """One row per file of a group: its group's number, status, whether it is the keep."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("group", "status", "path", "size", "keep", "redundant"))
    for number, g in enumerate(found.groups, 1):
        for f in g.files:
            writer.writerow((number, g.status.value, f.path, f.size, int(f.path == g.keep),
                             int(f.path in g.redundant)))  # fmt: skip
    return out.getvalue()


def to_paths(found: Copies, end: str = "\n") -> str:
    return "".join(path + end for g in found.groups for path in g.redundant)


def to_tables(found: Copies) -> Rows:
    summary = Table(title="Copies in the library", header_style="bold")
    summary.add_column("")
    summary.add_column("count", justify="right")
    summary.add_row("photos and videos", str(found.files))
    summary.add_row("groups of copies", str(len(found.groups)))
    summary.add_row("files to spare", str(sum(len(g.redundant) for g in found.groups)))
    summary.add_row("bytes they take", size(found.redundant_bytes))
    summary.add_row("similar pairs (review)", str(len(found.similar)))
    parts: list[Table | Text] = [summary]
    if found.groups:
        groups = Table(title="Groups, most bytes to spare first", header_style="bold")
        groups.add_column("#", justify="right")
        groups.add_column("status")
        groups.add_column("keep", overflow="fold")
        groups.add_column("copies", overflow="fold")
        groups.add_column("to spare", justify="right")
        for number, g in enumerate(found.groups[:TABLE_GROUPS], 1):
            groups.add_row(
                str(number), g.status.value, escape(printable(g.keep)),
                escape("\n".join(printable(p) for p in g.redundant) or "(all kept)"),
                size(g.redundant_bytes),
            )  # fmt: skip
        parts.append(groups)
        if len(found.groups) > TABLE_GROUPS:
            parts.append(Text(f"... and {len(found.groups) - TABLE_GROUPS} more groups: "
                              "--format json or html", "bold"))  # fmt: skip
    else:
        parts.append(
            Text("No copies: every photo and video of the library is there once.", "green")
        )
    return Rows(*parts)


def to_html(found: Copies, make_thumbs: Thumbs) -> str:
    """A page with each group side by side (the keep first, marked) and the similar pairs."""
    e = html.escape
    wanted = [(f.path, _kind(f.path)) for g in found.groups for f in g.files]
    wanted += [(p, _kind(p)) for pair in found.similar for p in (pair.a, pair.b)]
    thumbs = make_thumbs(wanted, side=160)
    sections = []
    for number, g in enumerate(found.groups, 1):
        figures = "".join(_figure(f.path, g, thumbs) for f in g.files)
        sections.append(
            f'<section class="group {g.status.value}" data-group="{number}">'
            f"<h2>{number}. {g.status.value} · {len(g.files)} files · "
            f"{e(size(g.redundant_bytes))} to spare</h2><div class=row>{figures}</div></section>"
        )
    for pair in found.similar:
        figures = "".join(_figure(p, None, thumbs) for p in (pair.a, pair.b))
        sections.append(
            f'<section class="group similar"><h2>similar: {e(pair.reason or "")}</h2>'
            f"<div class=row>{figures}</div></section>"
        )
    return _PAGE.format(
        title=e(f"reconcile: {counted(len(found.groups), 'group')} of copies"),
        groups=counted(len(found.groups), "group"),
        spare=e(size(found.redundant_bytes)),
        similar=counted(len(found.similar), "similar pair"),
        library="".join(f"<li>{e(printable(r))}</li>" for r in found.haystack),
        sections="\n".join(sections),
    )


def _figure(path: str, group: Group | None, thumbs: dict[str, str | None]) -> str:
    e = html.escape
    uri = thumbs.get(path)
    picture = f'<img src="{uri}" alt="" loading="lazy">' if uri else '<div class="none"></div>'
    role = ""
    if group is not None:
        role = (
            "keep" if path == group.keep else ("redundant" if path in group.redundant else "kept")
        )
    label = {"keep": "keep", "redundant": "copy", "kept": "kept (--keep-in)"}.get(role, "")
    return (
        f'<figure class="{role}" data-path="{e(printable(path))}">{picture}'
        f"<figcaption><b>{label}</b> {e(printable(path))}</figcaption></figure>"
    )


def _kind(path: str) -> Kind:
    return kind_by_name(os.path.basename(path)) or Kind.IMAGE


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>
:root {{ font: 14px/1.4 system-ui, sans-serif; color: #222; background: #f6f6f4; }}
body {{ margin: 0 auto; max-width: 1200px; padding: 1rem 2rem 4rem; }}
.group {{ background: #fff; border: 1px solid #ddd; border-radius: 6px; margin: .8rem 0;
  padding: .4rem .8rem .8rem; }}
.group h2 {{ font-size: 1rem; margin: .3rem 0 .5rem; }}
.row {{ display: flex; gap: .6rem; flex-wrap: wrap; }}
figure {{ margin: 0; width: 180px; }} figure img {{ max-width: 160px; max-height: 160px;
  display: block; border-radius: 3px; }}
figure.keep img {{ outline: 3px solid #2e7d32; }} figure.redundant img {{ opacity: .8; }}
figcaption {{ font-size: .75rem; color: #555; word-break: break-all; }}
.none {{ width: 160px; height: 100px; background: #eee; }}
</style></head><body>
<h1>{groups} of copies · {spare} to spare · {similar}</h1>
<div>Library<ul>{library}</ul></div>
{sections}
<footer>made by reconcile dupes: it never deletes or moves anything; the files marked
"copy" are the ones <code>--format paths</code> lists.</footer>
</body></html>
"""
