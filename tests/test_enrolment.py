"""The daemon's staff-table pass (every ROSTER_EVERY seconds, and at start): an agent `acd
staff add` wrote in another process reaches the book as a journaled AgentEnrolled, so a
restart folds them back; a disabled one is logged out, then withdrawn (issue 11)."""

from __future__ import annotations

import asyncio
import time

import pytest

from acd import config as config_module
from acd.core import events as ev
from acd.core.people import Person
from acd.core.supervision import Refusal, SpyRefused
from acd.service import Daemon
from acd.store import db
from acd.store.roster import Roster
from ivr import menu
from tests.people import CHEAP
from tests.web.conftest import on_asyncio

NIA = Person("3001", "Nia Holm", "agent", ("back",), None, ("support-2",))


def daemon(tmp_path, url: str) -> Daemon:
    raw = config_module.read_yaml(config_module.DEFAULT_PATH)
    raw["store"] = {"url": url}
    raw["pbx"] = {**raw["pbx"], "state_dir": str(tmp_path / "state")}
    raw["hashing"] = {"time_cost": 1, "memory_kib": 1024, "parallelism": 1}
    made = Daemon(config_module.parse(raw), menu.load())
    made.people.seed(made.config)  # as daemon.run does
    return made


async def settled(made: Daemon, number: str, known: bool) -> None:
    for _ in range(200):
        if (made.book.get(number) is not None) is known:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"agent {number} never {'enrolled' if known else 'withdrawn'}")


def stop(made: Daemon) -> None:
    made.journal.close()
    made.directory.close()
    made.people.close()


@on_asyncio
async def test_an_agent_added_elsewhere_is_enrolled_by_the_next_pass_and_a_restart_keeps_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    live = daemon(tmp_path, url)
    live.remember(time.time())
    live._enrol()  # the start-up pass: acd.yaml's agents are all known already
    assert live.book.get("3001") is None and set(live.book.agents) == {a.number for a in live.config.agents}
    cli = Roster(url, CHEAP)  # `acd staff add` in its own process
    await cli.add(NIA, None, "4321")
    seen: list[ev.Event] = []
    live.bus.subscribe("test", seen.append, (ev.AgentEnrolled, ev.AgentWithdrawn))
    live._roster_tick()
    await settled(live, "3001", known=True)
    assert [type(e) for e in seen] == [ev.AgentEnrolled]
    assert live.journal.flush()
    stop(live)

    again = daemon(tmp_path, url)
    again.remember(time.time())  # the journal's AgentEnrolled folded back, before any pass
    assert again.book.get("3001") is not None
    await cli.set_disabled("3001", True)
    await again.people.refresh()
    again._enrol()  # logged out: withdrawn at once
    assert again.book.get("3001") is None
    stop(again)
    cli.close()


@on_asyncio
async def test_a_disabled_agent_logged_in_is_logged_out_by_the_desk_then_withdrawn(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    live = daemon(tmp_path, url)
    live.remember(time.time())
    out: list[str] = []

    async def logout(number: str) -> bool:  # the desk's path: QueueRemove for each queue, then the event
        out.append(number)
        live.apply(ev.AgentLoggedOut(time.time(), number))
        return True

    live.desk.logout = logout  # type: ignore[method-assign]
    live.apply(ev.AgentLoggedIn(time.time(), "2001", "PJSIP/1005"))
    await live.people.set_disabled("2001", True)  # a configured agent: the table decides too
    live._enrol()
    await asyncio.sleep(0)
    assert out == ["2001"] and live.book.get("2001") is not None  # logged out, not yet withdrawn
    live._enrol()
    assert live.book.get("2001") is None
    stop(live)


@on_asyncio
async def test_a_store_only_agent_s_supervisor_may_listen_in_and_no_other(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    live = daemon(tmp_path, url)
    live.remember(time.time())
    await live.people.add(NIA, None, "4321")
    live._enrol()
    live.apply(ev.AgentLoggedIn(time.time(), "3001", "PJSIP/1006"))
    back, front = live.people.person("9002"), live.people.person("9001")
    assert live.supervisors.check(back, "3001") == "PJSIP/1006-"  # NIA is back's
    with pytest.raises(SpyRefused) as refused:
        live.supervisors.check(front, "3001")
    assert refused.value.why is Refusal.OTHER_TEAM
    stop(live)
