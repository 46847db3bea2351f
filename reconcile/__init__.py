"""reconcile: which backup folders still hold photos that are not in the photo library."""

from __future__ import annotations

from reconcile.errors import IndexFileError, ReconcileError, RootError
from reconcile.model import DirectoryResult, ImageResult, Report, Status, Verdict
from reconcile.pipeline import reconcile
from reconcile.progress import Progress

__all__ = [
    "DirectoryResult",
    "ImageResult",
    "IndexFileError",
    "Progress",
    "ReconcileError",
    "Report",
    "RootError",
    "Status",
    "Verdict",
    "reconcile",
]
__version__ = "0.2.0"
