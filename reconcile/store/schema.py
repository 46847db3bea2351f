"""The index file's schema, its versions and the steps between them, and whose file a path
holds: reconcile opens, upgrades or deletes only an index of its own.

Each version's change is one function below, run in order inside the upgrade's transaction:
an index of any earlier version becomes the current one in place, its facts kept. A step adds
only what is not there yet, so that an index whose version number lags its tables (written by
a development build, say) upgrades too.
"""

from __future__ import annotations

import enum
import os
import sqlite3
import stat
import time
import urllib.parse
from collections.abc import Callable

import numpy as np

from reconcile.errors import IndexFileError
from reconcile.facts import CROPS, THUMB
from reconcile.store.rows import pack_crops, unpack_crops

# 1: a digest for every file. 2: `digest` may be NULL (computed only when a file of the same
# size is on the other side), a row with neither fingerprint nor reason is a needle skipped as
# a byte copy, and `quick` marks prints taken from an embedded EXIF thumbnail. 3: the file
# carries our application_id, so that it can be told from any other SQLite file before
# anything is written to it. 4: a file has a kind (image or video) and a duration, and a
# video's sampled frames are in `frames`. 5: `looks` keeps the scores of closer looks, and
# detail is measured on a coarser scale (recomputed from the stored thumbnails). 6: a file's
# identity is its inode and ctime too, and `sample` digests its first and last blocks, so that
# a file replaced under the same size and mtime is seen as changed. 7: `looks` keeps what a
# fine look at a pair measured (the closer looks' scores of 5 and 6 go: another measure).
# 8: `outcomes` keeps each backup file's last status and match, and `last_run` the library
# it was judged against, for `reconcile decide` (the decisions themselves live in a file of
# their own: store.decisions). 9: `compared` keeps how pairs of thumbnails compared, until
# either file changes. 10: `looks` keeps how much the pair differs nearly everywhere, and how
# much of it is sharp edges (the looks taken before go: they lack both). 11: `looks` keeps
# how much sharper or softer one part of the needle is (`focus`), and its tone as a share of
# the library's level (`relative_tone`; the looks before go). 12: `looks` keeps the plain
# difference of two pictures of one size (`plain`, `spread_plain`; the looks before go).
# 13: resampled pairs' looks measure it too (the looks before go: theirs held 0). 14: a
# HEIF of several pictures is read as all of them (HEIF rows are fingerprinted again).
VERSION = 14
APPLICATION_ID = 0x52434E43  # "RCNC"
_SQLITE_MAGIC = b"SQLite format 3\x00"

FILES = """
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path BLOB NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest BLOB,
    reason TEXT,
    width INTEGER, height INTEGER, dhash INTEGER, phash INTEGER, thumb BLOB, colour BLOB,
    crops BLOB, detail REAL,
    twidth INTEGER, theight INTEGER, tdhash INTEGER, tphash INTEGER, tthumb BLOB, tcolour BLOB,
    tdetail REAL,
    quick INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'image',
    duration REAL,
    inode INTEGER,
    ctime_ns INTEGER,
    sample BLOB,
    pages INTEGER,
    audio INTEGER
)"""
FILES_DIGEST = "CREATE INDEX files_digest ON files (digest)"
FRAMES = """
CREATE TABLE frames (
    file_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    width INTEGER, height INTEGER, dhash INTEGER, phash INTEGER, thumb BLOB, colour BLOB,
    detail REAL,
    PRIMARY KEY (file_id, position)
)"""
LOOKS = """
CREATE TABLE looks (
    needle INTEGER NOT NULL,
    hay INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    detail REAL NOT NULL,
    colour REAL NOT NULL,
    tone REAL NOT NULL,
    tint REAL NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    strokes INTEGER NOT NULL,
    spread_detail REAL NOT NULL,
    spread_colour REAL NOT NULL,
    edges REAL NOT NULL,
    focus REAL NOT NULL,
    relative_tone REAL NOT NULL,
    plain REAL NOT NULL,
    spread_plain REAL NOT NULL,
    PRIMARY KEY (needle, hay)
)"""
LOOKS_HAY = "CREATE INDEX looks_hay ON looks (hay)"
OUTCOMES = """
CREATE TABLE outcomes (
    file_id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    match_id INTEGER,
    reason TEXT
)"""
LAST_RUN = """
CREATE TABLE last_run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    haystack TEXT NOT NULL,
    finished REAL NOT NULL
)"""
COMPARED = """
CREATE TABLE compared (
    needle INTEGER NOT NULL,
    hay INTEGER NOT NULL,
    views TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL NOT NULL,
    colour REAL NOT NULL,
    brightness REAL NOT NULL,
    aspect_ok INTEGER NOT NULL,
    correlation REAL NOT NULL,
    gain REAL NOT NULL,
    PRIMARY KEY (needle, hay, views)
)"""
COMPARED_HAY = "CREATE INDEX compared_hay ON compared (hay)"
CURRENT = (FILES, FILES_DIGEST, FRAMES, LOOKS, LOOKS_HAY, OUTCOMES, LAST_RUN, COMPARED,
           COMPARED_HAY)  # fmt: skip


