"""The manager's dispatch (panoramisk's, behind the daemon's guard): every event to the "*"
handlers with the manager, coroutines run, other patterns matched, a raising handler logged
and the next event still dispatched."""

from __future__ import annotations

import asyncio

from acd.asterisk.ami import _BackoffManager
from acd.asterisk.ami_frames import event_headers
from tests.asterisk.test_fastagi import on_asyncio


def manager() -> _BackoffManager:
    made = _BackoffManager((1.0, 2.0), loop=asyncio.get_event_loop(), on_disconnect=lambda *a: None)
    made.stopping = True
    return made


def hangup() -> object:
    return event_headers("Event: Hangup\nUniqueid: u1\nChannel: PJSIP/1001-1")


@on_asyncio
async def test_everything_goes_to_the_star_handlers_with_the_manager_and_coroutines_run() -> None:
    made, got, ran = manager(), [], []

    async def later(m, event) -> None:
        ran.append(event["Uniqueid"])

    made.register_event("*", lambda m, event: got.append((m, event["Uniqueid"])))
    made.register_event("*", later)
    event = hangup()
    made.dispatch(event)
    await asyncio.sleep(0)
    assert got == [(made, "u1")] and ran == ["u1"] and event.manager is made


@on_asyncio
async def test_other_patterns_still_match_as_panoramisk_matches() -> None:
    made, got = manager(), []
    made.register_event("*", lambda m, event: got.append(("*", event.event)))
    made.register_event("Queue*", lambda m, event: got.append(("queue", event.event)))
    made.dispatch(hangup())
    made.dispatch(event_headers("Event: QueueCallerJoin\nUniqueid: u2\nQueue: support"))
    assert got == [("*", "Hangup"), ("*", "QueueCallerJoin"), ("queue", "QueueCallerJoin")]


@on_asyncio
async def test_a_handler_that_raises_is_logged_and_the_next_event_still_goes() -> None:
    made, got = manager(), []

    def handler(m, event) -> None:
        if event["Uniqueid"] == "u1":
            raise RuntimeError("a handler's bug")
        got.append(event["Uniqueid"])

    made.register_event("*", handler)
    assert made.dispatch(hangup()) == []
    made.dispatch(event_headers("Event: Hangup\nUniqueid: u3\nChannel: PJSIP/1001-2"))
    assert got == ["u3"]
