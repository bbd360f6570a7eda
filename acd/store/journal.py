"""The journal in the store: every event the daemon applies, numbered, written in batches.

`append` is what the bus calls for every event, on the reactor: it only puts the entry on a
list and never raises. A writer thread of its own turns the entries into rows and writes
them, one transaction per BATCH_DELAY (as acd/store/directory.py batches journey rows), so a
burst of AMI events costs one commit, not one each. Entries still waiting are written when
the journal closes; a write that fails is tried again, never dropped unless the backlog passes
MAX_BACKLOG. Readers see the entries still waiting too, so a live-push client resuming from a
sequence number never misses one that is not on disk yet.

Readers decode rows with acd.core.codec: a row that does not decode (a bug, a hand edit, an
event type since removed) is logged and skipped, so one bad row never stops a restart's fold.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger

from acd.core import codec
from acd.core.journal import Entry
from acd.store import db, journal_rows
from acd.store.models import JournalRow

log = Logger()
BATCH_DELAY = 0.05  # seconds an entry may wait to share a transaction with the next ones
RETRY_DELAY = 1.0  # seconds before a failed write is tried again
MAX_BACKLOG = 500_000  # entries kept while the store refuses writes; then the oldest go
PRUNE_EVERY = 86400.0  # seconds between two retention runs (the first at start)
DAY = 86400.0
READ_CHUNK = 5000  # rows fetched at a time by the readers


class Journal:
    def __init__(
        self,
        url: str,
        retention_days: int | None = None,
        *,
        delay: float = BATCH_DELAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = db.engine(url)
        self.retention_days = retention_days
        self.delay = delay
        self.clock = clock
        self.written = 0  # entries on disk, since this process started
        self.dropped = 0  # entries lost to a backlog past MAX_BACKLOG (logged)
        self._pending: list[Entry] = []  # waiting for the writer, in seq order
        self._writing: list[Entry] = []  # taken by the writer, not yet committed
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._pruned_at: float | None = None
        self._thread: threading.Thread | None = None
        self._writing_on = False  # the writer runs (a flag: Thread.is_alive costs, per event)

    # -- writing --------------------------------------------------------------------------------

    def append(self, entry: Entry) -> None:
        """Queue one entry for the writer: no I/O, no exception, whatever the store's state."""
        try:
            with self._lock:
                self._pending.append(entry)
                if len(self._pending) > MAX_BACKLOG:
                    del self._pending[0]
                    self.dropped += 1
                if not self._writing_on:
                    self._start()  # the first entry, or one applied after close (at stop)
                elif len(self._pending) == 1:
                    self._wake.notify()
        except Exception as exc:  # noqa: BLE001  the caller is the bus, on the reactor
            log.error("journal: entry {seq} not queued: {why}", seq=entry.seq, why=exc)

    def start(self) -> None:
        """Start the writer now (it also starts on the first entry): the retention runs at start."""
        with self._lock:
            if self._thread is None:
                self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="journal-write", daemon=True)
        self._writing_on = True
        self._thread.start()

    def _run(self) -> None:
        try:
            self._write_until_closed()
        finally:  # closed, or a bug: the next append starts a writer again
            with self._lock:
                self._writing_on = False

    def _write_until_closed(self) -> None:
        while True:
            self._prune_if_due()
            with self._lock:
                while not self._pending and not self._closing and not self._prune_due():
                    self._wake.wait(timeout=self._until_prune())
                if not self._pending:
                    if self._closing:
                        return
                    continue  # the retention is due
                if not self._closing:  # let the rest of a burst join this transaction
                    self._wake.wait(timeout=self.delay)  # (close and flush cut it short)
                self._writing, self._pending = self._pending, []
            if not self._flush(self._writing):
                if self._closing:
                    return  # the store refuses at stop: close() says how many are lost
                time.sleep(RETRY_DELAY)

    def _flush(self, entries: list[Entry]) -> bool:
        """Write these entries in one transaction; on failure put them back, first in line."""
        if not entries:
            return True
        rows = journal_rows.rows(entries)
        try:
            if rows:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql(self._insert, rows)
        except Exception as exc:  # noqa: BLE001  the writer must live on: the store comes back
            log.error("journal: {n} entries not written, kept to try again: {why}", n=len(rows), why=exc)
            with self._lock:
                self._pending[:0] = entries
                self._writing = []
            return False
        with self._lock:
            self._writing = []
            self.written += len(rows)
        return True

    @functools.cached_property
    def _insert(self) -> str:
        """Insert, skipping a seq already there: a retry after a commit whose answer was lost
        must not fail the whole batch. The driver's own SQL, given rows as tuples: SQLAlchemy's
        executemany of dicts cost more per row (its parameters, its bool processor) than
        SQLite's insert itself. Both SQLite and PostgreSQL read ON CONFLICT (seq) DO NOTHING."""
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        table, columns = JournalRow.__tablename__, ", ".join(journal_rows.COLUMNS)
        return (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join([mark] * len(journal_rows.COLUMNS))})"
            " ON CONFLICT (seq) DO NOTHING"
        )

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every entry appended so far is on disk (tests, benchmarks, stop)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending and not self._writing:
                    return True
                self._wake.notify()
            time.sleep(0.005)
        return False

    def close(self) -> None:
        """Write what is still waiting, then stop the writer."""
        with self._lock:
            self._closing = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        with self._lock:
            left = len(self._pending) + len(self._writing)
        if left:
            log.error("journal: {n} entries not written at stop", n=left)
        self.engine.dispose()

    # -- retention ------------------------------------------------------------------------------

    def prune(self, now: float | None = None) -> int:
        """Delete entries older than the retention; returns how many went."""
        if self.retention_days is None:
            return 0
        cutoff = (self.clock() if now is None else now) - self.retention_days * DAY
        with self.engine.begin() as connection:
            gone = connection.execute(delete(JournalRow).where(JournalRow.at < cutoff)).rowcount
        if gone:
            log.info("journal: {n} entries past the retention deleted", n=gone)
        return gone

    def _prune_due(self) -> bool:
        if self.retention_days is None:
            return False
        return self._pruned_at is None or time.monotonic() - self._pruned_at >= PRUNE_EVERY

    def _until_prune(self) -> float | None:
        if self.retention_days is None or self._pruned_at is None:
            return None
        return max(0.0, PRUNE_EVERY - (time.monotonic() - self._pruned_at))

    def _prune_if_due(self) -> None:
        if not self._prune_due():
            return
        self._pruned_at = time.monotonic()
        try:
            self.prune()
        except SQLAlchemyError as exc:
            log.error("journal: retention not applied: {why}", why=exc)

    # -- reading (blocking: at start, or on a thread) -------------------------------------------

    def last_seq(self) -> int:
        """The highest sequence number journaled (or waiting to be): where numbering resumes."""
        with self.engine.connect() as connection:
            found = connection.execute(select(func.max(JournalRow.seq))).scalar() or 0
        with self._lock:
            waiting = [e.seq for e in (*self._writing, *self._pending)]
        return max([found, *waiting])

    def mark_at(self, seq: int) -> list[Any] | None:
        """The entry `seq` as a checkpoint names it ([at, type]; None: no such entry)."""
        with self.engine.connect() as connection:
            query = select(JournalRow.at, JournalRow.type).where(JournalRow.seq == seq)
            found = connection.execute(query).first()
        return None if found is None else [found[0], found[1]]

    def since(self, seq: int, limit: int = 1000) -> list[Entry]:
        """Up to `limit` entries after `seq`, in order (a push client resuming after `seq`)."""
        query = select(*_COLUMNS).where(JournalRow.seq > seq).order_by(JournalRow.seq).limit(limit)
        found = list(self._decoded(query))
        return self._with_waiting(found, lambda e: e.seq > seq)[:limit]

    def between(self, at_from: float, at_to: float) -> list[Entry]:
        """Entries whose PBX time is in [at_from, at_to), in seq order (a restart's fold)."""
        return list(self.iter_between(at_from, at_to))

    def iter_between(self, at_from: float, at_to: float) -> Iterator[Entry]:
        query = (
            select(*_COLUMNS).where(JournalRow.at >= at_from, JournalRow.at < at_to).order_by(JournalRow.seq)
        )
        last = 0
        for entry in self._decoded(query):
            last = entry.seq
            yield entry
        yield from self._with_waiting([], lambda e: e.seq > last and at_from <= e.event.at < at_to)

    def iter_tail(self, seq: int, at_from: float) -> Iterator[Entry]:
        """Entries after `seq` whose PBX time is at or after `at_from`, in seq order: what a
        restart folds after a checkpoint taken at `seq`."""
        query = (
            select(*_COLUMNS).where(JournalRow.seq > seq, JournalRow.at >= at_from).order_by(JournalRow.seq)
        )
        last = seq
        for entry in self._decoded(query):
            last = entry.seq
            yield entry
        yield from self._with_waiting([], lambda e: e.seq > last and at_from <= e.event.at)

    def _decoded(self, query: Select[int, str, bool]) -> Iterator[Entry]:
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=READ_CHUNK).execute(query)
            for seq, body, reconstructed in result:
                entry = _entry(seq, body, reconstructed)
                if entry is not None:
                    yield entry

    def _with_waiting(self, found: list[Entry], wanted: Callable[[Entry], bool]) -> list[Entry]:
        top = found[-1].seq if found else 0
        with self._lock:
            waiting = [e for e in (*self._writing, *self._pending) if e.seq > top and wanted(e)]
        return found + waiting


_COLUMNS = (JournalRow.seq, JournalRow.body, JournalRow.reconstructed)


def _entry(seq: int, body: str, reconstructed: bool) -> Entry | None:
    try:
        record = json.loads(body)
        if not isinstance(record, dict):
            raise codec.BadRecord("not a record")
        return Entry(seq, codec.from_record(record), bool(reconstructed))
    except (ValueError, TypeError) as exc:  # BadRecord is a ValueError, so is bad JSON
        log.error("journal: entry {seq} skipped, it does not decode: {why}", seq=seq, why=exc)
        return None
