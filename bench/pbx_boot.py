"""Time from nothing to a booted PBX, and warm boots, on this machine.

    python bench/pbx_boot.py                 # warm boots of the cached rootfs (5 runs)
    python bench/pbx_boot.py --from-scratch  # also debootstrap a new rootfs into a temp folder

Prints the figures; asserts nothing. Needs root.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from acd import config as config_module
from acd.pbx import rootfs
from acd.pbx.control import Pbx


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def boots(config: config_module.Config, runs: int) -> list[tuple[float, float]]:
    pbx = Pbx(config)
    quiet = lambda line: None
    pbx.down(say=quiet)
    figures = []
    for _ in range(runs):
        seconds = pbx.up(say=quiet)
        figures.append((seconds, rss_mb(pbx.pid())))
        pbx.down(say=quiet)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from-scratch", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = config_module.load()
    with tempfile.TemporaryDirectory(prefix="acd-bench-") as scratch:
        if args.from_scratch:
            fresh = Path(scratch) / "rootfs"
            build_s = rootfs.build(fresh, say=lambda line: None)
            config = config.model_copy(
                update={
                    "pbx": config.pbx.model_copy(
                        update={"rootfs": str(fresh), "state_dir": str(Path(scratch) / "state")}
                    )
                }
            )
            first_boot = boots(config, 1)[0][0]
            print(
                f"from nothing: rootfs {build_s:.1f} s + first boot {first_boot:.2f} s "
                f"= {build_s + first_boot:.1f} s"
            )
        figures = boots(config, args.runs)
        if args.from_scratch:
            rootfs.remove(Path(config.pbx.rootfs))
    times = [f[0] for f in figures]
    print(
        f"boot to FullyBooted, {args.runs} runs: min {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s, max {max(times):.3f} s; "
        f"RSS after boot {statistics.median(f[1] for f in figures):.0f} MB"
    )


if __name__ == "__main__":
    main()
