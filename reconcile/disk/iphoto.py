"""The catalogue of an iPhoto library of version 8 or earlier: `AlbumData.xml`, the property
list iPhoto writes for other programs (and iPhoto 9 still does).

Its "Master Image List" names each photo's file: `ImagePath` (what iPhoto shows: the edited
version when there is one) and `OriginalPath` (the original, only for edited photos). A photo
in iPhoto's trash is not listed there (checked against iPhoto 9.6's own file), or is listed in
an album of type "Trash" (iPhoto 5's): either way it is not a photo the library keeps. Paths
are absolute on the Mac that wrote them ("Archive Path"): they are read relative to where the
library is now. iPhoto's binary catalogues (`Library6.iPhoto`, `iPhoto.db`) are not read.
"""

from __future__ import annotations

import os
import plistlib
from collections.abc import Iterator
from typing import Any

from reconcile.disk.catalogue import Listed, Role, edited_name
from reconcile.disk.readonly import Unreadable


def listed(bundle: str, database: str) -> Iterator[Listed]:
    if os.path.basename(database).lower() != "albumdata.xml":
        raise Unreadable(f"{os.path.basename(database)} is a catalogue reconcile cannot read")
    try:
        with open(database, "rb") as handle:
            data = plistlib.load(handle)
    except (OSError, plistlib.InvalidFileException, ValueError) as error:
        raise Unreadable(f"AlbumData.xml cannot be read ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("Master Image List"), dict):
        raise Unreadable("AlbumData.xml has no Master Image List")
    archive = str(data.get("Archive Path") or "").rstrip("/")
    trashed = _trashed(data)
    for key, image in sorted(data["Master Image List"].items()):
        if not isinstance(image, dict) or not image.get("ImagePath"):
            continue
        shown = _here(str(image["ImagePath"]), archive, bundle)
        original = (
            _here(str(image["OriginalPath"]), archive, bundle)
            if image.get("OriginalPath")
            else shown
        )
        name = os.path.basename(original)
        in_trash = str(key) in trashed
        yield Listed(original, str(key), name, Role.ORIGINAL, in_trash,
                     not _inside(original, bundle))  # fmt: skip
        if original != shown:
            yield Listed(shown, str(key), edited_name(name, shown), Role.EDIT, in_trash)


def _trashed(data: dict[str, Any]) -> set[str]:
    """The photo keys in albums of type "Trash"."""
    found: set[str] = set()
    for album in data.get("List of Albums") or []:
        if isinstance(album, dict) and album.get("Album Type") == "Trash":
            found.update(str(key) for key in album.get("KeyList") or [])
    return found


def _here(path: str, archive: str, bundle: str) -> str:
    """A path AlbumData.xml wrote on the Mac that made it, where that file is now."""
    if archive and (path == archive or path.startswith(archive + "/")):
        return os.path.join(bundle, path[len(archive) :].lstrip("/"))
    return path


def _inside(path: str, bundle: str) -> bool:
    return path.startswith(bundle.rstrip(os.sep) + os.sep)
