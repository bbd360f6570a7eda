"""Wrap-up on the real PBX: after a sales call (the queue has wrap-up) the agent's member is
held paused ('wrapup'), so the caller waiting behind is not offered to them, until the agent
submits the wrap-up from the page's API; then Asterisk offers that caller at once, well
before the queue's wrap-up time would have run out. The disposition is on the interaction,
and in queue_log (ACDDISPOSITION, on the call's uniqueid)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from acd.asterisk import queue_log
from acd.store import db
from acd.store.models import Disposition, Interaction
from tests.e2e.conftest import SALES_WRAPUP, SECRETS, wait_until
from tests.e2e.test_agents import agent_state
from tests.e2e.web import call_api

pytestmark = pytest.mark.e2e
AGENT = "1003"  # Chiara Rossi, a fixed seat in support and sales


def agent_login(number: str) -> tuple[str, str]:
    config = SECRETS.config
    assert config is not None
    found = config.agent(number)
    assert found is not None and getattr(found, "password", None), f"agent {number} has no web password"
    return number, found.password


def test_the_agent_is_not_offered_a_call_until_they_submit_the_wrap_up(pbx, daemon, phones, call, ami):
    daemon.start()
    phones(talk_ms=1000, names=(AGENT,))
    call(["5559101", "5559102"], dialled="200", rate=1, patience_ms=40000)
    done = ami.call_ended("5559101".__eq__, "sales", 30, "the first sales call to end")
    first = done["Uniqueid"]  # the caller's channel: the call's id (its linkedid)
    wait_until(lambda: agent_state(daemon, AGENT)["state"] == "wrap_up", 5, "the agent in wrap-up")
    held_at = ami.mark()
    time.sleep(0.5)  # the second caller waits, and is not offered to the held agent
    assert not ami.find(lambda e: e.get("Event") == "AgentCalled" and e.get("CallerIDNum") == "5559102")
    status, body = call_api(
        daemon.base,
        "POST",
        f"/api/wrapup/{first}",
        agent_login(AGENT),
        {"disposition": "order_placed", "notes": "two chairs", "resolved": True},
    )
    submitted = time.time()
    assert status == 200, body
    lifted = ami.wait(
        lambda e: (
            e.get("Event") == "QueueMemberPause"
            and e.get("Interface") == f"PJSIP/{AGENT}"
            and e.get("Paused") == "0"
        ),
        10,
        "the hold lifted by the submit",
        since=held_at,
    )
    offered = ami.wait(
        lambda e: e.get("Event") == "AgentCalled" and e.get("CallerIDNum") == "5559102",
        10,
        "the waiting caller offered to the agent",
    )
    assert float(offered["Timestamp"]) >= float(lifted["Timestamp"])  # not before the submit
    assert float(offered["Timestamp"]) < float(done["Timestamp"]) + SALES_WRAPUP  # not the timer's end
    assert float(offered["Timestamp"]) >= submitted - 1.0
    engine = db.engine(SECRETS.config.store.url)  # type: ignore[union-attr]
    with db.sessions(engine)() as session:
        row = session.execute(
            select(Disposition.code, Disposition.resolved, Disposition.agent)
            .join(Interaction, Interaction.id == Disposition.interaction_id)
            .where(Interaction.linkedid == first)
        ).one()
    engine.dispose()
    assert tuple(row) == ("order_placed", True, AGENT)

    # and queue_log has it too, on the call's own uniqueid, beside app_queue's lines
    coded = wait_until(
        lambda: [e for e in queue_log.read(pbx.queue_log) if e.verb == "ACDDISPOSITION"] or None,
        10,
        "ACDDISPOSITION in queue_log",
    )
    assert [(e.call_id, e.queue, e.agent, e.data) for e in coded] == [
        (first, "sales", AGENT, ("order_placed", "1", "0"))
    ]
    story = queue_log.calls(queue_log.read(pbx.queue_log))[first]
    assert story.outcome == "completed" and story.verbs[-1] == "ACDDISPOSITION"
