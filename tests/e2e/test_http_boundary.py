"""The web port of the real daemon (`acd run` beside the real PBX): nothing but /healthz
without sign-in, strangers' Host names, huge bodies and foreign pages refused at the edge,
wrong tries in the security log, and FastAGI unhurt by 300 slow HTTP clients."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import socket
import statistics
import time

import pytest

from tests.e2e.conftest import SECRETS
from tests.e2e.web import call_api

pytestmark = pytest.mark.e2e
SOFIA, QUINN, OPS = "9001", "9101", "9901"


def raw_http(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


async def fastagi_round_trip(port: int) -> float:
    """A session with a wrong token: the daemon reads its headers and closes it (loop latency)."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"agi_network_script: not-the-token/acd/enter\nagi_channel: PJSIP/x-1\nagi_threadid: 1\n\n")
    await writer.drain()
    await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return (time.perf_counter() - started) * 1000


async def big_bodies(port: int, clients: int, stop: asyncio.Event) -> None:
    async def one() -> None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /api/supervise HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 300000000\r\n\r\n"
            )
            while not stop.is_set():
                writer.write(b"x" * 65536)
                await writer.drain()
        except OSError:
            return

    await asyncio.gather(*(one() for _ in range(clients)), return_exceptions=True)


def test_the_real_daemons_web_port_refuses_at_the_edge(pbx, daemon, lab_config):
    config, _ = lab_config
    log_path = config.security_log_path()
    seen_before = log_path.stat().st_size if log_path.exists() else 0
    daemon.start()
    base, port = daemon.base, config.http.port
    assert raw_http(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").endswith(
        b"\r\n\r\nok\n"
    )
    assert call_api(base, "GET", "/api/state")[0] == 401
    assert call_api(base, "GET", "/api/state", SECRETS.web(QUINN))[0] == 403
    status, seen = call_api(base, "GET", "/api/state", SECRETS.web(SOFIA))
    assert status == 200 and set(seen["agents"]) <= {
        a.number for a in config.agents if a.team in ("front", "sales")
    }
    assert daemon.state()["resyncs"] >= 1  # the lab reads it as admin
    assert raw_http(port, b"GET /api/state HTTP/1.1\r\nHost: rebind.example\r\n\r\n").startswith(
        b"HTTP/1.1 421"
    )
    started = time.monotonic()
    refused = raw_http(
        port,
        b"POST /api/supervise HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 300000000\r\n\r\n",
    )
    assert refused.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 2
    number, password = SECRETS.web(SOFIA)
    auth = base64.b64encode(f"{number}:{password}".encode())
    body = b'{"agent": "1001", "mode": "barge"}'
    forged = (
        b"POST /api/supervise HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
        b"Authorization: Basic " + auth + b"\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
    )
    assert raw_http(port, forged % (b"text/plain", len(body)) + body).startswith(b"HTTP/1.1 415")
    assert raw_http(port, forged % (b"application/json", len(body)) + body).startswith(b"HTTP/1.1 403")
    assert call_api(base, "GET", "/api/recordings/" + "9" * 40, SECRETS.web(QUINN))[0] == 404
    unknown = call_api(base, "GET", "/api/state", ("9999", "guess-guess"))
    wrong = call_api(base, "GET", "/api/state", (OPS, "guess-guess"))
    assert unknown == wrong and unknown[0] == 401
    log = log_path.read_bytes()[seen_before:].decode()
    assert 'SecurityEvent="InvalidPassword",Service="http"' in log and 'AccountID="9901"' in log
    assert 'SecurityEvent="InvalidAccountID",Service="http"' in log
    assert 'SecurityEvent="HttpRefused",Service="http"' in log


def test_fastagi_answers_while_300_slow_http_clients_push_bodies(pbx, daemon, lab_config):
    config, _ = lab_config
    daemon.start()

    async def measure() -> tuple[list[float], list[float]]:
        alone = [await fastagi_round_trip(config.fastagi.port) for _ in range(20)]
        stop = asyncio.Event()
        load = asyncio.ensure_future(big_bodies(config.http.port, 300, stop))
        await asyncio.sleep(1.0)
        loaded = [await fastagi_round_trip(config.fastagi.port) for _ in range(40)]
        stop.set()
        await load
        return alone, loaded

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the tests' own loop is the reactor's
        alone, loaded = pool.submit(asyncio.run, measure()).result()
    print(
        f"\nFastAGI round trip: alone median {statistics.median(alone):.1f} ms, "
        f"with 300 body pushers median {statistics.median(loaded):.1f} ms, max {max(loaded):.1f} ms"
    )
    assert statistics.median(loaded) < 100 and max(loaded) < 1000
    assert call_api(daemon.base, "GET", "/api/state", SECRETS.web(OPS))[0] == 200  # the web port is back
