"""Complaint cases over HTTP, and the page `/cases`.

GET  /api/cases                   the open cases one may see, soonest deadline first: an agent
                                  their own, a supervisor theirs and their teams' agents', an
                                  admin all
POST /api/cases/<id>/resolve      {"note": "..."}: closes a case one may see (CaseResolved)

Identity and CSRF are acd/web/base.py's, as for every API. A case one may not see is a 404,
so a guessed id says nothing.
"""

from __future__ import annotations

import re
from typing import Any

from acd.cases_desk import CaseDesk, CaseError
from acd.core.people import Person
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.desk import body_of, text_field
from acd.web.pages import Frame

ROLES = ("agent", "supervisor", "admin")
_CASE = re.compile(r"case-[A-Za-z0-9._-]{1,64}")
NOT_YOURS = "no open case you may see has that id"


def owners(login: StaffLogin, person: Person) -> frozenset[str] | None:
    """Whose cases `person` sees: None is everyone's (an admin)."""
    if person.role == "admin":
        return None
    if person.role == "agent":
        return frozenset((person.number,))
    if person.role == "supervisor":
        return login.staffing.of_teams(person.teams) | {person.number}
    raise Forbidden(f"role {person.role!r} may not see complaint cases")


class CasesApi(AsyncJson):
    def __init__(self, login: StaffLogin, desk: CaseDesk) -> None:
        super().__init__(login)
        self.desk = desk

    async def get(self, request) -> object:
        person = self.person(request)
        seen = owners(self.login, person)
        if [p for p in request.postpath if p]:
            raise HttpError(404, "not found")
        now = self.desk.clock()
        return {"cases": [self.desk.view(c, now) for c in self.desk.cases.listed(seen)]}

    async def post(self, request) -> object:
        person = self.person(request)
        seen = owners(self.login, person)
        path = request.postpath
        if len(path) != 2 or path[1] != b"resolve":
            raise HttpError(404, "not found")
        case_id = path[0].decode("ascii", "replace")
        if not _CASE.fullmatch(case_id):
            raise HttpError(400, "case: an id as /api/cases lists it")
        case = self.desk.cases.open.get(case_id)
        if case is None or (seen is not None and case.owner not in seen):
            raise HttpError(404, NOT_YOURS)
        body: dict[str, Any] = body_of(request)
        if set(body) - {"note"}:
            raise HttpError(400, f"unknown field {sorted(set(body) - {'note'})[0][:40]!r}")
        try:
            done = self.desk.resolve(case_id, person.number, text_field(body, "note", 2000))
        except CaseError as exc:
            raise HttpError(409, str(exc)) from None
        return {"case": case_id, "resolved": True, "by": done.by}


class CasesPage(Frame):
    """`GET /cases`: static/cases.js asks /api/cases and resolves from the list."""

    roles = ROLES
    template = "cases.html"
