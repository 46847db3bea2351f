"""A report as data: a JSON-able dict (docs/report-format.md) and CSV text."""

from __future__ import annotations

import csv
import io
from typing import Any

from reconcile.filetypes import Kind
from reconcile.results import FolderResult, LibraryNote, Report, Status

FORMAT_VERSION = 1
CSV_COLUMNS = (
    "root", "path", "status", "match", "distance", "reason", "kind", "name", "match_name",
    "decision",
)  # fmt: skip
# The status a file of unknown type (a PSD, a ZIP) is listed with: it cannot be judged.
UNCHECKED = "unchecked"
IGNORED = "ignored"  # with --ignore-other


def to_json(report: Report) -> dict[str, Any]:
    """The report as docs/report-format.md describes it."""
    return {
        "version": FORMAT_VERSION,
        "haystack": list(report.haystack),
        "needles": list(report.needles),
        "summary": {
            "images": len(report.items),
            **{status.value: report.count(status) for status in Status},
            "videos": sum(image.kind is Kind.VIDEO for image in report.items),
            "video_statuses": {
                status.value: sum(i.status is status and i.kind is Kind.VIDEO for i in report.items)
                for status in Status
            },
            "decided": report.decided,
            "skipped": report.skipped,
            "other": len(report.others),
            "todo_folders": len(report.todo),
            "unseen_folders": len(report.unseen),
            "seconds": report.seconds,
        },
        "directories": [_directory_json(d) for d in report.folders],
        "images": [
            {
                "root": image.root,
                "path": image.path,
                "status": image.status.value,
                "match": image.match,
                "distance": image.distance,
                "reason": image.reason,
                "kind": image.kind.value,
                "name": image.name,
                "match_name": image.match_name,
                "decision": image.decision.value if image.decision else None,
            }
            for image in report.items
        ],
        "other_files": [
            {"root": f.root, "path": f.path, "status": _other_status(report)} for f in report.others
        ],
        "other_folders": [
            {"root": root, "path": path, "other": count}
            for (root, path), count in sorted(report.other.items())
        ],
        "libraries": [_library_json(note) for note in report.libraries],
        "warnings": list(report.warnings),
    }


def _other_status(report: Report) -> str:
    return IGNORED if report.ignore_other else UNCHECKED


def _library_json(note: LibraryNote) -> dict[str, Any]:
    return {
        "path": note.path,
        "side": note.side,
        "layout": note.layout,
        "catalogue": note.catalogue,
        "photos": note.photos,
        "trashed": note.trashed,
        "not_on_disk": len(note.missing),
        "not_on_disk_names": list(note.missing),
        "uncatalogued": note.uncatalogued,
        "outside": note.outside,
    }


def _directory_json(directory: FolderResult) -> dict[str, Any]:
    return {
        "root": directory.root,
        "path": directory.path,
        "status": directory.verdict.value,
        "images": directory.items,
        **{status.value: directory.counts[status] for status in Status},
        "videos": directory.videos,
        "other": directory.other,
        "reason": directory.reason,
    }


def to_csv(report: Report) -> str:
    """One CSV row per needle item, with a header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for image in report.items:
        writer.writerow(
            (
                image.root,
                image.path,
                image.status.value,
                image.match or "",
                "" if image.distance is None else image.distance,
                image.reason or "",
                image.kind.value,
                image.name or "",
                image.match_name or "",
                image.decision.value if image.decision else "",
            )
        )
    for other in report.others:
        status = _other_status(report)
        writer.writerow((other.root, other.path, status, "", "", "", "other", "", "", ""))
    return out.getvalue()
