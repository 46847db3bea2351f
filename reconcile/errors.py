"""The library's errors: the few ways a whole run can fail (a bad file never raises)."""

from __future__ import annotations


class ReconcileError(Exception):
    """A failure that stops the run; its message is one line meant for the user."""


class RootError(ReconcileError):
    """A --haystack or --needles root that cannot be used."""


class IndexFileError(ReconcileError):
    """The SQLite index cannot be opened, read or written."""
