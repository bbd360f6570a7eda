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

Last measured: (see below)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ run as a script
from sse_load import cookie_header, daemon, sessions, start_clients, stop_clients, summary

AGENTS = "5{:04d}"
QUEUE = "support"
SEEN = """document.addEventListener("pop", (e) => window.popSeen(e.detail.call, Date.now()), true);"""


def agents_added(count: int):
    numbers = [AGENTS.format(i) for i in range(count)]

    def edit(raw: dict) -> None:
        raw["agents"].extend(
            {"number": n, "name": f"Bench agent {n}", "pin": "4321", "queues": [QUEUE]} for n in numbers
        )

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


async def open_desk(chromium, made, number: str, seen: dict[str, float]):
    """The browser's agent signed in by the form, on /desk with its stream live."""
    page = await chromium.new_page()

    def pop_seen(_source, call: str, at_ms: float) -> None:
        seen.setdefault(call, at_ms / 1000)  # a card drawn again (a refresh) is not a new pop

    await page.expose_binding("popSeen", pop_seen)
    await page.add_init_script(SEEN)
    base = f"http://127.0.0.1:{made.config.http.port}"
    await page.goto(f"{base}/signin?next=/desk")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', made.config.agent(number).password)
    await page.click('button[type="submit"]')
    await page.wait_for_url("**/desk")
    await page.wait_for_selector('#connection[data-state="live"]')
    return page


def line(label: str, r: dict) -> str:
    return (
        f"{label}: {r['n']:,} pops, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
        f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms"
    )


async def bench(args: argparse.Namespace, scratch: Path) -> None:
    from twisted.internet import reactor

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.lab.browser import CHROMIUM, Chromium

    numbers, edit = agents_added(args.clients + 1)
    me, desktops = numbers[0], numbers[1:]
    made = daemon(scratch, args.clients + 8, 4 << 20, edit)
    print(f"load average {os.getloadavg()[0]:.2f} at start; {len(numbers):,} agents configured")
    made.journal.start()
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    chromium = Chromium()
    await chromium.start(str(CHROMIUM))
    seen: dict[str, float] = {}
    first = 0
    try:
        page = await open_desk(chromium, made, me, seen)
        sids = sessions(made, desktops)
        for run in range(1, args.runs + 1):
            children = await start_clients(
                made.config.http.port, cookie_header(made), sids, ("AgentRung",), scratch
            )
            await asyncio.sleep(0.5)
            sent: dict[str, float] = {}
            t0 = time.monotonic()
            end = await drive(made, desktops, me, args, first, sent)
            wall = time.monotonic() - t0
            await asyncio.sleep(1.5)  # the last pops drawn, the last rings ended
            sse = await stop_clients(children)
            dom = summary([seen[c] - sent[c] for c in sent if c in seen])
            mine = sum(1 for n in range(first, end) if n % args.browser_every == 0)
            print(
                f"run {run}: {args.clients:,} SSE desktops + 1 browser, {end - first:,} calls in "
                f"{wall:.1f} s ({(end - first) / wall:.1f}/s); streams cut off {sse['cut']}",
                flush=True,
            )
            print("  " + line("SSE desktops, AgentCalled to AgentRung read", sse), flush=True)
            print("  " + line(f"browser DOM ({mine} rung), AgentCalled to the pop drawn", dom), flush=True)
            first = end
            await asyncio.get_running_loop().run_in_executor(None, made.journal.flush, 300.0)
            await asyncio.sleep(0.5)
        if page.errors:
            print(f"page errors: {page.errors[:5]}")
        print(f"  push: {made.feed.snapshot()}")
    finally:
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        await chromium.stop()
        made.feed.stop()
        made.journal.close()
        port.stopListening()
        made.directory.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000, help="SSE desktops (agents)")
    parser.add_argument("--rate", type=float, default=20, help="calls a second")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--browser-every", type=int, default=10, help="every n-th call rings the browser")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    from twisted.internet import asyncioreactor

    asyncioreactor.install(loop)
    from twisted.internet import defer, reactor

    with tempfile.TemporaryDirectory(prefix="acd-bench-pop-") as scratch:
        done = defer.Deferred.fromFuture(asyncio.ensure_future(bench(args, Path(scratch))))
        done.addErrback(lambda failure: failure.printTraceback())
        done.addBoth(lambda _: reactor.stop())
        reactor.run()


if __name__ == "__main__":
    main()
