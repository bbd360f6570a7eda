"""The FastAGI server: the dialplan's questions, answered by `async def` routes.

panoramisk's Request speaks the AGI command protocol; the connection handling is ours,
because panoramisk's reads headers without a size or time limit and spins on a peer that
closes early. Here a client gets `header_timeout` seconds and 64 lines of 4 KiB to say who
it is, each session gets `route_timeout` seconds (an IVR takes minutes; a stuck one must not
hold a caller for ever), and a failing route never stops the server. How many sessions may be
open at once, authenticated or not yet, is the gate's (acd/asterisk/fastagi_gate.py).
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections.abc import Awaitable, Callable, Mapping

from panoramisk.fast_agi import Request
from panoramisk.utils import parse_agi_result
from twisted.application import service
from twisted.internet import defer
from twisted.logger import Logger

from acd.asterisk import channel_vars as var
from acd.asterisk.fastagi_gate import Floods, Gate, Slot
from acd.config import FastAgi
from acd.core import agi_quote
from acd.core.agi_quote import MAX_COMMAND, AgiValueError  # noqa: F401 (the names routes use)

log = Logger()

MAX_HEADER_LINES = 64
MAX_LINE = 4096  # bytes of one header or answer line from Asterisk
LAST_HEADER = "agi_threadid"  # res_agi's setup_env: after caller ID, DNID, RDNIS, extension


class BadRequest(Exception):
    """The client did not send a well-formed AGI header block."""


class Refused(Exception):
    """The route will not act for this session (e.g. a channel the PBX never reported): it
    ends without its proof of success, so the dialplan takes its fallback path."""


class Hangup(Exception):
    """The channel hung up while the route was talking to it."""


class AgiError(RuntimeError):
    """Asterisk refused or failed an AGI command; `kind` is panoramisk's error name."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class AgiChannel:
    """One FastAGI session: the agi_* headers and the commands a route may send."""

    def __init__(self, headers: Mapping[str, str], request: Request, peer: str = "") -> None:
        self.headers = headers
        self._request = request  # panoramisk's: its reader and writer
        self.peer = peer  # who opened the session, for the security log

    async def command(self, line: str) -> dict:
        """One command and its answer. Never two in one write: res_agi reads its socket
        through stdio, so a second line sent ahead waits unread in the buffer."""
        data = _line_for_asterisk(line)
        writer = self._request.writer
        writer.write(data)
        await writer.drain()
        return _checked(line, await self._result())

    async def _result(self) -> dict:
        result = _parsed(await self._line())
        while result.get("status_code") == 100:  # "100 Trying...": the answer follows
            result = _parsed(await self._line())
        if result.get("error") == "AGIUsageError":  # the usage text is on the next line
            result["msg"] += await self._line()
        return result

    async def _line(self) -> str:
        try:
            raw = await self._request.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            raw = exc.partial  # closed mid-line: a hangup as any other close
        except asyncio.LimitOverrunError:
            raise BadRequest("answer line too long") from None
        if not raw:
            raise Hangup()  # Asterisk closed the session
        return raw.decode("utf-8", "replace").rstrip("\r\n")

    async def get_variable(self, name: str) -> str:
        """The variable's value; "" when it is unset."""
        result = await self.command(f"GET VARIABLE {name}")
        value = result.get("result", ("0", ""))
        return value[1] if value[0] == "1" else ""

    async def evaluate(self, expression: str) -> str:
        """An expression with ${...} in it, evaluated on the channel: one round trip for
        several values (e.g. "${A}|${B}")."""
        result = await self.command(f'GET FULL VARIABLE "{_quoted(expression)}"')
        value = result.get("result", ("0", ""))
        return value[1] if value[0] == "1" else ""

    async def set_variable(self, name: str, value: str) -> None:
        await self.command(f'SET VARIABLE {name} "{_quoted(value)}"')

    async def set_variables(self, values: Mapping[str, str]) -> None:
        """Plain values (names, numbers, codes) in one MSet: one round trip, not one each;
        any other text one by one, where MSet's own parsing cannot bite."""
        plain = {k: v for k, v in values.items() if len(v) <= 80 and _PLAIN.fullmatch(v)}
        if plain:
            await self.command(f'EXEC MSet "{",".join(f"{k}={v}" for k, v in plain.items())}"')
        for name, value in values.items():
            if name not in plain:
                await self.set_variable(name, value)


# Words, digits and a few marks, single spaces between: nothing MSet's argument parsing or
# variable substitution treats specially (no , | " \\ ( ) $ { } [ ] or a leading space).
_PLAIN = re.compile(r"(?:[\w.+:@/-]+(?: [\w.+:@/-]+)*)?")


_quoted = agi_quote.quoted
_line_for_asterisk = agi_quote.command_line


def _parsed(answer: str) -> dict:
    """panoramisk's reading of one answer line; a line it cannot read (it raises on, e.g., an
    empty one) ends the session as a bad request, not as a route's failure."""
    try:
        return parse_agi_result(answer)
    except (ValueError, IndexError, KeyError, TypeError):
        raise BadRequest(f"unreadable AGI answer {answer[:40]!r}") from None


def _checked(line: str, result: dict) -> dict:
    if result.get("error") == "AGIResultHangup":
        raise Hangup()
    if "error" in result:
        raise AgiError(result["error"], f"AGI {line.split()[0]} failed: {result.get('msg', '')}")
    return result


Route = Callable[[AgiChannel], Awaitable[None]]


class DuplicateRoute(ValueError):
    """Two services offered the same route name: which one answers must never be chance."""


