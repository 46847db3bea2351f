"""Another program's SQLite database, read without ever writing, locking or changing it: the
catalogue of a photo library that Photos or iPhoto may have open at this moment.

SQLite writes even to read a database in WAL mode (the `-shm` index, and a WAL it creates
when none exists). So a catalogue whose WAL holds changes not yet in the main file is copied,
with its WAL, into a private folder and read there; one without such changes is read in
place as immutable, which SQLite opens without touching anything.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import urllib.parse
from collections.abc import Sequence
from types import TracebackType


class Unreadable(Exception):
    """The database cannot be read; the message says why, in a few words."""


class ReadOnly:
    """A database opened for reading only (a context manager)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        try:
            wal = os.stat(path + "-wal").st_size
        except OSError:
            wal = 0
        try:
            if wal:
                self._copy = tempfile.TemporaryDirectory(prefix="reconcile-catalogue-")
                target = os.path.join(self._copy.name, os.path.basename(path))
                shutil.copyfile(path, target)
                shutil.copyfile(path + "-wal", target + "-wal")
                uri = f"file:{urllib.parse.quote(target)}?mode=ro"
            else:
                uri = f"file:{urllib.parse.quote(os.path.abspath(path))}?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True)
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (OSError, sqlite3.Error) as error:
            self.close()
            raise Unreadable(_said(error)) from None

    def tables(self) -> set[str]:
        rows = self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    def columns(self, table: str) -> set[str]:
        return {str(row[1]) for row in self.rows(f"PRAGMA table_info({table})")}

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return [tuple(row) for row in self._db.execute(sql, tuple(params))]
        except sqlite3.Error as error:
            raise Unreadable(_said(error)) from None

    def close(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None

    def __enter__(self) -> ReadOnly:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _said(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
