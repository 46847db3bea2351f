"""What the library already holds: the SQLite index of fingerprints, keyed by file path.

The only module that imports sqlite3. Paths are stored as bytes (os.fsencode) so that names
that are not valid UTF-8 survive; 64-bit hashes are stored as signed integers.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from reconcile.errors import IndexFileError
from reconcile.filetypes import Kind
from reconcile.model import FULL, THUMB, TRIM, FileFacts, Fingerprint, View, crop_view

# 2: `digest` may be NULL (computed only when a file of the same size is on the other side),
# a row with neither fingerprint nor reason is a needle skipped as a byte copy, and `quick`
# marks prints taken from an embedded EXIF thumbnail. 3: the file carries our application_id,
# so that it can be told from any other SQLite file before anything is written to it. 4: a
# file has a kind (image or video) and a duration, and a video's sampled frames are in `frames`.
SCHEMA_VERSION = 5
APPLICATION_ID = 0x52434E43  # "RCNC"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = """
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
    duration REAL
);
CREATE INDEX files_digest ON files (digest);
CREATE TABLE frames (
    file_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    width INTEGER, height INTEGER, dhash INTEGER, phash INTEGER, thumb BLOB, colour BLOB,
    detail REAL,
    PRIMARY KEY (file_id, position)
);
CREATE TABLE IF NOT EXISTS looks (
    needle INTEGER NOT NULL,
    hay INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (needle, hay)
);
CREATE INDEX IF NOT EXISTS looks_hay ON looks (hay);
"""
# A fingerprint's columns; the trimmed print has the same ones prefixed "t", but no crops.
_PRINT = ("width", "height", "dhash", "phash", "thumb", "colour", "crops", "detail")
_TRIM = tuple("t" + name for name in _PRINT if name != "crops")
_FACTS = ("path", "size", "mtime_ns", "digest", "reason", "quick", "kind", "duration",
          *_PRINT, *_TRIM)  # fmt: skip
_FRAME = ("width", "height", "dhash", "phash", "thumb", "colour", "detail")


def to_signed(value: int) -> int:
    """An unsigned 64-bit hash as the signed integer SQLite can store."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


@dataclass(frozen=True, slots=True)
class Known:
    """What the index remembers of a file's identity, to tell whether it changed."""

    id: int
    size: int
    mtime_ns: int
    digest: bytes | None
    settled: bool  # decoded, or known unreadable; False for a byte copy that was not decoded
    quick: bool  # fingerprinted from its EXIF thumbnail


@dataclass(frozen=True, slots=True)
class Entry:
    """A fingerprinted file as stored: what matching needs of it."""

    id: int
    path: str
    digest: bytes | None
    print: Fingerprint | None
    trimmed: Fingerprint | None
    reason: str | None
    quick: bool = False  # the prints come from the EXIF thumbnail: candidates, not answers
    kind: Kind = Kind.IMAGE
    duration: float | None = None
    frames: tuple[Fingerprint, ...] = ()  # a video's sampled frames, in sampling order


@dataclass(frozen=True, slots=True)
class HashTable:
    """Hashes of many indexed pictures, as arrays for searching."""

    ids: np.ndarray  # int64 file ids
    dhash: np.ndarray  # uint64
    phash: np.ndarray  # uint64


