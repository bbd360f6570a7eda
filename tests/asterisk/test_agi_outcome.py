"""A failed route never looks like success to the dialplan (issue 9, finding 4).

Asterisk sets AGISTATUS=SUCCESS whenever the FastAGI socket closes, also after a route raised
half-way, so the dialplan takes its fallback path unless ACD_AGI_OK is "1" after AGI(). These
tests drive FastAgiService's session handling with a scripted Asterisk: every answer it may
give (success, 510/520 errors, HANGUP, a closed socket) and routes that raise or overrun.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi import AgiChannel, AgiError, FastAgiService
from acd.config import FastAgi

TOKEN = "T0ken" * 8
ANSWERS = {
    "ok": b"200 result=1\n",
    "error": b"510 Invalid or unknown command\n",
    "usage": b"520-Invalid command syntax.  Proper usage follows:\nUsage: X\n520 End of proper usage.\n",
    "hangup": b"HANGUP\n",
}
COUNTS: Counter = Counter()


class ScriptedAsterisk:
    """res_agi's end of one session: each command gets the next scripted answer ("close":
    the socket ends); it remembers the last value the daemon gave ACD_AGI_OK."""

    def __init__(self, headers: bytes, answers: list[str]) -> None:
        self.reader = asyncio.StreamReader()
        self.reader.feed_data(headers)
        self.answers = list(answers)
        self.agi_ok = ""  # the dialplan cleared it before AGI()
        self.closed = False

    def write(self, data: bytes) -> None:
        line = data.decode()
        if line.startswith(f"SET VARIABLE {var.AGI_OK} "):
            pending = self.answers[0] if self.answers else "ok"
            if pending == "ok":
                self.agi_ok = line.split(" ", 3)[3].strip().strip('"')
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "close":
            self.reader.feed_eof()
        else:
            self.reader.feed_data(ANSWERS[answer])

    async def drain(self) -> None:
        pass

    def get_extra_info(self, name: str) -> tuple[str, int]:
        return ("127.0.0.1", 40000)

    def close(self) -> None:
        self.closed = True


def make_route(steps: list[str], forgiving: bool, outcome: dict):
    async def route(channel: AgiChannel) -> None:
        for step in steps:
            if step == "raise":
                raise RuntimeError("a bug half-way")
            if step == "slow":
                await asyncio.sleep(1)  # beyond route_timeout
                continue
            try:
                await channel.command("VERBOSE step")
            except AgiError:
                if not forgiving:
                    raise
        outcome["completed"] = True

    return route


async def one_session(steps: list[str], answers: list[str], forgiving: bool) -> tuple[bool, bool, bool]:
    """(route completed, OK command answered, dialplan takes the fallback path)."""
    outcome = {"completed": False}
    service = FastAgiService(
        FastAgi(token=TOKEN, header_timeout=1, route_timeout=0.05),
        {"acd/x": make_route(steps, forgiving, outcome)},
    )
    wire = ScriptedAsterisk(
        f"agi_network_script: {TOKEN}/acd/x\nagi_uniqueid: 1.1\nagi_threadid: 1\n\n".encode(), answers
    )
    await service._serve(wire.reader, wire)
    assert wire.closed
    commands = len([s for s in steps if s not in ("raise", "slow")])
    ok_answered = len(answers) <= commands or answers[commands] == "ok"
    return outcome["completed"], ok_answered, wire.agi_ok != "1"


def run_alone(coroutine):
    """On a loop of its own: the test runs beside the reactor's loop (pytest-twisted)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


STEPS = st.lists(st.sampled_from(["command"] * 4 + ["raise", "slow"]), max_size=6)
REPLIES = st.lists(st.sampled_from(["ok"] * 6 + ["error", "usage", "hangup", "close"]), max_size=8)


@settings(max_examples=400, deadline=None)
@given(STEPS, REPLIES, st.booleans())
def test_no_failed_session_looks_like_success(steps, answers, forgiving):
    """Over random sessions: a route that did not run to its end always leaves ACD_AGI_OK
    unset (fallback); one that did, and whose last step Asterisk took, never does."""
    completed, ok_answered, fallback = run_alone(one_session(steps, answers, forgiving))
    COUNTS["sessions"] += 1
    COUNTS["failed"] += not completed
    COUNTS["failure looked like success"] += (not completed) and not fallback
    assert fallback or completed, "a failed route looked like success"
    if completed and ok_answered:
        assert not fallback, "a route that ran to its end was taken for a failure"


def test_a_route_that_raises_sets_nothing_and_one_that_ends_sets_ok_last():
    """The two ends of the property, spelled out."""
    assert run_alone(one_session(["command", "raise"], ["ok"], False)) == (False, True, True)
    assert run_alone(one_session(["command"], ["ok", "ok"], False)) == (True, True, False)
    assert run_alone(one_session(["command"], ["error"], False)) == (False, True, True)
    assert run_alone(one_session(["slow"], [], False)) == (False, True, True)


def teardown_module() -> None:
    if COUNTS:
        print(f"\nFastAGI outcome property: {dict(COUNTS)}")
