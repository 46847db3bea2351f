"""What the index holds: the SQLite file of every fingerprinted file's facts, keyed by path,
and the scores of closer looks at pairs. Storage only: which stored files may match which is
the matcher's business (`match.haystack`), read from the neutral columns given here.

With `store.schema` and `store.rows`, the only modules that import sqlite3.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from reconcile.errors import IndexFileError
from reconcile.facts import CROPS, Columns, Entry, FileFacts, Fine, FrameColumns
from reconcile.filetypes import Kind
from reconcile.store import schema
from reconcile.store.rows import (
    FACTS,
    FRAME,
    entry_of,
    facts_row,
    frame_of,
    frame_values,
    to_unsigned,
    unpack_crops,
)
from reconcile.store.schema import Owner

_CROP_VIEWS = len(CROPS)  # crop views per picture
PairKey = tuple[int, int, str]
Compared = tuple[str, float, float, float, bool, float, float]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Known:
    """What the index remembers of a file's identity, to tell whether it changed."""

    id: int
    size: int
    mtime_ns: int
    digest: bytes | None
    settled: bool  # decoded, or known unreadable; False for a byte copy that was not decoded
    quick: bool  # fingerprinted from its EXIF thumbnail
    inode: int | None = None  # None: stored by an index before schema 6
    ctime_ns: int | None = None
    sample: bytes | None = None


