"""The store as the daemon sees it: async calls on threads, so the reactor never waits on the
database, with one short session per call. Reads and writes have separate threads: a burst
of journey rows to write never delays a caller's lookup, and writes (which SQLite serialises
anyway) go one at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Insert, select
from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger

from acd.store import customers, db
from acd.store.customers import CustomerCard
from acd.store.models import Interaction, InteractionSegment, IvrAnswer, Note
from acd.store.times import utc

log = Logger()
T = TypeVar("T")
BATCH_DELAY = 0.05  # seconds a journey's first row may wait to share a transaction


@dataclass(frozen=True)
class IvrRecord:
    """What the IVR learned on one journey; `steps` says how far the caller got."""

    linkedid: str
    started_at: float
    ended_at: float
    customer_id: int | None
    language: str
    category: str
    account: str | None
    verification: str
    steps: str


class Directory:
    def __init__(self, url: str) -> None:
        self.engine = db.engine(url)
        self.sessions = db.sessions(self.engine)
        # Reads need no transaction: without one, PostgreSQL is spared a BEGIN and the
        # ROLLBACK when the connection goes back to the pool (two round trips per lookup).
        self._read_sessions = db.sessions(self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._reads = ThreadPoolExecutor(4, thread_name_prefix="store-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="store-write")
        self._rows: list[dict] = []
        self._batch: asyncio.Future | None = None

    async def open_interaction(
        self, linkedid: str, customer_id: int | None, caller_number: str | None, at: float
    ) -> None:
        """One row per journey; a second leg of the same journey changes nothing.

        Rows go in batches, one transaction per BATCH_DELAY (not one commit per call); any
        later write about a journey first writes the rows still waiting, so it finds its row.
        """
        self._rows.append(
            {
                "linkedid": linkedid,
                "customer_id": customer_id,
                "caller_number": caller_number,
                "started_at": utc(at),
            }
        )
        if self._batch is None:
            self._batch = asyncio.ensure_future(self._flush_later())
        await asyncio.shield(self._batch)

    async def _flush_later(self) -> None:
        await asyncio.sleep(BATCH_DELAY)
        await self._write(lambda: None)

    async def _write(self, work: Callable[..., T], *args: object) -> T:
        """Run `work` on the writer thread, after the interaction rows waiting for a batch."""
        rows, self._rows, self._batch = self._rows, [], None

        def job() -> T:
            if rows:
                self._insert_interactions(rows)
            return work(*args)

        return await asyncio.get_running_loop().run_in_executor(self._writes, job)

    def _insert_interactions(self, rows: list[dict]) -> None:
        statement: Insert
        if self.engine.dialect.name == "postgresql":  # imported here: SQLite stores never need it
            from sqlalchemy.dialects import postgresql

            statement = postgresql.insert(Interaction).on_conflict_do_nothing(index_elements=["linkedid"])
        else:
            from sqlalchemy.dialects import sqlite

            statement = sqlite.insert(Interaction).on_conflict_do_nothing(index_elements=["linkedid"])
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    async def caller(
        self, e164: str, last_agent_since: float | None
    ) -> tuple[list[CustomerCard], str | None]:
        """The customers on this number and, for exactly one, the agent who served them last."""
        since = utc(last_agent_since) if last_agent_since is not None else None
        return await self._read(customers.caller, e164, since)

    async def find_account(self, number: str) -> CustomerCard | None:
        return await self._read(customers.by_account, number)

    async def check_fact(self, question: str, customer_id: int, account: str | None, answer: str) -> bool:
        return await self._read(customers.check_fact, question, customer_id, account, answer)

    async def _read(self, query: Callable[..., T], *args: object) -> T:
        def work() -> T:
            with self._read_sessions() as session:
                return query(session, *args)

        return await asyncio.get_running_loop().run_in_executor(self._reads, work)

    async def record_ivr(self, record: IvrRecord) -> None:
        await self._write(self._record_ivr, record)

    def _record_ivr(self, record: IvrRecord) -> None:
        with self.sessions.begin() as session:
            interaction = session.scalars(
                select(Interaction).where(Interaction.linkedid == record.linkedid)
            ).first()
            if interaction is None:
                return  # the journey's row was never written; logged where that failed
            if record.customer_id is not None:
                interaction.customer_id = record.customer_id
            interaction.language = record.language or None
            interaction.category = record.category or None
            interaction.account_number = record.account
            interaction.verification = record.verification or None
            interaction.ivr_steps = record.steps[:200]
            session.add(
                InteractionSegment(
                    interaction_id=interaction.id,
                    kind="ivr",
                    name="ivr",
                    outcome=_last(record.steps),
                    started_at=utc(record.started_at),
                    ended_at=utc(record.ended_at),
                )
            )
            answers = {
                "language": record.language,
                "category": record.category,
                "account": record.account or "",
                "verification": record.verification,
            }
            session.add_all(
                IvrAnswer(interaction_id=interaction.id, key=key, value=value)
                for key, value in answers.items()
                if value
            )

    async def record_escalation(
        self,
        linkedid: str,
        from_queue: str,
        to_queue: str,
        agent: str,
        reason: str,
        at: float,
        note: str = "",
    ) -> None:
        await self._write(self._record_escalation, linkedid, from_queue, to_queue, agent, reason, at, note)

    def _record_escalation(
        self, linkedid: str, from_queue: str, to_queue: str, agent: str, reason: str, at: float, note: str
    ) -> None:
        with self.sessions.begin() as session:
            found = session.scalars(select(Interaction.id).where(Interaction.linkedid == linkedid)).first()
            if found is not None:
                session.add(
                    InteractionSegment(
                        interaction_id=found,
                        kind="escalation",
                        name=f"{from_queue}>{to_queue}"[:60],
                        outcome=reason[:20],
                        started_at=utc(at),
                    )
                )
                session.add(
                    Note(
                        interaction_id=found,
                        agent=agent[:20],
                        at=utc(at),
                        text=f"escalated from {from_queue} to {to_queue}: {reason}"
                        + (f": {note}" if note else ""),
                    )
                )

    async def write(self, work: Callable[..., T], *args: object) -> T:
        """`work(session, *args)` in one transaction on the writer thread (acd/store/quality.py)."""

        def job() -> T:
            with self.sessions.begin() as session:
                return work(session, *args)

        return await self._write(job)

    async def read(self, query: Callable[..., T], *args: object) -> T:
        """`query(session, *args)` on a reader thread."""
        return await self._read(query, *args)

    async def last_agent(self, customer_id: int, since: float) -> str | None:
        """The agent who last answered this customer after `since`, if any."""
        return await self._read(customers.last_agent, customer_id, utc(since))

    def close(self) -> None:
        rows, self._rows = self._rows, []
        if rows:  # a batch still waiting when the daemon stops is written, not dropped
            try:
                self._writes.submit(self._insert_interactions, rows).result()
            except SQLAlchemyError as exc:
                log.error("{n} journey rows not written at stop: {why}", n=len(rows), why=exc)
        self._writes.shutdown(wait=True)
        self._reads.shutdown(wait=True)
        self.engine.dispose()


def _last(steps: str) -> str:
    return steps.rsplit(" ", 1)[-1][:20]
