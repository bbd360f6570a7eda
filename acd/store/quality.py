"""Supervision audit rows and the recordings index: the queries, each given a session.

The daemon runs them through Directory.write/read (its own threads); the CLI and the tests
call them directly. Times are epoch seconds at this boundary, aware datetimes in the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from acd.core.supervision import Session as SpySession
from acd.store.models import Interaction, Recording, SupervisionSession


def _utc(at: float | None) -> dt.datetime | None:
    return None if at is None else dt.datetime.fromtimestamp(at, dt.UTC)


def _epoch(at: dt.datetime | None) -> float | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()


def _interaction(session: Session, linkedid: str | None) -> int | None:
    if not linkedid:
        return None
    return session.scalars(select(Interaction.id).where(Interaction.linkedid == linkedid)).first()


# -- supervision ------------------------------------------------------------------------------


def save_supervision(session: Session, spy: SpySession) -> None:
    """Insert or update the session's audit row (one row per session, as it grows)."""
    row = session.scalars(select(SupervisionSession).where(SupervisionSession.session == spy.id)).first()
    if row is None:
        row = SupervisionSession(session=spy.id, opened_at=_utc(spy.opened_at))
        session.add(row)
    row.supervisor, row.agent, row.origin = spy.supervisor[:20], spy.agent[:20], spy.origin
    row.modes = ",".join(m.value for m in spy.modes)[:200]
    row.linkedid = spy.call_id or None
    row.interaction_id = _interaction(session, spy.call_id)
    row.spy_started_at, row.ended_at = _utc(spy.spy_started_at), _utc(spy.ended_at)
    row.outcome = spy.outcome[:40]


def supervision_sessions(
    session: Session, agents: Iterable[str] | None = None, limit: int = 500
) -> list[dict]:
    """Oldest first of the newest `limit`; `agents` limits them (a supervisor's teams)."""
    query = select(SupervisionSession).order_by(SupervisionSession.id.desc()).limit(limit)
    if agents is not None:
        query = query.where(SupervisionSession.agent.in_(sorted(agents)))
    return [
        {
            "session": r.session,
            "supervisor": r.supervisor,
            "agent": r.agent,
            "origin": r.origin,
            "linkedid": r.linkedid,
            "interaction_id": r.interaction_id,
            "modes": r.modes.split(",") if r.modes else [],
            "opened_at": _epoch(r.opened_at),
            "spy_started_at": _epoch(r.spy_started_at),
            "ended_at": _epoch(r.ended_at),
            "outcome": r.outcome,
        }
        for r in reversed(session.scalars(query).all())
    ]


# -- recordings -------------------------------------------------------------------------------


def open_recording(
    session: Session,
    take: str,
    linkedid: str,
    agent: str,
    queue: str,
    path: str,
    reason: str,
    started_at: float,
) -> None:
    session.add(
        Recording(
            take=take,
            linkedid=linkedid,
            interaction_id=_interaction(session, linkedid),
            agent=agent[:20],
            queue=queue[:40],
            path=path,
            reason=reason[:40],
            started_at=_utc(started_at),
            status="recording",
            paused_s=0.0,
        )
    )


def close_recording(
    session: Session,
    take: str,
    ended_at: float,
    duration_s: float | None,
    paused_s: float,
    size: int | None,
    sha256: str | None,
) -> None:
    row = session.scalars(select(Recording).where(Recording.take == take)).first()
    if row is None:
        return
    row.ended_at, row.duration_s, row.paused_s = _utc(ended_at), duration_s, paused_s
    row.size, row.sha256 = size, sha256
    row.status = "done" if sha256 else "missing"
    if row.interaction_id is None:  # the journey row may have landed after the recording's
        row.interaction_id = _interaction(session, row.linkedid)


def unfinished_recordings(session: Session, started_before: float) -> list[dict]:
    """Rows still 'recording' (the daemon stopped mid-call): to be closed from their files."""
    query = select(Recording).where(
        Recording.status == "recording", Recording.started_at < _utc(started_before)
    )
    return [_recording(r) for r in session.scalars(query)]


def indexed_paths(session: Session, paths: Iterable[str]) -> set[str]:
    wanted = list(paths)
    if not wanted:
        return set()
    return set(session.scalars(select(Recording.path).where(Recording.path.in_(wanted))))


def recordings(
    session: Session, agents: set[str] | None = None, linkedid: str | None = None, limit: int = 200
) -> list[dict]:
    """Newest first; `agents` limits the list (a supervisor's teams), None is everyone's."""
    query = select(Recording).order_by(Recording.started_at.desc(), Recording.id.desc()).limit(limit)
    if agents is not None:
        query = query.where(Recording.agent.in_(sorted(agents)))
    if linkedid is not None:
        query = query.where(Recording.linkedid == linkedid)
    return [_recording(r) for r in session.scalars(query)]


def recording(session: Session, recording_id: int) -> dict | None:
    row = session.get(Recording, recording_id)
    return _recording(row) if row is not None else None


def expired_recordings(session: Session, started_before: float) -> list[dict]:
    """Finished recordings started before the cutoff (one still being written is kept)."""
    query = select(Recording).where(
        Recording.started_at < _utc(started_before), Recording.status != "recording"
    )
    return [_recording(r) for r in session.scalars(query)]


def delete_recordings(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(delete(Recording).where(Recording.id.in_(ids)))


def _recording(row: Recording) -> dict:
    return {
        "id": row.id,
        "take": row.take,
        "linkedid": row.linkedid,
        "interaction_id": row.interaction_id,
        "agent": row.agent,
        "queue": row.queue,
        "path": row.path,
        "reason": row.reason,
        "started_at": _epoch(row.started_at),
        "ended_at": _epoch(row.ended_at),
        "duration_s": row.duration_s,
        "paused_s": row.paused_s,
        "size": row.size,
        "sha256": row.sha256,
        "status": row.status,
    }