@dataclass(frozen=True, slots=True)
class LastResult:
    """A backup file's status and match as the last run that judged it left them."""

    path: str
    size: int
    sample: bytes | None
    status: str
    match: str | None
    reason: str | None


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

    # --- what is stored, and keeping it up to date -------------------------------------

    def known_under(self, root: str) -> dict[bytes, Known]:
        """Every file the index holds below `root`, by encoded path."""
        return self._known("path >= ? AND path < ?", _prefix_range(root))

    def known_at(self, paths: Iterable[str]) -> dict[bytes, Known]:
        """The files the index holds at exactly these paths, by encoded path."""
        found: dict[bytes, Known] = {}
        for batch in _batches([os.fsencode(p) for p in paths], 500):
            found.update(self._known(f"path IN ({', '.join('?' * len(batch))})", batch))
        return found

    def _known(self, where: str, params: Iterable[object]) -> dict[bytes, Known]:
        rows = self._query(
            "SELECT path, id, size, mtime_ns, digest, dhash IS NOT NULL OR reason IS NOT NULL, "
            f"quick, inode, ctime_ns, sample FROM files WHERE {where}",
            params,
        )
        return {
            bytes(path): Known(
                id_,
                size,
                mtime,
                bytes(digest) if digest else None,
                bool(done),
                bool(quick),
                inode,
                ctime,
                bytes(sample) if sample else None,
            )
            for path, id_, size, mtime, digest, done, quick, inode, ctime, sample in rows
        }

    def store(self, batch: Iterable[FileFacts]) -> dict[str, int]:
        """Insert or replace the facts of a batch of files, in one transaction; their ids."""
        facts = list(batch)
        rows = [facts_row(f) for f in facts]
        sql = (
            f"INSERT INTO files ({', '.join(FACTS)}) "
            f"VALUES ({', '.join(':' + name for name in FACTS)}) "
            "ON CONFLICT (path) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in FACTS if name != "path")
        )
        ids: list[int] = []

        def write(db: sqlite3.Connection) -> None:
            db.executemany(sql, rows)
            # A file's frames and looks go with its old facts.
            ids.extend(
                db.execute("SELECT id FROM files WHERE path = ?", (row["path"],)).fetchone()[0]
                for row in rows
            )
            db.executemany("DELETE FROM frames WHERE file_id = ?", [(id_,) for id_ in ids])
            _forget_looks(db, ids)
            db.executemany(
                f"INSERT INTO frames (file_id, position, {', '.join(FRAME)}) "
                f"VALUES (?, ?, {', '.join('?' * len(FRAME))})",
                [
                    (id_, position, *frame_values(frame))
                    for id_, f in zip(ids, facts, strict=True)
                    for position, frame in enumerate(f.frames)
                ],
            )

        self._write(write)
        return {f.path: id_ for f, id_ in zip(facts, ids, strict=True)}

    def set_digests(self, digests: Iterable[tuple[int, bytes]]) -> None:
        """Record the digests of files already stored, by id."""
        rows = [(digest, id_) for id_, digest in digests]
        if rows:
            self._write(lambda db: db.executemany("UPDATE files SET digest = ? WHERE id = ?", rows))

    def set_identity(self, identities: Iterable[tuple[int, int, int, bytes]]) -> None:
        """Record (id, inode, ctime_ns, sample) of files found unchanged in content, whose
        inode or ctime was not known (an upgraded index) or changed without their bytes (a
        chmod, a new hard link, an extended attribute)."""
        rows = [(inode, ctime, sample, id_) for id_, inode, ctime, sample in identities]
        if rows:
            self._write(
                lambda db: db.executemany(
                    "UPDATE files SET inode = ?, ctime_ns = ?, sample = ? WHERE id = ?", rows
                )
            )

    def forget(self, ids: Iterable[int]) -> None:
        """Drop files that are gone from disk."""
        chunk = [(id_,) for id_ in ids]

        def write(db: sqlite3.Connection) -> None:
            db.executemany("DELETE FROM files WHERE id = ?", chunk)
            db.executemany("DELETE FROM frames WHERE file_id = ?", chunk)
            db.executemany(
                "DELETE FROM outcomes WHERE file_id = ? OR match_id = ?",
                [(id_, id_) for (id_,) in chunk],
            )
            _forget_looks(db, [id_ for (id_,) in chunk])

        if chunk:
            self._write(write)

    # --- fine looks, kept until either file changes -----------------------------------

    def looks(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Fine]:
        """What fine looks already taken at these (needle, haystack) pairs measured, as long
        as neither file has changed since (a file's new facts forget its looks)."""
        found: dict[tuple[int, int], Fine] = {}
        for needle, hay in pairs:
            rows = self._query(
                "SELECT width, height, detail, colour, tone, tint, x, y, strokes, spread_detail, "
                "spread_colour, edges, focus, relative_tone, plain, spread_plain FROM looks "
                "WHERE needle = ? AND hay = ?",
                (needle, hay),
            )
            if rows:
                w, h, detail, colour, tone, tint, x, y, *rest = rows[0]
                found[(needle, hay)] = Fine(w, h, detail, colour, tone, tint, (x, y), *rest)
        return found

    def store_looks(self, looks: dict[tuple[int, int], Fine]) -> None:
        rows = [
            (
                needle,
                hay,
                f.width,
                f.height,
                f.detail,
                f.colour,
                f.tone,
                f.tint,
                *f.where,
                f.strokes,
                f.spread_detail,
                f.spread_colour,
                f.edges,
                f.focus,
                f.relative_tone,
                f.plain,
                f.spread_plain,
            )
            for (needle, hay), f in looks.items()
        ]
        if rows:
            self._write(
                lambda db: db.executemany(
                    f"INSERT OR REPLACE INTO looks VALUES ({', '.join('?' * 18)})",
                    rows,
                )
            )

    # --- pairs of thumbnails compared, kept until either file changes ------------------

    def comparisons(self, needles: Iterable[int], token: str) -> dict[PairKey, Compared]:
        """How pairs of these needles' thumbnails compared under the limits `token` names,
        by (needle, library file, views): (verdict, score, colour, brightness, aspect_ok,
        correlation, gain), as `match.verify.Comparison` holds them."""
        found: dict[PairKey, Compared] = {}
        prefix = token + "|"
        for batch in _batches(list(needles), 500):
            marks = ", ".join("?" * len(batch))
            for row in self._query(
                "SELECT needle, hay, views, verdict, score, colour, brightness, aspect_ok, "
                f"correlation, gain FROM compared WHERE needle IN ({marks})",
                batch,
            ):
                if not row[2].startswith(prefix):
                    continue
                verdict, score, colour, brightness, aspect_ok, correlation, gain = row[3:]
                key = (row[0], row[1], row[2][len(prefix) :])
                found[key] = (verdict, score, colour, brightness, bool(aspect_ok), correlation,
                              gain)  # fmt: skip
        return found

    def store_comparisons(self, comparisons: dict[PairKey, Compared], token: str) -> None:
        rows = [
            (needle, hay, f"{token}|{views}", *values)
            for (needle, hay, views), values in comparisons.items()
        ]
        if rows:
            self._write(lambda db: db.executemany(
                "INSERT OR REPLACE INTO compared VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            ))  # fmt: skip

    # --- what the last run decided, for `reconcile decide` -----------------------------

    def store_outcomes(
        self, haystack: Sequence[str], outcomes: Iterable[tuple[int, str, int | None, str | None]]
    ) -> None:
        """Each judged backup file's (id, status, match id, reason), replacing what an
        earlier run left for it, and the library roots they were judged against."""
        rows = list(outcomes)

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?)", rows)
            db.execute(
                "INSERT OR REPLACE INTO last_run VALUES (1, ?, ?)",
                (json.dumps(list(haystack)), time.time()),
            )

        self._write(write)

    def last_haystack(self) -> tuple[str, ...] | None:
        """The library roots of the last run that judged backups with this index."""
        rows = self._query("SELECT haystack FROM last_run WHERE id = 1")
        return tuple(json.loads(rows[0][0])) if rows else None

    def last_results(self, path: str) -> list[LastResult]:
        """What the last run decided of the backup file at `path`, or of every one below it."""
        exact = os.fsencode(path)
        low, high = _prefix_range(path)
        rows = self._query(
            "SELECT f.path, f.size, f.sample, o.status, m.path, o.reason FROM outcomes o "
            "JOIN files f ON f.id = o.file_id LEFT JOIN files m ON m.id = o.match_id "
            "WHERE f.path = ? OR (f.path >= ? AND f.path < ?) ORDER BY f.path",
            (exact, low, high),
        )
        return [
            LastResult(
                path=os.fsdecode(bytes(row[0])),
                size=row[1],
                sample=None if row[2] is None else bytes(row[2]),
                status=row[3],
                match=None if row[4] is None else os.fsdecode(bytes(row[4])),
                reason=row[5],
            )
            for row in rows
        ]

    def samples(self, ids: Iterable[int]) -> dict[int, bytes]:
        """The stored samples (first and last blocks, `files.sample_of`) of these files."""
        return {id_: bytes(sample) for id_, sample in self._column("sample", ids).items()}

    def reasons(self, ids: Iterable[int]) -> dict[int, str]:
        """Why each of these files could not be read, for those that could not."""
        return {id_: str(reason) for id_, reason in self._column("reason", ids).items()}

    def _column(self, column: str, ids: Iterable[int]) -> dict[int, Any]:
        """One column of `files` for these ids, where it is not NULL (as SQLite gives it)."""
        found: dict[int, Any] = {}
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for id_, value in self._query(
                f"SELECT id, {column} FROM files WHERE id IN ({marks}) AND {column} IS NOT NULL",
                batch,
            ):
                found[int(id_)] = value
        return found

    # --- reading stored facts -----------------------------------------------------------

    def ids_for(self, paths: Iterable[str]) -> dict[str, int]:
        """The ids of files stored at these paths."""
        found: dict[str, int] = {}
        for path in paths:
            row = self._query("SELECT id FROM files WHERE path = ?", (os.fsencode(path),))
            if row:
                found[path] = row[0][0]
        return found

    def entry(self, id_: int) -> Entry:
        found = self.entries([id_])
        if id_ not in found:
            raise IndexFileError(f"{self.path}: entry {id_} vanished during the run")
        return found[id_]

    def entries(self, ids: Iterable[int]) -> dict[int, Entry]:
        """The stored facts of these files, videos with their frames and files of several
        pictures with their pages."""
        found: dict[int, Entry] = {}
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for row in self._query(
                f"SELECT id, {', '.join(FACTS)} FROM files WHERE id IN ({marks})", batch
            ):
                entry = entry_of(row)
                found[entry.id] = entry
            videos = [
                id_ for id_ in batch
                if id_ in found and (found[id_].kind is Kind.VIDEO or found[id_].pages > 1)
            ]  # fmt: skip
            frames: dict[int, list[object]] = {}
            for batch_v in _batches(videos, 500):
                marks = ", ".join("?" * len(batch_v))
                for row in self._query(
                    f"SELECT file_id, {', '.join(FRAME)} FROM frames "
                    f"WHERE file_id IN ({marks}) ORDER BY file_id, position",
                    batch_v,
                ):
                    frames.setdefault(int(row["file_id"]), []).append(frame_of(row))
            for id_, prints in frames.items():
                found[id_] = dataclasses.replace(found[id_], frames=tuple(prints))  # type: ignore[arg-type]
        return found

    def paths_of(self, ids: Iterable[int]) -> dict[int, bytes]:
        """The stored (encoded) paths of these files, by id."""
        return {id_: bytes(path) for id_, path in self._column("path", ids).items()}

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

    def columns(self, ids: Iterable[int]) -> Columns:
        """The hashes of these files' views and what says whether each may be searched, in
        one pass and without thumbnails."""
        rows: list[tuple[object, ...]] = []
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            rows.extend(
                tuple(row)
                for row in self._query(
                    "SELECT id, kind = 'video', quick, dhash IS NOT NULL, coalesce(detail, 0), "
                    "dhash, phash, crops, tdhash IS NOT NULL, tdhash, tphash "
                    f"FROM files WHERE id IN ({marks})",
                    batch,
                )
            )
        return _columns(rows)

    def frame_columns(self, ids: Iterable[int]) -> FrameColumns:
        """Every sampled frame of these files' videos (ids repeat); the pages of a picture
        file are not searched (its first page stands for it)."""
        found: list[tuple[int, float, int, int]] = []
        for batch in _batches(list(ids), 500):
            marks = ", ".join("?" * len(batch))
            for id_, detail, dh, ph in self._query(
                "SELECT file_id, coalesce(frames.detail, 0), frames.dhash, frames.phash "
                "FROM frames JOIN files ON files.id = file_id "
                f"WHERE file_id IN ({marks}) AND frames.dhash IS NOT NULL "
                "AND files.kind = 'video'",
                batch,
            ):
                found.append((id_, detail, to_unsigned(dh), to_unsigned(ph)))
        return FrameColumns(
            np.array([r[0] for r in found], dtype=np.int64),
            np.array([r[1] for r in found], dtype=np.float32),
            np.array([r[2] for r in found], dtype=np.uint64),
            np.array([r[3] for r in found], dtype=np.uint64),
        )

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


def _columns(rows: list[tuple[object, ...]]) -> Columns:
    n = len(rows)
    crops = np.zeros((n, _CROP_VIEWS, 2), dtype=np.uint64)
    cropped = np.zeros(n, dtype=np.int64)
    for i, row in enumerate(rows):
        pairs = unpack_crops(row[7])  # type: ignore[arg-type]
        for j, (cdh, cph) in enumerate(pairs[:_CROP_VIEWS]):
            crops[i, j] = (cdh, cph)
        cropped[i] = min(len(pairs), _CROP_VIEWS)

    def column(position: int, dtype: type) -> np.ndarray:
        return np.array([row[position] for row in rows], dtype=dtype)

    def hashes(position: int) -> np.ndarray:
        return np.array(
            [to_unsigned(int(row[position])) if row[position] is not None else 0 for row in rows],  # type: ignore[call-overload]
            dtype=np.uint64,
        )

    return Columns(
        ids=column(0, np.int64),
        video=column(1, bool),
        quick=column(2, bool),
        printed=column(3, bool),
        detail=column(4, np.float32),
        dhash=hashes(5),
        phash=hashes(6),
        crops=crops,
        cropped=cropped,
        trimmed=column(8, bool),
        tdhash=hashes(9),
        tphash=hashes(10),
    )


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
        _wal(db)
        # Read the version and act on it under the write lock: two runs opening a new (or an
        # old) index at once take turns, and the second finds what the first made.
        _transaction(db, lambda db: _prepare(db, path))
        db.execute("PRAGMA synchronous = NORMAL")
    except IndexFileError:
        db.close()
        raise
    except sqlite3.OperationalError as error:
        raise IndexFileError(f"{path}: cannot open the index ({error})") from None
    except sqlite3.DatabaseError as error:
        raise IndexFileError(
            f"{path}: damaged reconcile index ({error}); pass --rebuild to start a new one"
        ) from None
    return db


def _prepare(db: sqlite3.Connection, path: str) -> None:
    """Create, upgrade or accept the schema; refuse a newer one."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if version == 0 and tables == 0:
        schema.create(db)
    elif schema.upgradable(version):
        # Versions 1 and 2 lack the application_id (check_writable_here has made sure the file
        # is ours).
        schema.upgrade(db)
    elif version != schema.VERSION:
        raise IndexFileError(
            f"{path}: index written by another version of reconcile (schema {version}, "
            f"this one reads {schema.VERSION}); pass --rebuild to start a new one"
        )


def _wal(db: sqlite3.Connection) -> None:
    """The index in WAL mode (readers never wait for a writer). Switching needs the file to
    itself, which SQLite does not wait for: another run opening it at that moment is waited
    out here."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _transaction(db: sqlite3.Connection, action: Callable[[sqlite3.Connection], object]) -> None:
    """Run `action` in one write transaction (the connection is in autocommit mode)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        action(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _forget_looks(db: sqlite3.Connection, ids: list[int]) -> None:
    """What was measured of pairs with these files: it held for their old facts."""
    pairs = [(id_, id_) for id_ in ids]
    db.executemany("DELETE FROM looks WHERE needle = ? OR hay = ?", pairs)
    db.executemany("DELETE FROM compared WHERE needle = ? OR hay = ?", pairs)


def check_writable_here(path: str) -> None:
    """Refuse, before anything is written, a path that holds a file that is not ours.

    An index is only ever created where nothing is, or opened, upgraded or deleted where a
    reconcile index is: a photo or any other file named by mistake is never touched.
    """
    if path == ":memory:":
        return
    owner = schema.owner(path)
    if owner is Owner.FOLDER:
        raise IndexFileError(f"{path}: is a folder, not an index file")
    if owner is Owner.FOREIGN:
        raise IndexFileError(
            f"{path}: not a reconcile index; reconcile leaves it untouched: choose another --db"
        )
    if owner is Owner.DAMAGED:
        raise IndexFileError(f"{path}: damaged reconcile index; pass --rebuild to start a new one")


def remove_index(path: str) -> None:
    """Delete an index file and its WAL companions (for --rebuild); never any other file."""
    owner = schema.owner(path)
    if owner is Owner.NONE:
        return  # nothing there, or an empty file or database that SQLite will simply use
    if owner is Owner.FOLDER:
        raise IndexFileError(f"{path}: is a folder, not an index file")
    if owner is Owner.FOREIGN:
        raise IndexFileError(
            f"{path}: not a reconcile index; --rebuild leaves it untouched: choose another --db"
        )
    for suffix in ("", "-wal", "-shm"):  # ours, whole or damaged: ours to delete
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise IndexFileError(f"{path}{suffix}: cannot remove ({error.strerror})") from None


def _prefix_range(root: str) -> tuple[bytes, bytes]:
    prefix = os.fsencode(root.rstrip(os.sep) + os.sep)
    return prefix, prefix[:-1] + bytes([prefix[-1] + 1])


def _batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
