"""Survey answers on the interaction (acd/asterisk/survey.py writes them as the caller keys
them). Each query is given a session; the daemon runs them through Directory.write/read.
Times are epoch seconds at this boundary."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.store.models import Interaction, SurveyAnswer
from acd.store.times import utc


@dataclass(frozen=True)
class Answer:
    call_id: str  # the interaction's linkedid
    question: int
    score: int
    agent: str
    queue: str
    at: float


def save_answer(session: Session, answer: Answer) -> bool:
    """The score on its interaction (a second answer to the same question replaces the first);
    False when the store has no such interaction."""
    found = select(Interaction.id).where(Interaction.linkedid == answer.call_id)
    interaction = session.scalars(found).first()
    if interaction is None:
        return False
    row = session.scalars(
        select(SurveyAnswer).where(
            SurveyAnswer.interaction_id == interaction, SurveyAnswer.question == answer.question
        )
    ).first()
    if row is None:
        row = SurveyAnswer(interaction_id=interaction, question=answer.question)
        session.add(row)
    row.score, row.agent, row.queue = answer.score, answer.agent[:20], answer.queue[:40]
    row.at = utc(answer.at)
    return True


def scores(session: Session, call_id: str) -> dict[int, int]:
    """question -> score for one call; {} when the caller gave none."""
    rows = session.execute(
        select(SurveyAnswer.question, SurveyAnswer.score)
        .join(Interaction, Interaction.id == SurveyAnswer.interaction_id)
        .where(Interaction.linkedid == call_id)
    )
    return {question: score for question, score in rows}