class Owner(enum.Enum):
    """Whose file a path holds, as far as the index is concerned."""

    NONE = "nothing"  # nothing there, an empty file or an empty database: ours to create
    OURS = "ours"
    DAMAGED = "ours, damaged"
    FOLDER = "a folder"
    FOREIGN = "not ours"


def create(db: sqlite3.Connection) -> None:
    """The current schema in an empty database."""
    # Another run may have created the schema while this one waited for the write lock.
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        return
    for statement in CURRENT:
        db.execute(statement)
    _stamp(db)


def upgrade(db: sqlite3.Connection) -> None:
    """An index of an earlier version brought to the current one, step by step."""
    version = db.execute("PRAGMA user_version").fetchone()[0]  # another run may have done it
    for step in _STEPS[version - 1 :]:
        step(db)
    _stamp(db)


def upgradable(version: int) -> bool:
    return 1 <= version < VERSION


def _stamp(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {VERSION}")


def _add_columns(db: sqlite3.Connection, table: str, *columns: str) -> None:
    """ALTER TABLE ... ADD COLUMN for each of `columns` ("name TYPE ...") not there yet."""
    present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    for column in columns:
        if column.split()[0] not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def _create(db: sqlite3.Connection, statement: str) -> None:
    """A CREATE TABLE or INDEX statement of the schema, unless that table or index exists."""
    words = statement.split()
    name = words[2] if words[1] in ("TABLE", "INDEX") else words[3]
    known = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    if known is None:
        db.execute(statement)


def _to_2(db: sqlite3.Connection) -> None:
    _add_columns(db, "files", "quick INTEGER NOT NULL DEFAULT 0")


def _to_3(db: sqlite3.Connection) -> None:
    pass  # only the application_id, which every upgrade stamps


def _to_4(db: sqlite3.Connection) -> None:
    _add_columns(db, "files", "kind TEXT NOT NULL DEFAULT 'image'", "duration REAL")
    _create(db, FRAMES)


def _to_5(db: sqlite3.Connection) -> None:
    # Version 5's looks table (one score a pair) is replaced whole by version 7's.
    # Detail on the coarser scale (see fingerprint.information), from the stored thumbnails:
    # nothing is decoded again. Imported here: only this step needs OpenCV, and reading an
    # index must not load it.
    from reconcile.media.fingerprint import information

    for table, key, columns in (
        ("files", "id", (("thumb", "detail"), ("tthumb", "tdetail"))),
        ("frames", "rowid", (("thumb", "detail"),)),
    ):
        for thumb, detail in columns:
            rows = db.execute(
                f"SELECT {key}, {thumb} FROM {table} WHERE {thumb} IS NOT NULL"
            ).fetchall()
            db.executemany(
                f"UPDATE {table} SET {detail} = ? WHERE {key} = ?",
                [(information(_thumb_array(row[1])), row[0]) for row in rows],
            )


def _to_6(db: sqlite3.Connection) -> None:
    # NULL identity: the next run takes the file's inode, ctime and sample as they are then.
    _add_columns(db, "files", "inode INTEGER", "ctime_ns INTEGER", "sample BLOB")


def _new_looks(db: sqlite3.Connection) -> None:
    # The looks are a cache of what a measure measured: dropped, and taken again when needed.
    db.execute("DROP INDEX IF EXISTS looks_hay")
    db.execute("DROP TABLE IF EXISTS looks")
    db.execute(LOOKS)
    db.execute(LOOKS_HAY)


def _to_7(db: sqlite3.Connection) -> None:
    _new_looks(db)
    _add_columns(db, "files", "pages INTEGER", "audio INTEGER")
    # Videos are now sampled along the whole clip and their sound noted, and files that may
    # hold several pictures have every page: such rows are fingerprinted again on the next
    # run (an mtime no file has makes them changed). Their digests come again with them.
    formats = " OR ".join(f"lower(CAST(path AS TEXT)) LIKE '%.{ext}'" for ext in _PAGED)
    db.execute(f"UPDATE files SET mtime_ns = -1 WHERE kind = 'video' OR {formats}")
    _add_crop_views(db)


def _add_crop_views(db: sqlite3.Connection) -> None:
    """The crop views added since a row was written (10 % a side, a square, 4:3), hashed from
    its stored thumbnail: nothing is decoded again. From 64 px they come out a little softer
    than from the picture; they only propose candidates, which are verified on thumbnails."""
    from reconcile.media.fingerprint import crop_thumbnail, dhash, phash  # OpenCV: only here

    rows = db.execute(
        "SELECT id, thumb, width, height, crops FROM files WHERE dhash IS NOT NULL"
    ).fetchall()
    updates = []
    for id_, blob, width, height, packed in rows:
        crops = unpack_crops(packed)
        if len(crops) >= len(CROPS):
            continue
        thumb = _thumb_array(blob)
        for crop in CROPS[len(crops) :]:
            inner = crop_thumbnail(thumb, crop, width, height)
            crops.append((dhash(inner), phash(inner)))
        updates.append((pack_crops(tuple(crops)), id_))
    db.executemany("UPDATE files SET crops = ? WHERE id = ?", updates)


def _to_8(db: sqlite3.Connection) -> None:
    _create(db, OUTCOMES)
    _create(db, LAST_RUN)


def _to_9(db: sqlite3.Connection) -> None:
    _create(db, COMPARED)
    _create(db, COMPARED_HAY)


def _to_10(db: sqlite3.Connection) -> None:
    _new_looks(db)


def _to_11(db: sqlite3.Connection) -> None:
    _new_looks(db)


def _to_12(db: sqlite3.Connection) -> None:
    _new_looks(db)


def _to_13(db: sqlite3.Connection) -> None:
    _new_looks(db)  # resampled pairs' looks kept no plain difference


def _to_14(db: sqlite3.Connection) -> None:
    # A HEIF of several pictures (a phone's burst, an iPhone's spatial photo) was read as its
    # primary picture alone, and a copy of that one passed for it: HEIF rows are fingerprinted
    # again on the next run (an mtime no file has makes them changed), their digests too.
    formats = " OR ".join(f"lower(CAST(path AS TEXT)) LIKE '%.{ext}'" for ext in _HEIF)
    db.execute(f"UPDATE files SET mtime_ns = -1 WHERE {formats}")


# Extensions of formats that can hold several pictures (animations, pages, MPO views).
_PAGED = ("gif", "tif", "tiff", "png", "apng", "webp", "mpo")
# HEIF's: read as several pictures from schema 14 on.
_HEIF = ("heic", "heif", "hif")


# _STEPS[n - 1] takes an index of version n to n + 1.
_STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _to_2, _to_3, _to_4, _to_5, _to_6, _to_7, _to_8, _to_9, _to_10, _to_11,
    _to_12, _to_13, _to_14,
)  # fmt: skip
assert len(_STEPS) == VERSION - 1


