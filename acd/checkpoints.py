"""Taking checkpoints of the read model while the daemon runs, so a restart folds only a tail.

Every `every` entries, or every `minutes` if anything was applied since the last, and once at
a clean stop. The state must be that of one sequence number: a forked child captures and
encodes it (acd/checkpoint_child.py) while the reactor goes on; a thread waits for its text
and writes it. One at a time: a checkpoint due while one is being taken waits for the next
turn. The last, at a stop, is captured and written in the process itself.
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

from acd.checkpoint_child import Capture, in_child, in_process
from acd.core import checkpoint
from acd.core.journal import Entry, Sequencer
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
        capture: Capture = in_child,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models, self.snapshots, self.sequence = models, snapshots, sequence
        self.every, self.run, self.capture, self.clock = every, run, capture, clock
        self.taken_seq = 0  # the last checkpoint's (or the restart's) sequence number
        self.taken = 0  # checkpoints written by this process
        self.saved_seq = -1  # the newest on disk (the restart's, then ours)
        self._writing: Deferred[Any] | None = None
        self._started = self._rest_until = 0.0  # the clock's: the last take's start, its rest's end
        self.last: Entry | None = None  # the latest entry applied (a checkpoint's mark)

    def count(self, entry: Entry) -> None:
        """A bus subscriber (after the models): one more entry; a checkpoint when due, and
        not before the last one's rest is over (see `_written`)."""
        self.last = entry
        if entry.seq - self.taken_seq >= self.every and self.clock() >= self._rest_until:
            self.take()

    def tick(self) -> None:
        """The timer's turn: a checkpoint if anything was applied since the last."""
        if self.sequence.last > self.taken_seq:
            self.take()

    def take(self) -> Deferred[Any] | None:
        """Capture now (a fork on the reactor's thread), write on a thread; None if one is
        being taken."""
        if self._writing is not None or not self._marked():
            return None
        seq = self.sequence.last
        self._started, started = self.clock(), time.perf_counter()
        try:
            text = self.capture(self.models, seq, checkpoint.mark_of(self.last), encoded)
        except OSError as exc:  # no fork (memory, process limit): the next turn tries again
            log.error("checkpoint at {seq} not taken: {why}", seq=seq, why=exc)
            return None
        self.taken_seq = seq
        paused = time.perf_counter() - started
        self._writing = self.run(self._write_text, seq, text, paused)
        self._writing.addErrback(lambda f: log.failure("checkpoint at {seq} not written", f, seq=seq))
        self._writing.addBoth(self._written)
        return self._writing

    def _marked(self) -> bool:
        """Whether the models are at an entry this process applied (none yet after a start:
        the next start folds what this one did, no checkpoint needed)."""
        return self.last is not None and self.last.seq == self.sequence.last

    def _written(self, result: object) -> None:
        """A checkpoint costs a core for as long as it takes, growing with the day: the next
        is not due by count before as long again (at most half a core; at 10,000 events/s a
        late day's took a second every two)."""
        self._writing = None
        now = self.clock()
        self._rest_until = now + (now - self._started)

    def take_now(self) -> None:
        """At a clean stop, on the reactor's thread: the last checkpoint, written before the
        journal closes (a write in flight is let finish first; an unchanged model is skipped)."""
        if self.sequence.last == self.saved_seq or not self._marked():
            return
        seq = self.sequence.last
        self.taken_seq = seq
        try:
            started = time.perf_counter()
            text = in_process(self.models, seq, checkpoint.mark_of(self.last), encoded)
            self._write_text(seq, text, time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001  a stop must go on: the next start folds the day
            log.error("checkpoint at stop not taken: {why}", why=exc)

    def _write_text(self, seq: int, text: Callable[[], str], paused: float) -> None:
        """On a thread: wait for the child's text (or encode the stop's), then write it."""
        started = time.perf_counter()
        self._save(seq, text(), paused, time.perf_counter() - started)

    def _save(self, seq: int, text: str, paused: float, made: float) -> None:
        started = time.perf_counter()
        try:
            self.snapshots.save(seq, checkpoint.VERSION, text)
        except SQLAlchemyError as exc:
            log.error("checkpoint at {seq} not written: {why}", seq=seq, why=exc)
            return
        self.taken += 1
        self.saved_seq = max(self.saved_seq, seq)
        log.info(
            "checkpoint at {seq}: {kb} kB; the reactor paused {p:.1f} ms, captured and encoded"
            " in {m:.0f} ms, written in {w:.0f} ms",
            seq=seq,
            kb=len(text) // 1024,
            p=paused * 1000,
            m=made * 1000,
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
