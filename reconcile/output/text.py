"""Text for people: names made safe to show (bytes that are not UTF-8 and control characters
made visible), sizes in bytes, counts of things."""

from __future__ import annotations


def printable(path: str) -> str:
    """A path safe to show: undecodable bytes and control characters made visible."""
    raw = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in raw)


def size(count: int) -> str:
    """A number of bytes as people read it: 512 B, 34.2 KB, 1.5 GB."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless one: 1 group, 3 groups."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
