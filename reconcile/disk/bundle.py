"""What a photo library met by a walk contributes to it: the files its catalogue keeps (each
with its standing: kept, in the trash, or not in the catalogue at all) and nothing else of
the bundle, never its previews, thumbnails or caches, which are not photos.

Without a readable catalogue the files of its originals folders decide, as they would in a
plain folder, with a warning. A bundle of a layout reconcile does not know is not read at all,
and says so: its folder is `unreadable`, never complete.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

from reconcile.disk import aperture, iphoto, photos
from reconcile.disk.catalogue import Catalogue, Listed, Role
from reconcile.disk.entries import Found, Scan, Standing, classify
from reconcile.disk.layout import Layout, edits, originals
from reconcile.disk.readonly import Unreadable
from reconcile.filetypes import Kind
from reconcile.results import LibraryNote

# Names shown in a warning about files whose originals are not on this disk, at most.
_NAMED = 5
_READERS = {
    Layout.PHOTOS: photos.listed,
    Layout.APERTURE: aperture.listed,
    Layout.IPHOTO: iphoto.listed,
}
# Subfolders of an iPhoto 5 day folder that hold no photos of their own.
_IPHOTO5_CACHES = frozenset({"thumbs", "data"})


def walk_library(
    scan: Scan,
    bundle: str,
    layout: Layout,
    database: str | None,
    *,
    side: str,
    group: str | None,
    only_under: str | None = None,
) -> None:
    """Add the library at `bundle` to `scan`: below the scan's root, or enclosing it (then
    `only_under` is the root, and only the photos with an original there count). `side` is
    "haystack" or "needles": a library's files kept outside the roots count for a haystack,
    not for a backup; `group` is the folder the library's items count in."""
    root = scan.root
    catalogue: Catalogue | None = None
    trouble = None
    reader = _READERS.get(layout)
    if database is not None and reader is not None:
        try:
            catalogue = Catalogue(bundle, layout, tuple(reader(bundle, database)))
        except Unreadable as error:
            trouble = str(error)
    if catalogue is None:
        _without_catalogue(scan, bundle, layout, trouble, group=group, side=side,
                           only_under=only_under)  # fmt: skip
        return
    listed = list(catalogue.files)
    if only_under is not None:
        inside = {f.photo for f in listed if f.role is Role.ORIGINAL and _under(f.path, only_under)}
        listed = [f for f in listed if f.photo in inside]
    known = {os.path.normcase(f.path) for f in catalogue.files}
    missing: dict[str, str] = {}  # photo: name
    outside = 0
    for entry in listed:
        if side == "needles" and not _under(entry.path, root):
            outside += 1  # the old library's file lives elsewhere: not on this backup
            continue
        found = _found(root, entry, group, layout.value)
        if found is None:
            continue
        if found.problem is not None and not os.path.lexists(entry.path):
            if entry.trashed or entry.role is not Role.ORIGINAL:
                continue  # a trashed photo or a render missing: nothing lost here
            missing[entry.photo] = entry.name
            if side == "haystack":
                continue  # nothing to compare with
            where = (
                "a referenced file on a drive not mounted?" if entry.referenced else
                "only in iCloud (Optimize Mac Storage)?"
            )  # fmt: skip
            found = _replace_problem(found, f"not on this disk ({where})")
        scan.media.append(found)
    strangers = _uncatalogued(scan, bundle, layout, known, group, only_under)
    photos = {f.photo for f in listed}
    trashed = {f.photo for f in listed if f.trashed}
    note = LibraryNote(
        path=bundle, side=side, layout=layout.value, catalogue=True, photos=len(photos),
        trashed=len(trashed), missing=tuple(sorted(missing.values())), uncatalogued=strangers,
        outside=outside,
    )  # fmt: skip
    scan.libraries.append(note)
    scan.warnings.extend(_warnings(note, side, only_under is not None, scan.root))
    if not photos and not strangers:
        scan.unseen.append((group or ".", "a photo library whose catalogue lists no photos"))


def _found(root: str, entry: Listed, group: str | None, layout: str) -> Found | None:
    rel = os.path.relpath(entry.path, root) if _under(entry.path, root) else entry.path
    found = classify(root, rel.replace(os.sep, "/"), entry.path)
    if not isinstance(found, Found):
        if os.path.lexists(entry.path):
            return None  # a sidecar or a file of unknown type listed by the catalogue
        kind = Kind.VIDEO if found is Kind.VIDEO else Kind.IMAGE
        found = Found(root, rel, entry.path, 0, 0, "missing", kind)
    standing = Standing.TRASHED if entry.trashed else Standing.HELD
    return _with(found, standing=standing, name=entry.name, group=group, library=layout)


