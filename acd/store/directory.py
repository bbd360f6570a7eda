"""The store as the daemon sees it: async calls on threads, so the reactor never waits on the
database, with one short session per call. Reads and writes have separate threads: a burst
of journey rows to write never delays a caller's lookup, and writes (which SQLite serialises
anyway) go one at a time."""
from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.dialects import postgresql, sqlite

from acd.store import customers, db
from acd.store.customers import CustomerCard
from acd.store.models import Interaction


class Directory:
    def __init__(self, url: str) -> None:
        self.engine = db.engine(url)
        self.sessions = db.sessions(self.engine)
        self._reads = ThreadPoolExecutor(4, thread_name_prefix="store-read")
        self._writes = ThreadPoolExecutor(1, thread_name_prefix="store-write")

    async def lookup(self, e164: str) -> list[CustomerCard]:
        return await asyncio.get_running_loop().run_in_executor(self._reads, self._lookup, e164)

    def _lookup(self, e164: str) -> list[CustomerCard]:
        with self.sessions() as session:
            return customers.lookup(session, e164)

    async def open_interaction(self, linkedid: str, customer_id: int | None,
                               caller_number: str | None, at: float) -> None:
        """One row per journey; a second leg of the same journey changes nothing."""
        await asyncio.get_running_loop().run_in_executor(
            self._writes, self._open_interaction, linkedid, customer_id, caller_number, at)

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
        self._writes.shutdown(wait=True)
        self._reads.shutdown(wait=True)
        self.engine.dispose()
