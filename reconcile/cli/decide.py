"""`reconcile decide`: record what the person decided in review, list it, or undo it."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from rich.table import Table

from reconcile.cli import consoles
from reconcile.commands.decide import Choice, as_json, choices_from, decide, listed
from reconcile.output.formats import Rendered
from reconcile.output.text import counted, printable
from reconcile.store.index import default_path

EXIT_DONE = 0  # every choice recorded
EXIT_REFUSED = 1  # some choices were not recorded (each said why)


def run(args: argparse.Namespace) -> int:
    db = args.db or default_path()
    if args.list:
        return _list(args, db)
    if args.from_file is not None:
        choices = choices_from(args.from_file, db=db)
    else:
        choices = [Choice(args.verb, path) for path in args.paths]
    done = decide(choices, db=db, decisions=args.decisions)
    for line in done.refused:
        consoles.warn(line, "not recorded")
    for line in done.left:
        consoles.warn(line, "left as it is")
    verbs = Counter(d.verb.value for d in done.recorded)
    said = ", ".join(f"{n} {verb}" for verb, n in sorted(verbs.items()))
    parts = []
    if done.recorded or not done.undone:
        parts.append(f"recorded {counted(len(done.recorded), 'decision')}"
                     + (f" ({said})" if said else ""))  # fmt: skip
    if done.undone:
        parts.append(f"undid the decisions of {counted(len(done.undone), 'file')}")
    consoles.note("; ".join(parts) + "; the next check applies them")
    return EXIT_REFUSED if done.refused else EXIT_DONE


def _list(args: argparse.Namespace, db: str) -> int:
    decided = listed(db=db, decisions=args.decisions)
    if args.format == "json":
        consoles.write(Rendered(text=json.dumps(as_json(decided), indent=2) + "\n"))
        return EXIT_DONE
    table = Table(title=counted(len(decided), "decision"), header_style="bold")
    for column in ("decision", "backup file", "library file", "was", "decided"):
        table.add_column(column, overflow="fold")
    for record in as_json(decided):
        table.add_row(
            record["decision"],
            printable(record["path"]),
            printable(record["match"] or ""),
            printable(record["was"] or ""),
            record["decided"],
        )
    consoles.write(Rendered(rich=table))
    return EXIT_DONE
