"""The web reads the core and the store; it never imports an Asterisk adapter (issue 10):
what it needs of one (the supervisor desk's listen-in) it takes as a Protocol."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_tree import parse_source

WEB = Path(__file__).resolve().parents[2] / "acd" / "web"


def imported(path: Path) -> set[str]:
    tree = parse_source(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}


def test_no_web_module_imports_an_asterisk_adapter():
    found = {p.name: sorted(m for m in imported(p) if m.startswith("acd.asterisk")) for p in WEB.glob("*.py")}
    assert {name: mods for name, mods in found.items() if mods} == {}
    assert len(found) >= 5  # the folder was read
