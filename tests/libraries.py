"""Photo libraries built in a test's folder the way Photos and iPhoto lay them out: real SQLite
catalogues with the real tables (tests/catalogues/), or iPhoto's AlbumData.xml, beside the
originals, rendered edits, previews and thumbnails those applications keep.

A `Photo` says what the library holds of one picture: its original (or none on this disk, as
with iCloud's "Optimize Mac Storage"), whether it is in the library's trash, an edit, and
whether its original is kept outside the bundle (a "referenced" file).
"""

from __future__ import annotations

import plistlib
import shutil
import sqlite3
import tempfile
import uuid as uuids
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from conftest import encode, write

SCHEMAS = Path(__file__).parent / "catalogues"


@dataclass
class Photo:
    name: str  # the name the library shows (the original file's name)
    rgb: np.ndarray | None  # its picture; None: not on this disk (only in iCloud)
    trashed: bool = False
    edit: np.ndarray | None = None  # the library's rendering of an edit
    referenced: Path | None = None  # its original, kept outside the bundle
    uuid: str = field(default_factory=lambda: str(uuids.uuid4()).upper())

    @property
    def ext(self) -> str:
        return self.name.rsplit(".", 1)[1].lower()


def _schema(db: sqlite3.Connection, name: str) -> None:
    db.executescript((SCHEMAS / f"{name}.sql").read_text())


def _picture(path: Path, rgb: np.ndarray) -> Path:
    """A picture written in its name's format (JPEG for .jpeg)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix.lower()
    path.write_bytes(encode(rgb, ".jpg" if ext in (".jpeg", ".jpg") else ext, 92))
    return path


def photos_library(
    bundle: Path, photos: list[Photo], *, schema: str = "photos-10.15", wal: bool = False
) -> Path:
    """An Apple Photos library (macOS 10.15 and later): database/Photos.sqlite, originals/<X>/
    <UUID>.<ext>, rendered edits in resources/renders/<X>/, and previews in
    resources/derivatives/ that must never count as photos. `wal`: leave recent changes in
    the catalogue's write-ahead log, as an open Photos does."""
    (bundle / "database").mkdir(parents=True)
    building = (
        Path(tempfile.mkdtemp()) / "Photos.sqlite" if wal else bundle / "database/Photos.sqlite"
    )
    db = sqlite3.connect(building)
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")
    _schema(db, schema)
    table = "ZGENERICASSET" if schema == "photos-10.15" else "ZASSET"
    for pk, photo in enumerate(photos, 1):
        folder = photo.uuid[0]
        filename = f"{photo.uuid}.{photo.ext}"
        if photo.referenced is not None:
            directory, filename, saved = str(photo.referenced.parent), photo.referenced.name, 10
            if photo.rgb is not None:
                _picture(photo.referenced, photo.rgb)
        else:
            directory, saved = folder, 3
            if photo.rgb is not None:
                _picture(bundle / "originals" / folder / filename, photo.rgb)
                preview = bundle / "resources/derivatives" / folder / f"{photo.uuid}_1_105_c.jpeg"
                _picture(preview, photo.rgb)
        video = int(photo.ext in ("mov", "mp4"))
        db.execute(
            f"INSERT INTO {table} (Z_PK, ZUUID, ZDIRECTORY, ZFILENAME, ZTRASHEDSTATE, ZKIND, "
            "ZSAVEDASSETTYPE) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (pk, photo.uuid, directory, filename, int(photo.trashed), video, saved),
        )
        db.execute(
            "INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, ZASSET, ZORIGINALFILENAME) "
            "VALUES (?, ?, ?)",
            (pk, pk, photo.name),
        )
        if photo.edit is not None:
            _picture(bundle / "resources/renders" / folder / f"{photo.uuid}_1_201_a.jpeg",
                     photo.edit)  # fmt: skip
            (bundle / "resources/renders" / folder / f"{photo.uuid}.plist").write_bytes(b"bplist")
    db.commit()
    if wal:
        # Copied while the connection is open: the changes are in the WAL only, as while
        # Photos runs (closing would fold them into the main file).
        for suffix in ("", "-wal"):
            shutil.copyfile(f"{building}{suffix}", bundle / f"database/Photos.sqlite{suffix}")
    db.close()
    return bundle


