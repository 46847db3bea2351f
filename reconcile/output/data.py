"""A report as data: a JSON-able dict (docs/report-format.md) and CSV text."""

from __future__ import annotations

import csv
import io
from typing import Any

from reconcile.filetypes import Kind
from reconcile.results import FolderResult, Report, Status

FORMAT_VERSION = 1
CSV_COLUMNS = ("root", "path", "status", "match", "distance", "reason", "kind")


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
            "skipped": report.skipped,
            "other": sum(d.other for d in report.folders) + sum(report.other.values()),
            "todo_folders": len(report.todo),
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
            }
            for image in report.items
        ],
        "other_folders": [
            {"root": root, "path": path, "other": count}
            for (root, path), count in sorted(report.other.items())
        ],
        "warnings": list(report.warnings),
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
            )
        )
    return out.getvalue()
