"""The checkpoint's child: the models as they were at the fork, whatever the parent does after;
a child that fails or hangs costs that one checkpoint, never the daemon."""

from __future__ import annotations

import json
import os
import time

import pytest
from twisted.internet import defer

from acd.checkpoint_child import ChildFailed, collect, in_child, in_process
from acd.checkpoints import Checkpointer, encoded
from acd.core import checkpoint
from acd.core import events as ev
from acd.core.journal import Sequencer
from acd.core.legs import AgentLegs
from tests.test_checkpoints import Store


def ring(i: int) -> ev.AgentRung:
    return ev.AgentRung(float(i), f"c{i}", "support", "1001", "PJSIP/1001-1", f"l{i}")


def rung(numbers: Sequencer, legs: AgentLegs, first: int, n: int) -> None:
    for i in range(first, first + n):
        legs.apply(numbers.next(ring(i)).event)


class Broken(AgentLegs):
    def to_state(self):
        raise RuntimeError("no state today")


class Slow(AgentLegs):
    def to_state(self):
        time.sleep(30)
        return super().to_state()


def test_the_childs_text_is_the_models_at_the_fork_not_after() -> None:
    numbers, legs = Sequencer(), AgentLegs()
    rung(numbers, legs, 0, 3)
    expected = in_process({"legs": legs}, 3, [2.0, "AgentRung"], encoded)()
    wait = in_child({"legs": legs}, 3, [2.0, "AgentRung"], encoded)
    rung(numbers, legs, 3, 50)  # the reactor goes on while the child works
    text = wait()
    assert text == expected
    assert sorted(json.loads(text)["models"]["legs"]["legs"]["$d"]) == ["l0", "l1", "l2"]
    assert json.loads(text)["version"] == checkpoint.VERSION


def test_a_child_that_raises_is_a_failed_checkpoint_and_no_zombie() -> None:
    wait = in_child({"legs": Broken()}, 1, None, encoded)
    with pytest.raises(ChildFailed, match="exited with 1"):
        wait()


def test_a_child_that_hangs_is_killed_at_the_deadline() -> None:
    wait = in_child({"legs": Slow()}, 1, None, encoded)
    pid, fd = wait.args[:2]
    started = time.monotonic()
    with pytest.raises(ChildFailed, match="killed"):
        collect(pid, fd, 0.5)
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already


def test_the_daemon_takes_the_next_after_a_failed_one() -> None:
    store, numbers = Store(), Sequencer()
    models = {"legs": Broken()}
    taker = Checkpointer(models, store, numbers, every=2, run=defer.maybeDeferred, clock=lambda: 0.0)  # type: ignore[arg-type]
    for i in range(2):
        taker.count(numbers.next(ring(i)))
    assert store.saved == [] and taker.taken == 0
    models["legs"] = AgentLegs()
    for i in range(2, 4):
        taker.count(numbers.next(ring(i)))
    assert [seq for seq, _, _ in store.saved] == [4]


def test_a_daemon_with_a_thousand_streams_open_still_gets_its_checkpoint() -> None:
    """Its pipe's fd is past 1024, where select() refuses (found by bench/push_fanout.py)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        why = f"the hard limit of open files is {hard}"
        pytest.fail(why) if os.environ.get("CI") else pytest.skip(why)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100), hard))
    held = [os.dup(0) for _ in range(1030)]
    try:
        numbers, legs = Sequencer(), AgentLegs()
        rung(numbers, legs, 0, 2)
        wait = in_child({"legs": legs}, 2, None, encoded)
        assert wait.args[1] > 1024
        assert sorted(json.loads(wait())["models"]["legs"]["legs"]["$d"]) == ["l0", "l1"]
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_stops_sigterm_ends_the_child_at_once_whatever_the_parent_handles() -> None:
    import signal

    before = signal.signal(signal.SIGTERM, lambda *a: None)  # the parent carries on
    try:
        wait = in_child({"legs": Slow()}, 1, None, encoded)
        time.sleep(0.2)
        os.kill(wait.args[0], signal.SIGTERM)
        started = time.monotonic()
        with pytest.raises(ChildFailed, match="exited with -15"):
            wait()
        assert time.monotonic() - started < 5
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_connection_the_daemon_closes_is_closed_for_its_peer_while_a_child_lives() -> None:
    """The child gets a copy of every fd: holding them, it kept a socket the daemon had
    closed open for its peer (an SSE client, the AMI socket) until it exited."""
    import socket

    ours, peer = socket.socketpair()
    wait = in_child({"legs": Slow()}, 1, None, encoded)
    try:
        time.sleep(0.2)  # the child is at work
        ours.close()
        peer.settimeout(5)
        started = time.monotonic()
        assert peer.recv(1) == b""
        assert time.monotonic() - started < 1
    finally:
        peer.close()
        with pytest.raises(ChildFailed):
            collect(*wait.args[:2], 0.1)


def test_the_child_yields_the_cpu_to_the_daemon_and_everything_else() -> None:
    """Its encoding takes a core for a third of a second: on two cores, shared with the
    daemon's writers and its clients, the push's lag rose while it ran (bench/push_fanout.py)."""
    wait = in_child({"legs": Slow()}, 1, None, encoded)
    pid, fd = wait.args[:2]
    try:
        time.sleep(0.2)
        assert os.getpriority(os.PRIO_PROCESS, pid) == 19
    finally:
        with pytest.raises(ChildFailed):
            collect(pid, fd, 0.1)