def rk_library(bundle: Path, photos: list[Photo], *, schema: str = "iphoto-9.6") -> Path:
    """A library of the RK schema: iPhoto 9 (`Database/apdb/Library.apdb`, edits in
    `Previews/<import>/<version uuid>/`) or Photos 2-4 (`schema="photos-4"`:
    `database/photos.db`, edits as `resources/media/version/00/00/fullsizeoutput_<hex>`).
    Originals in `Masters/<import folder>/`, thumbnails that must never count."""
    photos4 = schema == "photos-4"
    database = bundle / ("database/photos.db" if photos4 else "Database/apdb/Library.apdb")
    database.parent.mkdir(parents=True)
    db = sqlite3.connect(database)
    _schema(db, schema)
    imported = "2023/09/27/20230927-064307"
    for number, photo in enumerate(photos, 1):
        master, version = f"M{number:021d}", f"V{number:021d}"
        if photo.referenced is not None:
            image_path, reference = str(photo.referenced).lstrip("/"), 1
            if photo.rgb is not None:
                _picture(photo.referenced, photo.rgb)
        else:
            image_path, reference = f"{imported}/{photo.name}", 0
            if photo.rgb is not None:
                _picture(bundle / "Masters" / image_path, photo.rgb)
                thumbs = "resources/proxies/derivatives/00/00" if photos4 else "Thumbnails"
                _picture(bundle / thumbs / f"{number}" / photo.name, photo.rgb)
        db.execute(
            "INSERT INTO RKMaster (modelId, uuid, name, fileName, originalFileName, imagePath, "
            "isInTrash, fileIsReference, isMissing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (number, master, photo.name.rsplit(".", 1)[0], photo.name, photo.name, image_path,
             int(photo.trashed), reference),
        )  # fmt: skip
        edited = int(photo.edit is not None)
        db.execute(
            "INSERT INTO RKVersion (modelId, uuid, name, fileName, versionNumber, masterUuid, "
            "isInTrash, hasAdjustments) VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            (number, version, photo.name, photo.name, master, int(photo.trashed), edited),
        )
        if photo.edit is None:
            continue
        if photos4:
            resource = 100 + number
            db.execute(
                "INSERT INTO RKModelResource (modelId, attachedModelId, attachedModelType, "
                "resourceType) VALUES (?, ?, 2, 4)",
                (resource, number),
            )
            _picture(bundle / f"resources/media/version/00/00/fullsizeoutput_{resource:x}.jpeg",
                     photo.edit)  # fmt: skip
        else:
            _picture(bundle / "Previews" / imported / version / f"{photo.name}.jpg", photo.edit)
    db.commit()
    db.close()
    return bundle


def albumdata_library(bundle: Path, photos: list[Photo], *, iphoto5: bool = False) -> Path:
    """An iPhoto library of version 8 or earlier, with the AlbumData.xml iPhoto writes (paths
    as on the Mac that wrote it). iPhoto 6-8: `Originals/<year>/<roll>/`, edits in
    `Modified/`, thumbnails in `Data/`. iPhoto 5 and earlier: per-day `YYYY/MM/DD/` folders
    holding what iPhoto shows, the originals of edited photos in their `Originals/`, and
    thumbnails in `Thumbs/`. A trashed photo is in the list of the "Trash" album."""
    archive = "/Users/someone/Pictures/iPhoto Library"
    images: dict[str, dict[str, object]] = {}
    trash: list[str] = []
    for number, photo in enumerate(photos, 1):
        assert photo.rgb is not None
        if iphoto5:
            day = "2004/05/12"
            shown = f"{day}/{photo.name}"
            original = f"{day}/Originals/{photo.name}" if photo.edit is not None else shown
            _picture(bundle / day / "Thumbs" / f"{number}.jpg", photo.rgb)
        else:
            shown = (f"Modified/2008/Roll 1/{photo.name}" if photo.edit is not None
                     else f"Originals/2008/Roll 1/{photo.name}")  # fmt: skip
            original = f"Originals/2008/Roll 1/{photo.name}"
            _picture(bundle / "Data/2008/Roll 1" / f"{number}.jpg", photo.rgb)
        _picture(bundle / original, photo.rgb)
        if photo.edit is not None:
            _picture(bundle / shown, photo.edit)
        entry: dict[str, object] = {"MediaType": "Image", "ImagePath": f"{archive}/{shown}",
                                    "Caption": photo.name.rsplit(".", 1)[0]}  # fmt: skip
        if original != shown:
            entry["OriginalPath"] = f"{archive}/{original}"
        images[str(number)] = entry
        if photo.trashed:
            trash.append(str(number))
    albums = [
        {"AlbumId": 1, "AlbumName": "Photos", "Album Type": "99", "Master": True,
         "KeyList": [str(n) for n in range(1, len(photos) + 1)]},
        {"AlbumId": 2, "AlbumName": "Trash", "Album Type": "Trash", "KeyList": trash},
    ]  # fmt: skip
    data = {"Application Version": "5.0.4" if iphoto5 else "7.1.5", "Archive Path": archive,
            "List of Albums": albums, "Master Image List": images}  # fmt: skip
    bundle.mkdir(parents=True, exist_ok=True)
    with open(bundle / "AlbumData.xml", "wb") as handle:
        plistlib.dump(data, handle)
    return bundle


def write_export(path: Path, rgb: np.ndarray, factor: float = 0.5) -> Path:
    """What Photos' "Export" makes of a photo: smaller, re-compressed."""
    import cv2

    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
    return write(path, small, 85)
