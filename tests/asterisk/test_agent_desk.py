"""The agent desk is an adapter: it asks the agents book, emits the agent's event and acts on
Asterisk; what it remembers in redis is the book's, and never a ring or a call."""

from __future__ import annotations

import asyncio

import yaml

from acd import config as config_module
from acd.asterisk.agent_desk import AgentDesk
from acd.asterisk.guess_limits import GuessLimits, Memory
from acd.core import events as ev
from acd.core.agents import Agent, State
from acd.core.throttle import Backoff
from acd.speech import SpeechCache
from tests.asterisk.test_agent_restore import FakeAmi, FakeLive, feed, resync, wired_desk
from tests.asterisk.test_fastagi import on_asyncio
from tests.asterisk.test_phone_pins import Channel


def desk(tmp_path, records: dict[str, Agent] | None = None, now: float = 100.0) -> tuple[AgentDesk, FakeAmi]:
    config = config_module.parse(yaml.safe_load(config_module.DEFAULT_PATH.read_text()))
    ami = FakeAmi()
    made = wired_desk(
        config,
        ami,
        FakeLive(records or {}),
        SpeechCache(tmp_path),
        GuessLimits(Memory(), Backoff()),
        clock=lambda: now,
    )

    async def read(channel: Channel, prompt: str, max_digits: int) -> str:
        return next(channel.typed, "")

    async def said(channel: Channel, prompt: str) -> None:
        channel.variables.setdefault("said", []).append(prompt)

    made._read, made._say = read, said  # type: ignore[method-assign]
    return made, ami


def on_a_call(made: AgentDesk, agent: str = "1001", queue: str = "support") -> None:
    feed(made, ev.AgentRung(90.0, "c1", queue, agent, f"PJSIP/{agent}-01", "leg1"))
    feed(made, ev.CallAnswered(91.0, "c1", queue, agent, 1.0, 1.0, f"PJSIP/{agent}-01", "leg1"))


def pauses(ami: FakeAmi) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (a.get("Interface"), a.get("Paused"), a.get("Reason")) for a in ami.sent if a.name == "QueuePause"
    ]


@on_asyncio
async def test_a_pause_during_a_call_goes_to_asterisk_at_once_and_to_the_book_as_the_call_ends(tmp_path):
    made, ami = desk(tmp_path)
    on_a_call(made)
    phone = Channel(iter(["2"]))  # lunch
    assert await made._pause_call(phone, "PJSIP/1001") == "pending:lunch"
    assert phone.variables["said"] == ["pending"]
    assert pauses(ami) == [("PJSIP/1001", "true", "lunch")]
    assert (made.book.agents["1001"].state, made.book.agents["1001"].pending) == (State.ON_CALL, "lunch")
    feed(made, ev.CallCompleted(120.0, "c1", "support", "1001", 1.0, 29.0, "agent"))
    assert (made.book.agents["1001"].state, made.book.agents["1001"].reason) == (State.PAUSED, "lunch")
    assert len(pauses(ami)) == 1  # Asterisk had it already


@on_asyncio
async def test_a_resume_during_the_call_takes_the_pause_back_on_asterisk_too(tmp_path):
    made, ami = desk(tmp_path)
    on_a_call(made)
    assert await made.pause("1001", "break")
    assert await made.resume("1001")
    assert pauses(ami) == [("PJSIP/1001", "true", "break"), ("PJSIP/1001", "false", "")]
    assert not await made.resume("1001")  # nothing left to take back
    feed(made, ev.CallCompleted(120.0, "c1", "support", "1001", 1.0, 29.0, "agent"))
    assert made.book.agents["1001"].state is State.READY


@on_asyncio
async def test_ring_no_answer_pauses_the_member_on_asterisk_with_its_reason(tmp_path):
    made, ami = desk(tmp_path)
    feed(made, ev.AgentRung(90.0, "c1", "support", "1001", "PJSIP/1001-01", "leg1"))
    feed(made, ev.AgentMissed(96.0, "c1", "support", "1001", 6.0))
    await asyncio.sleep(0.05)
    assert pauses(ami) == [("PJSIP/1001", "true", "ring-no-answer")]
    assert made.book.agents["1001"].reason == "ring-no-answer"


@on_asyncio
async def test_wrap_up_ends_by_the_desk_s_own_event(tmp_path):
    made, _ = desk(tmp_path)
    made.book.wrapups["sales"] = 0.05
    made.clock = __import__("time").time  # a real clock for the timer
    on_a_call(made, "1004", "sales")
    feed(made, ev.CallCompleted(made.clock(), "c1", "sales", "1004", 1.0, 29.0, "agent"))
    assert made.book.agents["1004"].state is State.WRAP_UP
    await asyncio.sleep(0.2)
    assert made.book.agents["1004"].state is State.READY


@on_asyncio
async def test_a_ring_or_call_in_redis_is_not_restored_and_a_pending_pause_is(tmp_path):
    """Bug (b): redis said on_call after a kill -9; the call had ended while the daemon was down."""
    records = {
        "1001": Agent("1001", State.ON_CALL, 50.0, "", "PJSIP/1001"),
        "1002": Agent("1002", State.ON_CALL, 50.0, "", "PJSIP/1002", pending="lunch"),
        "2003": Agent("2003", State.RINGING, 50.0, "", "PJSIP/1005"),
    }
    made, ami = desk(tmp_path, records)
    resync(made, {"1001": False, "1002": True})
    await asyncio.sleep(0.2)
    book = made.book.agents
    assert (book["1001"].state, book["2003"].state, book["2003"].interface) == (
        State.READY,
        State.READY,
        "PJSIP/1005",
    )
    assert (book["1002"].state, book["1002"].reason, book["1002"].pending) == (State.PAUSED, "lunch", "")
    assert ("PJSIP/1002", "true", "lunch") in pauses(ami)
    assert not [p for p in pauses(ami) if p[0] == "PJSIP/1001"]


