"""queue_log read back at AMI's login: what happened while the daemon was down enters the core
and the journal once, marked reconstructed, and reaches no adapter that acts on calls."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from panoramisk.message import Message

from acd import config as config_module
from acd.asterisk import queue_log
from acd.asterisk.ami import AmiService
from acd.asterisk.reconciler import LIVE_TWINS_S, Reconciler, day_start
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS
from acd.core.journal import Entry
from acd.core.journeys import End
from acd.core.reconcile import CallLedger
from acd.pbx.control import state_dir
from acd.service import Daemon
from ivr import menu

T = int(time.time()) - 60  # today, a minute ago (unless the test runs at midnight)


def queue_log_text(t: int = T) -> str:
    return (
        f"{t}|acd-1.0|support|NONE|ENTERQUEUE||5558101|1\n"
        f"{t}|acd-1.0|support|1001|CONNECT|0|acd-1.1|0\n"
        f"{t + 5}|acd-5.2|support|NONE|ENTERQUEUE||5558102|1\n"
        f"{t + 6}|acd-5.2|support|1002|CONNECT|1|acd-6.3|2\n"
        f"{t + 9}|acd-1.0|support|1001|COMPLETEAGENT|0|8|1\n"
        f"{t + 10}|acd-7.4|support|NONE|ENTERQUEUE||5558103|1\n"
        f"{t + 12}|acd-7.4|support|NONE|ABANDON|1|1|2\n"
    )


def daemon(tmp_path) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    made = Daemon(config_module.parse(raw), menu.load())
    log = state_dir(made.config) / "log" / "queue_log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(queue_log_text())
    return made


def read_now(reconciler: Reconciler) -> int:
    """What run() does at a login, its read on a loop of its own (pytest's reactor runs one in
    this thread)."""
    with ThreadPoolExecutor(1) as thread:
        lines = thread.submit(asyncio.run, asyncio.to_thread(queue_log.tail, reconciler.path)).result()
    return reconciler.enter(lines)


class Watched:
    """The daemon's table, with the agent desk replaced by a note of what reached it, and a
    list noting every entry, as the journal takes them."""

    def __init__(self, made: Daemon) -> None:
        self.desk: list[ev.Event] = []
        self.journal: list[Entry] = []
        made.desk.on_event = self.desk.append  # type: ignore[method-assign]
        made.bus = made._subscribe()
        made.bus.subscribe_entries("noted", self.journal.append)


def test_the_day_enters_once_reconstructed_and_reaches_no_acting_adapter(tmp_path):
    made = daemon(tmp_path)
    watched = Watched(made)
    try:
        made.apply(ev.CallerJoined(T + 0.2, "acd-1.0", "support", "5558101", 1))
        made.apply(ev.CallAnswered(T + 0.4, "acd-1.0", "support", "1001", 0.2, 0.1))
        assert read_now(made.reconciler) == 5
    finally:
        made.directory.close()
    stats = made.center.queues["support"].stats
    assert (stats.offered, stats.answered, stats.abandoned, stats.completed) == (3, 2, 1, 1)
    rebuilt = [e for e in watched.journal if e.reconstructed]
    assert [type(e.event) for e in rebuilt] == [
        ev.CallerJoined,
        ev.CallAnswered,
        ev.CallCompleted,
        ev.CallerJoined,
        ev.CallerAbandoned,
    ]
    assert all(e.event.at == int(e.event.at) for e in rebuilt)  # queue_log's own times
    assert watched.desk == [  # the desk takes the agents book's events, live ones only
        e.event for e in watched.journal if not e.reconstructed and isinstance(e.event, AGENT_BOOK_EVENTS)
    ]
    # the store's writer takes them: a reconstructed end closes the interaction
    ends = [w for w in made.journeys._pending if isinstance(w, End)]
    assert [(w.call_id, w.outcome) for w in ends] == [("acd-1.0", "completed"), ("acd-7.4", "abandoned")]

    # a restart: the fold replays the journal into the model; queue_log adds nothing again
    again = daemon(tmp_path / "again")
    again_watched = Watched(again)
    try:
        for entry in watched.journal:
            again.bus.replay(entry)
        assert read_now(again.reconciler) == 0
    finally:
        again.directory.close()
    assert again.center.queues["support"].stats.answered == 2
    assert again_watched.journal == [] and again_watched.desk == []


def test_a_live_event_that_repeats_a_fact_just_entered_is_dropped_once(tmp_path):
    made = daemon(tmp_path)
    Watched(made)
    try:
        read_now(made.reconciler)
        twin = {
            "Event": "QueueCallerAbandon",
            "Uniqueid": "acd-7.4",
            "Queue": "support",
            "HoldTime": "2",
            "Timestamp": f"{T + 12}.4",
        }
        made.ami._deliver(Message(twin))
        assert made.center.queues["support"].stats.abandoned == 1
        made.ami._deliver(Message({**twin, "Timestamp": f"{T + 13}.0"}))  # a second one is news
        assert made.center.queues["support"].stats.abandoned == 2
    finally:
        made.directory.close()


def test_twins_are_looked_for_a_short_while_and_never_in_a_resync(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text(queue_log_text())
    now = [float(T + 20)]
    entered: list[ev.Event] = []
    ledger = CallLedger()

    def apply(event: ev.Event, reconstructed: bool = False) -> None:
        entered.append(event)
        ledger.apply(event)

    reconciler = Reconciler(path, ledger, apply, clock=lambda: now[0])
    assert read_now(reconciler) == 7
    waiting = ev.CallerWaiting(T + 20, "acd-5.2", "support", "5558102", 1, 15.0)
    assert not reconciler.duplicate(waiting)  # where the caller is now: never a twin
    assert reconciler.duplicate(ev.CallerJoined(T + 5.3, "acd-5.2", "support", "5558102", 1))
    now[0] += LIVE_TWINS_S + 1
    assert not reconciler.duplicate(ev.CallAnswered(T + 6.1, "acd-5.2", "support", "1002", 1, 2))


def test_the_resync_reconciles_first(tmp_path):
    order: list[str] = []

    class Reconciling:
        async def run(self) -> int:
            order.append("queue_log")
            return 0

        def duplicate(self, event: ev.Event) -> bool:
            return False

    class Manager:
        async def send_action(self, action: dict, as_list: bool = False) -> list:
            order.append(action["Action"])
            return []

    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    link = AmiService(config_module.parse(raw).ami, lambda e: order.append(type(e).__name__))
    link.reconciler, link.manager = Reconciling(), Manager()  # type: ignore[assignment]
    with ThreadPoolExecutor(1) as thread:  # pytest's reactor runs a loop in this thread
        thread.submit(asyncio.run, link.resync()).result()
    assert order == ["queue_log", "QueueStatus", "ResyncStarted", "ResyncFinished"]


def test_the_day_starts_at_local_midnight():
    now = time.time()
    start = day_start(now)
    assert 0 <= now - start < 86400 + 3600
    assert time.localtime(start)[3:6] == (0, 0, 0)


def test_run_reads_on_a_thread_and_enters_on_the_loop(tmp_path):
    path = tmp_path / "queue_log"
    path.write_text(queue_log_text())
    entered: list[tuple[ev.Event, bool, bool]] = []

    async def login() -> int:
        loop = asyncio.get_running_loop()

        def apply(event: ev.Event, reconstructed: bool = False) -> None:
            in_loop = asyncio.get_running_loop() is loop  # raises off the loop's thread
            entered.append((event, reconstructed, in_loop))

        return await Reconciler(path, CallLedger(), apply).run()

    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, login()).result() == 7
    assert len(entered) == 7 and all(rebuilt and in_loop for _, rebuilt, in_loop in entered)
