"""A checkpoint's capture and encoding in a forked child, as redis's BGSAVE does it.

The state must be that of one sequence number, so it was captured on the reactor, between two
events: 90-490 ms of a day at 10,000 events/s, and the JSON encoding after it, on a thread,
held the GIL for as long again (bench/push_fanout.py). A fork gives the child the models as
they are at this instant, copy-on-write, for the price of copying the page tables (a few ms);
the child walks and encodes them on the other core while the daemon goes on, and hands the
text back through a pipe. The child touches nothing but the models and the pipe (every other
fd it closes at once): no lock, no log, no store connection, and leaves by os._exit (no
finalizer, no buffer flushed twice).
"""

from __future__ import annotations

import gc
import os
import select
import signal
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from acd.core import checkpoint
from acd.garbage import gc_paused

Encode = Callable[[Mapping[str, Any]], str]
Capture = Callable[[Mapping[str, checkpoint.Checkpointed], int, checkpoint.Mark, Encode], Callable[[], str]]
DEADLINE = 120.0  # seconds a child may take before it is killed (a 20,000-call day: about 2)
CHUNK = 1 << 20


class ChildFailed(RuntimeError):
    """The child did not hand back a whole checkpoint (it raised, was killed or timed out)."""


def in_child(
    models: Mapping[str, checkpoint.Checkpointed], seq: int, mark: checkpoint.Mark, encode: Encode
) -> Callable[[], str]:
    """Fork now (the caller's thread, between two events); returns the wait for the child's
    text, to be run on a thread: it blocks until the child is done."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the child: coverage is not collected here)
        _child(models, seq, mark, encode, read_end, write_end)
    os.close(write_end)
    return partial(collect, pid, read_end, DEADLINE)


def in_process(
    models: Mapping[str, checkpoint.Checkpointed], seq: int, mark: checkpoint.Mark, encode: Encode
) -> Callable[[], str]:
    """Capture on the caller's thread, encode when asked (where fork is not to be used)."""
    with gc_paused():
        body = checkpoint.capture(models, seq, mark)
    return partial(encode, body)


def _child(
    models: Mapping[str, checkpoint.Checkpointed],
    seq: int,
    mark: checkpoint.Mark,
    encode: Encode,
    read_end: int,
    write_end: int,
) -> None:  # pragma: no cover
    code = 1
    try:
        gc.disable()  # nothing made here outlives the child; a collection would copy every page
        os.nice(19)  # the calls' work first: the daemon's threads, the store, the web clients
        _plain_signals()
        _only_the_pipe(write_end)
        data = encode(checkpoint.capture(models, seq, mark)).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view[:CHUNK]) :]
        code = 0
    except BaseException as exc:  # noqa: BLE001  the parent hears of it by the exit status
        os.write(2, f"checkpoint child: {type(exc).__name__}: {exc}\n".encode(errors="replace")[:2000])
    finally:
        os._exit(code)


def _only_the_pipe(write_end: int) -> None:  # pragma: no cover
    """The child got a copy of every fd the daemon has: held, they kept a connection the daemon
    closed (an SSE client's, the AMI socket) open for its peer until the child exited. It keeps
    its pipe and stdio (stderr tells why it failed); fcntl locks are not inherited, so closing a
    store's file here releases nothing of the parent's."""
    os.closerange(3, write_end)
    os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))


def _plain_signals() -> None:  # pragma: no cover
    """The daemon's handlers are the parent's business: a stop's SIGTERM (systemd sends it to
    the whole group) ends the child at once, and no signal of the child's reaches the parent's
    loop through the wakeup fd they share."""
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)


def collect(pid: int, fd: int, deadline: float) -> str:
    """The child's text, once it has exited 0; ChildFailed otherwise (killed at the deadline)."""
    parts: list[bytes] = []
    ends = time.monotonic() + deadline
    waiting = select.poll()  # not select(): a daemon with a thousand streams has fds past 1024
    waiting.register(fd, select.POLLIN)
    try:
        while True:
            left = ends - time.monotonic()
            if left <= 0 or not waiting.poll(left * 1000):
                os.kill(pid, signal.SIGKILL)
                raise ChildFailed(f"no checkpoint from child {pid} within {deadline:.0f} s: killed")
            part = os.read(fd, CHUNK)
            if not part:
                break
            parts.append(part)
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise ChildFailed(f"the checkpoint's child {pid} exited with {code}")
    return b"".join(parts).decode()
