"""The store writer for calls' stories: segments and interactions closed with end and outcome.

A bus subscriber (reconstructed events included: an end from queue_log closes an interaction
as a live one does). What to write is the core's decision (acd/core/journeys.py); here it
becomes rows, in batches: the writes of BATCH_DELAY seconds share one transaction on the
directory's writer thread, after the journey rows still waiting there, so a join always finds
the row its route opened.
"""

from __future__ import annotations

import asyncio
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
    once for the whole batch and changed in memory (the commit writes them): a query per
    write cost ~0.5 ms of ORM work each, more than the rest of an AMI event's path."""
    stories = _Stories(session, {write.call_id for write in batch})
    for write in batch:
        if isinstance(write, Join):
            stories.join(write)
            continue
        story = stories.found.get(write.call_id)
        if story is None:
            continue  # a call the store never heard of (a callback's placeholder, say)
        if isinstance(write, Open):
            story.add(_segment(write.kind, write.name, write.at))
        elif isinstance(write, Close):
            story.close(write)
        else:
            story.end(write)
    stories.add_new()


class _Story:
    """One call's interaction and its segments (in id order; new ones last), as the batch goes."""

    def __init__(self, interaction: Interaction, segments: list[InteractionSegment]) -> None:
        self.interaction, self.segments = interaction, segments
        self.new: list[InteractionSegment] = []  # added at the batch's end: their interaction_id

    def add(self, segment: InteractionSegment) -> None:
        self.segments.append(segment)
        self.new.append(segment)

    def waiting_in(self, queue: str) -> bool:
        return any(s.kind == "queue" and s.name == queue[:60] and s.ended_at is None for s in self.segments)

    def close(self, write: Close) -> None:
        """The latest segment of that kind and name (ended or not) ends with the outcome."""
        for segment in reversed(self.segments):
            if segment.kind == write.kind and segment.name == write.name[:60]:
                segment.ended_at, segment.outcome = utc(write.at), write.outcome[:20]
                return

    def end(self, write: End) -> None:
        interaction = self.interaction
        if write.if_open and interaction.ended_at is not None:
            return
        interaction.ended_at, interaction.outcome = utc(write.at), write.outcome[:20]
        for segment in self.segments:
            if segment.kind in SPANS and segment.ended_at is None:
                segment.ended_at, segment.outcome = utc(write.at), write.outcome[:20]


class _Stories:
    """The batch's calls, read in a few queries (IN_CHUNK calls a query)."""

    def __init__(self, session: Session, call_ids: set[str]) -> None:
        self.session = session
        self.found: dict[str, _Story] = {}
        ids = sorted(call_ids)
        for start in range(0, len(ids), IN_CHUNK):
            self._load(ids[start : start + IN_CHUNK])

    def _load(self, call_ids: list[str]) -> None:
        interactions = self.session.scalars(
            select(Interaction).where(Interaction.linkedid.in_(call_ids))
        ).all()
        by_id = {i.id: _Story(i, []) for i in interactions}
        segments = self.session.scalars(
            select(InteractionSegment)
            .where(InteractionSegment.interaction_id.in_(list(by_id)))
            .order_by(InteractionSegment.id)
        )
        for segment in segments:
            by_id[segment.interaction_id].segments.append(segment)
        self.found.update((story.interaction.linkedid, story) for story in by_id.values())

    def join(self, write: Join) -> None:
        story = self.found.get(write.call_id)
        if story is None:  # it came in without the daemon's route (down, or the fallback)
            interaction = Interaction(
                linkedid=write.call_id, caller_number=write.caller_id or None, started_at=utc(write.at)
            )
            self.session.add(interaction)
            story = self.found[write.call_id] = _Story(interaction, [])
        elif story.interaction.ended_at is not None:  # it went on: the next line, or the queue after
            story.interaction.ended_at, story.interaction.outcome = None, None
        if not story.waiting_in(write.queue):
            story.add(_segment("queue", write.queue, write.at))

    def add_new(self) -> None:
        """The new segments, once every interaction new in the batch has its id (one flush)."""
        self.session.flush()
        for story in self.found.values():
            for segment in story.new:
                segment.interaction_id = story.interaction.id
            self.session.add_all(story.new)


def _segment(kind: str, name: str, at: float) -> InteractionSegment:
    return InteractionSegment(kind=kind, name=name[:60], started_at=utc(at))
