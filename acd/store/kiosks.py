"""Wallboard kiosk links: made, found by their token's hash, listed, revoked (each given a session;
the daemon runs them through Directory.read/write)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.store.models import WallKiosk

EVERYONE = "*"


def _row(kiosk: WallKiosk) -> dict:
    return {
        "id": kiosk.id,
        "label": kiosk.label,
        "made_by": kiosk.made_by,
        "agents": None if kiosk.agents == EVERYONE else [a for a in kiosk.agents.split(",") if a],
        "queues": None if kiosk.queues == EVERYONE else [q for q in kiosk.queues.split(",") if q],
        "created_at": kiosk.created_at.timestamp(),
        "revoked": kiosk.revoked_at is not None,
    }


def make(
    session: Session,
    token_sha256: str,
    label: str,
    made_by: str,
    agents: list[str] | None,
    queues: list[str] | None,
    at: float,
) -> dict:
    """`agents`/`queues` None: the whole center (an admin's)."""
    kiosk = WallKiosk(
        token_sha256=token_sha256,
        label=label[:60],
        made_by=made_by[:20],
        agents=EVERYONE if agents is None else ",".join(sorted(agents)),
        queues=EVERYONE if queues is None else ",".join(sorted(queues)),
        created_at=dt.datetime.fromtimestamp(at, dt.UTC),
    )
    session.add(kiosk)
    session.flush()
    return _row(kiosk)


def find(session: Session, token_sha256: str) -> dict | None:
    """The live (not revoked) kiosk with this token's hash."""
    query = select(WallKiosk).where(WallKiosk.token_sha256 == token_sha256, WallKiosk.revoked_at.is_(None))
    kiosk = session.scalars(query).first()
    return None if kiosk is None else _row(kiosk)


def listing(session: Session, made_by: str | None) -> list[dict]:
    """Newest first; `made_by` None: everyone's (an admin)."""
    query = select(WallKiosk).order_by(WallKiosk.id.desc()).limit(500)
    if made_by is not None:
        query = query.where(WallKiosk.made_by == made_by)
    return [_row(k) for k in session.scalars(query)]


def revoke(session: Session, kiosk_id: int, made_by: str | None, at: float) -> bool:
    """Revoke one of `made_by`'s kiosks (None: anyone's); False when there is none such."""
    kiosk = session.get(WallKiosk, kiosk_id)
    if kiosk is None or (made_by is not None and kiosk.made_by != made_by):
        return False
    if kiosk.revoked_at is None:
        kiosk.revoked_at = dt.datetime.fromtimestamp(at, dt.UTC)
    return True
