"""What redis gives back is checked before it reaches Asterisk (issue 9, finding 2): a stored
pause reason with CR/LF in it became three AMI actions, one an Originate, at the reconnect.
Agents' records and pending callbacks both."""

from __future__ import annotations

import asyncio
import time

import yaml

from acd import config as config_module
from acd.asterisk import actions
from acd.asterisk.agent_desk import AgentDesk
from acd.asterisk.callbacks import Callbacks
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.config_people import seed_staffing
from acd.core import events as ev
from acd.core.agent_book import AGENT_BOOK_EVENTS, AgentBook, seats
from acd.core.agents import Agent, State
from acd.core.bus import Bus
from acd.core.callbacks import Callback
from acd.core.center import CallCenter
from acd.core.journal import Entry
from acd.core.staffing import Staffing
from acd.core.throttle import Backoff
from acd.speech import SpeechCache
from tests.asterisk.test_fastagi import on_asyncio

INJECTED = "break\r\n\r\nAction: Originate\r\nChannel: Local/s@x\r\nApplication: System\r\nData: touch /tmp/x"


class FakeAmi:
    connected = True

    def __init__(self) -> None:
        self.sent: list[actions.Action] = []

    async def action(self, action: actions.Action) -> dict:
        assert isinstance(action, actions.Action)
        self.sent.append(action)
        return {"Response": "Success"}


class FakeLive:
    def __init__(self, records: dict[str, Agent]) -> None:
        self.records = records

    async def save(self, agent: Agent) -> None:
        pass

    async def load(self) -> dict[str, Agent]:
        return self.records


class NoPins:
    """The staff table's PIN check, for tests that log nobody in by phone."""

    def __init__(self, staffing: Staffing | None = None) -> None:
        self.staffing = staffing or Staffing()

    async def check_pin(self, number: str, pin: str) -> None:
        return None


def wired_desk(config, ami, live, speech, pins, clock=None, people=None) -> AgentDesk:
    """The desk as the daemon wires it: the book first on a bus, then the desk; the desk's
    events go through the bus (as through the daemon's apply)."""

    def failed(name: str, entry: Entry, exc: Exception) -> None:
        raise exc

    book = AgentBook(
        seats((a.number, a.phone) for a in config.agents), {q.name: q.wrapup for q in config.queues}
    )
    bus = Bus(failed)
    made = AgentDesk(
        config,
        ami,
        live,
        speech,
        pins,
        book,
        lambda e: bus.publish(Entry(0, e, False)),
        people or NoPins(seed_staffing(config)),
        **({"clock": clock} if clock else {}),
    )
    bus.subscribe("agents", book.apply, AGENT_BOOK_EVENTS, model=True)
    bus.subscribe("agent desk", made.on_event, AGENT_BOOK_EVENTS)
    made.bus = bus  # type: ignore[attr-defined]  for tests that feed the PBX's events
    return made


def desk(tmp_path, records: dict[str, Agent]) -> tuple[AgentDesk, FakeAmi]:
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    ami = FakeAmi()
    config = config_module.parse(raw)
    pins = GuessLimits(Memory(), Backoff())
    return wired_desk(config, ami, FakeLive(records), SpeechCache(tmp_path), pins), ami


def feed(agents: AgentDesk, event: ev.Event) -> None:
    agents.bus.publish(Entry(0, event, False))  # type: ignore[attr-defined]


@on_asyncio
async def test_a_record_with_a_line_break_in_its_reason_or_a_strange_phone_is_dropped(tmp_path):
    records = {
        "2003": Agent("2003", State.PAUSED, 1.0, INJECTED, "PJSIP/1005"),  # reason injected
        "2001": Agent("2001", State.READY, 1.0, "", "PJSIP/1005\r\nAction: Logoff"),
        "2002": Agent("2002", State.READY, 1.0, "", "Local/s@acd-spy"),  # not a phone
        "1004": Agent("1004", State.PAUSED, 1.0, "coffee", "PJSIP/1004"),  # not a reason
        "9999": Agent("9999", State.READY, 1.0, "", "PJSIP/1006"),  # not an agent
        "1003": Agent("2001", State.READY, 1.0, "", "PJSIP/1006"),  # not its own key
        "1001": Agent("1001", State.PAUSED, 1.0, "lunch", "PJSIP/1001"),  # fine
        "1002": Agent("1002", State.PAUSED, 1.0, "ring-no-answer", "PJSIP/1002"),  # fine
    }
    agents, ami = desk(tmp_path, records)
    await agents.restore()
    touched = {a.get("Interface") for a in ami.sent}
    assert touched == {"PJSIP/1001", "PJSIP/1002"}
    assert {a.get("Reason") for a in ami.sent if a.name == "QueuePause"} == {"lunch", "ring-no-answer"}
    assert agents.book.agents["2003"].state is State.LOGGED_OUT and agents.book.agents["2003"].reason == ""
    assert agents.book.agents["1004"].state is State.READY  # the fixed seat as configured
    assert all("\r" not in str(a.as_dict()) and "\n" not in str(a.as_dict()) for a in ami.sent)


