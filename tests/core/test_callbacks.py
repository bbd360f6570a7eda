"""Callback retries and give-up rules."""

from __future__ import annotations

from acd.core.callbacks import Callback, Rules, Status, after_attempt, due, overdue

RULES = Rules(attempts=3, retry_after=60, give_up_after=3600)
FRESH = Callback("c1", "0301234", "support", 4, 0, created=1000.0)


def test_answered_is_done():
    assert after_attempt(FRESH, "ANSWER", 1100, RULES).status is Status.DONE


def test_failure_retries_later_at_the_front():
    after = after_attempt(FRESH, "NOANSWER", 1100, RULES)
    assert (after.status, after.attempts, after.due, after.position) == (Status.RETRY, 1, 1160, 1)
    assert not due(after, 1159, RULES) and due(after, 1160, RULES)


def test_gives_up_after_the_last_attempt():
    cb = FRESH
    for status in ("BUSY", "NOANSWER"):
        cb = after_attempt(cb, status, 1100, RULES)
        assert cb.status is Status.RETRY
    assert after_attempt(cb, "CONGESTION", 1200, RULES).status is Status.GIVEN_UP


def test_gives_up_when_too_old():
    assert after_attempt(FRESH, "BUSY", 1000 + 3600, RULES).status is Status.GIVEN_UP
    retry = after_attempt(FRESH, "BUSY", 1100, RULES)
    assert not due(retry, 1000 + 3600, RULES)


def test_a_retry_or_a_wait_past_the_give_up_age_is_overdue_a_finished_one_never():
    """Its next try would come too late: it is given up whatever its status still says."""
    retry = after_attempt(FRESH, "BUSY", 1100, RULES)
    assert not overdue(retry, 1000 + 3599, RULES) and overdue(retry, 1000 + 3600, RULES)
    assert overdue(FRESH, 1000 + 3600, RULES)
    done = after_attempt(FRESH, "ANSWER", 1100, RULES)
    assert done.finished and not overdue(done, 10**9, RULES)


def test_round_trip_through_a_dict():
    assert Callback.from_dict(FRESH.as_dict()) == FRESH
