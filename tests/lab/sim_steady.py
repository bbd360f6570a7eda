"""The textbook case in steady state: one queue, Poisson arrivals at a constant rate,
exponential talk, optionally exponential patience; batch means over one long run. What the
validation against Erlang C and A (tests/sim, docs/simulator.md) runs."""

from __future__ import annotations

from acd.sim import arrivals, engine, stats
from acd.sim.scenario import one_queue


def steady_state(
    agents: int,
    erlangs: float,
    aht: float = 180.0,
    calls: int = 300_000,
    batches: int = 30,
    patience: float | None = None,
    seed: int = 1,
) -> dict[str, stats.Estimate | None]:
    """`erlangs` of offered load on `agents`; `calls` split into `batches` batches after one
    warm-up batch of the same size."""
    per_batch = calls / batches
    length = per_batch * aht / erlangs  # seconds per batch
    scenario = one_queue([agents] * (batches + 2), aht, patience=patience, interval=length)
    rng = stats.rng_for(seed, 0)
    feed = arrivals.poisson(rng, {"q": [per_batch] * (batches + 1)}, interval=length)
    return stats.batch_means(engine.simulate(scenario, feed, rng), warmup=1)
