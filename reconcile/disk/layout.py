"""Which photo library a folder is, known by what it holds (its database), not by its name:
a bundle copied without its extension (`Photos Library`) is still a library, and one named
like a bundle without any database reconcile knows is a library of an unknown layout.

Names inside a library are matched without regard to case: libraries travel through disks
and tools that change it (`Masters` and `masters`, `AlbumData.xml` and `albumdata.xml`).
"""

from __future__ import annotations

import enum
import os

# Folder names that say "photo library" (Apple Photos, iPhoto, Aperture) when the content
# does not: such a folder is never walked as a plain folder.
BUNDLE_SUFFIXES = (".photoslibrary", ".photolibrary", ".migratedphotolibrary", ".aplibrary")
BUNDLE_NAMES = frozenset({"iphoto library", "aperture library", "photos library"})


class Layout(enum.Enum):
    """A library's layout, by the catalogue it keeps."""

    PHOTOS = "Photos 5 or later"  # database/Photos.sqlite; originals/
    APERTURE = "Photos 2-4, iPhoto 9 or Aperture"  # RKMaster in photos.db or Library.apdb
    IPHOTO = "iPhoto 8 or earlier"  # AlbumData.xml; Originals/ or YYYY/MM/DD folders
    UNKNOWN = "a layout reconcile does not know"


# Where each layout keeps its catalogue, in the order they are tried (relative, any case).
_CATALOGUES = (
    (Layout.PHOTOS, ("database", "Photos.sqlite")),
    (Layout.APERTURE, ("database", "photos.db")),
    (Layout.APERTURE, ("Database", "apdb", "Library.apdb")),
    (Layout.APERTURE, ("Database", "Library.apdb")),
    (Layout.IPHOTO, ("AlbumData.xml",)),
    (Layout.IPHOTO, ("iPhoto.db",)),
    (Layout.IPHOTO, ("Library6.iPhoto",)),
    (Layout.IPHOTO, ("Library.iPhoto",)),
    (Layout.IPHOTO, ("Library.data",)),
)


def named_like_a_library(name: str) -> bool:
    """Whether a folder of this name is a photo library bundle by its name."""
    lowered = name.lower()
    return lowered in BUNDLE_NAMES or lowered.endswith(BUNDLE_SUFFIXES)


def recognise(folder: str, names: list[str] | None = None) -> tuple[Layout, str | None] | None:
    """The folder's layout and its catalogue file, or None when it is no library at all.
    `names`: the folder's listing, when the caller has it (most folders are no library, and
    are told so by their listing alone)."""
    if names is None:
        try:
            names = os.listdir(folder)
        except OSError:
            names = []
    present = {name.lower() for name in names}
    for layout, parts in _CATALOGUES:
        if parts[0].lower() not in present:
            continue
        found = child(folder, *parts)
        # Photos 5 and later keep a photos.db beside Photos.sqlite: the order decides.
        if found is not None and os.path.isfile(found):
            return layout, found
    if named_like_a_library(os.path.basename(folder)):
        return _by_folders(present), None
    return None


def _by_folders(present: set[str]) -> Layout:
    """The layout of a bundle without a catalogue, by the folders it holds."""
    if "masters" in present:
        return Layout.APERTURE
    if "originals" in present:
        iphoto = {"modified", "data", "thumbnails"} & present and "database" not in present
        return Layout.IPHOTO if iphoto else Layout.PHOTOS
    if any(len(name) == 4 and name.isdigit() for name in present):
        return Layout.IPHOTO  # iPhoto 5 and earlier: YYYY/MM/DD folders
    return Layout.UNKNOWN


def originals(folder: str, layout: Layout) -> list[str]:
    """The folders of a library that hold originals, as they exist (absolute)."""
    names = {
        Layout.PHOTOS: ("originals", "Masters"),
        Layout.APERTURE: ("Masters",),
        Layout.IPHOTO: ("Originals",),
        Layout.UNKNOWN: (),
    }[layout]
    found = [f for name in names if (f := child(folder, name)) and os.path.isdir(f)]
    if layout is Layout.IPHOTO and not found:
        found = iphoto5_years(folder)
    return found


def edits(folder: str, layout: Layout) -> list[str]:
    """The folders that hold a library's renders of edited photos (read only through the
    catalogue, except iPhoto 6-8's `Modified`, which is nothing else)."""
    names = {
        Layout.PHOTOS: (("resources", "renders"),),
        Layout.APERTURE: (("Previews",), ("resources", "media", "version")),
        Layout.IPHOTO: (("Modified",),),
        Layout.UNKNOWN: (),
    }[layout]
    return [f for parts in names if (f := child(folder, *parts)) and os.path.isdir(f)]


def iphoto5_years(folder: str) -> list[str]:
    """iPhoto 5 and earlier keep photos in per-day folders `YYYY/MM/DD` at the top."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, name)
        for name in names
        if len(name) == 4 and name.isdigit() and os.path.isdir(os.path.join(folder, name))
    ]


def child(folder: str, *parts: str) -> str | None:
    """The path of folder/parts..., each part matched without regard to case; None when a
    part is not there."""
    path = folder
    for part in parts:
        direct = os.path.join(path, part)
        if os.path.lexists(direct):
            path = direct
            continue
        try:
            names = os.listdir(path)
        except OSError:
            return None
        lowered = part.lower()
        match = next((name for name in sorted(names) if name.lower() == lowered), None)
        if match is None:
            return None
        path = os.path.join(path, match)
    return path
