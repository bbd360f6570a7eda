"""Floods of sessions that never show the token write one line per source address and window,
over real loopback sockets: a wrong token in the security log (the first at once, for
fail2ban, then one line with the count), bad headers and header timeouts in the daemon's log.
Before, each connection wrote its own line, so a local process could fill both logs; then one
tally per kind named only the last address, so sources could not be told apart."""

from __future__ import annotations

import asyncio
import re
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


async def sessions(
    service: FastAgiService, payload: bytes, sources: tuple[str, ...] = ("127.0.0.1",)
) -> None:
    """SESSIONS connections at once from each of `sources` (all of 127/8 is loopback), each
    sending `payload` and waiting until it is closed."""

    async def one(source: str) -> None:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", service.config.port, local_addr=(source, 0)
        )
        writer.write(payload)
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()

    await asyncio.gather(*(one(source) for source in sources for _ in range(SESSIONS)))
    await settled(service, 0)


async def windowed(
    service: FastAgiService, lines, payload: bytes, sources: tuple[str, ...] = ("127.0.0.1",)
) -> tuple[list[str], list[str]]:
    """The lines `lines()` holds at once after the flood, and once its window has ended."""
    for tally in (service.floods.bad_token, service.floods.bad_request, service.floods.timed_out):
        tally.window = WINDOW
    await sessions(service, payload, sources)
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


def bad_tokens(lines) -> list[str]:
    return [line for line in lines() if "FastAgiBadToken" in line]


def address(line: str) -> str:
    found = re.search(r'RemoteAddress="([^"]*)"', line)
    assert found is not None, line
    return found.group(1)


@on_asyncio
async def test_a_bad_token_flood_from_two_addresses_is_written_per_address(capped, security):  # noqa: F811
    """fail2ban sees each source at once, and each count names its own address."""
    service = await capped(most=50, unauthenticated=50)
    payload = headers(agi_network_script="wrong/acd/enter")
    sources = ("127.0.0.2", "127.0.0.3")
    at_once, after = await windowed(service, lambda: bad_tokens(security), payload, sources)
    assert sorted(at_once) == sorted(after[:2])
    for source in sources:
        [first] = [line for line in at_once if address(line) == source]
        [rest] = [line for line in after[2:] if address(line) == source]
        assert 'Refused="1"' in first and f'Refused="{SESSIONS - 1}"' in rest
    assert len(after) == 4


@on_asyncio
async def test_addresses_past_the_bound_are_one_line_for_the_others(capped, security):  # noqa: F811
    """Tracking one address, the two others' sessions are one count without an address."""
    service = await capped(most=60, unauthenticated=60)
    service.floods.bad_token.sources.most = 1
    payload = headers(agi_network_script="wrong/acd/enter")
    sources = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
    at_once, after = await windowed(service, lambda: bad_tokens(security), payload, sources)
    [first] = at_once
    assert 'Refused="1"' in first
    [tracked] = [line for line in after[1:] if address(line) != "-"]
    [others] = [line for line in after[1:] if address(line) == "-"]
    assert address(tracked) == address(first) in sources
    assert f'Refused="{SESSIONS - 1}"' in tracked
    assert f'Refused="{2 * SESSIONS}"' in others and 'Sources="other addresses"' in others
