"""What the wheel ships: the daemon, the IVR and what `acd demo` needs, nothing only tests use
(issue 10: test-only helpers are not shipped). Built from the tracked files, as a clean clone
would build it (about 25 s: pip builds in an isolated environment)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.core.test_purity import imported
from tests.source_tree import parse_source

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("acd/", "ivr/", "acd-")  # the packages and the dist-info
NEEDED = [
    "acd/cli.py",
    "acd/lab/demo.py",  # `acd demo` runs from an installed wheel: its phones and processes
    "acd/lab/demo_day.py",
    "acd/lab/phones.py",
    "acd/lab/sipp.py",
    "acd/lab/daemon_proc.py",
    "acd/lab/redis_proc.py",
    "acd/lab/scenarios/agent.xml",
    "acd/lab/scenarios/agent_escalate.xml",  # the demo's escalation
    "acd/lab/scenarios/caller.xml",
    "acd/lab/scenarios/register.xml",
    "acd/store/migrations/script.py.mako",
    "acd/web/templates/base.html",  # the pages' templates and static files (package data)
    "acd/web/templates/signin.html",
    "acd/web/static/acd.js",
    "acd/web/static/acd.css",
    "acd/web/templates/wall.html",  # the wallboard, and the chart library vendored with its licence
    "acd/web/static/wall.js",
    "acd/web/static/wall-kiosks.js",
    "acd/web/static/vendor/uPlot.iife.min.js",
    "acd/web/static/vendor/uPlot.min.css",
    "acd/web/static/vendor/uPlot.LICENSE.txt",
    "acd/web/static/vendor/VERSIONS.txt",
    "ivr/flow.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> list[str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "-w", str(out), "--no-deps", "-q"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("acd-*.whl")
    with zipfile.ZipFile(built) as archive:
        return archive.namelist()


def test_only_the_packages_are_shipped(wheel):
    assert [name for name in wheel if not name.startswith(SHIPPED)] == []


def test_nothing_only_tests_use_is_shipped(wheel):
    test_only = [
        name
        for name in wheel
        if name.startswith("tests/")
        or "/tests/" in name
        or name.rsplit("/", 1)[-1] in ("baresip.py", "tones.py", "sipp_phones.py", "conftest.py")
        or name.rsplit("/", 1)[-1] in ("ring_forever.xml", "phone_call.xml")
    ]
    assert test_only == []


def test_what_the_daemon_and_the_demo_need_is_shipped(wheel):
    assert [name for name in NEEDED if name not in wheel] == []
    assert any(name.startswith("acd/store/migrations/versions/") for name in wheel)


def test_every_shipped_module_is_used_by_the_shipped_code():
    """A module in acd/ that only tests or benchmarks import is a test-only helper: tests/lab/.
    (The entry point and the migrations, which alembic loads by path, are used from outside.)"""
    modules = {}
    for path in [*(REPO / "acd").rglob("*.py"), *(REPO / "ivr").rglob("*.py")]:
        if "migrations" not in path.parts:
            modules[".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")] = path
    used = set()
    for name, path in modules.items():
        used |= {m for m in imported(path.read_text()) if m != name}
    assert sorted(set(modules) - used - {"acd.__main__"}) == []


def test_nothing_shipped_imports_from_tests():
    """The wheel has no tests/: a shipped module that imported from it would fail installed."""
    found = []
    for path in [*(REPO / "acd").rglob("*.py"), *(REPO / "ivr").rglob("*.py")]:
        for node in ast.walk(parse_source(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] == "tests"]
    assert found == []
