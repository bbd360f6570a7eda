"""The quality API: recordings (list, fetch), the supervision audit, and "listen in" from the
web. Staff only (acd/web/auth.py); a supervisor sees and reaches their own teams' agents.

GET  /api/recordings[?call=LINKEDID]   the visible recordings, newest first
GET  /api/recordings/<id>              one recording's WAV
GET  /api/supervision                  the audit of listening-in sessions
POST /api/supervise {"agent", "mode"}  ring the supervisor's phone into ChanSpy
"""
from __future__ import annotations

import asyncio
import json
from typing import Awaitable, Callable

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import resource, server, static

from acd import recordings
from acd.asterisk.supervisor_desk import SpyRefused, SupervisorDesk
from acd.core.supervision import Mode, Refusal
from acd.store import quality
from acd.store.directory import Directory
from acd.config import Staff
from acd.web.auth import Forbidden, StaffLogin, Unauthorized

log = Logger()
MAX_BODY = 4096
_CONFLICTS = {Refusal.NOT_LOGGED_IN, Refusal.NO_PHONE}


class HttpError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class AsyncJson(resource.Resource):
    """A leaf whose handlers are coroutines; their errors become JSON answers with a status."""

    isLeaf = True

    def __init__(self, login: StaffLogin) -> None:
        super().__init__()
        self.login = login

    def person(self, request) -> Staff:
        """The signed-in staff member, or Unauthorized."""
        value = request.getHeader(b"authorization")
        return self.login.person(value.encode() if isinstance(value, str) else value)

    def render_GET(self, request) -> object:
        return self._run(request, self.get)

    def render_POST(self, request) -> object:
        return self._run(request, self.post)

    async def get(self, request) -> object:
        raise HttpError(405, "method not allowed")

    async def post(self, request) -> object:
        raise HttpError(405, "method not allowed")

    def _run(self, request, handler: Callable[[object], Awaitable[object]]) -> object:
        gone = []
        request.notifyFinish().addErrback(lambda _: gone.append(True))
        done = defer.Deferred.fromFuture(asyncio.ensure_future(handler(request)))
        done.addCallbacks(lambda body: _answer(request, gone, 200, body),
                          lambda failure: _failed(request, gone, failure))
        return server.NOT_DONE_YET


def _failed(request, gone: list, failure) -> None:
    error = failure.value
    if isinstance(error, Unauthorized):
        request.setHeader(b"www-authenticate", b'Basic realm="acd"')
        _answer(request, gone, 401, {"error": str(error)})
    elif isinstance(error, Forbidden):
        _answer(request, gone, 403, {"error": str(error)})
    elif isinstance(error, HttpError):
        _answer(request, gone, error.code, {"error": str(error)})
    else:
        log.failure("web request failed", failure)
        _answer(request, gone, 500, {"error": "internal error"})


def _answer(request, gone: list, code: int, body: object) -> None:
    if gone or body is server.NOT_DONE_YET:
        return  # the client left, or a file is being streamed
    if isinstance(body, tuple):  # (status, body)
        code, body = body
    request.setResponseCode(code)
    request.setHeader(b"content-type", b"application/json")
    request.setHeader(b"cache-control", b"no-store")
    request.write(json.dumps(body).encode())
    request.finish()


class Recordings(AsyncJson):
    def __init__(self, login: StaffLogin, directory: Directory, root) -> None:
        super().__init__(login)
        self.directory, self.root = directory, root

    async def get(self, request) -> object:
        allowed = self.login.team_agents(self.person(request))
        if not request.postpath or request.postpath == [b""]:
            call = request.args.get(b"call", [b""])[0].decode("utf-8", "replace")[:64] or None
            return {"recordings": await self.directory.read(quality.recordings, allowed, call)}
        return await self._one(request, allowed)

    async def _one(self, request, allowed: set[str] | None) -> object:
        try:
            wanted = int(request.postpath[0])
        except ValueError:
            raise HttpError(404, "no such recording") from None
        row = await self.directory.read(quality.recording, wanted)
        if row is None:
            raise HttpError(404, "no such recording")
        if allowed is not None and row["agent"] not in allowed:
            raise Forbidden("that agent is not in your teams")
        path = recordings.inside(self.root, row["path"])
        if row["status"] != "done" or not path.exists():
            raise HttpError(409, f"recording is {row['status']}")
        body = static.File(str(path), defaultType="audio/wav").render(request)
        if body is not server.NOT_DONE_YET:
            request.write(body)
            request.finish()
        return server.NOT_DONE_YET


class Supervision(AsyncJson):
    def __init__(self, login: StaffLogin, directory: Directory) -> None:
        super().__init__(login)
        self.directory = directory

    async def get(self, request) -> object:
        allowed = self.login.team_agents(self.person(request))
        return {"sessions": await self.directory.read(quality.supervision_sessions, allowed)}


class Supervise(AsyncJson):
    def __init__(self, login: StaffLogin, desk: SupervisorDesk) -> None:
        super().__init__(login)
        self.desk = desk

    async def post(self, request) -> object:
        person = self.person(request)
        if person.role != "supervisor":
            raise Forbidden("only supervisors can listen in")
        agent, mode = _listen_request(request.content.read(MAX_BODY + 1))
        try:
            session = await self.desk.listen_from_web(person, agent, mode)
        except SpyRefused as no:
            if no.why in _CONFLICTS:
                raise HttpError(409, no.why.value) from None
            raise Forbidden(no.why.value) from None
        except (ConnectionError, asyncio.TimeoutError):
            raise HttpError(503, "the PBX is not reachable") from None
        return 202, {"session": session.id, "agent": agent, "mode": mode.value}


def _listen_request(raw: bytes) -> tuple[str, Mode]:
    if len(raw) > MAX_BODY:
        raise HttpError(413, "request too large")
    try:
        body = json.loads(raw)
        agent, mode = str(body["agent"]), Mode(body.get("mode", "monitor"))
    except (ValueError, KeyError, TypeError):
        raise HttpError(400, 'expected {"agent": "1001", "mode": "monitor|whisper|barge"}') from None
    if not agent.isdigit() or len(agent) > 20:
        raise HttpError(400, "agent: digits")
    return agent, mode
