"""acd/core is pure: it imports only the standard library's harmless parts and itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
    "acd",
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
            if node.module and node.module.startswith("acd") and not node.module.startswith("acd.core"):
                roots.add(node.module)  # acd.<adapter> is not allowed either
    return roots


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_io(module):
    """No sockets, files, processes, clocks or frameworks in the core."""
    assert imported_roots(module) <= ALLOWED
