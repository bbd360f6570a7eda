"""The quality API: recordings (list, fetch), the supervision audit, and "listen in" from the
web. Staff only (acd/web/auth.py); a supervisor sees and reaches their own teams' agents.

GET  /api/recordings[?call=LINKEDID]   the visible recordings, newest first
GET  /api/recordings/<id>              one recording's WAV
GET  /api/supervision                  the audit of listening-in sessions
POST /api/supervise {"agent", "mode"}  ring the supervisor's phone into ChanSpy
"""

from __future__ import annotations

import json
import re
from typing import Protocol

from twisted.web import server

from acd import recordings
from acd.core.people import Person
from acd.core.supervision import Mode, Refusal, Session, SpyRefused
from acd.store import quality
from acd.store.directory import Directory
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.ranges import BoundedRangeFile

MAX_BODY = 4096
_CALL = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID = re.compile(rb"[1-9][0-9]{0,17}")  # a recording's row id: well inside SQLite's 64 bits
_CONFLICTS = {Refusal.NOT_LOGGED_IN, Refusal.NO_PHONE}


class Recordings(AsyncJson):
    def __init__(self, login: StaffLogin, directory: Directory, root) -> None:
        super().__init__(login)
        self.directory, self.root = directory, root

    async def get(self, request) -> object:
        allowed = self.login.team_agents(self.person(request))
        if not request.postpath or request.postpath == [b""]:
            call = request.args.get(b"call", [b""])[0].decode("utf-8", "replace")[:64] or None
            if call is not None and not _CALL.fullmatch(call):
                raise HttpError(400, "call: a linked id")
            return {"recordings": await self.directory.read(quality.recordings, allowed, call)}
        return await self._one(request, allowed)

    async def _one(self, request, allowed: set[str] | None) -> object:
        if len(request.postpath) != 1 or not _ID.fullmatch(request.postpath[0]):
            raise HttpError(404, "no such recording")
        wanted = int(request.postpath[0])
        row = await self.directory.read(quality.recording, wanted)
        if row is None:
            raise HttpError(404, "no such recording")
        if allowed is not None and row["agent"] not in allowed:
            raise Forbidden("that agent is not in your teams")
        path = recordings.inside(self.root, row["path"])
        if row["status"] != "done" or not path.exists():
            raise HttpError(409, f"recording is {row['status']}")
        body = BoundedRangeFile(str(path), defaultType="audio/wav").render(request)
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


class Listener(Protocol):
    """What rings a supervisor's phone into ChanSpy (the supervisor desk, an adapter the web
    does not import); raises SpyRefused."""

    async def listen_from_web(self, person: Person | None, agent: str, mode: Mode) -> Session: ...


class Supervise(AsyncJson):
    def __init__(self, login: StaffLogin, desk: Listener) -> None:
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
        except (TimeoutError, ConnectionError):
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
