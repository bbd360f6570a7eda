"""Cookie sessions on their own (acd/web/sessions.py): ids never kept, expiry when idle and
in any case, ended by a changed or disabled record, one CSRF token per session, bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from acd.core.people import Person, Session
from acd.web import sessions as sessions_module
from acd.web.sessions import Sessions
from tests.asterisk.test_fastagi import on_asyncio

ALICE = Person("1001", "Alice Martin", "agent", ("front",))
SOFIA = Person("9001", "Sofia Brenner", "supervisor", ("front", "sales"))


class Book:
    def __init__(self, *people: Person) -> None:
        self.people = {p.number: p for p in people}

    def person(self, number: str) -> Person | None:
        return self.people.get(number)


@pytest.fixture
def made():
    now = [1000.0]
    book = Book(ALICE, SOFIA)
    kept = Sessions("k" * 32, book, idle=600, most=3600, clock=lambda: now[0])
    kept.now, kept.book = now, book
    return kept


def test_a_session_finds_its_person_and_keeps_no_id(made):
    sid = made.open(ALICE)
    assert made.find(sid)[1] == ALICE
    assert sid not in str(made.records) and len(sid) >= 40
    assert made.find("x" + sid[1:]) is None and made.find(None) is None and made.find("") is None


def test_idle_sessions_end_and_used_ones_live_until_the_absolute_limit(made):
    idle, busy = made.open(ALICE), made.open(SOFIA)
    for _ in range(5):
        made.now[0] += 500
        assert made.find(busy) is not None
    assert made.find(idle) is None  # 2,500 s without a request
    made.now[0] += 1200  # 3,700 s after sign-in, though used a minute ago
    assert made.find(busy) is None
    assert made.records == {}


def test_a_changed_or_disabled_record_ends_its_sessions(made):
    first, second = made.open(ALICE), made.open(SOFIA)
    made.book.people["1001"] = replace(ALICE, version=2)  # a new password
    assert made.find(first) is None
    made.book.people["9001"] = replace(SOFIA, disabled=True)
    made.sweep()
    assert made.find(second) is None and made.records == {}
    made.book.people["9001"] = replace(SOFIA, disabled=False)
    assert made.find(second) is None  # re-enabled: a new sign-in, not the old session


def test_each_session_has_its_own_csrf_token(made):
    one, two = made.open(ALICE), made.open(ALICE)
    assert made.csrf_ok(one, made.csrf_token(one))
    assert not made.csrf_ok(one, made.csrf_token(two))
    assert not made.csrf_ok(one, "") and not made.csrf_ok(one, None) and not made.csrf_ok(one, "x" * 500)
    other_key = Sessions("z" * 32, made.book, 600, 3600)
    assert other_key.csrf_token(one) != made.csrf_token(one)


def test_sign_out_and_end_for_end_sessions(made):
    one, two, three = made.open(ALICE), made.open(ALICE), made.open(SOFIA)
    made.end(one)
    assert made.find(one) is None and made.find(two) is not None
    assert made.end_for("1001") == 1 and made.find(two) is None and made.find(three) is not None


def test_sessions_are_bounded_per_person_and_in_all(made, monkeypatch):
    first = made.open(ALICE)
    for _ in range(sessions_module.MOST_EACH):
        made.now[0] += 1
        made.open(ALICE)
    assert made.find(first) is None and len(made.records) == sessions_module.MOST_EACH
    monkeypatch.setattr(sessions_module, "MOST", 50)
    for i in range(200):
        made.open(Person(str(5000 + i), "X", "agent"))
    assert len(made.records) <= 50


def test_records_from_redis_are_checked(made):
    good = Session("a" * 64, "1001", 1, 990.0, 995.0)
    assert Session.from_dict(good.as_dict()) == good
    for bad in (
        {},
        [],
        {**good.as_dict(), "key": "short"},
        {**good.as_dict(), "version": True},
        {**good.as_dict(), "seen": "now"},
        {**good.as_dict(), "number": "<x>"},
    ):
        with pytest.raises(ValueError):
            Session.from_dict(bad)
    stale = Session("b" * 64, "9001", 1, 10.0, 20.0)
    made.restore([good, stale])
    assert set(made.records) == {good.key}


@on_asyncio
async def test_right_after_a_start_a_request_waits_for_the_kept_sessions(made, monkeypatch):
    """A browser reconnecting the moment the daemon is back was told its session had ended
    (401: its stream gave up) while redis's records were still being read."""
    import asyncio

    sid = made.open(ALICE)
    kept = list(made.records.values())
    made.records.clear()  # a fresh start: nothing in memory yet
    made.restoring()
    waiting = asyncio.ensure_future(made.ready())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    made.restore(kept)
    await asyncio.wait_for(waiting, 1)
    assert made.find(sid)[1] == ALICE
    made.restoring()  # redis never answers: a request waits RESTORE_WAIT, no longer
    monkeypatch.setattr(sessions_module, "RESTORE_WAIT", 0.05)
    await asyncio.wait_for(made.ready(), 1)
    await asyncio.wait_for(Sessions("k" * 32, made.book, 600, 3600).ready(), 1)  # nothing to wait for
