"""reconcile: which backup folders still hold photos that are not in the photo library.

`from reconcile import reconcile` is the library's entry point. Names are loaded on first use,
so that importing one module (the index, say) does not load the decoders and OpenCV.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconcile.errors import IndexFileError, ReconcileError, RootError
    from reconcile.model import DirectoryResult, ImageResult, Report, Status, Verdict
    from reconcile.pipeline import reconcile
    from reconcile.progress import Progress

_HOMES = {
    "IndexFileError": "reconcile.errors",
    "ReconcileError": "reconcile.errors",
    "RootError": "reconcile.errors",
    "DirectoryResult": "reconcile.model",
    "ImageResult": "reconcile.model",
    "Report": "reconcile.model",
    "Status": "reconcile.model",
    "Verdict": "reconcile.model",
    "reconcile": "reconcile.pipeline",
    "Progress": "reconcile.progress",
}
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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
