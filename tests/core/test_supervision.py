"""Who may listen to whom, ChanSpy's options per mode, and a session's audit story."""

from __future__ import annotations

import pytest

from acd.core.supervision import (
    Mode,
    Refusal,
    Session,
    SessionBook,
    Supervisor,
    may_spy,
    refused,
    spy_options,
)

FRONT = Supervisor("9001", frozenset({"front", "sales"}))


def test_a_supervisor_reaches_only_their_teams():
    assert may_spy(FRONT, "front", agent_known=True) is None
    assert may_spy(FRONT, "back", agent_known=True) is Refusal.OTHER_TEAM
    assert may_spy(FRONT, None, agent_known=True) is Refusal.OTHER_TEAM  # an agent in no team
    assert may_spy(FRONT, None, agent_known=False) is Refusal.UNKNOWN_AGENT


def test_nobody_without_the_role_reaches_anyone():
    assert may_spy(None, "front", agent_known=True) is Refusal.NOT_SUPERVISOR
    assert may_spy(None, None, agent_known=False) is Refusal.NOT_SUPERVISOR  # says nothing of agents


@pytest.mark.parametrize(
    ("mode", "options"), [(Mode.MONITOR, "qbEd"), (Mode.WHISPER, "qbEdw"), (Mode.BARGE, "qbEdB")]
)
def test_chanspy_options_per_mode(mode, options):
    """Quiet, bridged calls only, ends with the call, DTMF 4/5/6 switch; then the mode."""
    assert spy_options(mode) == options


def opened(book: SessionBook, mode: Mode = Mode.MONITOR) -> Session:
    return book.start("spyer-1", Session("s1", "9001", "1001", "phone", 100.0), mode)


def test_a_session_records_every_mode_it_went_through():
    book = SessionBook()
    opened(book)
    assert book.spying("spyer-1", "call-7", 101.0).call_id == "call-7"
    assert book.digit("spyer-1", "5").modes == (Mode.MONITOR, Mode.WHISPER)
    assert book.digit("spyer-1", "5") is None  # already whispering: no change
    assert book.digit("spyer-1", "9") is None  # not a mode digit
    assert book.digit("spyer-1", "6").mode is Mode.BARGE
    assert book.digit("spyer-1", "4").modes == (Mode.MONITOR, Mode.WHISPER, Mode.BARGE, Mode.MONITOR)
    ended = book.end("spyer-1", 130.0)
    assert (ended.outcome, ended.ended_at, ended.spy_started_at) == ("ended", 130.0, 101.0)
    assert book.open == {} and book.end("spyer-1", 131.0) is None


def test_digits_before_chanspy_listens_are_not_mode_switches():
    """The PIN's digits (8642#) arrive on the same channel before ChanSpy starts."""
    book = SessionBook()
    opened(book, Mode.WHISPER)
    assert book.digit("spyer-1", "4") is None
    book.spying("spyer-1", "call-7", 101.0)
    assert book.digit("spyer-1", "4").modes == (Mode.WHISPER, Mode.MONITOR)


def test_a_session_that_never_found_a_call():
    book = SessionBook()
    opened(book)
    assert book.end("spyer-1", 120.0).outcome == "no_call"


def test_unknown_spyers_are_ignored():
    """The announcer's own ChanSpy (Local channels) is no supervisor's session."""
    book = SessionBook()
    assert book.spying("Local-x", "call", 1.0) is None and book.digit("Local-x", "5") is None


def test_a_refusal_is_a_closed_row_with_its_reason():
    row = refused("s2", "phone 1005", "1001", "phone", Refusal.NOT_SUPERVISOR, 50.0)
    assert (row.outcome, row.ended_at, row.modes) == ("refused:not_supervisor", 50.0, ())
    assert row.as_dict()["modes"] == []
