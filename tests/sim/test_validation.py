"""The simulator against the formulas: Erlang C (no abandonment) and Erlang A (exponential
patience, by its birth-death chain), each computed here independently of acd/planning.
A figure passes inside its 95 % batch-means interval or within 2 % of the formula; the
intervals are also asked to be narrow enough to mean something."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm  # type: ignore[import-untyped]

from tests.lab.sim_steady import steady_state

AGENTS, AHT, T = 20, 180.0, 20.0
WIDEST = 0.15  # a 95 % half-width above 15 % of the value would prove little
CALLS = {0.67: 400_000, 0.8: 300_000, 0.9: 500_000, 0.95: 1_000_000}  # near 1, longer relaxation


def erlang_c(agents: int, erlangs: float) -> float:
    """P(wait) from Erlang B's recursion B(k) = aB(k-1) / (k + aB(k-1))."""
    b = 1.0
    for k in range(1, agents + 1):
        b = erlangs * b / (k + erlangs * b)
    return agents * b / (agents - erlangs * (1.0 - b))


def erlang_a(
    agents: int, erlangs: float, aht: float, patience: float, target: float, states: int = 2000
) -> dict[str, float]:
    """M/M/c+M by its birth-death chain, then a tagged arrival's position in the queue as an
    absorbing chain (served, or gave up) for its wait: P(wait), the share abandoning, the
    mean wait of all, ASA, our service level and Erlang A's (over all who ended)."""
    lam, mu, theta = erlangs / aht, 1.0 / aht, 1.0 / patience
    n = np.arange(states)
    deaths = np.minimum(n, agents) * mu + np.maximum(n - agents, 0) * theta
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(deaths[1:]))])
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queued = float((np.maximum(n - agents, 0) * pi).sum())
    start = pi[agents:]  # an arrival finding agents + j others waits at position j + 1 (PASTA)
    k = int(np.nonzero(start > 1e-14 * start.max())[0].max()) + 1
    start = start[:k]
    q = np.zeros((k + 2, k + 2))  # positions 1..k, then served (k) and gave up (k + 1)
    for j in range(k):
        forward = agents * mu + j * theta  # an agent frees, or one of the j ahead gives up
        q[j, j - 1 if j else k] = forward
        q[j, k + 1] = theta
        q[j, j] = -(forward + theta)
    by_target = expm(q * target)[:k]
    within, gave_up_early = float(start @ by_target[:, k]), float(start @ by_target[:, k + 1])
    served = np.linalg.solve(-q[:k, :k], q[:k, k])  # P(served | position)
    wait_if_served = np.linalg.solve(-q[:k, :k], served)  # E[wait; served | position]
    abandon = theta * queued / lam
    answered_in = 1.0 - float(start.sum()) + within
    return {
        "p_wait": float(start.sum()),
        "abandon_rate": abandon,
        "mean_wait": queued / lam,
        "asa": float(start @ wait_if_served) / (1.0 - abandon),
        "service_level": answered_in / (1.0 - gave_up_early),  # answered + abandoned after T
        "sl_offered": answered_in,
    }


def close(estimate, exact: float) -> bool:
    return estimate.covers(exact) or abs(estimate.mean - exact) <= 0.02 * abs(exact)


@pytest.mark.parametrize("occupancy", sorted(CALLS))
def test_erlang_c(occupancy):
    erlangs = occupancy * AGENTS
    p_wait = erlang_c(AGENTS, erlangs)
    exact = {
        "p_wait": p_wait,
        "asa": p_wait * AHT / (AGENTS - erlangs),
        "service_level": 1.0 - p_wait * math.exp(-(AGENTS - erlangs) * T / AHT),
        "occupancy": occupancy,
    }
    found = steady_state(AGENTS, erlangs, AHT, CALLS[occupancy])
    for name, value in exact.items():
        assert close(found[name], value), (name, str(found[name]), value)
        assert found[name].half <= WIDEST * value, (name, "interval too wide to mean anything")


@pytest.mark.parametrize("load", [0.8, 0.9, 1.05])
def test_erlang_a(load):
    erlangs, patience = load * AGENTS, 300.0
    exact = erlang_a(AGENTS, erlangs, AHT, patience, T)
    found = steady_state(AGENTS, erlangs, AHT, 250_000, patience=patience)
    for name, value in exact.items():
        assert close(found[name], value), (name, str(found[name]), value)
        assert found[name].half <= WIDEST * value, (name, "interval too wide to mean anything")
