"""The agent's own desk over HTTP: state controls, escalate, the wrap-up form and today's
figures. The agent themself only (identity and, for a browser's session, the CSRF token on every POST are
acd/web/base.py's); every state change goes the phone's way (the agent desk's
pause/resume/logout, the escalation's redirect), so page and phone stay one state.

GET  /api/desk/me                     state, wrap-up countdown, reasons, dispositions, today's figures
POST /api/desk/ready                  as *72 (ready, or a pause pending during a call taken back)
POST /api/desk/pause {"reason"}       as *71 (a configured reason; during a call: as it ends)
POST /api/desk/logout                 as *73
POST /api/desk/escalate {"reason", "note"}   as *5: the call goes to the next line, with the note
POST /api/wrapup/<call> {"disposition", "notes", "resolved", "follow_up"}   the call's wrap-up
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from acd.config import Config
from acd.core import events as ev
from acd.core.agent_book import AgentBook
from acd.core.agent_day import AgentDay
from acd.core.agents import Agent
from acd.store import wrapups
from acd.store.directory import Directory
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError

MAX_BODY = 8192
_CALL = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Actions(Protocol):
    """The agent desk's requests (acd/asterisk/agent_desk.py), as the feature codes make them."""

    async def pause(self, number: str, reason: str) -> bool: ...
    async def resume(self, number: str) -> bool: ...
    async def logout(self, number: str) -> bool: ...


class Escalator(Protocol):
    """The escalation's web path (acd/asterisk/escalation.py); raises its refusal as ValueError."""

    async def escalate_from_web(self, agent: str, reason: str, note: str) -> dict[str, str]: ...


def agent_of(person: Any) -> str:
    if person.role != "agent":
        raise Forbidden("only an agent has a desk")
    return str(person.number)


def body_of(request, most: int = MAX_BODY) -> dict[str, Any]:
    """The request's JSON object, of at most `most` bytes (the edge's http.max_body caps all)."""
    raw = request.content.read(most + 1) if request.content is not None else b""
    if len(raw) > most:
        raise HttpError(413, "request too large")
    if not raw.strip():
        return {}
    try:
        found = json.loads(raw)
    except ValueError:
        raise HttpError(400, "the body is not JSON") from None
    if not isinstance(found, dict):
        raise HttpError(400, "the body must be a JSON object")
    return found


def choice(body: dict[str, Any], name: str, allowed: Iterable[str]) -> str:
    """One of `allowed`, as sent (anything else, a list or an object too, is a 400)."""
    value, known = body.get(name), set(allowed)
    if not isinstance(value, str) or value not in known:
        raise HttpError(400, f"{name}: one of {', '.join(sorted(known))}")
    return value


def text_field(body: dict[str, Any], name: str, most: int, required: bool = False) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise HttpError(400, f"{name}: text")
    value = value.strip()
    if len(value) > most:
        raise HttpError(400, f"{name}: at most {most} characters")
    if required and not value:
        raise HttpError(400, f"{name}: required")
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise HttpError(400, f"{name}: no control characters")
    return value


