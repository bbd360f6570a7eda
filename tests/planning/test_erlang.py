"""Erlang B, C and A against published figures and against independent exact computations.

Published Erlang C example: the CRAN package ErlangC 0.1.0 (Damonsoul, 2024), README
(stat.ethz.ch/CRAN/web/packages/ErlangC/readme/README.html), which works the classic
callcentrehelper.com example: 100 calls per 30 minutes, AHT 180 s (10 Erlangs), 20 s target.
It prints for 14 agents P(wait) 0.1741319, service level 0.88835, ASA 7.83593701177724 s,
occupancy 0.7142857; and for 11 agents P(wait) 0.6821182, service level 0.3896138.
Erlang B: the textbook table's offered load at 1 % blocking (e.g. any Erlang B table:
5 lines 1.36 E, 10 lines 4.46 E, 20 lines 12.03 E, 50 lines 37.90 E, 100 lines 84.06 E)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from acd.planning import erlang


def exact_erlang_c(agents: int, erlangs: Fraction) -> Fraction:
    """The textbook formula with factorials, in exact rationals (independent of the code)."""
    top = erlangs**agents / math.factorial(agents) * Fraction(agents) / (agents - erlangs)
    return top / (sum(erlangs**k / math.factorial(k) for k in range(agents)) + top)


def exact_erlang_b(agents: int, erlangs: Fraction) -> Fraction:
    last = erlangs**agents / math.factorial(agents)
    return last / sum(erlangs**k / math.factorial(k) for k in range(agents + 1))


@pytest.mark.parametrize(
    ("agents", "p_wait", "sl", "asa", "occ"),
    [(14, 0.1741319, 0.88835, 7.83593701177724, 0.7142857), (11, 0.6821182, 0.3896138, None, None)],
)
def test_the_published_erlang_c_example(agents, p_wait, sl, asa, occ):
    """ErlangC 0.1.0's README (see the module docstring): 10 Erlangs, AHT 180 s, 20 s."""
    assert erlang.erlang_c(agents, 10.0) == pytest.approx(p_wait, abs=5e-8)
    assert erlang.service_level(agents, 10.0, 180, 20) == pytest.approx(sl, abs=5e-6)
    if asa is not None:
        assert erlang.asa(agents, 10.0, 180) == pytest.approx(asa, abs=1e-9)
        assert erlang.occupancy(agents, 10.0) == pytest.approx(occ, abs=5e-8)


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 20, 60])
def test_erlang_c_matches_the_factorial_formula_exactly(agents):
    load = Fraction(10) if agents < 60 else Fraction(5251, 100)
    exact = exact_erlang_c(agents, load)
    assert erlang.erlang_c(agents, float(load)) == pytest.approx(float(exact), rel=1e-12)
    sl = 1 - exact * math.exp(-(agents - load) * 20 / 180)
    assert erlang.service_level(agents, float(load), 180, 20) == pytest.approx(float(sl), rel=1e-12)
    assert erlang.asa(agents, float(load), 180) == pytest.approx(
        float(exact * 180 / (agents - load)), rel=1e-12
    )


@pytest.mark.parametrize(("lines", "load"), [(5, 1.36), (10, 4.46), (20, 12.03), (50, 37.90), (100, 84.06)])
def test_erlang_b_against_the_table_at_one_percent(lines, load):
    assert erlang.erlang_b(lines, load) == pytest.approx(0.01, abs=2e-4)  # the table rounds A to 0.01
    exact = exact_erlang_b(lines, Fraction(str(load)))
    assert erlang.erlang_b(lines, load) == pytest.approx(float(exact), rel=1e-12)


def test_edges():
    assert erlang.erlang_b(0, 3.0) == 1.0 and erlang.erlang_b(4, 0.0) == 0.0
    assert erlang.erlang_c(10, 10.0) == 1.0 and erlang.asa(10, 12.0, 180) == math.inf
    assert erlang.service_level(10, 11.0, 180, 20) == 0.0 and erlang.occupancy(0, 1.0) == 1.0
    with pytest.raises(ValueError):
        erlang.erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        erlang.erlang_c(3, math.nan)


def test_hundreds_of_agents_stay_finite():
    """500 agents at 480 Erlangs: factorials would overflow a float at 171."""
    c = erlang.erlang_c(500, 480.0)
    assert 0 < c < 1 and math.isfinite(erlang.asa(500, 480.0, 300))
    assert 0 < erlang.service_level(500, 480.0, 300, 20) < 1
    assert erlang.erlang_b(500, 50.0) < 1e-300 or erlang.erlang_b(500, 50.0) == 0.0
    a = erlang.erlang_a(500, 480.0, 300, 600, 20)
    assert all(math.isfinite(v) for v in vars(a).values()) and 0 < a.p_abandon < a.p_wait < 1
    over = erlang.erlang_a(500, 600.0, 300, 600, 20)  # overloaded: Erlang A still has a steady state
    assert all(math.isfinite(v) for v in vars(over).values()) and over.p_abandon > 0.1


