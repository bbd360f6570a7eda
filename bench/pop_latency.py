"""Screen-pop latency: from the AMI AgentCalled event to the agent's page, with 1,000 connected
desktops (issue 11's benchmark; target p99 <= 100 ms).

    python bench/pop_latency.py [--clients 1000] [--rate 20] [--seconds 20] [--browser-every 10]
                                [--runs 3]

The daemon runs in this process (the real Daemon and its site, no PBX: only its web port
listens), with `--clients` + 1 agents added to acd.yaml's (queue `support`, a temp dir's
store). The desktops are agents, one session each (bench/sse_load.py: opened as the sign-in
form does), each on its own `/api/events` stream as desk.js opens it, read in two child
processes; they time the AgentRung event that names them. One more agent is a real browser:
Debian's Chromium (Playwright) signed in by the form on /desk, timed to the DOM: an init
script listens for desk.js's "pop" event on #desk (dispatched once the card is in the list,
after the page fetched /api/pops/<call>) and hands Date.now() to the bench through an exposed
binding (no page script of ours: the page's CSP stays strict).

Calls enter where AMI messages do (`AmiService._deliver`): QueueCallerJoin, then AgentCalled
for one agent stamped with the send time as the PBX's `Timestamp`, and a second later
QueueCallerAbandon (the ring ends, the pop goes). `--rate` calls a second, round the desktops;
every `--browser-every`-th call rings the browser's agent. Prints figures; asserts nothing.

Last measured 2026-12-02 (2 cores; 1,000 SSE desktops + 1 browser, 20 calls/s, 3 x 20 s, 40
browser pops a run): quiet machine (load average 0.8): SSE p50 2.0, p95 6.2, p99 9.4 ms; the
browser's DOM p50 20.7, p95 33.1, p99 41.9 ms (target <= 100 ms). With other work on the
machine (load average 3): SSE p99 10.1 ms, the DOM p99 122.6 ms, max 274 ms, its tail in the
fetch of /api/pops/<call> (p99 86 ms; the quiet runs' store reads in the daemon: p99 15 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ run as a script
from sse_load import (
    cookie_header,
    daemon,
    on_reactor,
    serving,
    sessions,
    start_clients,
    stop_clients,
    summary,
)

AGENTS = "5{:04d}"
QUEUE = "support"
SEEN = """document.addEventListener("pop", (e) => window.popSeen(e.detail.call, Date.now()), true);
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const m = e.name.match(/[/]api[/]pops[/]([^/?]+)$/);
    if (m) window.popFetched(decodeURIComponent(m[1]), performance.timeOrigin + e.startTime,
                             performance.timeOrigin + e.responseEnd);
  }
}).observe({ type: "resource", buffered: true });"""


def agents_added(count: int):
    numbers = [AGENTS.format(i) for i in range(count)]

    def edit(raw: dict) -> None:
        raw["agents"].extend({"number": n, "name": f"Bench agent {n}", "queues": [QUEUE]} for n in numbers)

    return numbers, edit


def deliver(made, kind: str, call: str, **fields: str) -> None:
    from panoramisk.message import Message

    base = {"Uniqueid": call, "Queue": QUEUE, "Timestamp": f"{time.time():.6f}"}
    made.ami._deliver(Message({"Event": kind, **base, **fields}))


def ring(made, call: str, agent: str) -> float:
    """A caller joins and `agent` is rung; the AgentCalled's stamp."""
    deliver(made, "QueueCallerJoin", call, CallerIDNum="+4930111", Position="1", Channel=f"PJSIP/t-{call}")
    sent = time.time()
    deliver(
        made, "AgentCalled", call, MemberName=agent, Interface=f"PJSIP/{agent}",
        DestChannel=f"PJSIP/{agent}-{call}", DestUniqueid=f"leg-{call}", Timestamp=f"{sent:.6f}",
    )  # fmt: skip
    return sent


async def drive(made, agents: list[str], me: str, args, first: int, sent: dict[str, float]) -> int:
    """`args.rate` calls a second for `args.seconds`, each abandoned a second after its ring."""
    from twisted.internet import reactor

    start, made_calls = time.monotonic(), 0
    total = int(args.rate * args.seconds)
    while made_calls < total:
        due = min(total, int((time.monotonic() - start) * args.rate) + 1)
        while made_calls < due:
            n = first + made_calls
            call = f"p.{n}"
            agent = me if n % args.browser_every == 0 else agents[n % len(agents)]
            sent[call] = ring(made, call, agent)
            reactor.callLater(1.0, deliver, made, "QueueCallerAbandon", call, HoldTime="1", Position="1")
            made_calls += 1
        await asyncio.sleep(0.002)
    return first + made_calls


class Desk:
    """The browser's page and what it saw: each call's first pop drawn and first fetch."""

    def __init__(self, me: str) -> None:
        self.me = me  # the browser's agent
        self.page: Any = None
        self.seen: dict[str, float] = {}
        self.fetched: dict[str, tuple[float, float]] = {}

    def parts(self, sent: dict[str, float]) -> dict[str, list[float]]:
        """The DOM's figure for the calls it drew, and its parts (seconds)."""
        mine = {c: t for c, t in sent.items() if c in self.seen and c in self.fetched}
        return {
            "dom": [self.seen[c] - t for c, t in mine.items()],
            "stream": [self.fetched[c][0] - t for c, t in mine.items()],
            "fetch": [self.fetched[c][1] - self.fetched[c][0] for c in mine],
            "draw": [self.seen[c] - self.fetched[c][1] for c in mine],
        }


