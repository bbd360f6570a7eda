"""Floods of sessions that never show the token write one line per window, over real
loopback sockets: a wrong token in the security log (the first at once, for fail2ban, then
one line with the count), bad headers and header timeouts in the daemon's log. Before, each
connection wrote its own line, so a local process could fill both logs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from twisted.logger import formatEvent, globalLogPublisher

from acd.asterisk.fastagi import FastAgiService
from tests.asterisk.test_fastagi import headers, on_asyncio
from tests.asterisk.test_fastagi_cap import capped, security, settled  # noqa: F401  fixtures

WINDOW = 0.3
SESSIONS = 20


@pytest.fixture
def warnings() -> Iterator[list[str]]:
    """The daemon log's FastAGI warnings so far, formatted."""
    lines: list[str] = []

    def observer(event: dict) -> None:
        line = formatEvent(event)
        if (
            event.get("log_level") is not None
            and event["log_level"].name == "warn"
            and "fastagi" in line.lower()
        ):
            lines.append(line)

    globalLogPublisher.addObserver(observer)
    yield lines
    globalLogPublisher.removeObserver(observer)


async def sessions(service: FastAgiService, payload: bytes) -> None:
    """SESSIONS connections at once, each sending `payload` and waiting until it is closed."""

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", service.config.port)
        writer.write(payload)
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()

    await asyncio.gather(*(one() for _ in range(SESSIONS)))
    await settled(service, 0)


async def windowed(service: FastAgiService, lines, payload: bytes) -> tuple[list[str], list[str]]:
    """The lines `lines()` holds at once after the flood, and once its window has ended."""
    for tally in (service.floods.bad_token, service.floods.bad_request, service.floods.timed_out):
        tally.window = WINDOW
    await sessions(service, payload)
    at_once = list(lines())
    await asyncio.sleep(WINDOW + 0.2)
    return at_once, list(lines())


@on_asyncio
async def test_a_bad_token_flood_writes_one_line_at_once_and_one_with_the_count(capped, security, warnings):  # noqa: F811
    service = await capped(most=50, unauthenticated=50)
    payload = headers(agi_network_script="wrong/acd/enter")
    at_once, after = await windowed(
        service, lambda: [s for s in security() if "FastAgiBadToken" in s], payload
    )
    assert len(at_once) == 1 and 'Refused="1"' in at_once[0] and 'Route="acd/enter"' in at_once[0]
    assert len(after) == 2 and f'Refused="{SESSIONS - 1}"' in after[1]
    assert len([w for w in warnings if "FastAgiBadToken" in w]) == 2  # the daemon's log: the same


@pytest.mark.parametrize(
    "payload, timeout, said",
    [(b"agi_uniqueid: acd-1.1\n\n", 5.0, "bad request"), (b"", 0.05, "timeout")],
)
@on_asyncio
async def test_bad_requests_and_timeouts_before_the_token_are_one_warning_per_window(
    capped,  # noqa: F811
    warnings,
    payload,
    timeout,
    said,
):
    service = await capped(most=50, unauthenticated=50, header_timeout=timeout)
    at_once, after = await windowed(service, lambda: [w for w in warnings if said in w], payload)
    assert len(at_once) == 1 and "1 since" in at_once[0], at_once
    assert len(after) == 2 and f"{SESSIONS - 1} since" in after[1], after