def chain(agents: int, erlangs: float, aht: float, patience: float, target: float) -> dict[str, float]:
    """M/M/n+M solved as a truncated birth-death chain (numpy), and the tagged caller's own
    absorbing chain (position in the queue -> answered / abandoned) through a matrix exponential."""
    mu, theta = 1 / aht, 1 / patience
    lam = erlangs * mu
    size = agents + 4000
    log_p = np.zeros(size)
    for k in range(1, size):
        log_p[k] = log_p[k - 1] + math.log(lam / (min(k, agents) * mu + max(k - agents, 0) * theta))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(np.arange(size) - agents, 0)
    p_wait, p_abandon = p[agents:].sum(), theta * (queue * p).sum() / lam
    ahead = p[agents:]
    ahead = ahead[: max(50, int(np.nonzero(ahead > 1e-18 * ahead.max())[0].max()) + 1)]
    m = len(ahead)  # tagged caller's states: i callers ahead, then answered (m), abandoned (m + 1)
    q = np.zeros((m + 2, m + 2))
    for i in range(m):
        q[i, i - 1 if i else m] = agents * mu + i * theta
        q[i, m + 1] = theta
        q[i, i] = -q[i].sum()
    start = np.zeros(m + 2)
    start[:m] = ahead
    answered_waiting = (start @ linalg.expm(q * target))[m]
    fundamental = np.linalg.inv(-q[:m, :m])
    exit_answered = np.zeros(m)
    exit_answered[0] = agents * mu
    wait_answered = start[:m] @ fundamental @ fundamental @ exit_answered
    return {
        "p_wait": p_wait,
        "p_abandon": p_abandon,
        "service_level": 1 - p_wait + answered_waiting,
        "asa": wait_answered / (1 - p_abandon),
        "mean_wait": (queue * p).sum() / lam,
    }


@pytest.mark.parametrize(
    ("agents", "erlangs", "aht", "patience"),
    [
        (11, 10.0, 180, 120),
        (14, 10.0, 180, 60),
        (50, 48.0, 300, 200),
        (40, 45.0, 300, 100),
        (5, 1.0, 300, 60),
    ],
)
def test_erlang_a_against_the_birth_death_chain(agents, erlangs, aht, patience):
    mine = erlang.erlang_a(agents, erlangs, aht, patience, 20)
    other = chain(agents, erlangs, aht, patience, 20)
    for name, value in other.items():
        assert getattr(mine, name) == pytest.approx(value, rel=1e-6, abs=1e-9), name


def test_erlang_a_with_endless_patience_is_erlang_c():
    a = erlang.erlang_a(14, 10.0, 180, 1e9, 20)
    assert a.p_wait == pytest.approx(erlang.erlang_c(14, 10.0), rel=1e-5)
    assert a.service_level == pytest.approx(erlang.service_level(14, 10.0, 180, 20), rel=1e-5)
    assert a.p_abandon < 1e-6


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(1, 300),
    load=st.floats(0.01, 1.5),
    aht=st.floats(30, 900),
    patience=st.floats(5, 1200),
    target=st.floats(0, 120),
)
def test_erlang_a_is_a_coherent_set_of_shares(agents, load, aht, patience, target):
    a = erlang.erlang_a(agents, agents * load, aht, patience, target)
    assert 0 <= a.p_abandon <= a.p_wait <= 1 and 0 <= a.occupancy <= 1
    assert 1 - a.p_wait - 1e-9 <= a.service_level <= 1 - a.p_abandon + 1e-9
    assert math.isfinite(a.asa) and 0 <= a.asa <= a.mean_wait / max(1 - a.p_abandon, 1e-12) + 1e-6


@settings(max_examples=60, deadline=None)
@given(agents=st.integers(1, 600), load=st.floats(0.0, 0.999))
def test_erlang_c_falls_with_each_agent_added(agents, load):
    erlangs = agents * load
    assert 0 <= erlang.erlang_c(agents + 1, erlangs) <= erlang.erlang_c(agents, erlangs) <= 1
    assert erlang.erlang_b(agents, erlangs) <= erlang.erlang_c(agents, erlangs) + 1e-15
