"""The live state for signed-in staff, and the root the quality API (acd/web/quality.py) hangs from.

The state names callers, their numbers, channels and open supervision sessions, so it is
never public: an admin (operations, the lab's tools) sees all of it; a supervisor sees the
queues their teams' agents serve, those agents, and the calls in those queues or with those
agents; anyone else nothing. `/healthz` says "ok" and nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from twisted.web import resource

from acd.config import Http
from acd.core.agent_book import AgentBook
from acd.core.center import CallCenter
from acd.core.people import Person
from acd.core.snapshot import snapshot
from acd.core.staffing import Staffing
from acd.web.admin import AdminStaff
from acd.web.auth import Forbidden, StaffLogin
from acd.web.base import AsyncJson, HttpError
from acd.web.boundary import GuardedSite
from acd.web.pages import Pages, Static
from acd.web.signin import Home, SignIn, SignOut


class NotFound(resource.Resource):
    """Any method at a path with nothing there: a JSON 404 (twisted's own pages are HTML, and
    its bare Resource answers HEAD with a 500)."""

    isLeaf = True

    def render(self, request) -> bytes:
        request.setResponseCode(404)
        request.setHeader(b"content-type", b"application/json")
        return b'{"error": "not found"}'


class Branch(NotFound):
    """A path segment with children (/, /api): itself and unknown children are 404s."""

    isLeaf = False

    def getChild(self, path: bytes, request) -> resource.Resource:
        return NotFound()


class Healthz(resource.Resource):
    isLeaf = True

    def render_GET(self, request) -> bytes:
        if request.postpath not in ([], [b""]):
            request.setResponseCode(404)
            return b"not found\n"
        request.setHeader(b"content-type", b"text/plain")
        request.setHeader(b"cache-control", b"no-store")
        return b"ok\n"


class State(AsyncJson):
    def __init__(self, login: StaffLogin, produce: Callable[[], dict]) -> None:
        super().__init__(login)
        self.produce = produce

    async def get(self, request) -> object:
        person = self.person(request)
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        if person.role == "admin":
            return self.produce()
        if person.role == "supervisor":
            return team_view(self.login.staffing, person, self.produce())
        raise Forbidden(f"role {person.role!r} may not see the live state")


def team_view(staffing: Staffing, person: Person, state: dict) -> dict:
    """What a supervisor may see of the state: their teams' agents and the queues they serve."""
    agents = staffing.of_teams(person.teams)
    queues = staffing.queues_of(agents)
    mine = lambda call: call.get("agent") in agents or call.get("queue") in queues
    links = state.get("links", {})
    return {
        "at": state.get("at"),
        "resyncs": state.get("resyncs"),
        "queues": {name: q for name, q in state.get("queues", {}).items() if name in queues},
        "agents": {number: a for number, a in state.get("agents", {}).items() if number in agents},
        "calls": [c for c in state.get("calls", []) if mine(c)],
        "recent_calls": [c for c in state.get("recent_calls", []) if mine(c)],
        "links": {
            "ami_connected": links.get("ami_connected"),
            "agent_states": [
                s for s in links.get("agent_states", []) if isinstance(s, dict) and s.get("number") in agents
            ],
            "supervision": [
                s
                for s in links.get("supervision", [])
                if isinstance(s, dict) and s.get("supervisor") == person.number
            ],
        },
    }


def make_site(
    center: CallCenter,
    links: Callable[[], dict],
    login: StaffLogin,
    http: Http,
    more: dict[bytes, resource.Resource] | None = None,
    clock: Callable[[], float] = time.time,
    book: AgentBook | None = None,
    top: dict[bytes, resource.Resource] | None = None,
) -> GuardedSite:
    """The pages (sign-in, the landing page, static files, and `top`: the screens), the state
    API and `more` resources under /api (the quality API), behind the edge; the agents'
    states from `book`, the core's read model of agents."""
    root, api = Branch(), Branch()
    pages = Pages(login)
    root.putChild(b"", Home(login, pages))
    root.putChild(b"signin", SignIn(login, pages))
    root.putChild(b"signout", SignOut(login, pages))
    root.putChild(b"static", Static())
    admin = Branch()
    admin.putChild(b"staff", AdminStaff(login, pages))
    root.putChild(b"admin", admin)
    for name, child in (top or {}).items():
        root.putChild(name, child)
    root.putChild(b"api", api)
    api.putChild(b"state", State(login, lambda: {**snapshot(center, clock(), book=book), "links": links()}))
    for name, child in (more or {}).items():
        api.putChild(name, child)
    root.putChild(b"healthz", Healthz())
    return GuardedSite(root, http)
