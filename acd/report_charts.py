"""The report's charts as PNG or SVG (matplotlib, no display): volume, service level, answered
against abandoned, handle time, per interval, one line or bar series per key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit

import matplotlib.pyplot as plt

SERIES = {  # chart -> (figures drawn, y label)
    "volume": (("offered",), "calls offered"),
    "service_level": (("service_level",), "service level"),
    "answered_abandoned": (("answered", "abandoned"), "calls"),
    "handle_time": (("aht",), "average handle time (s)"),
}


def draw(rows: list[dict[str, Any]], chart: str, out: Path, title: str) -> None:
    names, label = SERIES[chart]
    ticks = sorted({(r["day"], r["label"]) for r in rows})
    where = {tick: i for i, tick in enumerate(ticks)}
    figure, axes = plt.subplots(figsize=(10, 4))
    try:
        for key in sorted({r["key"] for r in rows}):
            mine = [r for r in rows if r["key"] == key]
            for name in names:
                points = [(where[(r["day"], r["label"])], r[name]) for r in mine if r[name] is not None]
                if points:
                    xs, ys = zip(*points)
                    axes.plot(
                        xs,
                        ys,
                        marker="o",
                        label=f"{key} {name}" if len(names) > 1 else key,
                        gid=f"{key}-{name}",
                    )
        axes.set_xticks(
            range(len(ticks)), [f"{d[5:]} {t}" if len({d for d, _ in ticks}) > 1 else t for d, t in ticks]
        )
        axes.tick_params(axis="x", labelrotation=45)
        axes.set_ylabel(label)
        axes.set_title(title)
        if chart == "service_level":
            axes.set_ylim(0, 1.05)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="best", fontsize="small")
        figure.tight_layout()
        figure.savefig(out, format=out.suffix[1:])
    finally:
        plt.close(figure)
