"""Erlang B, C and A: the queueing formulas a contact center is staffed by (docs/planning.md).

`erlangs` is the offered load A = arrival rate x AHT; times are in seconds. Nothing here uses a
factorial: Erlang B comes from its recursion (in log space, so 1/B never overflows), Erlang C
from Erlang B, and Erlang A (M/M/n+M, exponential patience) from the birth-death chain's
closed forms (Garnett, Mandelbaum and Reiman 2002; Mandelbaum and Zeltyn 2007) with the
chain's tail as an incomplete gamma function, so 500 agents at 480 Erlangs stay finite."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


def _check(agents: int, erlangs: float) -> None:
    if agents < 0 or not math.isfinite(erlangs) or erlangs < 0:
        raise ValueError(f"need agents >= 0 and a finite load >= 0 (got {agents}, {erlangs})")


def log_inverse_erlang_b(agents: int, erlangs: float) -> float:
    """log(1/B): the recursion 1/B(n) = 1 + (n/A)/B(n-1), kept in logs because 1/B outgrows
    a float long before B stops mattering (500 agents at 50 Erlangs)."""
    _check(agents, erlangs)
    if agents == 0:
        return 0.0
    if erlangs == 0:
        return math.inf
    log_a, log_r = math.log(erlangs), 0.0
    for n in range(1, agents + 1):
        log_r = _log_one_plus_exp(math.log(n) - log_a + log_r)
    return log_r


def _log_one_plus_exp(x: float) -> float:
    """log(1 + e^x) without overflow: numpy's logaddexp(0, x), by the same formula."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def erlang_b(agents: int, erlangs: float) -> float:
    """Blocking probability of `agents` servers (or trunk channels) with no queue."""
    return math.exp(-log_inverse_erlang_b(agents, erlangs))


def erlang_c(agents: int, erlangs: float) -> float:
    """P(wait) in M/M/n: C = nB / (n - A(1 - B)), and 1 once the load reaches the agents
    (the queue then grows without end)."""
    _check(agents, erlangs)
    if erlangs >= agents:
        return 1.0
    b = erlang_b(agents, erlangs)
    return agents * b / (agents - erlangs * (1.0 - b))


def asa(agents: int, erlangs: float, aht: float) -> float:
    """Average speed of answer over all calls (those answered at once count 0 s)."""
    if erlangs >= agents:
        return math.inf
    return erlang_c(agents, erlangs) * aht / (agents - erlangs)


def service_level(agents: int, erlangs: float, aht: float, target: float) -> float:
    """Share of calls answered within `target` seconds: 1 - C e^{-(n - A) t / AHT}."""
    if erlangs >= agents:
        return 0.0
    return 1.0 - erlang_c(agents, erlangs) * math.exp(-(agents - erlangs) * target / aht)


def occupancy(agents: int, erlangs: float) -> float:
    """Share of the agents' time on calls (talk and wrap-up): A / n, at most 1."""
    return min(1.0, erlangs / agents) if agents else 1.0


@dataclass(frozen=True)
class ErlangA:
    """M/M/n+M figures. Shares are over all offered calls; `asa` is the mean wait of the
    answered, `mean_wait` over everyone (the abandoned included), which is what holds a line."""

    p_wait: float
    p_abandon: float
    service_level: float  # answered within the target; abandons before it count as missed
    asa: float
    mean_wait: float
    occupancy: float  # answered load over the agents


def _log_tail(x: float, y: float) -> float:
    """log A(x, y), A = 1 + sum_j y^j / ((x+1)...(x+j)) = x e^y y^-x gamma(x, y): the queue's
    states relative to the all-busy state (x = n mu / theta, y = lambda / theta)."""
    if y == 0:
        return 0.0
    from scipy import special  # type: ignore[import-untyped]  # scipy costs 0.5 s to import: for planning only

    p = float(special.gammainc(x, y))
    if p > 1e-250:
        return math.log(x) + y - x * math.log(y) + float(special.gammaln(x)) + math.log(p)
    # far below capacity the regularised gamma underflows; the series is then short
    total, log_term, j = 1.0, 0.0, 1
    while True:
        log_term += math.log(y / (x + j))
        term = math.exp(log_term)
        total += term
        if term < 1e-17 * total:
            return math.log(total)
        j += 1


def erlang_a(agents: int, erlangs: float, aht: float, patience: float, target: float) -> ErlangA:
    """Erlang A: callers leave after an exponential patience of mean `patience` seconds.

    The virtual wait V of an arriving caller (time to an agent if they never left) has, on
    the event that they wait, the defective density g(t) = pi_n n mu exp(-n mu t +
    y (1 - e^{-theta t})); they are answered iff their patience outlasts V, so the answered
    within t are the integral of e^{-theta s} g(s) to t (a one-dimensional quadrature)."""
    _check(agents, erlangs)
    if patience <= 0 or aht <= 0:
        raise ValueError("patience and AHT must be positive")
    if agents == 0:
        return ErlangA(1.0, 1.0, 0.0, 0.0, patience, 0.0)
    if erlangs == 0:
        return ErlangA(0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    mu, theta = 1.0 / aht, 1.0 / patience
    lam = erlangs * mu
    x, y, rho = agents * mu / theta, lam / theta, erlangs / agents
    log_tail = _log_tail(x, y)
    log_b = -log_inverse_erlang_b(agents, erlangs)
    # P(wait) = pi_n A with pi_n = 1 / (1/B + A - 1): in logs, z = log(B A)
    z = log_b + log_tail
    p_wait = 1.0 / (1.0 + (1.0 - math.exp(log_b)) * math.exp(-z)) if z > -700 else math.exp(z)
    # P(abandon | wait) = 1 - (1 - 1/A) / rho; expm1 keeps 1 - 1/A exact when A is near 1
    p_abandon = p_wait * (1.0 + math.expm1(-log_tail) / rho)
    p_abandon = min(max(p_abandon, 0.0), p_wait)
    log_pi_n = math.log(p_wait) - log_tail if p_wait > 0 else -math.inf
    rate = agents * mu

    def answered(t: float) -> float:  # e^{-theta t} g(t)
        return math.exp(log_pi_n + math.log(rate) - (rate + theta) * t + y * -math.expm1(-theta * t))

    scale = 1.0 / (rate + theta)  # no longer than the slowest decay; quad needs a hint of size
    within = _integral(answered, target, scale) if p_wait > 0 else 0.0
    served_waiting = p_wait - p_abandon
    wait_served = _integral(lambda t: t * answered(t), math.inf, scale) if served_waiting > 1e-300 else 0.0
    p_served = 1.0 - p_abandon
    return ErlangA(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=min(1.0, 1.0 - p_wait + within),
        asa=wait_served / p_served if p_served > 0 else math.inf,
        mean_wait=p_abandon * patience,  # Little: E[queue] / lambda, and theta E[queue] / lambda = P(ab)
        occupancy=min(1.0, erlangs * p_served / agents),
    )


def _integral(f: Callable[[float], float], upper: float, scale: float) -> float:
    """quad over [0, upper] in pieces of the integrand's own scale (a narrow peak near 0
    is otherwise missed by quad's first look at a long interval)."""
    from scipy import integrate

    total, start, width = 0.0, 0.0, 20.0 * scale
    while start < upper:
        end = min(upper, start + width)
        piece = float(integrate.quad(f, start, end, limit=200, epsabs=1e-14, epsrel=1e-10)[0])
        total += piece
        if math.isinf(upper) and piece <= 1e-16 * max(total, 1e-300):
            break
        start, width = end, width * 2.0
    return total
