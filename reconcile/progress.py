"""How a run reports how far it got: the interface the CLI draws, and the silent default."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Where a run reports how far it got; the CLI draws it, the library never prints."""

    def start(self, phase: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class Silent:
    """Progress that goes nowhere."""

    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass
