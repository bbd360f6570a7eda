"""The screen pop over HTTP: what a ringing agent's desk shows, and the pick on a shared number.

GET  /api/pops                    the signed-in agent's pops (ringing or connected), complete;
                                  a supervisor's teams' and an admin's all, without the store part
GET  /api/pops/<call>[?agent=N]   one pop, complete: an agent only their own (anything else is 403,
                                  so a guessed call id says nothing), a supervisor their teams'
POST /api/pops/<call>/customer    {"customer_id": N}: on a shared number the agent says which
                                  customer calls; stored on the interaction, and the pop (every
                                  screen's, through the event) shows them

Identity and, for a browser's session, the CSRF token on every POST are acd/web/base.py's, as
for the desk's API: Basic (the API's tools) is never CSRF-able, no browser holding it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from acd.core import events as ev
from acd.core.pops import Pop, Pops
from acd.core.staffing import Staffing
from acd.store.pops import PopDetails
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError

MAX_BODY = 1024
LISTED = 200  # pops in one answer for a supervisor or an admin
_CALL = re.compile(r"[A-Za-z0-9._-]{1,64}")
_AGENT = re.compile(r"[0-9]{1,20}")
NOT_YOURS = "no call rings or is connected to you with that id"


def visible_agents(staffing: Staffing, person: Any) -> frozenset[str] | None:
    """Whose pops `person` may open: None is everyone's (an admin)."""
    if person.role == "admin":
        return None
    if person.role == "agent":
        return frozenset((person.number,))
    if person.role == "supervisor":
        return staffing.of_teams(person.teams)
    raise Forbidden(f"role {person.role!r} may not see screen pops")


class PopsApi(AsyncJson):
    def __init__(
        self,
        login: StaffLogin,
        pops: Pops,
        details: PopDetails,
        apply: Callable[[ev.Event], object],
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(login)
        self.pops, self.details, self.apply, self.clock = pops, details, apply, clock

    async def get(self, request) -> object:
        person = self.person(request)
        allowed = visible_agents(self.login.staffing, person)
        path = [p for p in request.postpath if p] if request.postpath != [b""] else []
        if not path:
            return await self._listed(person, allowed)
        if len(path) != 1:
            raise HttpError(404, "not found")
        pop = self._pop(request, path[0], person, allowed)
        return await self.details.complete(self.pops.view(pop, self.clock()))

    async def _listed(self, person: Any, allowed: frozenset[str] | None) -> object:
        now = self.clock()
        role: str = person.role
        if role == "agent":
            mine = self.pops.of_agent(person.number)
            return {"pops": [await self.details.complete(self.pops.view(p, now)) for p in mine]}
        shown = [p for p in self.pops.pops.values() if allowed is None or p.agent in allowed]
        shown.sort(key=lambda p: p.rung_at)
        return {"pops": [self.pops.view(p, now) for p in shown[:LISTED]], "more": len(shown) > LISTED}

    def _pop(self, request, raw: bytes, person: Any, allowed: frozenset[str] | None) -> Pop:
        call = raw.decode("ascii", "replace")
        if not _CALL.fullmatch(call):
            raise HttpError(400, "call: a linked id")
        if person.role == "agent":
            pop = self.pops.get(call, person.number)
            if pop is None:
                raise Forbidden(NOT_YOURS)
            return pop
        wanted = request.args.get(b"agent", [b""])[0].decode("ascii", "replace")
        if wanted and not _AGENT.fullmatch(wanted):
            raise HttpError(400, "agent: digits")
        found = [p for p in self.pops.of_call(call) if not wanted or p.agent == wanted]
        if not found:
            raise HttpError(404, "no pop for that call")
        seen = [p for p in found if allowed is None or p.agent in allowed]
        if not seen:
            raise Forbidden("that call rings no agent of your teams")
        return max(seen, key=lambda p: (p.state == "connected", p.rung_at))

    async def post(self, request) -> object:
        person = self.person(request)
        path = request.postpath
        if len(path) != 2 or path[1] != b"customer":
            raise HttpError(404, "not found")
        role: str = person.role
        if role != "agent":
            raise Forbidden("only the agent the call rings may say who calls")
        pop = self._pop(request, path[0], person, frozenset((person.number,)))
        customer_id = _customer_request(request.content.read(MAX_BODY + 1))
        shown = self.pops.view(pop, self.clock())
        who = shown["caller"]
        if who["candidates"] < 2 or not who["number"]:
            raise HttpError(409, "the caller's number is not shared: there is nobody to pick")
        if customer_id not in {c.id for c in await self.details.candidates(who["number"])}:
            raise HttpError(422, "customer_id: not one of the customers on the caller's number")
        await self.details.pick(pop.call_id, customer_id)
        self.apply(ev.CustomerPicked(self.clock(), pop.call_id, person.number, customer_id))
        return await self.details.complete(self.pops.view(pop, self.clock()))


def _customer_request(raw: bytes) -> int:
    if len(raw) > MAX_BODY:
        raise HttpError(413, "request too large")
    try:
        value = json.loads(raw)["customer_id"]
    except (ValueError, KeyError, TypeError):
        raise HttpError(400, 'expected {"customer_id": 123}') from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise HttpError(400, "customer_id: a customer's number")
    return value
