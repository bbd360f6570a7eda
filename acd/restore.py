"""Restart with memory: the day's journal folded back into the read model before AMI connects.

Only the model's subscribers (`Bus.replay`) take the entries again, so nothing is acted on
twice: no call is dialled, recorded or written to the store again. The AMI resync that follows
(QueueStatus and the rest) then reconciles the model with what Asterisk has now.

With checkpoints (acd/checkpoints.py), the newest of today's that fits is put back first and
only the entries after it are folded; one that does not fit (another version, bad values, a
sequence beyond the journal's) is logged and the next older tried, and without any the whole
day is folded as before: a checkpoint saves time, it never decides what the state is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger
from twisted.python.failure import Failure

from acd.core import checkpoint
from acd.core.bus import Bus
from acd.core.journal import Entry, Sequencer
from acd.garbage import gc_paused
from acd.store.journal import Journal
from acd.store.snapshots import Snapshots

log = Logger()


@dataclass(frozen=True)
class Restored:
    entries: int  # entries folded back (after the checkpoint, if one was put back)
    last_seq: int  # where numbering resumes
    seconds: float  # how long the fold took, the checkpoint's load included
    checkpoint: int = 0  # the sequence number of the checkpoint put back (0: none)


@dataclass(frozen=True)
class Checkpoints:
    """Where they are kept, and the models they hold (the daemon's folded models, by name)."""

    snapshots: Snapshots
    models: Mapping[str, checkpoint.Checkpointed]


def restore(
    journal: Journal, bus: Bus, sequence: Sequencer, since: float, checkpoints: Checkpoints | None = None
) -> Restored:
    """Fold every entry journaled at or after `since` (PBX time) into the model, from the
    newest valid checkpoint taken since then when there is one, and number new events after
    the journal's last. A store that cannot be read is logged: the daemon then starts with the
    day's counters at zero rather than not at all."""
    started = time.perf_counter()
    folded = after = 0
    try:
        sequence.last = max(sequence.last, journal.last_seq())
        with gc_paused():
            if checkpoints is not None:
                after = put_back(checkpoints, journal, since, sequence.last)
            for entry in _entries(journal, after, since):
                bus.replay(entry)
                folded += 1
    except SQLAlchemyError as exc:
        log.error("journal not folded back ({n} entries read): {why}", n=folded, why=exc)
    restored = Restored(folded, sequence.last, time.perf_counter() - started, after)
    log.info(
        "journal: {n} entries of the day folded back after checkpoint {at} in {ms:.0f} ms, "
        "numbering resumes after {seq}",
        n=restored.entries,
        at=restored.checkpoint or "(none)",
        ms=restored.seconds * 1000,
        seq=restored.last_seq,
    )
    return restored


def _entries(journal: Journal, after: int, since: float) -> Iterator[Entry]:
    return journal.iter_tail(after, since) if after else journal.iter_between(since, float("inf"))


def put_back(checkpoints: Checkpoints, journal: Journal, since: float, last_seq: int) -> int:
    """The newest checkpoint taken since `since` that fits the journal, put back into the
    models; its sequence number, or 0 when none does (the models are then untouched)."""
    try:
        for stored in checkpoints.snapshots.newest(since):
            try:
                body = json.loads(stored.body)
                return checkpoint.restore(checkpoints.models, body, last_seq, journal.mark_at)
            except (ValueError, RecursionError) as exc:  # BadState and bad JSON are ValueErrors
                log.error("checkpoint at {seq} ignored: {why}", seq=stored.seq, why=str(exc)[:200])
            except Exception as exc:  # noqa: BLE001  a bug in a model's decoding: a checkpoint
                # only saves time, it must never stop a start (decoding changed nothing yet)
                log.failure("checkpoint at {seq} ignored", Failure(exc), seq=stored.seq)
    except SQLAlchemyError as exc:
        log.error("checkpoints not read, the whole day is folded: {why}", why=exc)
    return 0