def _thumb_array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint8).reshape(THUMB, THUMB)


def owner(path: str) -> Owner:
    """Whose file `path` is. A reconcile index is an SQLite file with our application_id, or
    one from schema 1 or 2 (before the id) with our `files` table. A file that does not start
    as SQLite does is never handed to SQLite at all."""
    try:
        if os.path.isdir(path):
            return Owner.FOLDER
        with open(path, "rb", opener=_nonblocking) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return Owner.FOREIGN
            head = handle.read(100)
    except FileNotFoundError:
        return Owner.NONE
    except OSError as error:
        raise IndexFileError(f"{path}: cannot read the index ({error.strerror})") from None
    if not head:
        return Owner.NONE
    if not head.startswith(_SQLITE_MAGIC):
        return Owner.FOREIGN
    # Read through SQLite, not the raw header: in WAL mode a new index's header only reaches
    # the main file at a checkpoint.
    try:
        application_id, user_version, tables, columns = _read_header(path)
    except sqlite3.DatabaseError as error:
        raw_id = int.from_bytes(head[68:72], "big") if len(head) == 100 else 0
        if raw_id != APPLICATION_ID:
            return Owner.FOREIGN
        if isinstance(error, sqlite3.OperationalError):
            # Ours, but SQLite cannot open it here (a read-only disk, a lock): say that.
            raise IndexFileError(f"{path}: cannot open the index ({error})") from None
        return Owner.DAMAGED
    if application_id == APPLICATION_ID:
        return Owner.OURS
    if application_id == 0 and user_version == 0 and tables == 0:
        return Owner.NONE  # an empty database: holds nothing (or another run is creating it)
    legacy = {"path", "size", "mtime_ns", "digest", "dhash", "phash", "thumb"}
    if application_id == 0 and user_version in (1, 2) and legacy <= columns:
        return Owner.OURS
    return Owner.FOREIGN


def _read_header(path: str) -> tuple[int, int, int, set[str]]:
    """(application_id, user_version, tables, columns of `files`) as SQLite reads them. A file
    another run is creating or switching to WAL at this moment is locked for an instant, and
    SQLite does not always wait for it itself: such a lock is waited out here."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    deadline = time.monotonic() + 60
    while True:
        try:
            db = sqlite3.connect(uri, uri=True, timeout=60)
            try:
                return (
                    db.execute("PRAGMA application_id").fetchone()[0],
                    db.execute("PRAGMA user_version").fetchone()[0],
                    db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0],
                    {row[1] for row in db.execute("PRAGMA table_info(files)")},
                )
            finally:
                db.close()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
