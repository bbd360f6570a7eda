"""The simulator against the formulas, as docs/simulator.md's validation table.

    python bench/sim_validation.py

One queue, 20 agents, AHT 180 s, T = 20 s, Poisson arrivals and exponential talk; batch
means over one long run (30 batches after a warm-up batch). Erlang C (no abandonment) at
occupancies 0.67-0.95 and Erlang A (patience 300 s) at loads 0.8, 0.9 and 1.05, both from
acd/planning/erlang.py (tests/sim/test_validation.py checks against formulas of its own).
Prints a Markdown table and the run time of each row.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/lab: the steady-state run

from acd.planning import erlang
from acd.sim.stats import Estimate
from tests.lab.sim_steady import steady_state

AGENTS, AHT, T, PATIENCE = 20, 180.0, 20.0, 300.0
C_CALLS = {0.67: 400_000, 0.8: 300_000, 0.9: 500_000, 0.95: 1_000_000}


def row(case: str, name: str, exact: float, found: Estimate | None) -> str:
    assert found is not None
    mark = "yes" if found.covers(exact) else f"{abs(found.mean - exact) / exact:.1%} off"
    return f"| {case} | {name} | {exact:.4g} | {found} | {mark} |"


def main() -> None:
    print("| case | figure | formula | simulator (95 % CI) | inside CI |")
    print("|---|---|---|---|---|")
    for rho, calls in C_CALLS.items():
        a = rho * AGENTS
        t0 = time.perf_counter()
        found = steady_state(AGENTS, a, AHT, calls)
        case = f"Erlang C ρ={rho}, {calls // 1000}k calls ({time.perf_counter() - t0:.1f} s)"
        exact = {
            "p_wait": erlang.erlang_c(AGENTS, a),
            "asa": erlang.asa(AGENTS, a, AHT),
            "service_level": erlang.service_level(AGENTS, a, AHT, T),
            "occupancy": erlang.occupancy(AGENTS, a),
        }
        for name, value in exact.items():
            print(row(case, name, value, found[name]))
    for rho in (0.8, 0.9, 1.05):
        a = rho * AGENTS
        t0 = time.perf_counter()
        found = steady_state(AGENTS, a, AHT, 250_000, patience=PATIENCE)
        case = (
            f"Erlang A load {rho}, patience {PATIENCE:.0f} s, 250k calls ({time.perf_counter() - t0:.1f} s)"
        )
        ea = erlang.erlang_a(AGENTS, a, AHT, PATIENCE, T)
        exact = {
            "p_wait": ea.p_wait,
            "abandon_rate": ea.p_abandon,
            "asa": ea.asa,
            "mean_wait": ea.mean_wait,
            "sl_offered": ea.service_level,
        }
        for name, value in exact.items():
            print(row(case, name, value, found[name]))


if __name__ == "__main__":
    main()
