"""Caller-ID lookup latency: the daemon's FastAGI route vs a process-per-call pyst2 script.

    python bench/agi_lookup.py [--url sqlite:///var/store/acd.sqlite3] [--url postgresql+psycopg://...]
                               [--rate 200] [--seconds 20]

Fill each store first (`acd customers generate --count 1000000`); every --url is measured in
the same run, then the pyst2 script (on the SQLite store) at a low rate and at the same rate.
A fake Asterisk (agi_load.py) opens AGI sessions at a fixed rate for callers drawn from the
store (90 % known, 10 % unknown) and times each session from connect to close. The daemon
runs as `acd run`, with the greeting off (this measures the lookup, not text-to-speech) and
no PBX (its AMI link just keeps retrying). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import agi_load
from daemon_run import start_daemon
from sqlalchemy.engine import make_url

from acd import config as config_module
from acd.pbx.render import install_fallback
from acd.store import db
from acd.store.models import PhoneNumber

AGI_PORT, HTTP_PORT, DEAD_AMI_PORT = 4773, 8780, 5998


def sample_callers(url: str, count: int) -> list[str]:
    """Known numbers in national form (so normalisation is exercised) plus unknown ones."""
    rng = random.Random(5)
    with db.engine(url).connect() as connection:
        top = connection.scalar(select(func.max(PhoneNumber.id)))
        ids = [rng.randrange(1, top + 1) for _ in range(count)]
        known = connection.scalars(select(PhoneNumber.number).where(PhoneNumber.id.in_(ids))).all()
    callers = ["0" + n[3:] for n in known]
    callers += [f"0{rng.randrange(10**9, 10**10)}" for _ in range(len(callers) // 9)]
    rng.shuffle(callers)
    return callers


async def measure(args: argparse.Namespace, scratch: Path) -> None:
    for url in args.url:
        await measure_daemon(args, url, scratch)
    sqlite_url = next((u for u in args.url if u.startswith("sqlite")), None)
    if sqlite_url:
        await measure_processes(args, sqlite_url, scratch)


async def measure_daemon(args: argparse.Namespace, url: str, scratch: Path) -> None:
    callers = sample_callers(url, 5000)
    pick = lambda i: callers[i % len(callers)]
    daemon = start_daemon(url, scratch, AGI_PORT, HTTP_PORT, DEAD_AMI_PORT)
    enter = f"{config_module.load(scratch / 'acd.yaml').fastagi.token}/acd/enter"  # as the dialplan's URL
    try:
        await agi_load.run_load(
            lambda i: agi_load.fastagi_session("127.0.0.1", AGI_PORT, enter, pick(i), f"warm-{i}"), 50, 2
        )
        result = await agi_load.run_load(
            lambda i: agi_load.fastagi_session(
                "127.0.0.1", AGI_PORT, enter, pick(i), f"bench-{time.time()}-{i}"
            ),
            args.rate,
            args.seconds,
        )
        print(result.line(f"FastAGI daemon ({make_url(url).get_backend_name()}), {args.rate}/s"))
    finally:
        daemon.terminate()
        daemon.wait(10)


async def measure_processes(args: argparse.Namespace, url: str, scratch: Path) -> None:
    callers = sample_callers(url, 5000)
    pick = lambda i: callers[i % len(callers)]
    loaded = config_module.load()
    install_fallback(
        loaded.model_copy(update={"store": loaded.store.model_copy(update={"url": url})}), scratch / "agi"
    )
    # the system python3, as Asterisk would start it (a pyenv shim would add ~50 ms of bash)
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    argv = [python, str(scratch / "agi" / "acd_fallback.py")]
    for rate in args.process_rates or (args.process_rate, args.rate):
        result = await agi_load.run_load(
            lambda i: agi_load.process_session(argv, "acd_fallback.py", pick(i), f"p-{i}"),
            rate,
            min(args.seconds, 10),
        )
        print(result.line(f"process-per-call pyst2 AGI (sqlite3), {rate}/s"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--url",
        action="append",
        help="a store to measure (repeatable; default: sqlite:///var/store/acd.sqlite3)",
    )
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--process-rate", type=float, default=20)
    parser.add_argument(
        "--process-rates",
        type=float,
        nargs="*",
        help="rates for the pyst2 script (default: --process-rate and --rate)",
    )
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    args.url = args.url or ["sqlite:///var/store/acd.sqlite3"]
    with tempfile.TemporaryDirectory(prefix="acd-bench-") as scratch:
        asyncio.run(measure(args, Path(scratch)))


if __name__ == "__main__":
    main()
