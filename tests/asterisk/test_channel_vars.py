"""Channel variable names at the boundary, once: acd/asterisk/channel_vars.py names every
ACD_* variable; the code, the fallback script and the dialplan templates take them from it,
so a name cannot drift between the daemon and the PBX."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from acd import config as config_module
from acd.asterisk import channel_vars
from acd.pbx import render
from tests.source_tree import parse_source

REPO = Path(__file__).resolve().parents[2]
NAME = re.compile(r"ACD_[A-Z0-9_]*[A-Z0-9]")
CODE = [REPO / "acd", REPO / "ivr", REPO / "agi_scripts"]
TEMPLATES = [*(REPO / "dialplan").glob("*.conf"), *(REPO / "config" / "asterisk").glob("*.conf")]


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the constants that are docstrings (prose may name a variable)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def named_in_code(path: Path) -> list[tuple[int, str]]:
    """(line, name) for every ACD_* name written in a string of this Python file."""
    tree = parse_source(path.read_text(), str(path))
    prose = _docstrings(tree)
    return [
        (node.lineno, name)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
        for name in NAME.findall(node.value)
    ]


def test_no_code_writes_a_variable_name_of_its_own():
    module = Path(channel_vars.__file__).resolve()
    written = {
        f"{path.relative_to(REPO)}:{line}": name
        for folder in CODE
        for path in sorted(folder.rglob("*.py"))
        if path.resolve() != module
        for line, name in named_in_code(path)
    }
    assert written == {}, "use acd/asterisk/channel_vars.py"


def test_the_check_sees_a_name_written_by_hand(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""ACD_QUEUE in prose is fine."""\nx = {"ACD_QUEUE": 1}\ny = f"${{ACD_LINE}}|"\n')
    assert named_in_code(probe) == [(2, "ACD_QUEUE"), (3, "ACD_LINE")]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_name_variables_through_the_module(path):
    assert NAME.findall(path.read_text()) == [], f"{path.name}: write @VAR_<CONSTANT>@"


def test_every_rendered_variable_is_the_modules_and_every_name_is_used(tmp_path):
    files = render.render(config_module.load(), tmp_path)
    rendered = {name for text in files.values() for name in NAME.findall(text)}
    assert rendered <= set(channel_vars.NAMES.values())
    in_code = {
        getattr(channel_vars, attribute.attr)
        for folder in CODE
        for path in folder.rglob("*.py")
        for attribute in ast.walk(parse_source(path.read_text()))
        if isinstance(attribute, ast.Attribute) and attribute.attr in channel_vars.NAMES
    }
    unused = set(channel_vars.NAMES.values()) - rendered - in_code
    assert unused == set(), "a name nobody uses"


def test_names_are_distinct_and_tokens_refuse_a_typo():
    assert len(set(channel_vars.NAMES.values())) == len(channel_vars.NAMES)
    values = render.tokens(config_module.load(), Path("/tmp/state"))
    assert render.fill("Set(@VAR_QUEUE@=x)", values) == "Set(ACD_QUEUE=x)"
    with pytest.raises(KeyError, match="VAR_QUEU"):
        render.fill("Set(@VAR_QUEU@=x)", values)