def default_path() -> str:
    """The index's default home: the user's cache folder, never inside the photo trees."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "reconcile", "index.sqlite")


class Index:
    """An open index file. Writes happen in batches, one transaction each."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db = _connect(path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known_under(self, root: str) -> dict[bytes, Known]:
        """Every file the index holds below `root`, by encoded path."""
        rows = self._query(
            "SELECT path, id, size, mtime_ns, digest, dhash IS NOT NULL OR reason IS NOT NULL, "
            "quick FROM files WHERE path >= ? AND path < ?",
            _prefix_range(root),
        )
        return {
            bytes(path): Known(
                id_, size, mtime, bytes(digest) if digest else None, bool(done), bool(quick)
            )
            for path, id_, size, mtime, digest, done, quick in rows
        }

    def store(self, batch: Iterable[FileFacts]) -> None:
        """Insert or replace the facts of a batch of files, in one transaction."""
        facts = list(batch)
        rows = [_row(f) for f in facts]
        sql = (
            f"INSERT INTO files ({', '.join(_FACTS)}) "
            f"VALUES ({', '.join(':' + name for name in _FACTS)}) "
            "ON CONFLICT (path) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in _FACTS if name != "path")
        )

        def write(db: sqlite3.Connection) -> None:
            db.executemany(sql, rows)
            # A file's frames are replaced with its row (none for a picture).
            ids = [
                db.execute("SELECT id FROM files WHERE path = ?", (row["path"],)).fetchone()[0]
                for row in rows
            ]
            db.executemany("DELETE FROM frames WHERE file_id = ?", [(id_,) for id_ in ids])
            _forget_looks(db, ids)
            db.executemany(
                f"INSERT INTO frames (file_id, position, {', '.join(_FRAME)}) "
                f"VALUES (?, ?, {', '.join('?' * len(_FRAME))})",
                [
                    (id_, position, *_frame_values(frame))
                    for id_, f in zip(ids, facts, strict=True)
                    for position, frame in enumerate(f.frames)
                ],
            )

        self._write(write)

    def set_digests(self, digests: Iterable[tuple[int, bytes]]) -> None:
        """Record the digests of files already stored, by id."""
        rows = [(digest, id_) for id_, digest in digests]
        if rows:
            self._write(lambda db: db.executemany("UPDATE files SET digest = ? WHERE id = ?", rows))

    def forget(self, ids: Iterable[int]) -> None:
        """Drop files that are gone from disk."""
        chunk = [(id_,) for id_ in ids]

        def write(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM files WHERE id = ?", chunk)
            db.executemany("DELETE FROM frames WHERE file_id = ?", chunk)
            _forget_looks(db, [id_ for (id_,) in chunk])

        if chunk:
            self._write(write)

    def looks(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float]:
        """Scores of closer looks already taken at these (needle, haystack) pairs, as long as
        neither file has changed since (a file's new facts forget its looks)."""
        found: dict[tuple[int, int], float] = {}
        for needle, hay in pairs:
            rows = self._query(
                "SELECT score FROM looks WHERE needle = ? AND hay = ?", (needle, hay)
            )
            if rows:
                found[(needle, hay)] = float(rows[0][0])
        return found

    def store_looks(self, scores: dict[tuple[int, int], float]) -> None:
        rows = [(needle, hay, score) for (needle, hay), score in scores.items()]
        if rows:
            self._write(
                lambda db: db.executemany("INSERT OR REPLACE INTO looks VALUES (?, ?, ?)", rows)
            )

    def ids_for(self, paths: Iterable[str]) -> dict[str, int]:
        """The ids of files stored at these paths."""
        found: dict[str, int] = {}
        for path in paths:
            row = self._query("SELECT id FROM files WHERE path = ?", (os.fsencode(path),))
            if row:
                found[path] = row[0][0]
        return found

    def entry(self, id_: int) -> Entry:
        rows = self._query(f"SELECT id, {', '.join(_FACTS)} FROM files WHERE id = ?", (id_,))
        if not rows:
            raise IndexFileError(f"{self.path}: entry {id_} vanished during the run")
        entry = _entry(rows[0])
        if entry.kind is not Kind.VIDEO:
            return entry
        frames = self._query(
            f"SELECT {', '.join(_FRAME)} FROM frames WHERE file_id = ? ORDER BY position", (id_,)
        )
        return dataclasses.replace(entry, frames=tuple(_frame(row) for row in frames))

    def paths_of(self, ids: Iterable[int]) -> dict[int, bytes]:
        """The stored (encoded) paths of these files, by id."""
        found: dict[int, bytes] = {}
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for id_, path in self._query(
                f"SELECT id, path FROM files WHERE id IN ({marks})", batch
            ):
                found[int(id_)] = bytes(path)
        return found

    def path_of(self, id_: int) -> str:
        rows = self._query("SELECT path FROM files WHERE id = ?", (id_,))
        return os.fsdecode(bytes(rows[0][0])) if rows else ""

    def digests(self, ids: Iterable[int]) -> Iterator[tuple[bytes, int, bool]]:
        """(digest, id, decoded) of those of these files whose digest is known.

        `decoded`: the picture itself decoded (a quick print proves only that the head did).
        """
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for digest, id_, decoded in self._query(
                "SELECT digest, id, dhash IS NOT NULL AND NOT quick FROM files "
                f"WHERE id IN ({marks}) AND digest IS NOT NULL",
                batch,
            ):
                yield bytes(digest), id_, bool(decoded)

    def hash_tables(
        self, ids: Iterable[int], *, min_detail: float, kind: Kind = Kind.IMAGE
    ) -> dict[View, HashTable]:
        """Searchable hashes of these files' pictures by view: full, trimmed, each crop
        (for videos: their middle frames, as "full").

        Pictures with less detail than `min_detail` are left out: they can never match.
        """
        rows: dict[View, list[tuple[int, int, int]]] = {}
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for id_, dh, ph, crops, tdh, tph in self._query(
                f"SELECT id, dhash, phash, crops, tdhash, tphash FROM files WHERE id IN ({marks}) "
                "AND dhash IS NOT NULL AND detail >= ? AND kind = ?",
                [*batch, min_detail, kind.value],
            ):
                rows.setdefault(FULL, []).append((id_, to_unsigned(dh), to_unsigned(ph)))
                for number, (cdh, cph) in enumerate(_unpack_crops(crops)):
                    rows.setdefault(crop_view(number), []).append((id_, cdh, cph))
                if tdh is not None:
                    rows.setdefault(TRIM, []).append((id_, to_unsigned(tdh), to_unsigned(tph)))
        return {view: _table(found) for view, found in rows.items()}

    def flat_pictures(self, ids: Iterable[int], *, below: float) -> list[tuple[int, Fingerprint]]:
        """These files' pictures with less detail than `below`: what hashes cannot find,
        compared by colour and shape instead (fingerprinted in full only)."""
        found: list[tuple[int, Fingerprint]] = []
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for row in self._query(
                f"SELECT id, {', '.join(_PRINT)} FROM files WHERE id IN ({marks}) "
                "AND dhash IS NOT NULL AND detail < ? AND kind = ? AND quick = 0",
                [*batch, below, Kind.IMAGE.value],
            ):
                fp = _fingerprint(row)
                if fp is not None:
                    found.append((int(row["id"]), fp))
        return found

    def frame_table(self, ids: Iterable[int], *, min_detail: float) -> HashTable:
        """Searchable hashes of every sampled frame of these files' videos (ids repeat)."""
        found: list[tuple[int, int, int]] = []
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for id_, dh, ph in self._query(
                f"SELECT file_id, dhash, phash FROM frames WHERE file_id IN ({marks}) "
                "AND dhash IS NOT NULL AND detail >= ?",
                [*batch, min_detail],
            ):
                found.append((id_, to_unsigned(dh), to_unsigned(ph)))
        return _table(found)

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[sqlite3.Row]:
        try:
            return list(self._db.execute(sql, tuple(params)))
        except sqlite3.Error as error:
            raise IndexFileError(f"{self.path}: cannot read the index ({error})") from None

    def _write(self, action: Callable[[sqlite3.Connection], object]) -> None:
        try:
            _transaction(self._db, action)
        except sqlite3.Error as error:
            raise IndexFileError(f"{self.path}: cannot write the index ({error})") from None


def _connect(path: str) -> sqlite3.Connection:
    check_writable_here(path)
    if path != ":memory:":
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            raise IndexFileError(
                f"{path}: cannot create the index folder ({error.strerror})"
            ) from None
    try:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 60000")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version == 0 and tables == 0:
            db.execute("PRAGMA journal_mode = WAL")
            _transaction(db, _create)
        elif version in (1, 2, 3, 4):
            # 1 stored every digest, no byte-copy rows and only full prints; 1 and 2 lack the
            # application_id (check_writable_here has made sure the file is ours).
            _transaction(db, _upgrade)
        elif version != SCHEMA_VERSION:
            db.close()
            raise IndexFileError(
                f"{path}: index written by another version of reconcile (schema {version}, "
                f"this one reads {SCHEMA_VERSION}); pass --rebuild to start a new one"
            )
        db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.OperationalError as error:
        raise IndexFileError(f"{path}: cannot open the index ({error})") from None
    except sqlite3.DatabaseError as error:
        raise IndexFileError(
            f"{path}: damaged reconcile index ({error}); pass --rebuild to start a new one"
        ) from None
    return db


def _transaction(db: sqlite3.Connection, action: Callable[[sqlite3.Connection], object]) -> None:
    """Run `action` in one write transaction (the connection is in autocommit mode)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        action(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _create(db: sqlite3.Connection) -> None:
    # Another run may have created the schema while this one waited for the write lock.
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        return
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]  # another run may have done it
    if version == 1:
        db.execute("ALTER TABLE files ADD COLUMN quick INTEGER NOT NULL DEFAULT 0")
    if version in (1, 2, 3):
        db.execute("ALTER TABLE files ADD COLUMN kind TEXT NOT NULL DEFAULT 'image'")
        db.execute("ALTER TABLE files ADD COLUMN duration REAL")
        frames = _SCHEMA[
            _SCHEMA.index("CREATE TABLE frames") : _SCHEMA.index("CREATE TABLE IF NOT EXISTS looks")
        ]
        db.execute(frames.strip().rstrip(";"))
    if version in (1, 2, 3, 4):
        looks = _SCHEMA[_SCHEMA.index("CREATE TABLE IF NOT EXISTS looks") :]
        for statement in looks.split(";"):
            if statement.strip():
                db.execute(statement)
        # Schema 5 measures detail on a coarser scale (see fingerprint.information): the
        # stored thumbnails give the new value; nothing is decoded again. Imported here: only
        # an upgrade needs OpenCV, and reading an index must not load it.
        from reconcile.fingerprint import information

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
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _forget_looks(db: sqlite3.Connection, ids: list[int]) -> None:
    pairs = [(id_, id_) for id_ in ids]
    db.executemany("DELETE FROM looks WHERE needle = ? OR hay = ?", pairs)


def _thumb_array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint8).reshape(THUMB, THUMB)


def check_writable_here(path: str) -> None:
    """Refuse, before anything is written, a path that holds a file that is not ours.

    An index is only ever created where nothing is, or opened, upgraded or deleted where a
    reconcile index is: a photo or any other file named by mistake is never touched.
    """
    if path == ":memory:":
        return
    owner = _owner(path)
    if owner == "folder":
        raise IndexFileError(f"{path}: is a folder, not an index file")
    if owner == "foreign":
        raise IndexFileError(
            f"{path}: not a reconcile index; reconcile leaves it untouched: choose another --db"
        )
    if owner == "ours-damaged":
        raise IndexFileError(f"{path}: damaged reconcile index; pass --rebuild to start a new one")


def _owner(path: str) -> str:
    """Whose file `path` is: "none" (nothing there, an empty file or an empty database),
    "ours", "ours-damaged", "folder" or "foreign". A reconcile index is an SQLite file with
    our application_id, or one from schema 1 or 2 (before the id) with our `files` table. A
    file that does not start as SQLite does is never handed to SQLite at all."""
    try:
        if os.path.isdir(path):
            return "folder"
        with open(path, "rb", opener=_nonblocking) as handle:
            if not _is_regular(handle.fileno()):
                return "foreign"
            head = handle.read(100)
    except FileNotFoundError:
        return "none"
    except OSError as error:
        raise IndexFileError(f"{path}: cannot read the index ({error.strerror})") from None
    if not head:
        return "none"
    if not head.startswith(_SQLITE_MAGIC):
        return "foreign"
    # Read through SQLite, not the raw header: in WAL mode a new index's header only reaches
    # the main file at a checkpoint.
    try:
        uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=60)
        try:
            application_id = db.execute("PRAGMA application_id").fetchone()[0]
            user_version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            columns = {row[1] for row in db.execute("PRAGMA table_info(files)")}
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raw_id = int.from_bytes(head[68:72], "big") if len(head) == 100 else 0
        if raw_id != APPLICATION_ID:
            return "foreign"
        if isinstance(error, sqlite3.OperationalError):
            # Ours, but SQLite cannot open it here (a read-only disk, a lock): say that.
            raise IndexFileError(f"{path}: cannot open the index ({error})") from None
        return "ours-damaged"
    if application_id == APPLICATION_ID:
        return "ours"
    if application_id == 0 and user_version == 0 and tables == 0:
        return "none"  # an empty database: holds nothing (or another run is creating it)
    legacy = {"path", "size", "mtime_ns", "digest", "dhash", "phash", "thumb"}
    if application_id == 0 and user_version in (1, 2) and legacy <= columns:
        return "ours"
    return "foreign"


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _is_regular(fd: int) -> bool:
    return stat.S_ISREG(os.fstat(fd).st_mode)


def remove_index(path: str) -> None:
    """Delete an index file and its WAL companions (for --rebuild); never any other file."""
    owner = _owner(path)
    if owner == "none":
        return  # nothing there, or an empty file or database that SQLite will simply use
    if owner == "folder":
        raise IndexFileError(f"{path}: is a folder, not an index file")
    if owner == "foreign":
        raise IndexFileError(
            f"{path}: not a reconcile index; --rebuild leaves it untouched: choose another --db"
        )
    # "ours" or "ours-damaged": ours to delete.
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise IndexFileError(f"{path}{suffix}: cannot remove ({error.strerror})") from None


def _prefix_range(root: str) -> tuple[bytes, bytes]:
    prefix = os.fsencode(root.rstrip(os.sep) + os.sep)
    return prefix, prefix[:-1] + bytes([prefix[-1] + 1])


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _table(rows: list[tuple[int, int, int]]) -> HashTable:
    if not rows:
        empty = np.zeros(0, dtype=np.uint64)
        return HashTable(np.zeros(0, dtype=np.int64), empty, empty.copy())
    ids, dh, ph = zip(*rows, strict=True)
    return HashTable(
        np.array(ids, dtype=np.int64), np.array(dh, dtype=np.uint64), np.array(ph, dtype=np.uint64)
    )


def _print_values(fp: Fingerprint | None, names: tuple[str, ...]) -> dict[str, object]:
    """A fingerprint as column values under `names` (the _PRINT or _TRIM column names)."""
    if fp is None:
        return dict.fromkeys(names)
    values = (
        fp.width,
        fp.height,
        to_signed(fp.dhash),
        to_signed(fp.phash),
        fp.thumb,
        fp.colour,
        _pack_crops(fp.crops),
        fp.detail,
    )
    by_name = dict(zip(_PRINT, values, strict=True))
    return {name: by_name[name.removeprefix("t") if names is _TRIM else name] for name in names}


def _pack_crops(crops: tuple[tuple[int, int], ...]) -> bytes:
    return np.array([code for pair in crops for code in pair], dtype="<u8").tobytes()


def _unpack_crops(blob: bytes | None) -> list[tuple[int, int]]:
    if not blob:
        return []
    codes = np.frombuffer(blob, dtype="<u8").tolist()
    return list(zip(codes[0::2], codes[1::2], strict=True))


def _row(facts: FileFacts) -> dict[str, object]:
    return {
        "path": os.fsencode(facts.path),
        "size": facts.size,
        "mtime_ns": facts.mtime_ns,
        "digest": facts.digest,
        "reason": facts.reason,
        "quick": int(facts.quick),
        "kind": facts.kind.value,
        "duration": facts.duration,
        **_print_values(facts.print, _PRINT),
        **_print_values(facts.trimmed, _TRIM),
    }


def _fingerprint(row: sqlite3.Row, prefix: str = "") -> Fingerprint | None:
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
        crops=tuple(_unpack_crops(row["crops"])) if not prefix else (),
    )


def _entry(row: sqlite3.Row) -> Entry:
    reason = row["reason"]
    return Entry(
        id=int(row["id"]),
        path=os.fsdecode(bytes(row["path"])),
        digest=bytes(row["digest"]) if row["digest"] is not None else None,
        print=_fingerprint(row),
        trimmed=_fingerprint(row, "t"),
        reason=reason if isinstance(reason, str) else None,
        quick=bool(row["quick"]),
        kind=Kind(row["kind"]),
        duration=row["duration"],
    )


def _frame_values(fp: Fingerprint) -> tuple[object, ...]:
    return (
        fp.width, fp.height, to_signed(fp.dhash), to_signed(fp.phash), fp.thumb, fp.colour,
        fp.detail,
    )  # fmt: skip


def _frame(row: sqlite3.Row) -> Fingerprint:
    return Fingerprint(
        dhash=to_unsigned(int(row["dhash"])),
        phash=to_unsigned(int(row["phash"])),
        thumb=bytes(row["thumb"]),
        colour=bytes(row["colour"]),
        width=int(row["width"]),
        height=int(row["height"]),
        detail=float(row["detail"] or 0.0),
    )
