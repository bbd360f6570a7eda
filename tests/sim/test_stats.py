"""The intervals: Student's t on independent samples, runs seeded per replication."""

from __future__ import annotations

import math

from acd.sim import stats


def test_a_t_interval_of_known_samples():
    found = stats.estimate([1.0, 2.0, 3.0, 4.0])
    assert found is not None and found.mean == 2.5
    assert math.isclose(found.half, 3.182446 * math.sqrt(5.0 / 3.0) / 2.0, rel_tol=1e-5)
    assert found.covers(1.0) and not found.covers(0.0)


def test_no_samples_or_one():
    assert stats.estimate([]) is None
    one = stats.estimate([7.0])
    assert one is not None and one.n == 1 and math.isnan(one.half)


def test_each_replication_has_its_own_stream_and_keeps_it():
    assert stats.rng_for(1, 0).random() == stats.rng_for(1, 0).random()
    assert stats.rng_for(1, 0).random() != stats.rng_for(1, 1).random()
