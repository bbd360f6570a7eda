"""Lines and overflow: memberships with penalties, eligibility as a caller's wait grows."""

from __future__ import annotations

import pytest

from acd.core.tiers import Line, eligible, max_penalty, memberships, penalty_rule

LINES = [
    Line("support", 1, "support-2", 30),
    Line("support-2", 2, "support-3", 60),
    Line("support-3", 3),
    Line("sales", 1),
]


def test_second_line_agent_also_backs_up_the_first_line():
    assert memberships(["support-2"], LINES) == {"support-2": 0, "support": 1}


def test_own_skill_wins_over_overflow():
    assert memberships(["support", "support-2"], LINES) == {"support": 0, "support-2": 0}


def test_third_line_backs_up_only_the_second():
    assert memberships(["support-3"], LINES) == {"support-3": 0, "support-2": 1}


def test_line_without_overflow():
    assert memberships(["sales"], LINES) == {"sales": 0}


@pytest.mark.parametrize("waited, allowed", [(0, 0), (29.9, 0), (30, 1), (300, 1)])
def test_max_penalty_grows_with_the_wait(waited, allowed):
    assert max_penalty(LINES[0], waited) == allowed


def test_eligibility_over_time():
    second = memberships(["support-2"], LINES)
    first = memberships(["support"], LINES)
    assert eligible(first, LINES[0], 0) and eligible(first, LINES[0], 100)
    assert not eligible(second, LINES[0], 10) and eligible(second, LINES[0], 30)
    assert not eligible(first, LINES[3], 100)  # not a sales agent at all
    assert not eligible(second, LINES[2], 1000)  # line 3 never overflows down


def test_penalty_rules_for_queuerules_conf():
    assert penalty_rule(LINES[0]) == ["[acd-overflow-support]", "penaltychange => 30,1", ""]
    assert penalty_rule(LINES[2]) == []
