"""Every event reaches every subscriber: one that raises is logged with the event, and the
others still get it (issue 9, "every translator and subscriber error is logged with the event
and dropped"). Before, an exception in the core skipped the agent desk, the recorder and the
callbacks for that event."""

from __future__ import annotations

import ast
import inspect
import textwrap

from twisted.logger import globalLogPublisher

from acd import config as config_module
from acd.asterisk.callbacks import CALLBACK_EVENTS, Callbacks
from acd.asterisk.recorder import RECORDER_EVENTS, Recorder
from acd.asterisk.supervisor_desk import SUPERVISOR_DESK_EVENTS, SupervisorDesk
from acd.core import events as ev
from acd.core.bus import Bus
from acd.core.legs import LEG_EVENTS, AgentLegs
from acd.service import Daemon
from ivr import menu
from tests.source_tree import parse_source


def daemon(tmp_path) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    return Daemon(config_module.parse(raw), menu.load())


def test_a_subscriber_that_raises_is_logged_with_the_event_and_the_others_still_run(tmp_path):
    made = daemon(tmp_path)
    seen: list[ev.Event] = []

    def broken(event: ev.Event) -> None:
        raise RuntimeError("a bug in one adapter")

    made.bus = Bus(made._subscriber_failed)
    made.bus.subscribe("core", broken)
    made.bus.subscribe("agent desk", seen.append)
    logged: list[dict] = []
    globalLogPublisher.addObserver(logged.append)
    try:
        event = ev.ResyncStarted(1.0)
        made.apply(event)
    finally:
        globalLogPublisher.removeObserver(logged.append)
        made.directory.close()
    assert seen == [event]
    failures = [e for e in logged if "log_failure" in e]
    assert len(failures) == 1 and failures[0]["subscriber"] == "core" and failures[0]["event"] == event
    failures[0]["log_failure"].trap(RuntimeError)


def test_each_adapter_takes_the_events_once_the_journal_then_the_model_first(tmp_path):
    made = daemon(tmp_path)
    try:
        names = made.bus.names
    finally:
        made.directory.close()
    assert names[:3] == ["journal", "agent legs", "core"] and len(names) == len(set(names))
    assert {"agent desk", "supervisor desk", "recorder", "call ledger", "call stories"} <= set(names)


def test_the_agents_book_is_read_model_after_the_core_and_a_replay_then_a_resync_frees_the_agent(tmp_path):
    """The journal's replay (model subscribers only) says 1001 is on a call; the PBX's census
    after the restart says the member is idle: the call ended while the daemon was down."""
    from acd.core.journal import Entry

    made = daemon(tmp_path)
    try:
        chosen = {s.name: s.model for s in made.bus._subscribers}
        names = made.bus.names
        assert names.index("agents") == names.index("core") + 1 and chosen["agents"] is True
        assert chosen["agent desk"] is False
        replayed = [
            ev.AgentRung(1.0, "c1", "support", "1001", "PJSIP/1001-01", "leg1"),
            ev.CallAnswered(2.0, "c1", "support", "1001", 1.0, 1.0, "PJSIP/1001-01", "leg1"),
        ]
        for seq, event in enumerate(replayed, 1):
            made.bus.replay(Entry(seq, event, False))
        assert made.book.agents["1001"].state.value == "on_call"
        census = [
            ev.ResyncStarted(9.0),
            ev.MemberChanged(9.0, "support", "1001", "PJSIP/1001", "not_in_use", False, False, 1),
            ev.ResyncFinished(9.0, ("support",)),
        ]
        for seq, event in enumerate(census, 3):
            made.bus.replay(Entry(seq, event, False))
        assert made.book.agents["1001"].state.value == "ready"
        assert made.links()["agent_states"][0]["state"] == "ready"
    finally:
        made.directory.close()


def test_the_wallboard_is_read_model_after_the_core_and_the_agents_book(tmp_path):
    """It reads both as they stand after each event, and a restart folds the day back into it."""
    made = daemon(tmp_path)
    try:
        chosen = {s.name: s.model for s in made.bus._subscribers}
        names = made.bus.names
        assert names.index("wallboard") > names.index("agents") > names.index("core")
        assert chosen["wallboard"] is True
        from acd.core.journal import Entry

        made.bus.replay(Entry(1, ev.CallerJoined(5.0, "c1", "support", "0301", 1), False))
        queue = made.wall.snapshot(6.0, made.center.lines, [])["queues"]["support"]
        assert queue["offered"] == 1 and queue["waiting"] == 1
    finally:
        made.directory.close()


def _events_read_by(function) -> set[type[ev.Event]]:
    """The event types `function`'s source names (`ev.X`): those its isinstance checks act on."""
    tree = parse_source(textwrap.dedent(inspect.getsource(function)))
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    found = {getattr(ev, name) for name in names if isinstance(getattr(ev, name, None), type)}
    return found - {ev.Event}  # the annotation


def test_an_adapter_registered_with_types_is_handed_every_type_it_reads():
    """The bus hands these only their types (an event the handler would ignore costs a call,
    for every AMI event): a branch on a type left out of the set would never run."""
    for handler, types in (
        (AgentLegs.apply, LEG_EVENTS),
        (SupervisorDesk.on_event, SUPERVISOR_DESK_EVENTS),
        (Recorder.on_event, RECORDER_EVENTS),
        (Callbacks.on_event, CALLBACK_EVENTS),
    ):
        read = _events_read_by(handler)
        assert read and read <= types, (handler.__qualname__, read - types)
