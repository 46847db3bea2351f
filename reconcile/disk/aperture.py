"""The catalogue of a library in the RK schema: Photos 2-4 (`database/photos.db`), iPhoto 9
and Aperture 3 (`Database/apdb/Library.apdb`).

Following osxphotos and the test libraries it publishes: RKMaster is one imported file
(`imagePath` under `Masters/`, or on a volume of RKVolume when `fileIsReference`), its name
`originalFileName`; RKVersion is what the library shows of it. A master is in the trash when
it says so or when every version of it is. Rendered edits: iPhoto 9 and Aperture keep them in
`Previews/<import folder>/<version uuid>/`, Photos 2-4 as
`resources/media/version/**/fullsizeoutput_<hex id>` of the RKModelResource attached to the
version.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from reconcile.disk.catalogue import Listed, Role, edited_name
from reconcile.disk.layout import child
from reconcile.disk.readonly import ReadOnly, Unreadable

_MASTER = {"uuid", "imagePath", "isInTrash", "fileIsReference"}
_VERSION = {"uuid", "masterUuid", "isInTrash"}


def listed(bundle: str, database: str) -> Iterator[Listed]:
    with ReadOnly(database) as db:
        tables = db.tables()
        if not {"RKMaster", "RKVersion"} <= tables:
            raise Unreadable("no RKMaster table: a version reconcile does not know")
        master_cols, version_cols = db.columns("RKMaster"), db.columns("RKVersion")
        if not (master_cols >= _MASTER and version_cols >= _VERSION):
            raise Unreadable("RKMaster or RKVersion lacks columns reconcile reads")
        name = "originalFileName" if "originalFileName" in master_cols else "fileName"
        volumes = _volumes(db, tables, master_cols)
        masters = db.rows(
            f"SELECT uuid, imagePath, {name}, isInTrash, fileIsReference, {volumes[0]} "
            "FROM RKMaster WHERE imagePath IS NOT NULL"
        )
        edited = "hasAdjustments" if "hasAdjustments" in version_cols else "0"
        model = "modelId" if "modelId" in version_cols else "NULL"
        versions = db.rows(f"SELECT uuid, masterUuid, isInTrash, {edited}, {model} FROM RKVersion")
        resources = (
            db.rows(
                "SELECT modelId, attachedModelId FROM RKModelResource "
                "WHERE attachedModelType = 2 AND resourceType = 4"
            )
            if "RKModelResource" in tables
            else []
        )
    kept: dict[str, bool] = {}  # master uuid: has a version not in the trash
    for _, master, trashed, _, _ in versions:
        kept[str(master)] = kept.get(str(master), False) or trashed != 1
    masters_folder = child(bundle, "Masters") or os.path.join(bundle, "Masters")
    shown: dict[str, tuple[str, bool, str]] = {}  # master uuid: (name, trashed, import folder)
    for uuid, image_path, filename, trashed, reference, volume in masters:
        uuid, image_path = str(uuid), str(image_path)
        in_trash = trashed == 1 or not kept.get(uuid, True)
        label = str(filename or os.path.basename(image_path))
        if reference == 1:
            path = _referenced(image_path, volumes[1].get(volume))
        else:
            path = os.path.join(masters_folder, image_path)
        shown[uuid] = (label, in_trash, os.path.dirname(image_path))
        yield Listed(path, uuid, label, Role.ORIGINAL, in_trash, reference == 1)
    yield from _edits(bundle, versions, resources, shown)


def _volumes(
    db: ReadOnly, tables: set[str], master_cols: set[str]
) -> tuple[str, dict[object, str]]:
    """The RKMaster column naming a referenced file's volume, and the volumes' names by it."""
    if "RKVolume" not in tables:
        return "NULL", {}
    key = "volumeId" if "volumeId" in master_cols else "fileVolumeUuid"
    if key not in master_cols:
        return "NULL", {}
    by = "modelId" if key == "volumeId" else "uuid"
    return key, {row[0]: str(row[1]) for row in db.rows(f"SELECT {by}, name FROM RKVolume")}


def _referenced(image_path: str, volume: str | None) -> str:
    """Where a referenced master is: on its volume (`/Volumes/<name>/...`), or, when that is
    not mounted, at the same path from the root (the boot volume's files)."""
    candidates = [os.path.join("/Volumes", volume, image_path)] if volume else []
    candidates.append(os.path.join("/", image_path))
    return next((c for c in candidates if os.path.exists(c)), candidates[0])


def _edits(
    bundle: str,
    versions: list[tuple[object, ...]],
    resources: list[tuple[object, ...]],
    shown: dict[str, tuple[str, bool, str]],
) -> Iterator[Listed]:
    previews = child(bundle, "Previews")
    by_model = {model: str(master) for _, master, _, _, model in versions if model is not None}
    for uuid, master, trashed, edited, _ in versions:
        master = str(master)
        if edited != 1 or master not in shown or previews is None:
            continue
        name, master_trashed, folder = shown[master]
        rendered = os.path.join(previews, folder, str(uuid))
        for file in _names(rendered):
            yield Listed(os.path.join(rendered, file), master, edited_name(name, file), Role.EDIT,
                         master_trashed or trashed == 1)  # fmt: skip
    media = child(bundle, "resources", "media", "version")
    if media is None or not resources:
        return
    attached = {f"fullsizeoutput_{int(r[0]):x}": by_model.get(r[1]) for r in resources}  # type: ignore[call-overload]
    for folder, _, files in os.walk(media):
        for file in sorted(files):
            master = attached.get(os.path.splitext(file)[0])
            if master in shown:
                name, trashed, _ = shown[master]
                yield Listed(os.path.join(folder, file), master, edited_name(name, file), Role.EDIT,
                             trashed)  # fmt: skip


def _names(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []
