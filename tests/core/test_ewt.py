"""Expected wait time against cases worked out by hand."""

from __future__ import annotations

import pytest

from acd.core.ewt import expected_wait, remaining_for


def test_idle_agent_means_no_wait():
    assert expected_wait(1, [0.0], 180) == 0.0


def test_first_in_line_waits_for_the_soonest_agent():
    assert expected_wait(1, [120.0, 30.0, 90.0], 180) == 30.0


def test_later_positions_take_the_next_free_agents():
    # agents free at 30, 90, 120; then the first again at 30 + 180 = 210
    assert [expected_wait(p, [120.0, 30.0, 90.0], 180) for p in (1, 2, 3, 4)] == [30, 90, 120, 210]


def test_single_agent_queue_is_position_times_handle_time():
    assert expected_wait(3, [60.0], 100, wrapup=20) == 60 + 2 * 120


def test_no_agent_can_take_the_call():
    assert expected_wait(1, [], 180) is None


def test_position_must_be_positive():
    with pytest.raises(ValueError):
        expected_wait(0, [1.0], 10)


def test_remaining_never_negative_after_a_long_call():
    assert remaining_for(30, 180) == 150
    assert remaining_for(400, 180) == 10.0
    assert remaining_for(400, 20) == 2.0
