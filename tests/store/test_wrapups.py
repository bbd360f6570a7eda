"""Wrap-ups on SQLite and PostgreSQL: a disposition saved on the interaction and shown in
the customer's last contacts, the agent who took a call told from one who did not."""

from __future__ import annotations

import datetime as dt

import pytest

from acd.store import db, pops, wrapups
from acd.store.models import Customer, Interaction, InteractionSegment
from acd.store.wrapups import WrapUp


def made(url: str):
    return db.sessions(db.engine(url))


def interaction(session, linkedid: str, customer: int | None, at: float, agent: str | None = "1001") -> None:
    row = Interaction(
        linkedid=linkedid, customer_id=customer, started_at=dt.datetime.fromtimestamp(at, dt.UTC)
    )
    session.add(row)
    session.flush()
    if agent:
        session.add(
            InteractionSegment(
                interaction_id=row.id,
                kind="agent",
                name=agent,
                started_at=dt.datetime.fromtimestamp(at, dt.UTC),
            )
        )


@pytest.fixture
def store(db_url):
    sessions = made(db_url)
    with sessions.begin() as session:
        session.add(Customer(id=1, name="Ada <b>Lovelace</b>"))
        session.flush()
        interaction(session, "call-1", 1, 1000.0)
        interaction(session, "call-2", 1, 2000.0, agent="1002")
        interaction(session, "call-3", 1, 3000.0)
        interaction(session, "other", None, 1500.0)
    return sessions


def test_only_the_agent_who_took_the_call_took_it(store):
    with store() as session:
        assert wrapups.took_call(session, "call-1", "1001")
        assert not wrapups.took_call(session, "call-1", "1002")
        assert not wrapups.took_call(session, "nope", "1001")


def test_a_wrap_up_is_saved_on_the_interaction_and_the_next_pop_shows_it(store):
    with store.begin() as session:
        assert wrapups.save_wrapup(session, WrapUp("call-1", "1001", "fault_ticket", "", False, True, 1100.0))
        # a second submit by the same agent replaces the code; its notes are added
        assert wrapups.save_wrapup(
            session,
            WrapUp("call-1", "1001", "fault_fixed", "Router reset; <script>x</script>", True, False, 1110.0),
        )
        assert not wrapups.save_wrapup(session, WrapUp("gone", "1001", "answered", "", True, False, 1.0))
    with store() as session:
        contacts = pops.last_contacts(session, 1, "call-3", 5)
    first = next(c for c in contacts if c["started_at"] == 1000.0)
    assert first["dispositions"] == [
        {"code": "fault_fixed", "agent": "1001", "resolved": True, "follow_up": False}
    ]
    assert [n["text"] for n in first["notes"]] == ["Router reset; <script>x</script>"]
