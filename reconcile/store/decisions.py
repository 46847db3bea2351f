"""The person's decisions from review, kept in a file of their own beside the index.

A decision follows the content, not the path: it is keyed by the digest of the backup file's
bytes (and, for `same` and `different`, by the digest of the library file it was made
against), so a moved or renamed copy keeps it and a changed file loses it. The index is a
cache that `--rebuild` deletes and an upgrade may rewrite; this file is the person's work, so
it lives apart, in its own small schema, and nothing but `reconcile decide` changes it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reconcile.errors import IndexFileError
from reconcile.results import Verb
from reconcile.store.index import default_path

VERSION = 1
APPLICATION_ID = 0x52434E44  # "RCND"
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE decisions (
    needle BLOB NOT NULL,
    needle_size INTEGER NOT NULL,
    verb TEXT NOT NULL,
    match BLOB NOT NULL,
    match_size INTEGER,
    path TEXT NOT NULL,
    match_path TEXT,
    was TEXT,
    decided REAL NOT NULL,
    PRIMARY KEY (needle, match)
)"""
_NO_MATCH = b""  # the `match` of an `unwanted`: it is about the file alone


@dataclass(frozen=True, slots=True)
class Decided:
    """One decision: what was decided of the file with the digest `needle`, against the
    library file with the digest `match` (None for `unwanted`). The paths and `was` (the
    status and reason it had) are as they were when it was decided: shown, never keys."""

    verb: Verb
    needle: bytes
    needle_size: int
    path: str
    match: bytes | None = None
    match_size: int | None = None
    match_path: str | None = None
    was: str | None = None
    decided: float = 0.0


def decisions_path(index_path: str) -> str:
    """Where the decisions made with an index are kept: beside it (`x.sqlite` keeps them in
    `x.decisions.sqlite`), except for the default index, which lives in a cache folder the
    system may clear: its decisions go to the user's data folder."""
    if os.path.abspath(index_path) == os.path.abspath(default_path()):
        data = os.environ.get("XDG_DATA_HOME") or os.path.join(
            os.path.expanduser("~"), ".local", "share"
        )
        return os.path.join(data, "reconcile", "decisions.sqlite")
    stem, _ = os.path.splitext(index_path)
    return stem + ".decisions.sqlite"


class Decisions:
    """An open decisions file. Opening one that is not there creates it only when asked to
    write (`create=True`): reading none finds no decisions."""

    def __init__(self, path: str, *, create: bool = False) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        if os.path.exists(path) or create:
            self._db = _open(path)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> Decisions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def all(self) -> list[Decided]:
        """Every decision, oldest first."""
        return list(self._rows("SELECT * FROM decisions ORDER BY decided, path"))

    def of(self, needles: Iterable[bytes]) -> dict[bytes, list[Decided]]:
        """The decisions about the files with these digests."""
        found: dict[bytes, list[Decided]] = {}
        wanted = list(dict.fromkeys(needles))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for decided in self._rows(f"SELECT * FROM decisions WHERE needle IN ({marks})", chunk):
                found.setdefault(decided.needle, []).append(decided)
        return found

    def sizes(self) -> tuple[frozenset[int], frozenset[int]]:
        """The sizes of the files decisions are about, and of the library files they were
        made against: the files of those sizes need a digest to be told by."""
        if self._db is None:
            return frozenset(), frozenset()
        rows = self._db.execute("SELECT needle_size, match_size FROM decisions").fetchall()
        return (
            frozenset(row[0] for row in rows),
            frozenset(row[1] for row in rows if row[1] is not None),
        )

    def record(self, decisions: Iterable[Decided], undo: Iterable[bytes] = ()) -> None:
        """Undo the decisions about `undo`'s files, then record `decisions`, in one
        transaction. A file is `same` as at most one library file, and `same` or `unwanted`
        replace each other and what was decided of that pair before."""
        assert self._db is not None, "opened without create=True"
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM decisions WHERE needle = ?", [(d,) for d in undo])
            for d in decisions:
                if d.verb is not Verb.DIFFERENT:
                    db.execute(
                        "DELETE FROM decisions WHERE needle = ? AND verb != ?",
                        (d.needle, Verb.DIFFERENT.value),
                    )
                db.execute(
                    "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        d.needle, d.needle_size, d.verb.value, d.match or _NO_MATCH,
                        d.match_size, d.path, d.match_path, d.was, d.decided or time.time(),
                    ),
                )  # fmt: skip
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _rows(self, sql: str, params: Iterable[object] = ()) -> Iterator[Decided]:
        if self._db is None:
            return
        for row in self._db.execute(sql, tuple(params)):
            yield Decided(
                verb=Verb(row["verb"]),
                needle=row["needle"],
                needle_size=row["needle_size"],
                path=row["path"],
                match=row["match"] or None,
                match_size=row["match_size"],
                match_path=row["match_path"],
                was=row["was"],
                decided=row["decided"],
            )


def _open(path: str) -> sqlite3.Connection:
    _refuse_foreign(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout = 60000")
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except OSError as error:
        raise IndexFileError(f"{path}: cannot open the decisions file ({error.strerror})") from None
    except sqlite3.DatabaseError as error:
        raise IndexFileError(f"{path}: cannot open the decisions file ({error})") from None
    if version > VERSION:
        db.close()
        raise IndexFileError(
            f"{path}: decisions written by a newer reconcile (version {version}); "
            "it is left untouched"
        )
    return db


def _refuse_foreign(path: str) -> None:
    """Only a decisions file of ours, or nothing, is opened: never another file by mistake."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(100)
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise IndexFileError(f"{path}: is a folder, not a decisions file") from None
    except OSError as error:
        raise IndexFileError(f"{path}: cannot read the decisions file ({error.strerror})") from None
    if not head:
        return
    if not head.startswith(_SQLITE_MAGIC) or int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise IndexFileError(f"{path}: not a reconcile decisions file; it is left untouched")
