"""acd/core is pure: it imports only the standard library's harmless parts and itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.source_tree import parse_source

CORE = Path(__file__).resolve().parents[2] / "acd" / "core"
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "enum",
    "typing",
    "re",
    "math",
    "statistics",
    "bisect",
    "heapq",
    "itertools",
    "functools",
    "datetime",
    "zoneinfo",
    "hashlib",
    "hmac",
    "unicodedata",
    "acd.core",
}


def imported(source: str) -> set[str]:
    """Every module this source imports, in full (`from acd import config` is acd.config),
    at the top or inside a function: a lazy import is an import all the same."""
    names = set()
    for node in ast.walk(parse_source(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            if node.module.split(".")[0] in ("acd", "ivr"):  # `from acd.x import y`: y may be a module
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_roots(path: Path) -> set[str]:
    """What the core imports: a root of the standard library, acd.core, or an acd module whole."""
    roots = set()
    for name in imported(path.read_text()):
        if name in ("acd", "ivr"):
            continue  # `from acd import x`: imported() names acd.x itself
        if name.split(".")[0] in ("acd", "ivr"):
            roots.add("acd.core" if name.startswith("acd.core.") or name == "acd.core" else name)
        else:
            roots.add(name.split(".")[0])
    return roots


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_io(module):
    """No sockets, files, processes, clocks or frameworks in the core."""
    assert imported_roots(module) <= ALLOWED


def test_the_import_walk_sees_every_way_up():
    probe = "import acd.asterisk.ami\nfrom acd import config\ndef f():\n    from acd.store import db\n"
    assert imported(probe) == {"acd.asterisk.ami", "acd", "acd.config", "acd.store", "acd.store.db"}