def flag_field(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise HttpError(400, f"{name}: true or false")
    return value


class DeskApi(AsyncJson):
    def __init__(
        self,
        login: StaffLogin,
        book: AgentBook,
        day: AgentDay,
        actions: Actions,
        escalator: Escalator,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(login)
        self.config: Config = login.config
        self.book, self.day, self.actions, self.escalator = book, day, actions, escalator
        self.clock = clock

    async def get(self, request) -> object:
        number = agent_of(self.person(request))
        if request.postpath != [b"me"]:
            raise HttpError(404, "not found")
        features, desk = self.config.features, self.config.desk
        return {
            "agent": agent_view(self.book, number, self.clock()),
            "wrapup": wrapup_view(self.book, number, self.clock()),
            "pause_reasons": list(features.pause_reasons.values()),
            "escalation_reasons": list(features.escalation_reasons.values()),
            "dispositions": [d.model_dump() for d in desk.dispositions],
            "note_max": desk.note_max,
            "today": {**self.day.of(number), "since": self.day.since(self.clock())},
        }

    async def post(self, request) -> object:
        person = self.person(request)
        number = agent_of(person)
        path = request.postpath
        do = {b"ready": self._ready, b"pause": self._pause, b"logout": self._logout}
        if len(path) == 1 and path[0] == b"escalate":
            return 202, await self._escalate(number, body_of(request))
        if len(path) != 1 or path[0] not in do:
            raise HttpError(404, "not found")
        await do[path[0]](number, body_of(request))
        return {"agent": agent_view(self.book, number, self.clock())}

    async def _ready(self, number: str, body: dict) -> None:
        event = ev.AgentResumed(self.clock(), number)
        self._allowed(event, number)
        if not await self.actions.resume(number):
            raise HttpError(409, "not possible now")

    async def _pause(self, number: str, body: dict) -> None:
        reason = choice(body, "reason", self.config.features.pause_reasons.values())
        self._allowed(ev.AgentPaused(self.clock(), number, reason), number)
        if not await self.actions.pause(number, reason):
            raise HttpError(409, "not possible now")

    async def _logout(self, number: str, body: dict) -> None:
        self._allowed(ev.AgentLoggedOut(self.clock(), number), number)
        if not await self.actions.logout(number):
            raise HttpError(409, "not possible now")

    def _allowed(self, event: ev.Event, number: str) -> None:
        """The book's word, said to the page (the desk asks it again as it applies)."""
        why = self.book.refusal(event)
        if why is None:
            return
        wrapping = self.book.wrapping(number)
        if wrapping is not None and isinstance(event, ev.AgentResumed):
            raise HttpError(409, "submit the wrap-up first (or wait until its time is over)")
        raise HttpError(409, why)

    async def _escalate(self, number: str, body: dict) -> dict[str, str]:
        reason = choice(body, "reason", self.config.features.escalation_reasons.values())
        note = text_field(body, "note", min(500, self.config.desk.note_max))
        try:
            return await self.escalator.escalate_from_web(number, reason, note)
        except ValueError as no:
            raise HttpError(409, str(no)) from None
        except (TimeoutError, ConnectionError):
            raise HttpError(503, "the PBX is not reachable") from None


def agent_view(book: AgentBook, number: str, now: float) -> dict[str, Any]:
    """The agent as the book has them; logged out until it enrols them (someone added to the
    staff table a moment ago signs in at once, the book hears of them at the next roster tick)."""
    agent = book.get(number) or Agent(number)
    return {**agent.as_dict(), "in_state": round(agent.in_state(now), 1)}


def wrapup_view(book: AgentBook, number: str, now: float) -> dict[str, Any] | None:
    ring = book.wrapping(number)
    if ring is None:
        return None
    until = book.wrap_ends.get(number, now)
    return {
        "call": ring.call_id,
        "queue": ring.queue,
        "until": until,
        "left": round(max(0.0, until - now), 1),
    }


class WrapUpApi(AsyncJson):
    """POST /api/wrapup/<call>: the agent who took the call codes it; saved on its
    interaction, and CallWrappedUp ends their wrap-up hold when it is this call's."""

    def __init__(
        self,
        login: StaffLogin,
        book: AgentBook,
        directory: Directory,
        apply: Callable[[ev.Event], object],
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(login)
        self.config: Config = login.config
        self.book, self.directory, self.apply, self.clock = book, directory, apply, clock

    async def post(self, request) -> object:
        person = self.person(request)
        number = agent_of(person)
        if len(request.postpath) != 1:
            raise HttpError(404, "not found")
        call = request.postpath[0].decode("ascii", "replace")
        if not _CALL.fullmatch(call):
            raise HttpError(400, "call: a linked id")
        wrap = self._form(body_of(request), call, number)
        wrapping = self.book.wrapping(number)
        mine = wrapping is not None and wrapping.call_id == call
        if not mine and not await self.directory.read(wrapups.took_call, call, number):
            raise Forbidden("that call was not yours")
        if not await self.directory.write(wrapups.save_wrapup, wrap):
            raise HttpError(404, "the store has no such call")
        self.apply(ev.CallWrappedUp(wrap.at, call, number, wrap.disposition, wrap.resolved, wrap.follow_up))
        return {"call": call, "saved": True, "agent": agent_view(self.book, number, self.clock())}

    def _form(self, body: dict[str, Any], call: str, number: str) -> wrapups.WrapUp:
        unknown = set(body) - {"disposition", "notes", "resolved", "follow_up"}
        if unknown:
            raise HttpError(400, f"unknown field {sorted(unknown)[0][:40]!r}")
        code = body.get("disposition")
        chosen = self.config.desk.disposition(code) if isinstance(code, str) else None
        if chosen is None:
            codes = ", ".join(d.code for d in self.config.desk.dispositions)
            raise HttpError(400, f"disposition: one of {codes}")
        notes = text_field(body, "notes", self.config.desk.note_max)
        resolved = flag_field(body, "resolved", chosen.resolved)
        follow_up = flag_field(body, "follow_up", False)
        return wrapups.WrapUp(call, number, chosen.code, notes, resolved, follow_up, self.clock())
