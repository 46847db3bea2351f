"""docs/report-format.md and the README stay in step with the code: every JSON key the report
writes and every command-line option is documented."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from conftest import REPO, run_cli

from reconcile.cli.parser import parser

DOC = (REPO / "docs/report-format.md").read_text()
README = (REPO / "README.md").read_text()


def _keys(value: object, into: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            into.add(key)
            _keys(inner, into)
    elif isinstance(value, list):
        for inner in value:
            _keys(inner, into)
    return into


def test_every_json_key_is_in_the_contract(tmp_path: Path) -> None:
    """Each key of the sample's JSON report is named in docs/report-format.md."""
    result = run_cli(
        tmp_path,
        *("--haystack", "sample_data/haystack", "--needles", "sample_data/needles"),
        *("--format", "json"),
    )
    keys = _keys(json.loads(result.stdout), set())
    documented = set(re.findall(r"`([a-z_]+)`", DOC)) | set(re.findall(r'"([a-z_]+)":', DOC))
    assert keys - documented == set()


def test_every_option_is_in_the_readme() -> None:
    """Each long option of the command line appears in the README's options table."""
    options = {
        flag
        for command in _commands(parser())
        for action in command._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag not in ("--help", "--version")
    }
    table = README.split("## Options", 1)[1].split("\n## ", 1)[0]
    assert {flag for flag in options if f"`{flag}" not in table} == set()


def _commands(top: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The top-level parser and each subcommand's."""
    found = [top]
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.values())
    return found


def test_the_readme_links_only_inside_the_repository() -> None:
    """Markdown links in the README and docs are web links or files that exist here."""
    for page in (REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))):
        for target in re.findall(r"\]\(([^)#]+)", page.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            assert (page.parent / target).resolve().is_relative_to(REPO), (page, target)
            assert (page.parent / target).exists(), (page, target)