def _with(found: Found, **changes: object) -> Found:
    return dataclasses.replace(found, **changes)  # type: ignore[arg-type]


def _replace_problem(found: Found, problem: str) -> Found:
    return _with(found, problem=problem, size=0, mtime_ns=0)


def _uncatalogued(
    scan: Scan,
    bundle: str,
    layout: Layout,
    known: set[str],
    group: str | None,
    only_under: str | None,
) -> int:
    """Media files in the originals folders that the catalogue does not list: added with
    their standing said (never trusted as held), and how many."""
    count = 0
    folders = originals(bundle, layout)
    if only_under is not None:
        folders = [f for f in folders if _under(only_under, f) or _under(f, only_under)]
        folders = [only_under if _under(only_under, f) else f for f in folders]
    for path in _files(folders, layout):
        if os.path.normcase(path) in known:
            continue
        rel = os.path.relpath(path, scan.root).replace(os.sep, "/")
        found = classify(scan.root, rel, path)
        if isinstance(found, Found):
            scan.media.append(
                _with(found, standing=Standing.UNCATALOGUED, group=group, library=layout.value)
            )
            count += 1
    return count


def _without_catalogue(
    scan: Scan,
    bundle: str,
    layout: Layout,
    trouble: str | None,
    *,
    group: str | None,
    side: str,
    only_under: str | None,
) -> None:
    """A library whose catalogue is missing or unreadable: its originals folders decide."""
    folders = originals(bundle, layout) + (edits(bundle, layout) if layout is Layout.IPHOTO else [])
    if only_under is not None:
        folders = [only_under]
    if layout is Layout.UNKNOWN or not folders:
        scan.unseen.append(
            (group or ".", "a photo library whose layout reconcile does not know: not read")
        )
        scan.warnings.append(
            f"{bundle}: a photo library whose layout reconcile does not know: not read (it "
            "holds no originals folder reconcile recognises)"
        )
        return
    shown = ", ".join(f"{os.path.relpath(f, bundle)}/" for f in folders)
    why = f"its catalogue cannot be read ({trouble})" if trouble else "no catalogue found"
    scan.warnings.append(
        f"{bundle}: a photo library ({layout.value}), {why}: the files of its originals "
        f"folders decide ({shown}); trashed photos cannot be told apart"
    )
    count = 0
    for path in _files(folders, layout):
        found = classify(scan.root, os.path.relpath(path, scan.root).replace(os.sep, "/"), path)
        if isinstance(found, Found):
            scan.media.append(_with(found, group=group))
            count += 1
    scan.libraries.append(LibraryNote(bundle, side, layout.value, False, photos=count))


def _files(folders: Iterable[str], layout: Layout) -> list[str]:
    """Every file below these folders, sorted; iPhoto 5's thumbnail and data folders left
    out."""
    found: list[str] = []
    for top in folders:
        for folder, subfolders, files in os.walk(top):
            if layout is Layout.IPHOTO:
                subfolders[:] = [s for s in subfolders if s.lower() not in _IPHOTO5_CACHES]
            subfolders.sort()
            found.extend(os.path.join(folder, name) for name in sorted(files))
    return found


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _warnings(note: LibraryNote, side: str, enclosing: bool, root: str) -> list[str]:
    said = [
        f"{note.path}: a photo library ({note.layout}): its catalogue lists {note.photos} "
        f"photos ({note.trashed} in its trash); only the originals and edits it lists are "
        "read, never its previews or thumbnails"
        + (f" ({root} lies inside it: its catalogue is read too)" if enclosing else "")
    ]
    if note.missing:
        names = ", ".join(note.missing[:_NAMED]) + (", ..." if len(note.missing) > _NAMED else "")
        if side == "haystack":
            said.append(
                f"{note.path}: {len(note.missing)} photos of the library are not on this disk "
                f"(only in iCloud, or referenced on a drive not mounted): their copies on the "
                f"backups are compared with nothing ({names})"
            )
        else:
            said.append(
                f"{note.path}: {len(note.missing)} photos of this old library are not on this "
                f"disk: they are listed as unreadable ({names})"
            )
    if note.uncatalogued:
        said.append(
            f"{note.path}: {note.uncatalogued} files in its originals folders are not in its "
            "catalogue (left over, or removed from the library): compared, but never counted "
            "as held"
        )
    if note.outside:
        said.append(
            f"{note.path}: {note.outside} originals it references lie outside the backups "
            "given: not checked"
        )
    return said
