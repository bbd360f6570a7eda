"""The store as the daemon sees it: async calls, run on a thread so the reactor never waits
on the database, and one short session per call."""
from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.dialects import postgresql, sqlite

from acd.store import customers, db
from acd.store.customers import CustomerCard
from acd.store.models import Interaction


class Directory:
    def __init__(self, url: str) -> None:
        self.engine = db.engine(url)
        self.sessions = db.sessions(self.engine)

    async def lookup(self, e164: str) -> list[CustomerCard]:
        return await asyncio.to_thread(self._lookup, e164)

    def _lookup(self, e164: str) -> list[CustomerCard]:
        with self.sessions() as session:
            return customers.lookup(session, e164)

    async def open_interaction(self, linkedid: str, customer_id: int | None,
                               caller_number: str | None, at: float) -> None:
        """One row per journey; a second leg of the same journey changes nothing."""
        await asyncio.to_thread(self._open_interaction, linkedid, customer_id, caller_number, at)

    def _open_interaction(self, linkedid: str, customer_id: int | None,
                          caller_number: str | None, at: float) -> None:
        values = {"linkedid": linkedid, "customer_id": customer_id, "caller_number": caller_number,
                  "started_at": dt.datetime.fromtimestamp(at, dt.timezone.utc)}
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Interaction).values(**values).on_conflict_do_nothing(
            index_elements=["linkedid"])
        with self.engine.begin() as connection:
            connection.execute(statement)

    def close(self) -> None:
        self.engine.dispose()
