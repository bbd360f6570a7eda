"""The backoff: free tries, then a doubling wait up to a cap; forgotten after a quiet while;
records read back from outside refused when odd."""

from __future__ import annotations

import math

import pytest

from acd.core.throttle import Backoff, Record, Throttle, failed, wait

RULES = Backoff(free=3, base=2.0, cap=60.0, forget=600.0)


def after(failures: int, at: float = 100.0) -> Record:
    record = Record()
    for _ in range(failures):
        record = failed(record, RULES, at)
    return record


@pytest.mark.parametrize("failures, expected", [(0, 0), (3, 0), (4, 2), (5, 4), (6, 8), (9, 60), (50, 60)])
def test_the_wait_doubles_past_the_free_tries_up_to_the_cap(failures, expected):
    assert wait(after(failures), RULES, 100.0) == expected


def test_the_wait_runs_out_and_a_quiet_key_starts_afresh():
    record = after(6)
    assert wait(record, RULES, 104.0) == 4.0
    assert wait(record, RULES, 108.0) == 0.0
    assert failed(record, RULES, 100.0 + 600.0).failures == 1


def test_a_throttle_takes_the_longest_wait_of_its_keys_and_success_clears_one():
    throttle = Throttle(RULES)
    for _ in range(5):
        throttle.fail(["number:9001", "address:127.0.0.1"], 10.0)
    throttle.fail(["address:127.0.0.1"], 10.0)
    assert throttle.wait(["number:9001", "address:127.0.0.1"], 10.0) == 8.0
    throttle.succeed(["address:127.0.0.1"])
    assert throttle.wait(["number:9001", "address:127.0.0.1"], 10.0) == 4.0
    throttle.forget_quiet(10.0 + 600.0)
    assert throttle.records == {}


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"failures": -1, "last": 0},
        {"failures": True, "last": 0},
        {"failures": 1, "last": math.inf},
        {"failures": 1, "last": "0"},
        {"failures": 10**9, "last": 0},
        {"last": 1.0},
    ],
)
def test_records_from_outside_are_checked(data):
    with pytest.raises(ValueError):
        Record.from_dict(data)


def test_a_record_survives_the_round_trip():
    record = after(5, at=1234.5)
    assert Record.from_dict(record.as_dict()) == record
