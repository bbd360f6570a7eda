"""The house's floors, from the ground up; a module imports its own floor or one below, never
back up (an AST walk, lazy imports included):

    0 core       acd/core: the model and its rules, no I/O (tests/core/test_purity.py)
    1 base       configuration, secrets, the security log, background tasks, the IVR flow
    2 adapters   the store, Asterisk (AMI, FastAGI, desks), the PBX, redis, speech, recordings
    3 web        the HTTP API and the live push: it reads the model and the store, never an
                 Asterisk adapter (those act on calls; the web asks the composition root)
    4 top        the composition root (service), the daemon, the CLI, the demo
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_purity import imported

REPO = Path(__file__).resolve().parents[1]
FLOORS = {  # a module's floor: the longest prefix listed here wins
    "acd.core": 0,
    "acd.config": 1,
    "acd.config_types": 1,
    "acd.config_dial": 1,
    "acd.config_phone": 1,
    "acd.config_push": 1,
    "acd.config_pop": 1,
    "acd.config_wall": 1,
    "acd.config_journal": 1,
    "acd.config_desk": 1,
    "acd.config_web": 1,
    "acd.config_survey": 1,
    "acd.config_metrics": 1,
    "acd.config_planning": 1,
    "acd.planning": 1,
    "acd.config_cases": 1,
    "acd.config_people": 1,
    "acd.credentials": 1,
    "acd.security_log": 1,
    "acd.background": 1,
    "acd.garbage": 1,
    "acd.descriptors": 1,
    "acd.sim": 1,
    "ivr": 1,
    "acd.store": 2,
    "acd.asterisk": 2,
    "acd.pbx": 2,
    "acd.live": 2,
    "acd.speech": 2,
    "acd.recordings": 2,
    "acd.restore": 2,
    "acd.checkpoints": 2,
    "acd.checkpoint_child": 2,
    "acd.cases_desk": 2,
    "acd.web": 3,
    "acd.service": 4,
    "acd.site_map": 4,
    "acd.daemon": 4,
    "acd.cli": 4,
    "acd.staff_cli": 4,
    "acd.report_cli": 4,
    "acd.staffing_cli": 4,
    "acd.staffing_chart": 4,
    "acd.sim_cli": 4,
    "acd.report_charts": 4,
    "acd.__main__": 4,
    "acd.lab": 4,
}
NEVER = {"acd.web": ("acd.asterisk", "acd.pbx")}  # sideways or down, and still not


PACKAGE = {"acd": 0}  # acd/__init__.py alone (a prefix "acd" would give every module a floor)


def floor_of(module: str) -> int | None:
    if module in PACKAGE:
        return PACKAGE[module]
    keys = [k for k in FLOORS if module == k or module.startswith(k + ".")]
    return FLOORS[max(keys, key=len)] if keys else None


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(REPO).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = sorted(
    path
    for folder in ("acd", "ivr")
    for path in (REPO / folder).rglob("*.py")
    if "migrations" not in path.parts
)


def offences(module: str, source: str) -> list[str]:
    """The imports in `source` that go back up a floor, or to a part `module` must not use."""
    own = floor_of(module)
    assert own is not None, f"{module}: give it a floor in tests/test_floors.py"
    found = []
    for name in sorted(imported(source)):
        if name.split(".")[0] not in ("acd", "ivr") or name in ("acd", "ivr"):
            continue
        target = floor_of(name)
        if target is None:
            found.append(f"{name}: no floor")
        elif target > own:
            found.append(f"{name}: floor {target} above {own}")
        elif any(
            module.startswith(part) and name.startswith(never)
            for part, nevers in NEVER.items()
            for never in nevers
        ):
            found.append(f"{name}: not from {module}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_import_runs_back_up_a_floor(path):
    assert offences(module_name(path), path.read_text()) == []


def test_every_floor_is_checked():
    """Nothing goes unwatched: each floor has modules, and every listed prefix exists."""
    names = {module_name(p) for p in MODULES}
    assert {floor_of(n) for n in names} == {0, 1, 2, 3, 4}
    assert [k for k in FLOORS if not any(n == k or n.startswith(k + ".") for n in names)] == []


def test_the_walk_refuses_each_way_up():
    assert offences("acd.store.db", "from acd.web import status") == [
        "acd.web: floor 3 above 2",
        "acd.web.status: floor 3 above 2",
    ]
    assert offences("acd.core.center", "def f():\n    import acd.config\n") == ["acd.config: floor 1 above 0"]
    assert offences("acd.web.status", "import acd.asterisk.ami") == [
        "acd.asterisk.ami: not from acd.web.status"
    ]
    assert offences("acd.asterisk.ami", "from acd import service") == ["acd.service: floor 4 above 2"]
    assert offences("acd.service", "from acd.web import push\nfrom acd.core import bus") == []
