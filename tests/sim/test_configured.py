"""The configured center (config/acd.yaml: support, its second and third lines, sales) as a
scenario: its queues' lines and overflow, its agents by skill set."""

from __future__ import annotations

import pytest

from acd.sim import configured, stats
from acd.sim.scenario import Service
from tests.store.test_figures import CONFIG


def test_the_configured_queues_and_groups():
    scenario, _ = configured.scenario(CONFIG, {"support": [10.0] * 4}, {}, Service(180.0))
    support = scenario.queue("support")
    assert (support.line, support.overflow_to, support.overflow_after) == (1, "support-2", 30.0)
    assert support.max_wait == 600.0
    found = {g.name: g.staffing for g in scenario.groups}
    assert found == {
        "support": (3,),
        "sales+support": (1,),
        "sales": (1,),
        "support-2": (1,),
        "support-3": (1,),
    }


def test_a_plan_replaces_a_head_count_and_may_name_a_new_skill_set():
    plans = {"support": (8, 10), "support+support-2": (2,)}
    scenario, _ = configured.scenario(CONFIG, {"support": [10.0] * 2}, plans, Service(180.0))
    found = {g.name: g.staffing for g in scenario.groups}
    assert found["support"] == (8, 10) and found["support+support-2"] == (2,)
    with pytest.raises(ValueError, match="no queue named nope"):
        configured.scenario(CONFIG, {"support": [1.0]}, {"nope": (1,)}, Service(180.0))
    with pytest.raises(ValueError, match="unknown queue: nope"):
        configured.scenario(CONFIG, {"nope": [1.0]}, {}, Service(180.0))


def test_the_second_line_takes_first_line_callers_past_the_overflow():
    """support's callers reach support-2's agent after 30 s (tiers.memberships: penalty 1)."""
    plans = {"support": (4,), "sales+support": (0,), "sales": (0,), "support-2": (0,), "support-3": (0,)}
    without = configured.scenario(CONFIG, {"support": [25.0] * 8}, plans, Service(180.0))
    with_second = configured.scenario(
        CONFIG, {"support": [25.0] * 8}, {**plans, "support-2": (2,)}, Service(180.0)
    )
    sl = [
        stats.summary(stats.replicate(*built, seed=1, replications=4))["service_level"]
        for built in (without, with_second)
    ]
    assert sl[0] is not None and sl[1] is not None and sl[1].mean > sl[0].mean + 0.1


def test_calls_to_a_dialled_number_go_where_the_daemon_routes_them():
    calls = {"100": [10.0, 10.0], "200": [5.0], "555": [1.0], "support": [1.0, 2.0, 3.0]}
    assert configured.routed(CONFIG, calls) == {"support": [12.0, 12.0, 3.0], "sales": [5.0]}
