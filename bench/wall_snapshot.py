"""The wallboard's cost: what each event adds to the daemon (the wall's model), and what one
snapshot costs to make and encode (once per audience per change, at most 4 a second),
after a day of calls.

    python bench/wall_snapshot.py [--calls 2000] [--agents 45] [--runs 200]

Pure, in this process: the center, the agents book and the wall on one bus, as acd/service.py
wires them; a simulated day from 08:00 (joins, answers, completions, abandons, wrap-ups).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from acd import config as config_module
from acd.config_journal import Days
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook
from acd.core.center import CENTER_EVENTS, CallCenter
from acd.core.feed import Audience
from acd.core.journal import Sequencer
from acd.core.wallboard import WALLBOARD_EVENTS, Wallboard
from acd.web import sse
from acd.web.wall import View, WallState


def day(calls: int, agents: list[str], start: float, seed: int = 7) -> list[ev.Event]:
    rnd = random.Random(seed)
    out: list[ev.Event] = [
        ev.MemberChanged(start, "support", a, f"PJSIP/{a}", "not_in_use", False, False, 0) for a in agents
    ]
    free_at = {a: start for a in agents}
    t = start
    for n in range(calls):
        t += rnd.expovariate(calls / (12.5 * 3600))
        call = f"c{n}"
        out.append(ev.CallerJoined(t, call, "support", f"0301{n:06d}", 1))
        agent = min(free_at, key=free_at.__getitem__)
        wait = max(0.0, free_at[agent] - t) + rnd.uniform(1, 4)
        if wait > 40 and rnd.random() < 0.5:
            out.append(ev.CallerAbandoned(t + 40, call, "support", 40.0))
            continue
        talk = rnd.expovariate(1 / 180)
        out += [
            ev.AgentRung(t + wait - 1, call, "support", agent),
            ev.CallAnswered(t + wait, call, "support", agent, wait, 1.0),
            ev.CallerLeft(t + wait, call, "support"),
            ev.CallCompleted(t + wait + talk, call, "support", agent, wait, talk, "caller"),
            ev.AgentWrappedUp(t + wait + talk + 20, agent),
        ]
        free_at[agent] = t + wait + talk + 20
    out.sort(key=lambda e: e.at)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=45)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    config = config_module.load(write_secrets=False)
    agents = [str(3000 + i) for i in range(args.agents)]
    days = Days("Europe/Berlin")
    start = days.start(time.time()) + 8 * 3600
    events = day(args.calls, agents, start)
    center = CallCenter({q.name: float(q.service_level) for q in config.queues})
    book = AgentBook({a: f"PJSIP/{a}" for a in agents}, {"support": 20.0})
    wall = Wallboard(center, book, days)
    sequence = Sequencer()
    timed = 0.0
    for event in events:  # the center and the book as the bus runs them, the wall timed alone
        kind = type(event)
        if kind in CENTER_EVENTS:
            center.apply(event)
        if kind in AGENT_BOOK_EVENTS:
            book.apply(event)
        if kind in WALLBOARD_EVENTS:
            began = time.perf_counter()
            wall.apply(event)
            timed += time.perf_counter() - began
        sequence.next(event)
    print(
        f"{len(events)} events ({args.calls} calls, {args.agents} agents): the wall's model "
        f"{timed / len(events) * 1e6:.2f} us an event"
    )
    state = WallState(config, wall, lambda: events[-1].at + 60)
    views = {
        "admin": View(Audience()),
        "supervisor": View(Audience(frozenset(agents[:10]), frozenset({"support"}))),
    }
    for name, view in views.items():
        costs, size = [], 0
        for _ in range(args.runs):
            began = time.perf_counter()
            size = len(sse.message(sequence.last, "wall", state(view)))
            costs.append(time.perf_counter() - began)
        costs.sort()
        p50, p99 = statistics.median(costs), costs[max(0, int(len(costs) * 0.99) - 1)]
        print(
            f"snapshot for {name}: made and encoded in p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms, "
            f"{size / 1024:.1f} KiB; at 4 a second {p50 * 4 * 100:.1f} % of one core per audience"
        )


if __name__ == "__main__":
    main()
