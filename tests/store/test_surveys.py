"""Survey answers on SQLite and PostgreSQL: the score lands on its call's interaction, one per
question; a call with no answer has no score at all (not a zero)."""

from __future__ import annotations

from acd.store import surveys
from acd.store.surveys import Answer
from tests.store.test_wrapups import interaction, made


def test_a_score_lands_on_its_interaction_once_per_question(db_url):
    sessions = made(db_url)
    with sessions.begin() as session:
        interaction(session, "call-1", None, 1000.0)
        interaction(session, "call-2", None, 1000.0)
    with sessions.begin() as session:
        assert surveys.save_answer(session, Answer("call-1", 1, 4, "1001", "support", 1100.0))
        assert surveys.save_answer(session, Answer("call-1", 2, 2, "1001", "support", 1105.0))
        assert surveys.save_answer(session, Answer("call-1", 2, 3, "1001", "support", 1106.0))  # replaces
        assert not surveys.save_answer(session, Answer("gone", 1, 5, "1001", "support", 1.0))
    with sessions() as session:
        assert surveys.scores(session, "call-1") == {1: 4, 2: 3}
        assert surveys.scores(session, "call-2") == {}  # no answer: no score
