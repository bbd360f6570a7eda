"""Taking checkpoints of the read model while the daemon runs, so a restart folds only a tail.

Every `every` entries, or every `minutes` if anything was applied since the last, and once at
a clean stop. The models' state is captured on the reactor, between two events (it must be
that of one sequence number); turning it into JSON text and writing it, the heavy part, run on
a thread. One write at a time: a checkpoint due while one is written waits for the next turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.logger import Logger

from acd.core import checkpoint
from acd.core.journal import Entry, Sequencer
from acd.garbage import gc_paused
from acd.store.snapshots import Snapshots

log = Logger()
Run = Callable[..., "Deferred[Any]"]


class Checkpointer:
    def __init__(
        self,
        models: Mapping[str, checkpoint.Checkpointed],
        snapshots: Snapshots,
        sequence: Sequencer,
        every: int,
        *,
        run: Run = threads.deferToThread,
    ) -> None:
        self.models, self.snapshots, self.sequence = models, snapshots, sequence
        self.every, self.run = every, run
        self.taken_seq = 0  # the last checkpoint's (or the restart's) sequence number
        self.taken = 0  # checkpoints written by this process
        self.saved_seq = -1  # the newest on disk (the restart's, then ours)
        self._writing: Deferred[Any] | None = None
        self.last: Entry | None = None  # the latest entry applied (a checkpoint's mark)

    def count(self, entry: Entry) -> None:
        """A bus subscriber (after the models): one more entry; a checkpoint when due."""
        self.last = entry
        if entry.seq - self.taken_seq >= self.every:
            self.take()

    def tick(self) -> None:
        """The timer's turn: a checkpoint if anything was applied since the last."""
        if self.sequence.last > self.taken_seq:
            self.take()

    def take(self) -> Deferred[Any] | None:
        """Capture now (the reactor's thread), write on a thread; None if one is being written."""
        if self._writing is not None or not self._marked():
            return None
        seq = self.sequence.last
        started = time.perf_counter()
        with gc_paused():
            body = checkpoint.capture(self.models, seq, checkpoint.mark_of(self.last))
        self.taken_seq = seq
        captured = time.perf_counter() - started
        self._writing = self.run(self._write, body, captured)
        self._writing.addErrback(lambda f: log.failure("checkpoint at {seq} not written", f, seq=seq))
        self._writing.addBoth(self._written)
        return self._writing

    def _marked(self) -> bool:
        """Whether the models are at an entry this process applied (none yet after a start:
        the next start folds what this one did, no checkpoint needed)."""
        return self.last is not None and self.last.seq == self.sequence.last

    def _written(self, result: object) -> None:
        self._writing = None

    def take_now(self) -> None:
        """At a clean stop, on the reactor's thread: the last checkpoint, written before the
        journal closes (a write in flight is let finish first; an unchanged model is skipped)."""
        if self.sequence.last == self.saved_seq or not self._marked():
            return
        seq = self.sequence.last
        self.taken_seq = seq
        try:
            with gc_paused():
                body = checkpoint.capture(self.models, seq, checkpoint.mark_of(self.last))
            self._write(body, 0.0)
        except Exception as exc:  # noqa: BLE001  a stop must go on: the next start folds the day
            log.error("checkpoint at stop not taken: {why}", why=exc)

    def _write(self, body: dict[str, Any], captured: float) -> None:
        started = time.perf_counter()
        text = encoded(body)
        try:
            self.snapshots.save(body["seq"], body["version"], text)
        except SQLAlchemyError as exc:
            log.error("checkpoint at {seq} not written: {why}", seq=body["seq"], why=exc)
            return
        self.taken += 1
        self.saved_seq = max(self.saved_seq, body["seq"])
        log.info(
            "checkpoint at {seq}: {kb} kB, captured in {c:.0f} ms, written in {w:.0f} ms",
            seq=body["seq"],
            kb=len(text) // 1024,
            c=captured * 1000,
            w=(time.perf_counter() - started) * 1000,
        )


def _dump(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def encoded(body: Mapping[str, Any]) -> str:
    """json.dumps(body, separators=(",", ":"), allow_nan=False), the same text, one model at a
    time: json's C encoder holds the GIL for as long as it runs, so the reactor waits for the
    largest model's encoding (figures, the call ledger), not for the whole body's (measured
    at 0.3-1.4 s for a 2-9 MB checkpoint in bench/push_fanout.py's lag stage)."""
    head = _dump({key: value for key, value in body.items() if key != "models"})
    models = ",".join(f"{_dump(name)}:{_dump(state)}" for name, state in body["models"].items())
    return f'{head[:-1]},"models":{{{models}}}}}' if head != "{}" else f'{{"models":{{{models}}}}}'
