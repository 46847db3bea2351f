"""The layering written in docs/architecture.md holds in the code, and importing the library
changes nothing in the host program."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "reconcile"


def _documented() -> dict[str, set[str]]:
    """The table of docs/architecture.md: module (dotted, below `reconcile`) -> the modules it
    may import."""
    table: dict[str, set[str]] = {}
    for line in (REPO / "docs/architecture.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`[\w.]+`", cells[0]):
            table[cells[0].strip("`")] = set(re.findall(r"`([\w.]+)`", cells[2]))
    return table


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (`media.decode`), package front doors
    (`__init__`) and `__main__` left out."""
    return {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts): path
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }


def _target(dotted: str, name: str | None = None) -> str:
    """The module that `from reconcile.<dotted> import <name>` reaches."""
    if name is not None and (PACKAGE / dotted.replace(".", "/") / f"{name}.py").exists():
        return f"{dotted}.{name}"
    return dotted


def _imports(path: Path) -> set[str]:
    """The package modules a module imports (at any depth of its code), by dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("reconcile"):
            if node.module == "reconcile":  # the public API: count the modules behind it
                from reconcile import _HOMES

                for alias in node.names:
                    home = _HOMES.get(alias.name)
                    if home is not None:
                        found.add(home.removeprefix("reconcile."))
                    elif not alias.name.startswith("__"):  # __version__ is the package's
                        found.add(alias.name)
            else:
                dotted = node.module.removeprefix("reconcile.")
                found.update(_target(dotted, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("reconcile.")
                for a in node.names
                if a.name.startswith("reconcile.")
            )
    return found


def test_every_module_imports_only_what_the_architecture_allows() -> None:
    """Each module's imports are among those docs/architecture.md allows it, and every module
    is in the table."""
    table = _documented()
    modules = _modules()
    assert set(table) == set(modules)
    for module, path in modules.items():
        imported = _imports(path) - {module}
        assert imported <= table[module], f"{module} imports {sorted(imported - table[module])}"


def test_code_imports_modules_not_package_front_doors() -> None:
    """Every import names a module of the table (`reconcile.media.decode`), never a package
    (`reconcile.media`): the front doors hold nothing, so the table sees every dependency."""
    table = _documented()
    for module, path in _modules().items():
        assert _imports(path) <= set(table), module
    for front in PACKAGE.glob("*/__init__.py"):
        if front.parent.name != "cli":  # the console script's entry point, `reconcile.cli:main`
            assert not _imports(front), front


def test_the_table_has_no_cycles() -> None:
    """Imports point one way: the allowed-imports graph is acyclic."""
    table = _documented()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for other in table[module]:
            visit(other, (*path, module))
        done.add(module)

    for module in table:
        visit(module, ())


_GLOBAL_STATE = """
import signal, sys, threading, warnings
import numpy, cv2, pillow_heif  # their own import-time filters are theirs, not ours
from PIL import Image, ImageFile
def state():
    return (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, sorted(Image.OPEN),
            sorted(Image.ID), list(warnings.filters), signal.getsignal(signal.SIGINT),
            signal.getsignal(signal.SIGTERM), threading.active_count())
Image.init()
before = state()
import importlib, pkgutil, reconcile
for module in pkgutil.walk_packages(reconcile.__path__, "reconcile."):
    if module.name != "reconcile.__main__":
        importlib.import_module(module.name)
from reconcile.media.analyse import analyse
from reconcile.facts import Task
for path in sys.argv[1:]:
    facts = analyse(Task(path, 1, 1))
    assert facts.full is not None, (path, facts.reason)
after = state()
assert after == before, (before, after)
print("unchanged")
"""


def test_importing_and_using_the_library_changes_no_global_state(tmp_path: Path) -> None:
    """Pillow's pixel limit, truncation flag and plugin registry, the warning filters, signal
    handlers and running threads are the same after importing every module and analysing a
    JPEG and a HEIC as before."""
    import io

    import pillow_heif
    from conftest import scene, write

    jpeg = write(tmp_path / "a.jpg", scene(3), 90)
    heif = pillow_heif.from_pillow(__import__("PIL.Image").Image.fromarray(scene(4)))
    buffer = io.BytesIO()
    heif.save(buffer, quality=80)
    heic = tmp_path / "b.heic"
    heic.write_bytes(buffer.getvalue())
    result = subprocess.run(
        [sys.executable, "-c", _GLOBAL_STATE, str(jpeg), str(heic)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.stdout == "unchanged\n", result.stderr


def test_the_index_loads_no_decoder_and_no_opencv() -> None:
    """Opening the index needs SQLite and numpy, not Pillow, pillow-heif or OpenCV."""
    code = (
        "import sys, reconcile.store.index\n"
        "reconcile.store.index.Index(':memory:').close()\n"
        "print(sorted(m for m in ('PIL', 'cv2', 'pillow_heif') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.stdout == "[]\n", result.stderr
