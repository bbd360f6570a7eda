"""The store writer for calls' stories: segments and interactions closed with end and outcome.

A bus subscriber (reconstructed events included: an end from queue_log closes an interaction
as a live one does). What to write is the core's decision (acd/core/journeys.py); here it
becomes rows, in batches: the writes of BATCH_DELAY seconds share one transaction on the
directory's writer thread, after the journey rows still waiting there, so a join always finds
the row its route opened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from acd.background import background
from acd.core import events as ev
from acd.core import numbers
from acd.core.center import CallCenter
from acd.core.journeys import JOURNEY_EVENTS, Close, End, Join, Open, Write, writes
from acd.store.directory import Directory
from acd.store.models import Interaction, InteractionSegment

BATCH_DELAY = 0.05  # seconds a call's write may wait to share a transaction
SPANS = ("queue", "agent")  # segments that last; an escalation's is a moment, its outcome the reason

Numbers = Callable[[str], "str | None"]  # a caller ID as E.164 (None: withheld or no number)


class NumberRules(Protocol):
    @property
    def country_code(self) -> str: ...
    @property
    def national_prefix(self) -> str: ...
    @property
    def international_prefix(self) -> str: ...


def e164(rules: NumberRules) -> Numbers:
    """Caller IDs read as the route reads them (acd.config's numbers section)."""
    return lambda raw: numbers.normalize(
        raw, rules.country_code, rules.national_prefix, rules.international_prefix
    )


class JourneyWriter:
    types = JOURNEY_EVENTS

    def __init__(
        self, directory: Directory, center: CallCenter, numbers: Numbers, delay: float = BATCH_DELAY
    ) -> None:
        self.directory, self.center, self.numbers, self.delay = directory, center, numbers, delay
        self._pending: list[Write] = []
        self._batch: asyncio.Future | None = None

    def on_event(self, event: ev.Event) -> None:
        call_id = getattr(event, "call_id", "")
        found = writes(event, self.center.calls.get(call_id))
        if not found:
            return
        self._pending.extend(self._numbered(w) for w in found)
        if self._batch is None:
            self._batch = background(self._flush_later(), "writing calls' stories")

    def _numbered(self, write: Write) -> Write:
        return (
            replace(write, caller_id=self.numbers(write.caller_id) or "")
            if isinstance(write, Join)
            else write
        )

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.delay)
        await self.flush()

    async def flush(self) -> None:
        batch, self._pending, self._batch = self._pending, [], None
        if batch:
            await self.directory.write(apply_writes, batch)


def apply_writes(session: Session, batch: list[Write]) -> None:
    """The batch's writes in order, in the caller's transaction."""
    for write in batch:
        if isinstance(write, Join):
            _join(session, write)
            continue
        interaction = _interaction(session, write.call_id)
        if interaction is None:
            continue  # a call the store never heard of (a callback's placeholder, say)
        if isinstance(write, Open):
            session.add(_segment(interaction.id, write.kind, write.name, write.at))
        elif isinstance(write, Close):
            _close(session, interaction.id, write)
        else:
            _end(session, interaction, write)


def _join(session: Session, write: Join) -> None:
    interaction = _interaction(session, write.call_id)
    if interaction is None:  # it came in without the daemon's route (down, or the fallback)
        interaction = Interaction(
            linkedid=write.call_id, caller_number=write.caller_id or None, started_at=_utc(write.at)
        )
        session.add(interaction)
        session.flush()
    elif interaction.ended_at is not None:  # it went on: the next line, or the queue after
        interaction.ended_at, interaction.outcome = None, None
    waiting = session.scalars(
        select(InteractionSegment.id).where(
            InteractionSegment.interaction_id == interaction.id,
            InteractionSegment.kind == "queue",
            InteractionSegment.name == write.queue[:60],
            InteractionSegment.ended_at.is_(None),
        )
    ).first()
    if waiting is None:
        session.add(_segment(interaction.id, "queue", write.queue, write.at))


def _close(session: Session, interaction_id: int, write: Close) -> None:
    segment = session.scalars(
        select(InteractionSegment)
        .where(
            InteractionSegment.interaction_id == interaction_id,
            InteractionSegment.kind == write.kind,
            InteractionSegment.name == write.name[:60],
        )
        .order_by(InteractionSegment.id.desc())
    ).first()
    if segment is not None:
        segment.ended_at, segment.outcome = _utc(write.at), write.outcome[:20]


def _end(session: Session, interaction: Interaction, write: End) -> None:
    if write.if_open and interaction.ended_at is not None:
        return
    interaction.ended_at, interaction.outcome = _utc(write.at), write.outcome[:20]
    still_open = session.scalars(
        select(InteractionSegment).where(
            InteractionSegment.interaction_id == interaction.id,
            InteractionSegment.kind.in_(SPANS),
            InteractionSegment.ended_at.is_(None),
        )
    )
    for segment in still_open:
        segment.ended_at, segment.outcome = _utc(write.at), write.outcome[:20]


def _interaction(session: Session, linkedid: str) -> Interaction | None:
    return session.scalars(select(Interaction).where(Interaction.linkedid == linkedid)).first()


def _segment(interaction_id: int, kind: str, name: str, at: float) -> InteractionSegment:
    return InteractionSegment(interaction_id=interaction_id, kind=kind, name=name[:60], started_at=_utc(at))


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.UTC)
