"""Every AMI action is built by acd/asterisk/actions.py (the module that refuses line breaks),
and only acd/asterisk/ami.py puts one on the wire: an AST walk over everything shipped or run
beside the daemon (acd/, ivr/, agi_scripts/, bench/) finds any other way to write one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.source_tree import parse_source

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("acd", "ivr", "agi_scripts", "bench")
BUILDER = Path("acd/asterisk/actions.py")
SENDER = Path("acd/asterisk/ami.py")
_WIRE = re.compile(r"(^|\n)\s*Action\s*:", re.IGNORECASE)  # raw protocol text


def _is_action_key(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() == "action"


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_built(arg: ast.expr) -> bool:
    """`<an Action>.as_dict()`: what ami.py hands panoramisk."""
    return isinstance(arg, ast.Call) and _name(arg.func) == "as_dict"


def offences(source: str, path: Path) -> list[str]:
    """What in this file writes or sends an AMI action by hand (path: as in the repo)."""
    found = []
    for node in ast.walk(parse_source(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Dict) and any(_is_action_key(key) for key in node.keys):
            found.append(f"{line}: a dict with an Action key")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            if _WIRE.search(text):
                found.append(f"{line}: AMI text with an Action header")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("panoramisk.actions"):
            found.append(f"{line}: panoramisk's own actions")
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            if any(k.arg and k.arg.lower() == "action" for k in node.keywords) and name == "dict":
                found.append(f"{line}: dict(Action=...)")
            on = node.func.value if isinstance(node.func, ast.Attribute) else None
            if name == "build" and on is not None and _name(on) == "actions":
                found.append(f"{line}: actions.build (use a named builder)")
            if name in ("send_action", "send_command", "sendAction"):
                if path != SENDER:
                    found.append(f"{line}: {name} outside {SENDER}")
                elif not node.args or not _is_built(node.args[0]):
                    found.append(f"{line}: {name} of something not built by actions.py")
    return sorted(found, key=lambda offence: int(offence.split(":")[0]))


def test_no_action_is_written_or_sent_by_hand():
    found = {
        f"{path.relative_to(REPO)}:{offence}"
        for folder in FOLDERS
        for path in sorted((REPO / folder).rglob("*.py"))
        if path.relative_to(REPO) != BUILDER
        for offence in offences(path.read_text(), path.relative_to(REPO))
    }
    assert found == set()


def test_the_walk_sees_every_way_of_writing_one():
    probe = """
a = {"Action": "Originate", "Application": "System"}
b = dict(Action="Originate")
c = b"Action: Originate\\r\\nApplication: System\\r\\n\\r\\n"
d = "ActionID: 1\\r\\naction: Redirect"
from panoramisk.actions import Action
e = actions.build("Originate", {"Application": "System"})
manager.send_action(a)
"""
    elsewhere = offences(probe, Path("acd/web/x.py"))
    assert [o.split(": ", 1)[1] for o in elsewhere] == [
        "a dict with an Action key",
        "dict(Action=...)",
        "AMI text with an Action header",
        "AMI text with an Action header",
        "panoramisk's own actions",
        "actions.build (use a named builder)",
        f"send_action outside {SENDER}",
    ]
    assert offences("m.send_action(a)\nm.send_action(actions.ping().as_dict())", SENDER) == [
        "1: send_action of something not built by actions.py"
    ]
