"""Restart with memory: the day's journal folded back into the read model before AMI connects.

Only the model's subscribers (`Bus.replay`) take the entries again, so nothing is acted on
twice: no call is dialled, recorded or written to the store again. The AMI resync that follows
(QueueStatus and the rest) then reconciles the model with what Asterisk has now.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from twisted.logger import Logger

from acd.core.bus import Bus
from acd.core.journal import Sequencer
from acd.store.journal import Journal

log = Logger()


@dataclass(frozen=True)
class Restored:
    entries: int  # entries folded back
    last_seq: int  # where numbering resumes
    seconds: float  # how long the fold took


def restore(journal: Journal, bus: Bus, sequence: Sequencer, since: float) -> Restored:
    """Fold every entry journaled at or after `since` (PBX time) into the model, and number
    new events after the journal's last. A store that cannot be read is logged: the daemon
    then starts with the day's counters at zero rather than not at all."""
    started = time.perf_counter()
    folded = 0
    try:
        sequence.last = max(sequence.last, journal.last_seq())
        for entry in journal.iter_between(since, float("inf")):
            bus.replay(entry)
            folded += 1
    except SQLAlchemyError as exc:
        log.error("journal not folded back ({n} entries read): {why}", n=folded, why=exc)
    restored = Restored(folded, sequence.last, time.perf_counter() - started)
    log.info(
        "journal: {n} entries of the day folded back in {ms:.0f} ms, numbering resumes after {seq}",
        n=restored.entries,
        ms=restored.seconds * 1000,
        seq=restored.last_seq,
    )
    return restored
