"""reconcile: which backup folders still hold photos that are not in the photo library.

`from reconcile import reconcile` is the library's entry point. Names are loaded on first use,
so that importing one module (the index, say) does not load the decoders and OpenCV.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconcile.commands.check import reconcile
    from reconcile.commands.dupes import dupes
    from reconcile.commands.find import find
    from reconcile.errors import IndexFileError, ReconcileError, RootError
    from reconcile.progress import Progress
    from reconcile.results import FolderResult, ItemResult, Report, Status, Verdict

_HOMES = {
    "IndexFileError": "reconcile.errors",
    "ReconcileError": "reconcile.errors",
    "RootError": "reconcile.errors",
    "FolderResult": "reconcile.results",
    "ItemResult": "reconcile.results",
    "Report": "reconcile.results",
    "Status": "reconcile.results",
    "Verdict": "reconcile.results",
    "reconcile": "reconcile.commands.check",
    "find": "reconcile.commands.find",
    "dupes": "reconcile.commands.dupes",
    "Progress": "reconcile.progress",
}
# Names of version 0.2, kept so that programs written against it still run.
_RENAMED = {"ImageResult": "ItemResult", "DirectoryResult": "FolderResult"}
__all__ = [
    "FolderResult",
    "IndexFileError",
    "ItemResult",
    "Progress",
    "ReconcileError",
    "Report",
    "RootError",
    "Status",
    "Verdict",
    "dupes",
    "find",
    "reconcile",
]
__version__ = "0.4.0"


def __getattr__(name: str) -> Any:
    name = _RENAMED.get(name, name)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