async def open_desk(chromium, made, desk: Desk):
    """The browser's agent signed in by the form, on /desk with its stream live; the page tells
    `desk` of each pop drawn and of each GET /api/pops/<call> (resource timing: start and end),
    which split the DOM's figure into stream, fetch and drawing."""
    page = await chromium.new_page()

    def pop_seen(_source, call: str, at_ms: float) -> None:
        desk.seen.setdefault(call, at_ms / 1000)  # a card drawn again (a refresh) is not a new pop

    def pop_fetched(_source, call: str, start_ms: float, end_ms: float) -> None:
        desk.fetched.setdefault(call, (start_ms / 1000, end_ms / 1000))

    await page.expose_binding("popSeen", pop_seen)
    await page.expose_binding("popFetched", pop_fetched)
    await page.add_init_script(SEEN)
    base = f"http://127.0.0.1:{made.config.http.port}"
    await page.goto(f"{base}/signin?next=/desk")
    await page.fill('input[name="number"]', desk.me)
    await page.fill('input[name="password"]', made.config.agent(desk.me).password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/desk")
    await page.wait_for_selector('#connection[data-state="live"]')
    return page


def line(label: str, r: dict) -> str:
    return (
        f"{label}: {r['n']:,} pops, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
        f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms"
    )


def split_line(parts: dict[str, list[float]]) -> str:
    """The browser's figure in its parts: AgentCalled to the page's fetch (the stream and
    desk.js), the fetch of /api/pops/<call> (the daemon and its store), the answer to the card."""
    return "; ".join(
        f"{label} p50 {summary(parts[key])['p50']:.1f} / p99 {summary(parts[key])['p99']:.1f} ms"
        for key, label in (("stream", "to the fetch"), ("fetch", "fetch"), ("draw", "drawing"))
    )


async def one_run(made, args, desk: Desk, desktops: list[str], sids: list[str], first: int, scratch: Path):
    """One measured stretch: the desktops connect, the calls come, the figures; its last call."""
    children = await start_clients(made.config.http.port, cookie_header(made), sids, ("AgentRung",), scratch)
    await asyncio.sleep(0.5)
    sent: dict[str, float] = {}
    reads = timed_reads(made.directory)
    t0 = time.monotonic()
    end = await drive(made, desktops, desk.me, args, first, sent)
    wall = time.monotonic() - t0
    await asyncio.sleep(1.5)  # the last pops drawn, the last rings ended
    sse = await stop_clients(children)
    del made.directory.read  # the class's own again
    parts = {**desk.parts(sent), "sse": [x / 1000 for x in sse["lags"]], "reads": reads}
    rung = sum(1 for n in range(first, end) if n % args.browser_every == 0)
    print(
        f"{args.clients:,} SSE desktops + 1 browser, {end - first:,} calls in {wall:.1f} s "
        f"({(end - first) / wall:.1f}/s); streams cut off {sse['cut']}"
    )
    return end, parts, rung


def timed_reads(directory) -> list[float]:
    """How long each store read takes (the thread hop and the query; a pop's fetch makes one)."""
    spent: list[float] = []
    read = directory.read

    async def measured(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await read(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    directory.read = measured
    return spent


def report(parts: dict[str, list[float]], rung: int | None = None) -> None:
    print("  " + line("SSE desktops, AgentCalled to AgentRung read", summary(parts["sse"])))
    drew = "" if rung is None else f" ({rung} rung)"
    print("  " + line(f"browser DOM{drew}, AgentCalled to the pop drawn", summary(parts["dom"])))
    print("  " + split_line(parts), flush=True)
    reads = summary(parts["reads"])
    print(
        f"  store reads in the daemon (thread and query): p50 {reads['p50']:.1f} / p99 {reads['p99']:.1f} ms"
    )


async def bench(args: argparse.Namespace, scratch: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.lab.browser import CHROMIUM, Chromium

    numbers, edit = agents_added(args.clients + 1)
    desktops = numbers[1:]
    made = daemon(scratch, args.clients + 8, 4 << 20, edit)
    print(f"load average {os.getloadavg()[0]:.2f} at start; {len(numbers):,} agents configured")
    chromium, desk = Chromium(), Desk(numbers[0])
    every: dict[str, list[float]] = {k: [] for k in ("sse", "dom", "stream", "fetch", "draw", "reads")}
    with serving(made):
        await chromium.start(str(CHROMIUM))
        try:
            desk.page = await open_desk(chromium, made, desk)
            sids, first = sessions(made, desktops), 0
            for run in range(1, args.runs + 1):
                print(f"run {run}: ", end="")
                first, parts, rung = await one_run(made, args, desk, desktops, sids, first, scratch)
                report(parts, rung)
                for key, values in parts.items():
                    every[key].extend(values)
                await asyncio.get_running_loop().run_in_executor(None, made.journal.flush, 300.0)
                await asyncio.sleep(0.5)
            print("all runs: ", end="")
            report(every)
            if desk.page.errors:
                print(f"page errors: {desk.page.errors[:5]}")
            print(f"  push: {made.feed.snapshot()}")
        finally:
            await chromium.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000, help="SSE desktops (agents)")
    parser.add_argument("--rate", type=float, default=20, help="calls a second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--browser-every", type=int, default=10, help="every n-th call rings the browser")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    on_reactor(bench, args, "acd-bench-pop-")


if __name__ == "__main__":
    main()
