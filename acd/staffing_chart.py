"""`acd staffing --chart`: the need per interval (on the phones, and seats with shrinkage)
against the shifts' cover, as PNG or SVG (matplotlib, no display)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit

import matplotlib.pyplot as plt


def draw(
    labels: Sequence[str],
    agents: Sequence[int],
    seats: Sequence[int],
    scheduled: Sequence[int] | None,
    out: Path,
    title: str,
) -> None:
    """Steps, one per interval: a plan is read as 'from this start, this many'."""
    figure, axes = plt.subplots(figsize=(11, 4))
    try:
        xs = range(len(labels) + 1)  # the last interval drawn to its end too

        def steps(values: Sequence[int], label: str, gid: str) -> None:
            axes.step(xs, [*values, values[-1]], where="post", label=label, gid=gid)

        steps(agents, "agents needed (on the phones)", "agents")
        steps(seats, "seats needed (with shrinkage)", "seats")
        if scheduled is not None:
            steps(scheduled, "scheduled (shift plan)", "scheduled")
        step = max(1, len(labels) // 25)
        axes.set_xticks(list(xs)[:-1:step], list(labels)[::step])
        axes.tick_params(axis="x", labelrotation=45)
        axes.set_ylabel("agents")
        axes.set_ylim(bottom=0)
        axes.set_title(title)
        axes.legend(loc="best", fontsize="small")
        figure.tight_layout()
        figure.savefig(out, format=out.suffix[1:])
    finally:
        plt.close(figure)