@on_asyncio
async def test_an_unsafe_value_that_got_in_anyway_never_reaches_the_link(tmp_path):
    """Even past the checks on read (a reason set some other way), the builder refuses it."""
    agents, ami = desk(tmp_path, {})
    await agents._pause_member("PJSIP/1001", True, INJECTED)
    assert ami.sent == []


class FakeCallbackStore:
    def __init__(self, records: list[Callback]) -> None:
        self.records = records
        self.dropped: list[str] = []

    async def save_callback(self, callback: Callback) -> None:
        pass

    async def load_callbacks(self) -> list[Callback]:
        return self.records

    async def drop_callback(self, field: str) -> None:
        self.dropped.append(field)


@on_asyncio
async def test_callback_records_from_redis_are_checked_before_they_are_dialled(tmp_path):
    raw = yaml.safe_load(config_module.DEFAULT_PATH.read_text())
    config = config_module.parse(raw)
    good = Callback("acd-1.1", "+49301112233", "support", 1, 0, time.time())  # booked now: not overdue
    records = [
        good,
        Callback("acd-1.2", "4930\r\nAction: Originate", "support", 1, 0, 1.0),
        Callback("acd-1.3\r\n", "4930222", "support", 1, 0, 1.0),
        Callback("acd-1.4", "4930333", "nowhere", 1, 0, 1.0),
        Callback("acd-1.5", "4930444", "support", -1, 0, float("nan")),
    ]
    ami, store = FakeAmi(), FakeCallbackStore(records)
    callbacks = Callbacks(config, CallCenter({"support": 20.0}), ami, store, SpeechCache(tmp_path))
    await callbacks.restore()
    assert store.dropped == ["acd-1.2", "acd-1.3\r\n", "acd-1.4", "acd-1.5"]
    assert [a.name for a in ami.sent] == ["Originate"]
    assert (ami.sent[0].get("CallerID"), ami.sent[0].get("Context")) == (
        '"Callback" <+49301112233>',
        "acd-callback-dial",
    )
    assert set(callbacks.pending) == {"acd-1.1"}


def resync(agents: AgentDesk, paused: dict[str, bool]) -> None:
    """What the PBX says of each member after a (re)connect, as the AMI translator gives it."""
    feed(agents, ev.ResyncStarted(5.0))
    for number, is_paused in paused.items():
        feed(
            agents,
            ev.MemberChanged(5.0, "support", number, f"PJSIP/{number}", "not_in_use", is_paused, False, 0),
        )
    feed(agents, ev.ResyncFinished(5.0, ("support",)))  # restores in the background


@on_asyncio
async def test_a_pause_asterisk_made_while_the_daemon_was_down_is_adopted(tmp_path):
    """With the daemon killed, Asterisk's autopause pauses an agent whose phone rang out; the
    restarted daemon must not go on calling them ready (their *71 was refused, the screens lied)."""
    records = {
        "1001": Agent("1001", State.RINGING, 1.0, "", "PJSIP/1001"),  # saved as it rang
        "1002": Agent("1002", State.READY, 1.0, "", "PJSIP/1002"),
    }
    agents, ami = desk(tmp_path, records)
    resync(agents, {"1001": True, "1002": False, "1004": True})  # 1004: a fixed seat
    await asyncio.sleep(0.2)
    assert [
        (agents.book.agents[n].state, agents.book.agents[n].reason) for n in ("1001", "1002", "1004")
    ] == [
        (State.PAUSED, "ring-no-answer"),
        (State.READY, ""),
        (State.PAUSED, "ring-no-answer"),
    ]
    assert not [a for a in ami.sent if a.name == "QueuePause" and a.get("Paused") == "false"]


def test_pauses_seen_outside_a_resync_are_not_taken_for_asterisk_s(tmp_path):
    """Live member events race the daemon's own pause and resume: only a resync is a census."""
    agents, _ = desk(tmp_path, {})
    feed(agents, ev.MemberChanged(5.0, "support", "1001", "PJSIP/1001", "not_in_use", True, False, 0))
    assert agents.book.agents["1001"].state is State.READY
    resync(agents, {"1002": True})
    assert agents.book.agents["1001"].state is State.READY
    assert agents.book.agents["1002"].state is State.PAUSED