def route_table(*tables: Mapping[str, Route]) -> dict[str, Route]:
    """The daemon's one table of routes, joined from each service's; a name twice is refused."""
    joined: dict[str, Route] = {}
    for table in tables:
        for name, route in table.items():
            if name in joined:
                raise DuplicateRoute(f"FastAGI route {name!r} is offered twice")
            joined[name] = route
    return joined


async def read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        try:
            raw = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            raise BadRequest("connection closed before the headers ended") from None
        except asyncio.LimitOverrunError:
            raise BadRequest("header line too long") from None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            return _whole(headers)
        key, sep, value = line.partition(": ")
        if not (sep and key.startswith("agi_")):
            raise BadRequest(f"not an AGI header line: {line[:40]!r} (a line break in a value?)")
        if key in headers:
            raise BadRequest(f"header {key[:40]!r} twice (a line break in a value?)")
        headers[key] = value
    raise BadRequest("too many header lines")


def _whole(headers: dict[str, str]) -> dict[str, str]:
    """res_agi writes caller ID, DNID, RDNIS and extension as they are, and pjsip decodes a
    %0A in a SIP URI: a caller's line break could add a header or end the block early, leaving
    the rest to be read as answers. Asterisk sends each key once, agi_threadid after every
    value a caller sets and before the dialplan's own arguments."""
    if "agi_network_script" not in headers:
        raise BadRequest("no agi_network_script header")
    if LAST_HEADER not in headers:
        raise BadRequest(f"the header block ended before {LAST_HEADER} (a line break in a value?)")
    return headers


class FastAgiService(service.Service):
    name = "fastagi"

    def __init__(self, config: FastAgi, routes: Mapping[str, Route]) -> None:
        self.config = config
        self.routes = dict(routes)
        self.server: asyncio.base_events.Server | None = None
        self.served = 0
        self.gate = Gate(config.max_connections, config.max_unauthenticated)
        self.floods = Floods()

    def listen(self) -> defer.Deferred:
        """Start listening; fails (e.g. port taken) with the OSError."""

        async def start() -> None:
            self.server = await asyncio.start_server(
                self._serve, self.config.host, self.config.port, limit=MAX_LINE
            )
            log.info("FastAGI listening on {host}:{port}", host=self.config.host, port=self.config.port)

        return defer.Deferred.fromFuture(asyncio.ensure_future(start()))

    def stopService(self) -> None:
        super().stopService()
        self.gate.stop()
        self.floods.stop()
        if self.server is not None:
            self.server.close()

    def _authenticated(self, script: str, peer: object) -> str | None:
        """The route named after the token (`<token>/acd/enter`); None, and a security
        event, when the session does not carry this PBX's token."""
        token, _, name = script.partition("/")
        if hmac.compare_digest(token.encode("utf-8", "replace"), self.config.token.encode()):
            return name
        self.floods.bad_token.note(_host(peer), Route=name or script)
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: closed unread over the cap, else its session in a counted slot."""
        peer = writer.get_extra_info("peername")
        slot = self.gate.enter(_host(peer))
        if slot is None:
            writer.close()
            return
        try:
            await self._session(reader, writer, peer, slot)
        finally:  # also when the gate dropped it (cancelled) for a newer unauthenticated one
            self.gate.leave(slot)
            writer.close()

    async def _session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: object, slot: Slot
    ) -> None:
        try:
            headers = await asyncio.wait_for(read_headers(reader), self.config.header_timeout)
            name = self._authenticated(headers["agi_network_script"], peer)
            if name is None:
                return
            self.gate.authenticated(slot)
            route = self.routes.get(name)
            if route is None:
                log.warn("FastAGI: no route {script!r} (from {peer})", script=name[:80], peer=peer)
                return
            channel = AgiChannel(headers, Request(None, headers, reader, writer), _address(peer))
            await asyncio.wait_for(_to_the_end(route, channel), self.config.route_timeout)
            self.served += 1
        except BadRequest as exc:
            if slot in self.gate.waiting:  # before the token: a stranger's, repeatable at will
                self.floods.bad_request.note(_host(peer), why=exc)
            else:
                log.warn("FastAGI: bad request from {peer}: {why}", peer=peer, why=exc)
        except Refused as exc:
            log.warn("FastAGI: {peer} refused: {why}", peer=peer, why=exc)
        except AgiValueError as exc:
            log.error("FastAGI: route stopped, value refused: {why}", why=exc)
        except TimeoutError:
            if slot in self.gate.waiting:
                self.floods.timed_out.note(_host(peer), why=f"no headers in {self.config.header_timeout} s")
            else:
                log.warn("FastAGI: {peer} timed out", peer=peer)
        except Hangup:
            log.info("FastAGI: caller hung up during the route")
        except Exception:  # noqa: BLE001  one route's bug ends its session, never the server
            log.failure("FastAGI route failed")


async def _to_the_end(route: Route, channel: AgiChannel) -> None:
    """The route, then its proof of success. Asterisk says AGISTATUS=SUCCESS whenever the
    socket closes, also after a route raised half-way; so the dialplan clears ACD_AGI_OK
    before each AGI() and takes its fallback path unless this last step set it (wazo-agid's
    agi_fail, the other way round: nothing said means failure)."""
    await route(channel)
    await channel.set_variable(var.AGI_OK, "1")


def _address(peer: object) -> str:
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else str(peer)


def _host(peer: object) -> str:
    """The source address without its port: what floods are counted by (each connection has
    a port of its own) and what fail2ban bans."""
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(peer)
