"""Checkpoints of the read model in the store (journal_snapshots), beside the journal.

Blocking calls: the daemon runs `save` on a thread and `newest` at start, before the reactor
serves anyone. The newest are read first, one body at a time (a body is megabytes on a busy
day); the daemon takes the first that fits (acd/core/checkpoint.py) and folds the tail after it.
Only the last `keep` are kept, and none older than the journal's retention: the entries after
a kept checkpoint are newer than it, so the journal's retention never deletes what one needs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

from acd.store.models import JournalSnapshot

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    taken_at: float
    version: int
    body: str


class Snapshots:
    def __init__(self, engine: Engine, keep: int = 3, retention_days: int | None = None) -> None:
        self.engine, self.keep, self.retention_days = engine, keep, retention_days

    def save(self, seq: int, version: int, body: str, taken_at: float | None = None) -> int:
        """Store one checkpoint (again for a seq already there: the newer body wins), then
        prune; returns how many older ones went."""
        row = {"seq": seq, "taken_at": time.time() if taken_at is None else taken_at, "version": version}
        with self.engine.begin() as connection:
            connection.execute(delete(JournalSnapshot).where(JournalSnapshot.seq == seq))
            connection.execute(insert(JournalSnapshot), [{**row, "body": body}])
        return self.prune(row["taken_at"])

    def prune(self, now: float | None = None) -> int:
        """Keep the newest `keep`, and of those only the ones inside the retention."""
        with self.engine.begin() as connection:
            kept = select(JournalSnapshot.seq).order_by(JournalSnapshot.seq.desc()).limit(self.keep)
            newest = [seq for (seq,) in connection.execute(kept)]
            gone = 0
            if newest:
                query = delete(JournalSnapshot).where(JournalSnapshot.seq < min(newest))
                gone += connection.execute(query).rowcount
            if self.retention_days is not None:
                cutoff = (time.time() if now is None else now) - self.retention_days * DAY
                query = delete(JournalSnapshot).where(JournalSnapshot.taken_at < cutoff)
                gone += connection.execute(query).rowcount
        return gone

    def newest(self, since: float = float("-inf")) -> Iterator[Stored]:
        """Checkpoints taken at or after `since` (epoch seconds), newest first, body by body."""
        with self.engine.connect() as connection:
            query = (
                select(JournalSnapshot.seq)
                .where(JournalSnapshot.taken_at >= since)
                .order_by(JournalSnapshot.seq.desc())
            )
            seqs = [seq for (seq,) in connection.execute(query)]
        for seq in seqs:
            with self.engine.connect() as connection:
                found = connection.execute(
                    select(
                        JournalSnapshot.seq,
                        JournalSnapshot.taken_at,
                        JournalSnapshot.version,
                        JournalSnapshot.body,
                    ).where(JournalSnapshot.seq == seq)
                ).first()
            if found is not None:  # pruned meanwhile
                yield Stored(*found)

    def seqs(self) -> list[int]:
        with self.engine.connect() as connection:
            query = select(JournalSnapshot.seq).order_by(JournalSnapshot.seq)
            return [seq for (seq,) in connection.execute(query)]
