"""The real twisted.web site (the daemon's resource tree behind the edge) on a loopback port,
with a fake store and supervisor desk behind it, and a raw-socket client."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from acd import config as config_module
from acd.asterisk.supervisor_desk import SpyRefused
from acd.core.center import CallCenter
from acd.core.supervision import Refusal
from acd.store import quality
from acd.store.roster import Roster
from acd.web import quality as quality_api
from acd.web.auth import StaffLogin
from acd.web.status import make_site
from tests.asterisk.test_fastagi import on_asyncio  # noqa: F401  (the web tests' runner too)
from tests.people import CHEAP, seeded_roster

LOADED = config_module.load(write_secrets=False).model_copy(update={"hashing": CHEAP})


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    made = seeded_roster(tmp_path_factory.mktemp("staff"), LOADED)
    yield made
    made.close()


WAV = bytes(range(256)) * 36  # 9,216 bytes standing in for a recording


def basic(number: str, password: str | None = None) -> str:
    if password is None:
        person = LOADED.person(number)
        assert person is not None and person.password
        password = person.password
    return "Basic " + base64.b64encode(f"{number}:{password}".encode()).decode()


class FakeDirectory:
    """The store's quality reads, from a dict (the API's logic is under test, not SQL)."""

    def __init__(self) -> None:
        self.rows = {
            7: {"id": 7, "agent": "1001", "path": "a/7.wav", "status": "done"},
            8: {"id": 8, "agent": "2001", "path": "b/8.wav", "status": "done"},
        }

    async def read(self, query, *args):
        if query is quality.recording:
            return self.rows.get(args[0])
        if query is quality.recordings:
            allowed = args[0]
            return [r for r in self.rows.values() if allowed is None or r["agent"] in allowed]
        if query is quality.supervision_sessions:
            return []
        raise AssertionError(query)


class FakeDesk:
    async def listen_from_web(self, person, agent, mode):
        raise SpyRefused(Refusal.NOT_LOGGED_IN)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    raw: bytes = field(repr=False, default=b"")


@dataclass
class Web:
    port: int
    site: object
    login: StaffLogin
    http: config_module.Http

    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def send(self, raw: bytes, timeout: float = 5.0) -> Answer:
        """Send `raw` as it is; read until the server closes or one answer is complete."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(raw)
            await writer.drain()
            return await asyncio.wait_for(read_answer(reader), timeout)
        finally:
            writer.close()

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host()}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        return await self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int((await reader.readline()).split(b";")[0], 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
    return Answer(int(status_line.split()[1]), headers, body, head + body)


def build(
    tmp_path: Path, http: config_module.Http | None = None, roster: Roster | None = None, clock=None
) -> Web:
    from twisted.internet import (
        reactor,  # pytest-twisted installs the asyncio one first
    )

    http = http or LOADED.http.model_copy(update={"port": 1})
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir(exist_ok=True)
    (tmp_path / "a" / "7.wav").write_bytes(WAV)
    (tmp_path / "b" / "8.wav").write_bytes(WAV)
    center = CallCenter({q.name: float(q.service_level) for q in LOADED.queues})
    people = roster or seeded_roster(tmp_path, LOADED)
    config = LOADED.model_copy(update={"http": http})
    login = StaffLogin(config, people, **({"clock": clock} if clock else {}))
    directory = FakeDirectory()
    links = lambda: {"ami_connected": True, "agent_states": [], "supervision": [], "recording": []}
    more = {
        b"recordings": quality_api.Recordings(login, directory, tmp_path),
        b"supervision": quality_api.Supervision(login, directory),
        b"supervise": quality_api.Supervise(login, FakeDesk()),
    }
    site = make_site(center, links, login, http, more)
    port = reactor.listenTCP(0, site, interface="127.0.0.1")
    number = port.getHost().port
    # the edge checks Host against the configured port: rebuild the rules for the real one
    site.rules = type(site.rules).of(http.model_copy(update={"port": number}))
    web = Web(number, site, login, http)
    web.listening = port
    web.people = people
    return web


@pytest.fixture
def web(tmp_path):
    made = build(tmp_path)
    yield made
    made.listening.stopListening()
    made.people.close()
