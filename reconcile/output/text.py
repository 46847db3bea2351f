"""Names made safe to show: bytes that are not UTF-8 and control characters made visible."""

from __future__ import annotations


def printable(path: str) -> str:
    """A path safe to show: undecodable bytes and control characters made visible."""
    raw = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in raw)
