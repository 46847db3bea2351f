"""What a photo library's own catalogue says it holds: each original, each rendered edit, the
name the library shows for it, and whether it is in the library's trash.

The catalogue, not the bundle's files, decides what the library holds: a file in `originals/`
that the catalogue puts in the trash is not a photo the library keeps, and one it does not
list at all is not trusted either. Readers per layout: `disk.photos` (Photos 5 and later),
`disk.aperture` (Photos 2-4, iPhoto 9, Aperture), `disk.iphoto` (iPhoto 8 and earlier); they
raise `readonly.Unreadable` for a catalogue they cannot read.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from reconcile.disk.layout import Layout


class Role(enum.Enum):
    """What a listed file is to its photo."""

    ORIGINAL = "original"  # what was imported (a RAW and its JPEG, a Live Photo's two parts)
    EDIT = "edited version"  # the library's rendering of an edit: what it shows


@dataclass(frozen=True, slots=True)
class Listed:
    """One file the catalogue accounts for."""

    path: str  # absolute: where the file should be
    photo: str  # the photo it belongs to (the library's own id)
    name: str  # the name the library shows for it
    role: Role
    trashed: bool
    referenced: bool = False  # an original kept outside the bundle ("referenced file")


def edited_name(name: str, rendered: str) -> str:
    """The name an edit of the photo `name` goes by, as a file could be called: "Tulips
    (edited).jpeg" for the render `<uuid>_1_201_a.jpeg` of "Tulips.jpg"."""
    stem = os.path.splitext(name)[0]
    return f"{stem} (edited){os.path.splitext(rendered)[1]}"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What one library's catalogue lists."""

    bundle: str
    layout: Layout
    files: tuple[Listed, ...]

    @property
    def photos(self) -> int:
        return len({f.photo for f in self.files})

    @property
    def trashed(self) -> int:
        return len({f.photo for f in self.files if f.trashed})
