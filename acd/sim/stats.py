"""From runs to figures with 95 % confidence intervals: replications (independent seeded runs,
one mean per run) for a day, batch means (one long run cut into equal batches after a
warm-up) for a steady state; Student's t either way."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from acd.sim.arrivals import Arrival
from acd.sim.engine import Result, simulate
from acd.sim.scenario import Scenario
from acd.sim.tally import FIGURES

ArrivalsFor = Callable[[random.Random], Iterable[Arrival]]


@dataclass(frozen=True)
class Estimate:
    mean: float
    half: float  # the confidence interval's half-width (nan with fewer than two samples)
    n: int

    def covers(self, value: float) -> bool:
        return abs(self.mean - value) <= self.half

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.half:.2g}"


def estimate(samples: Sequence[float], level: float = 0.95) -> Estimate | None:
    """Mean and t-interval of independent (or batch-mean) samples; None without samples."""
    if not samples:
        return None
    mean = statistics.fmean(samples)
    if len(samples) < 2:
        return Estimate(mean, math.nan, 1)
    from scipy import stats as scipy_stats  # type: ignore[import-untyped]  # 0.3 s to import: when asked

    t = float(scipy_stats.t.ppf((1.0 + level) / 2.0, len(samples) - 1))
    return Estimate(mean, t * statistics.stdev(samples) / math.sqrt(len(samples)), len(samples))


def rng_for(seed: int, replication: int) -> random.Random:
    """One stream per replication, the same for a seed on every run and machine."""
    return random.Random(f"acd-sim/{seed}/{replication}")


def replicate(scenario: Scenario, arrivals: ArrivalsFor, seed: int, replications: int) -> list[Result]:
    results = []
    for i in range(replications):
        rng = rng_for(seed, i)
        results.append(simulate(scenario, arrivals(rng), rng))
    return results


def figure_samples(
    results: Sequence[Result], name: str, first: int, last: int | None, queue: str | None = None
) -> list[float]:
    """One value per run over intervals first..last and one queue or all (runs where it is
    undefined are left out; occupancy is the center's: an agent works for all their queues)."""
    values = []
    for result in results:
        value = (
            result.occupancy(first, last)
            if name == "occupancy"
            else result.tally(first, last, queue).figures()[name]
        )
        if value is not None:
            values.append(value)
    return values


def summary(
    results: Sequence[Result], first: int = 0, last: int | None = None, queue: str | None = None
) -> dict[str, Estimate | None]:
    """Every figure over intervals first..last (one queue, or all), across replications."""
    names = (*FIGURES, "occupancy")
    return {name: estimate(figure_samples(results, name, first, last, queue)) for name in names}


def batch_means(result: Result, warmup: int) -> dict[str, Estimate | None]:
    """A steady-state run whose intervals are the batches: each interval after the warm-up is
    one sample (the batches must be long against the queue's relaxation time)."""
    batches = range(warmup, result.intervals() - 1)  # the last holds the drain after arrivals end
    names = (*FIGURES, "occupancy")
    out: dict[str, Estimate | None] = {}
    for name in names:
        samples = []
        for i in batches:
            value = result.occupancy(i, i) if name == "occupancy" else result.tally(i, i).figures()[name]
            if value is not None:
                samples.append(value)
        out[name] = estimate(samples)
    return out
