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
from typing import Protocol, cast

from sqlalchemy import Table, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session

from acd.background import background
from acd.core import events as ev
from acd.core import numbers
from acd.core.center import CallCenter
from acd.core.journeys import JOURNEY_EVENTS, Close, End, Join, Open, Write, writes
from acd.store.directory import Directory
from acd.store.models import Interaction, InteractionSegment
from acd.store.times import utc

BATCH_DELAY = 0.05  # seconds a call's write may wait to share a transaction
IN_CHUNK = 500  # calls read by one query (a backlog's batch may hold thousands)
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
    """The batch's writes in order, in the caller's transaction. The calls' rows are read
    once for the whole batch (a query per write cost ~0.5 ms of ORM work each), changed in
    memory, and written back in a few executemany statements: the ORM's unit of work on
    those objects cost the writer thread ~20 us of GIL-held time per AMI event."""
    stories = _Stories(session, {write.call_id for write in batch})
    for write in batch:
        if isinstance(write, Join):
            stories.join(write)
            continue
        story = stories.found.get(write.call_id)
        if story is None:
            continue  # a call the store never heard of (a callback's placeholder, say)
        if isinstance(write, Open):
            story.add(_Segment(None, write.kind, write.name[:60], False, utc(write.at)))
        elif isinstance(write, Close):
            story.close(write)
        else:
            story.end(write)
    stories.save()


class _Segment:
    """One segment as the batch knows it: `id` None until inserted; `changed` its end to write."""

    __slots__ = ("changed", "ended", "ended_at", "id", "kind", "name", "outcome", "started_at")

    def __init__(
        self, id: int | None, kind: str, name: str, ended: bool, started_at: dt.datetime | None = None
    ) -> None:
        self.id, self.kind, self.name, self.ended, self.started_at = id, kind, name, ended, started_at
        self.ended_at: dt.datetime | None = None
        self.outcome: str | None = None
        self.changed = False

    def finish(self, at: float, outcome: str) -> None:
        self.ended, self.ended_at, self.outcome, self.changed = True, utc(at), outcome[:20], True


class _Story:
    """One call's interaction and its segments (in id order; new ones last), as the batch goes."""

    def __init__(self, id: int | None, ended: bool, segments: list[_Segment]) -> None:
        self.id, self.ended, self.segments = id, ended, segments
        self.ended_at: dt.datetime | None = None
        self.outcome: str | None = None
        self.changed = False  # the interaction's end (or reopening) to write

    def add(self, segment: _Segment) -> None:
        self.segments.append(segment)

    def waiting_in(self, queue: str) -> bool:
        return any(s.kind == "queue" and s.name == queue[:60] and not s.ended for s in self.segments)

    def close(self, write: Close) -> None:
        """The latest segment of that kind and name (ended or not) ends with the outcome."""
        for segment in reversed(self.segments):
            if segment.kind == write.kind and segment.name == write.name[:60]:
                segment.finish(write.at, write.outcome)
                return

    def end(self, write: End) -> None:
        if write.if_open and self.ended:
            return
        self.ended, self.ended_at, self.outcome, self.changed = True, utc(write.at), write.outcome[:20], True
        for segment in self.segments:
            if segment.kind in SPANS and not segment.ended:
                segment.finish(write.at, write.outcome)

    def reopen(self) -> None:
        self.ended, self.ended_at, self.outcome, self.changed = False, None, None, True


class _Stories:
    """The batch's calls, read in a few queries (IN_CHUNK calls a query), written in a few."""

    def __init__(self, session: Session, call_ids: set[str]) -> None:
        self.session = session
        self.found: dict[str, _Story] = {}
        self.joined: dict[str, tuple[str | None, dt.datetime]] = {}  # new: caller number, start
        ids = sorted(call_ids)
        for start in range(0, len(ids), IN_CHUNK):
            self._load(ids[start : start + IN_CHUNK])

    def _load(self, call_ids: list[str]) -> None:
        interactions = self.session.execute(
            select(Interaction.id, Interaction.linkedid, Interaction.ended_at.is_not(None)).where(
                Interaction.linkedid.in_(call_ids)
            )
        ).all()
        by_id = {id: (linkedid, _Story(id, bool(ended), [])) for id, linkedid, ended in interactions}
        segments = self.session.execute(
            select(
                InteractionSegment.id,
                InteractionSegment.interaction_id,
                InteractionSegment.kind,
                InteractionSegment.name,
                InteractionSegment.ended_at.is_not(None),
            )
            .where(InteractionSegment.interaction_id.in_(list(by_id)))
            .order_by(InteractionSegment.id)
        )
        for id, interaction_id, kind, name, ended in segments:
            by_id[interaction_id][1].segments.append(_Segment(id, kind, name, bool(ended)))
        self.found.update(by_id.values())

    def join(self, write: Join) -> None:
        story = self.found.get(write.call_id)
        if story is None:  # it came in without the daemon's route (down, or the fallback)
            story = self.found[write.call_id] = _Story(None, False, [])
            self.joined[write.call_id] = (write.caller_id or None, utc(write.at))
        elif story.ended:  # it went on: the next line, or the queue after
            story.reopen()
        if not story.waiting_in(write.queue):
            story.add(_Segment(None, "queue", write.queue[:60], False, utc(write.at)))

    def save(self) -> None:
        """New interactions first (their ids for their segments), then new segments, then the
        ends of rows that were there already: one statement each, however many rows."""
        execute = self.session.execute
        if self.joined:
            made = execute(
                insert(_INTERACTIONS).returning(_INTERACTIONS.c.id, _INTERACTIONS.c.linkedid),
                [self._new_interaction(linkedid, *first) for linkedid, first in self.joined.items()],
            )
            for id, linkedid in made:
                self.found[linkedid].id = id
        segments, ended, interactions = [], [], []
        for linkedid, story in self.found.items():
            if story.changed and linkedid not in self.joined:  # a new one's end is in its insert
                interactions.append(_end_row(story.id, story.ended_at, story.outcome))
            for segment in story.segments:
                if segment.id is None:
                    segments.append(_new_segment(story, segment))
                elif segment.changed:
                    ended.append(_end_row(segment.id, segment.ended_at, segment.outcome))
        if segments:
            execute(insert(_SEGMENTS), segments)
        for table, rows in ((_INTERACTIONS, interactions), (_SEGMENTS, ended)):
            if rows:
                execute(_ended(table), rows)

    def _new_interaction(self, linkedid: str, caller: str | None, started_at: dt.datetime) -> dict:
        story = self.found[linkedid]
        return {
            "linkedid": linkedid,
            "caller_number": caller,
            "started_at": started_at,
            "ended_at": story.ended_at,
            "outcome": story.outcome,
        }


def _end_row(id: int | None, ended_at: dt.datetime | None, outcome: str | None) -> dict:
    return {"b_id": id, "b_ended": ended_at, "b_outcome": outcome}


def _new_segment(story: _Story, segment: _Segment) -> dict:
    return {
        "interaction_id": story.id,
        "kind": segment.kind,
        "name": segment.name,
        "started_at": segment.started_at,
        "ended_at": segment.ended_at,
        "outcome": segment.outcome,
    }


_INTERACTIONS = cast(Table, Interaction.__table__)  # Core, not the ORM's bulk statements
_SEGMENTS = cast(Table, InteractionSegment.__table__)


def _ended(table: Table) -> Update:
    """UPDATE table SET ended_at, outcome WHERE id, for executemany (b_*: not the columns' names)."""
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(ended_at=bindparam("b_ended"), outcome=bindparam("b_outcome"))
    )
