"""`python -m reconcile` runs the command-line tool."""

from __future__ import annotations

from reconcile.cli.main import main

raise SystemExit(main())