@on_asyncio
async def test_a_record_older_than_the_book_changes_nothing(tmp_path):
    """After the journal's replay the book knows better than redis (a resume redis missed)."""
    made, _ = desk(tmp_path, {"1001": Agent("1001", State.PAUSED, 10.0, "lunch", "PJSIP/1001")})
    feed(made, ev.AgentPaused(10.0, "1001", "lunch"))
    feed(made, ev.AgentResumed(20.0, "1001"))
    await made.restore()
    assert made.book.agents["1001"].state is State.READY


@on_asyncio
async def test_a_wrap_up_the_journal_s_replay_left_running_ends_after_the_resync(tmp_path):
    """The fold replays a sales call's end into the book (not to the desk); the wrap-up's
    timer is the desk's, started at the resync: else the agent stayed in wrap-up."""
    from acd.core.journal import Entry

    made, _ = desk(tmp_path)
    made.clock = __import__("time").time
    made.book.wrapups["sales"] = 0.1
    for event in (
        ev.AgentRung(made.clock(), "c1", "sales", "1004", "PJSIP/1004-01", "leg1"),
        ev.CallAnswered(made.clock(), "c1", "sales", "1004", 1.0, 1.0, "PJSIP/1004-01", "leg1"),
        ev.CallCompleted(made.clock(), "c1", "sales", "1004", 1.0, 9.0, "agent"),
    ):
        made.bus.replay(Entry(0, event, False))  # type: ignore[attr-defined]
    resync(made, {"1004": False})
    assert made.book.agents["1004"].state is State.WRAP_UP
    await asyncio.sleep(0.3)
    assert made.book.agents["1004"].state is State.READY


@on_asyncio
async def test_a_call_of_a_queue_with_wrap_up_holds_the_member_until_the_wrap_up_is_submitted(tmp_path):
    """Asterisk's wrapuptime cannot end early: the desk pauses the member (reason 'wrapup')
    at the answer, so no caller reaches them after the hang-up, and lifts it on submit."""
    made, ami = desk(tmp_path)
    made.book.wrapups["sales"] = 60.0
    on_a_call(made, "1004", "sales")
    await asyncio.sleep(0.01)
    assert pauses(ami) == [("PJSIP/1004", "true", "wrapup")]
    feed(made, ev.CallCompleted(120.0, "c1", "sales", "1004", 1.0, 29.0, "agent"))
    await asyncio.sleep(0.01)
    assert made.book.agents["1004"].state is State.WRAP_UP
    assert len(pauses(ami)) == 1
    feed(made, ev.CallWrappedUp(125.0, "c1", "1004", "answered", True, False))
    await asyncio.sleep(0.01)
    assert made.book.agents["1004"].state is State.READY
    assert pauses(ami)[-1] == ("PJSIP/1004", "false", "")


@on_asyncio
async def test_the_wrap_up_hold_is_lifted_when_its_time_runs_out(tmp_path):
    made, ami = desk(tmp_path)
    made.book.wrapups["sales"] = 0.05
    made.clock = __import__("time").time
    on_a_call(made, "1004", "sales")
    feed(made, ev.CallCompleted(made.clock(), "c1", "sales", "1004", 1.0, 29.0, "agent"))
    await asyncio.sleep(0.2)
    assert made.book.agents["1004"].state is State.READY
    assert pauses(ami) == [("PJSIP/1004", "true", "wrapup"), ("PJSIP/1004", "false", "")]


@on_asyncio
async def test_a_pause_taken_back_during_a_held_call_goes_back_to_the_hold(tmp_path):
    made, ami = desk(tmp_path)
    made.book.wrapups["sales"] = 60.0
    on_a_call(made, "1004", "sales")
    await asyncio.sleep(0.01)
    assert await made.pause("1004", "lunch")
    assert await made.resume("1004")
    await asyncio.sleep(0.01)
    assert pauses(ami) == [
        ("PJSIP/1004", "true", "wrapup"),
        ("PJSIP/1004", "true", "lunch"),
        ("PJSIP/1004", "true", "wrapup"),
    ]
    feed(made, ev.CallCompleted(120.0, "c1", "sales", "1004", 1.0, 29.0, "agent"))
    feed(made, ev.AgentWrappedUp(180.0, "1004"))
    await asyncio.sleep(0.01)
    assert pauses(ami)[-1] == ("PJSIP/1004", "false", "")


@on_asyncio
async def test_a_wrap_up_hold_left_on_asterisk_by_a_restart_is_lifted_at_the_resync(tmp_path):
    made, ami = desk(tmp_path)
    held = ev.MemberChanged(50.0, "sales", "1004", "PJSIP/1004", "not_in_use", True, False, 3, "wrapup")
    for event in (ev.ResyncStarted(50.0), held, ev.ResyncFinished(50.0, ("sales",))):
        feed(made, event)
    await asyncio.sleep(0.05)
    assert made.book.agents["1004"].state is State.READY
    assert ("PJSIP/1004", "false", "") in pauses(ami)
