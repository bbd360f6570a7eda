"""The shift plan: every interval covered, the fewest agent-hours (checked against plans worked
by hand and against exhaustive search on small days), and clear refusals."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.planning.shifts import plan_shifts


def test_a_flat_day_is_whole_shifts_and_nothing_more():
    plan = plan_shifts([10] * 24, 30)  # 12 hours of 10 seats
    assert plan.agent_hours == plan.need_hours == 120 and plan.scheduled == (10,) * 24


def test_a_peak_costs_three_six_hour_shifts():
    """5 seats all day and 8 for two hours: 5 x 12 h, plus 3 more for the peak; the cheapest
    is 3 x 6 h (78 agent-hours) though the peak itself is only 3 x 2 h."""
    need = [5] * 24
    need[2:6] = [8] * 4
    plan = plan_shifts(need, 30)
    assert plan.agent_hours == 78 and plan.need_hours == 66
    assert all(have >= want for have, want in zip(plan.scheduled, need, strict=True))


def brute_force(need: list[int], width_hours: dict[int, float]) -> float:
    """The cheapest cover by trying every count of every shift up to max(need)."""
    spans = [(s, w, h) for w, h in width_hours.items() for s in range(len(need) - w + 1)]
    best = float("inf")
    for counts in itertools.product(range(max(need) + 1), repeat=len(spans)):
        cost = sum(n * h for n, (_, _, h) in zip(counts, spans, strict=True))
        if cost >= best:
            continue
        cover = [0] * len(need)
        for n, (s, w, _) in zip(counts, spans, strict=True):
            for i in range(s, s + w):
                cover[i] += n
        if all(c >= n for c, n in zip(cover, need, strict=True)):
            best = cost
    return best


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=6, max_size=7))
def test_the_fewest_agent_hours_against_exhaustive_search(need):
    """60-minute intervals, shifts of 6 and 4 hours: small enough to try every plan."""
    plan = plan_shifts(need, 60, lengths=(6.0, 4.0))
    assert all(have >= want for have, want in zip(plan.scheduled, need, strict=True))
    expected = brute_force(need, {6: 6.0, 4: 4.0}) if any(need) else 0.0
    assert plan.agent_hours == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=24, max_size=50))
def test_every_interval_is_covered(need):
    plan = plan_shifts(need, 30)
    assert all(have >= want for have, want in zip(plan.scheduled, need, strict=True))
    assert plan.need_hours <= plan.agent_hours <= max(need) * 12 * (len(need) // 24 + 1)


@pytest.mark.parametrize(
    ("need", "minutes", "lengths"),
    [([1] * 4, 30, (12.0,)), ([-1] * 30, 30, (6.0,)), ([1] * 30, 45, (8.0,)), ([1] * 30, 0, (6.0,))],
)
def test_impossible_plans_are_refused(need, minutes, lengths):
    with pytest.raises(ValueError):
        plan_shifts(need, minutes, lengths)
