"""Playwright route handlers that hold one answer back: how a page is shown an older request's
answer after a newer one's, as a slow server or network can deliver them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


def answer_last(stale: Callable[[str], bool]) -> tuple[Callable[..., Awaitable[None]], asyncio.Event]:
    """A handler that holds back the answer to a request whose address `stale` picks until a
    later request has been answered; and the event set once the stale one is asked."""
    asked, answered = asyncio.Event(), asyncio.Event()

    async def handle(route) -> None:
        if not stale(route.request.url):
            await route.continue_()
            answered.set()
            return
        asked.set()
        await answered.wait()
        await asyncio.sleep(0.5)  # the newer answer is drawn by now
        await route.continue_()

    return handle, asked
