"""The web port's edge on a real loopback socket: Host allow-list, bodies refused before they
are read, POSTs only as JSON from the same origin, connection and time limits."""

from __future__ import annotations

import asyncio
import json

import pytest

from acd import security_log
from tests.web.conftest import LOADED, basic, build, on_asyncio

JSON = {"Content-Type": "application/json"}


@on_asyncio
async def test_only_allowed_host_names_are_answered(web):
    assert (await web.request("GET", "/healthz")).status == 200
    for host in (f"localhost:{web.port}", "127.0.0.1", f"[::1]:{web.port}", "LOCALHOST."):
        answer = await web.send(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert answer.status == 200, host
    for host, status in (
        ("evil.example", 421),
        (f"rebind.example:{web.port}", 421),
        ("127.0.0.1:1", 421),
        ("a b", 400),
        ("", 400),
    ):
        answer = await web.send(f"GET /api/state HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert answer.status == status, host
    assert (await web.send(b"GET /healthz HTTP/1.1\r\n\r\n")).status == 400  # no Host
    two = f"GET /healthz HTTP/1.1\r\nHost: {web.host()}\r\nHost: evil.example\r\n\r\n"
    assert (await web.send(two.encode())).status == 400


@on_asyncio
async def test_a_configured_host_name_is_answered(tmp_path):
    web = build(tmp_path, LOADED.http.model_copy(update={"allowed_hosts": ("acd.example.org",)}))
    try:
        answer = await web.send(f"GET /healthz HTTP/1.1\r\nHost: acd.example.org:{web.port}\r\n\r\n".encode())
        assert answer.status == 200
    finally:
        web.listening.stopListening()


@on_asyncio
async def test_a_huge_announced_body_is_refused_before_one_byte_is_read(web):
    """300 MB announced, nothing sent: the 413 comes at once, before any sign-in."""
    head = (
        f"POST /api/supervise HTTP/1.1\r\nHost: {web.host()}\r\nContent-Type: application/json\r\n"
        f"Content-Length: 300000000\r\n\r\n"
    ).encode()
    answer = await web.send(head, timeout=2)
    assert answer.status == 413 and answer.headers["connection"] == "close"
    assert "limited" in json.loads(answer.body)["error"]


@on_asyncio
async def test_a_chunked_body_is_cut_off_at_the_limit(web, monkeypatch):
    kept = []
    from acd.web import boundary

    original = boundary.GuardedRequest.handleContentChunk

    def spy(self, data):
        original(self, data)
        kept.append(self.content.tell())

    monkeypatch.setattr(boundary.GuardedRequest, "handleContentChunk", spy)
    reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
    writer.write(
        (
            f"POST /api/supervise HTTP/1.1\r\nHost: {web.host()}\r\nContent-Type: application/json\r\n"
            f"Authorization: {basic('9001')}\r\nTransfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )
    chunk = b"x" * 4096
    try:
        for _ in range(64):  # 256 KB offered, in chunks
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
    except ConnectionError:
        pass
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413")
    assert max(kept) <= web.http.max_body


@on_asyncio
async def test_posts_take_json_only(web):
    body = json.dumps({"agent": "1001"}).encode()
    for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        answer = await web.request(
            "POST", "/api/supervise", {"Authorization": basic("9001"), "Content-Type": kind}, body
        )
        assert answer.status == 415, kind
    assert (await web.request("POST", "/api/supervise", {"Authorization": basic("9001")}, body)).status == 415


@on_asyncio
async def test_csrf_from_a_foreign_page_fails(web, tmp_path):
    """A form on another site, posting text/plain with the browser's cached credentials."""
    security_log.open_file(tmp_path / "security.log")
    try:
        body = b'{"agent": "1001", "mode": "barge"}'
        forged = {
            "Authorization": basic("9001"),
            "Origin": "http://evil.example",
            "Content-Type": "text/plain",
        }
        assert (await web.request("POST", "/api/supervise", forged, body)).status == 415
        forged["Content-Type"] = "application/json"  # a fetch() that got past preflight somehow
        assert (await web.request("POST", "/api/supervise", forged, body)).status == 403
        for origin in ("null", f"http://127.0.0.1:{web.port}.evil.example", "https://127.0.0.1"):
            forged["Origin"] = origin
            assert (await web.request("POST", "/api/supervise", forged, body)).status == 403, origin
        del forged["Origin"]
        forged["Sec-Fetch-Site"] = "cross-site"
        assert (await web.request("POST", "/api/supervise", forged, body)).status == 403
    finally:
        security_log.close_file()
    assert 'SecurityEvent="HttpRefused"' in (tmp_path / "security.log").read_text()


@on_asyncio
@pytest.mark.parametrize(
    "extra",
    [
        {"Origin": "http://127.0.0.1:{port}"},
        {"Origin": "http://localhost:{port}"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
        {},
    ],
)
async def test_same_origin_and_non_browser_posts_reach_the_api(web, extra):
    headers = {
        "Authorization": basic("9001"),
        **JSON,
        **{k: v.format(port=web.port) for k, v in extra.items()},
    }
    answer = await web.request("POST", "/api/supervise", headers, b'{"agent": "1001"}')
    assert answer.status == 409  # the fake desk: agent not logged in, i.e. the request got through


@on_asyncio
async def test_a_request_that_never_finishes_is_cut_off(tmp_path):
    web = build(tmp_path, LOADED.http.model_copy(update={"request_timeout": 0.3}))
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        writer.write(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        reading = asyncio.ensure_future(reader.read(65536))
        for _ in range(30):  # a header byte every 0.1 s: never idle, never done
            await asyncio.sleep(0.1)
            if reading.done():
                break
            writer.write(b"X")
        answer = await asyncio.wait_for(reading, 3)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408")
    finally:
        web.listening.stopListening()


@on_asyncio
async def test_connections_beyond_the_limit_are_closed_at_once(tmp_path):
    web = build(tmp_path, LOADED.http.model_copy(update={"max_connections": 5}))
    held = []
    try:
        for _ in range(5):
            held.append(await asyncio.open_connection("127.0.0.1", web.port))
        await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        answer = await asyncio.wait_for(reader.read(), 2)
        assert answer.startswith(b"HTTP/1.1 503")
        writer.close()
        for _, w in held:
            w.close()
        await asyncio.sleep(0.1)
        assert web.site.open == 0
        assert (await web.request("GET", "/healthz")).status == 200
    finally:
        web.listening.stopListening()


@on_asyncio
async def test_keep_alive_serves_several_requests_and_then_idles_out(web):
    reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
    from tests.web.conftest import read_answer

    for _ in range(3):
        writer.write(f"GET /healthz HTTP/1.1\r\nHost: {web.host()}\r\n\r\n".encode())
        assert (await asyncio.wait_for(read_answer(reader), 2)).status == 200
    writer.close()
