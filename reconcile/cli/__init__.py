"""Talking to the person: the command line, its two consoles, its one error boundary."""

from __future__ import annotations

from reconcile.cli.main import main

__all__ = ["main"]
