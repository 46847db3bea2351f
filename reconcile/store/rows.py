"""Facts as table rows and back: fingerprints as columns, 64-bit hashes as signed integers,
paths as bytes (os.fsencode, so that names that are not valid UTF-8 survive)."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import numpy as np

from reconcile.facts import Entry, FileFacts, Fingerprint
from reconcile.filetypes import Kind

# A fingerprint's columns; the trimmed print has the same ones prefixed "t", but no crops.
PRINT = ("width", "height", "dhash", "phash", "thumb", "colour", "crops", "detail")
TRIM = tuple("t" + name for name in PRINT if name != "crops")
FACTS = ("path", "size", "mtime_ns", "digest", "reason", "quick", "kind", "duration",
         "inode", "ctime_ns", "sample", "pages", "audio", *PRINT, *TRIM)  # fmt: skip
FRAME = ("width", "height", "dhash", "phash", "thumb", "colour", "detail")


def to_signed(value: int) -> int:
    """An unsigned 64-bit hash as the signed integer SQLite can store."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def facts_row(facts: FileFacts) -> dict[str, object]:
    return {
        "path": os.fsencode(facts.path),
        "size": facts.size,
        "mtime_ns": facts.mtime_ns,
        "digest": facts.digest,
        "reason": facts.reason,
        "quick": int(facts.quick),
        "kind": facts.kind.value,
        "duration": facts.duration,
        "inode": facts.inode,
        "ctime_ns": facts.ctime_ns,
        "sample": facts.sample,
        "pages": facts.pages if facts.pages != 1 else None,
        "audio": None if facts.audio is None else int(facts.audio),
        **_print_values(facts.full, PRINT),
        **_print_values(facts.trimmed, TRIM),
    }


def entry_of(row: sqlite3.Row) -> Entry:
    reason = row["reason"]
    return Entry(
        id=int(row["id"]),
        path=os.fsdecode(bytes(row["path"])),
        digest=bytes(row["digest"]) if row["digest"] is not None else None,
        full=fingerprint_of(row),
        trimmed=fingerprint_of(row, "t"),
        reason=reason if isinstance(reason, str) else None,
        quick=bool(row["quick"]),
        kind=Kind(row["kind"]),
        duration=row["duration"],
        pages=int(row["pages"] or 1),
        audio=None if row["audio"] is None else bool(row["audio"]),
    )


def fingerprint_of(row: sqlite3.Row, prefix: str = "") -> Fingerprint | None:
    """The fingerprint stored in a row's columns (prefix "t": the trimmed print)."""
    if row[prefix + "dhash"] is None:
        return None
    detail = row[prefix + "detail"]
    return Fingerprint(
        dhash=to_unsigned(int(row[prefix + "dhash"])),
        phash=to_unsigned(int(row[prefix + "phash"])),
        thumb=bytes(row[prefix + "thumb"]),
        colour=bytes(row[prefix + "colour"]),
        width=int(row[prefix + "width"]),
        height=int(row[prefix + "height"]),
        detail=float(detail) if detail is not None else 0.0,
        crops=tuple(unpack_crops(row["crops"])) if not prefix else (),
    )


def frame_values(fp: Fingerprint) -> tuple[object, ...]:
    return (
        fp.width, fp.height, to_signed(fp.dhash), to_signed(fp.phash), fp.thumb, fp.colour,
        fp.detail,
    )  # fmt: skip


def frame_of(row: sqlite3.Row) -> Fingerprint:
    return Fingerprint(
        dhash=to_unsigned(int(row["dhash"])),
        phash=to_unsigned(int(row["phash"])),
        thumb=bytes(row["thumb"]),
        colour=bytes(row["colour"]),
        width=int(row["width"]),
        height=int(row["height"]),
        detail=float(row["detail"] or 0.0),
    )


def pack_crops(crops: tuple[tuple[int, int], ...]) -> bytes:
    return np.array([code for pair in crops for code in pair], dtype="<u8").tobytes()


def unpack_crops(blob: bytes | None) -> list[tuple[int, int]]:
    if not blob:
        return []
    codes = np.frombuffer(blob, dtype="<u8").tolist()
    return list(zip(codes[0::2], codes[1::2], strict=True))


def _print_values(fp: Fingerprint | None, names: tuple[str, ...]) -> dict[str, Any]:
    """A fingerprint as column values under `names` (the PRINT or TRIM column names)."""
    if fp is None:
        return dict.fromkeys(names)
    values = (
        fp.width,
        fp.height,
        to_signed(fp.dhash),
        to_signed(fp.phash),
        fp.thumb,
        fp.colour,
        pack_crops(fp.crops),
        fp.detail,
    )
    by_name = dict(zip(PRINT, values, strict=True))
    return {name: by_name[name.removeprefix("t") if names is TRIM else name] for name in names}
