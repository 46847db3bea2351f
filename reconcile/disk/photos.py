"""The catalogue of an Apple Photos library of macOS 10.15 and later (`database/Photos.sqlite`).

Which column means what follows osxphotos (its `photosdb` and `photoinfo`), checked against
the test libraries it publishes: the asset table is ZGENERICASSET on 10.15 and ZASSET from 11
on; ZTRASHEDSTATE 1 is "Recently Deleted"; ZDIRECTORY/ZFILENAME place the original under
`originals/` (or, for a referenced file, ZDIRECTORY is an absolute folder); the name Photos
shows is ZADDITIONALASSETATTRIBUTES.ZORIGINALFILENAME. A photo's other originals (the RAW of
a RAW+JPEG pair, a Live Photo's motion) sit beside it as `<uuid>_<n>.<ext>`, its rendered
edits in `resources/renders/<d>/<uuid>_...`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from reconcile.disk.catalogue import Listed, Role, edited_name
from reconcile.disk.layout import child
from reconcile.disk.readonly import ReadOnly, Unreadable

_NEEDED = {"Z_PK", "ZUUID", "ZDIRECTORY", "ZFILENAME", "ZTRASHEDSTATE"}
_REFERENCED = 10  # ZSAVEDASSETTYPE of a file left where it was ("referenced")


def listed(bundle: str, database: str) -> Iterator[Listed]:
    with ReadOnly(database) as db:
        tables = db.tables()
        asset = next((t for t in ("ZASSET", "ZGENERICASSET") if t in tables), None)
        if asset is None:
            raise Unreadable("no asset table: a version of Photos reconcile does not know")
        columns = db.columns(asset)
        if not columns >= _NEEDED:
            raise Unreadable(f"{asset} lacks {', '.join(sorted(_NEEDED - columns))}")
        saved = "a.ZSAVEDASSETTYPE" if "ZSAVEDASSETTYPE" in columns else "NULL"
        names = (
            "b.ZORIGINALFILENAME"
            if "ZADDITIONALASSETATTRIBUTES" in tables
            and {"ZASSET", "ZORIGINALFILENAME"} <= db.columns("ZADDITIONALASSETATTRIBUTES")
            else "NULL"
        )
        join = (
            "LEFT JOIN ZADDITIONALASSETATTRIBUTES b ON b.ZASSET = a.Z_PK" if names != "NULL" else ""
        )
        rows = db.rows(
            f"SELECT a.ZUUID, a.ZDIRECTORY, a.ZFILENAME, a.ZTRASHEDSTATE, {saved}, {names} "
            f"FROM {asset} a {join} WHERE a.ZFILENAME IS NOT NULL AND a.ZUUID IS NOT NULL"
        )
    originals = child(bundle, "originals") or os.path.join(bundle, "originals")
    renders = child(bundle, "resources", "renders")
    beside = _Listing()
    for uuid, directory, filename, trashed, saved_as, name in rows:
        uuid, filename = str(uuid), str(filename)
        directory = str(directory or "")
        referenced = saved_as == _REFERENCED or directory.startswith("/")
        folder = directory if directory.startswith("/") else os.path.join(originals, directory)
        shown = str(name or filename)
        in_trash = trashed == 1
        yield Listed(os.path.join(folder, filename), uuid, shown, Role.ORIGINAL, in_trash,
                     referenced)  # fmt: skip
        if not referenced:
            for other in beside.of(folder, uuid, after="_"):
                stem, ext = os.path.splitext(shown)[0], os.path.splitext(other)[1]
                yield Listed(os.path.join(folder, other), uuid, stem + ext, Role.ORIGINAL,
                             in_trash)  # fmt: skip
        if renders is not None:
            rendered = os.path.join(renders, uuid[:1])
            for edit in beside.of(rendered, uuid, after="_"):
                if not edit.lower().endswith(".plist"):
                    yield Listed(os.path.join(rendered, edit), uuid, edited_name(shown, edit),
                                 Role.EDIT, in_trash)  # fmt: skip


class _Listing:
    """Folder listings, each read once, their names by the photo id they start with."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, list[str]]] = {}

    def of(self, folder: str, uuid: str, *, after: str) -> list[str]:
        """The names in `folder` that are `uuid` followed by `after` and more."""
        if folder not in self._by_id:
            by_id: dict[str, list[str]] = {}
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                names = []
            for name in names:
                by_id.setdefault(name[: len(uuid)], []).append(name)
            self._by_id[folder] = by_id
        return [n for n in self._by_id[folder].get(uuid, []) if n[len(uuid) :].startswith(after)]
