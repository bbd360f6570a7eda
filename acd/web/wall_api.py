"""The wallboard's API: `GET /api/wall` (the snapshot, JSON) and `GET /api/wall/events` (the
same, live, as server-sent events; acd/web/wall.py). Admins see the whole center, supervisors
their teams' queues and agents (acd/web/push.py audience_of); anyone else 403. A kiosk (a
wall screen) reads `?kiosk=TOKEN` instead of signing in; admins and supervisors make, list and
revoke kiosk links under `/api/wall/kiosks` (acd/web/kiosk.py).
"""

from __future__ import annotations

import asyncio
import re

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import resource, server

from acd.core.people import Person
from acd.core.staffing import Staffing
from acd.web import sse
from acd.web.auth import Forbidden, StaffLogin, Throttled, Unauthorized
from acd.web.base import HttpError, answer, identify, session_key
from acd.web.kiosk import MAX_BODY, Kiosks
from acd.web.push import audience_of
from acd.web.wall import Link, View, WallFeed

log = Logger()
_ID = re.compile(rb"[1-9][0-9]{0,17}")


class WallApi(resource.Resource):
    """`/api/wall` and `/api/wall/events`: who is asking decides the view."""

    isLeaf = True

    def __init__(self, login: StaffLogin, feed: WallFeed, kiosks: Kiosks | None = None) -> None:
        super().__init__()
        self.login, self.feed, self.kiosks = login, feed, kiosks

    async def person(self, request):
        """The one place identity comes from: the session cookie, or Basic (acd/web/base.py)."""
        return await identify(self.login, request)

    async def view(self, request) -> tuple[View, Link | Person]:
        """The view asked for, and who opens it: a kiosk link, or the person signed in."""
        token = request.args.get(b"kiosk")
        if token is not None:
            if self.kiosks is None:
                raise Forbidden("no kiosk links here")
            return await self.kiosks.find(token[-1])
        person = await self.person(request)
        return signed_in(self.login.staffing, person), person

    def render_GET(self, request) -> object:
        done = defer.Deferred.fromFuture(asyncio.ensure_future(self._get(request)))
        done.addErrback(lambda failure: _failed(request, failure))
        return server.NOT_DONE_YET

    def render_POST(self, request) -> object:
        done = defer.Deferred.fromFuture(asyncio.ensure_future(self._post(request)))
        done.addErrback(lambda failure: _failed(request, failure))
        return server.NOT_DONE_YET

    def render_HEAD(self, request) -> object:
        answer(request, [], 405, {"error": "method not allowed"})
        return server.NOT_DONE_YET

    async def _get(self, request) -> None:
        path = request.postpath
        if path in ([], [b""]):
            view, _ = await self.view(request)
            answer(request, [], 200, self.feed.produce(view))
        elif path == [b"events"]:
            await self._events(request)
        elif path == [b"kiosks"]:
            answer(request, [], 200, await self._kiosks().listing(await self.person(request)))
        else:
            answer(request, [], 404, {"error": "not found"})

    async def _post(self, request) -> None:
        """`/api/wall/kiosks` makes a kiosk link, `/api/wall/kiosks/<id>/revoke` revokes one."""
        path = request.postpath
        person = await self.person(request)
        if path == [b"kiosks"]:
            made = await self._kiosks().make(person, request.content.read(MAX_BODY + 1), self.login.staffing)
            answer(request, [], 201, made)
        elif len(path) == 3 and path[0] == b"kiosks" and _ID.fullmatch(path[1]) and path[2] == b"revoke":
            answer(request, [], 200, await self._kiosks().revoke(person, int(path[1])))
        else:
            answer(request, [], 404, {"error": "not found"})

    def _kiosks(self) -> Kiosks:
        if self.kiosks is None:
            raise HttpError(404, "no kiosk links here")
        return self.kiosks

    async def _events(self, request) -> None:
        after = sse.resume_id(
            request.requestHeaders.getRawHeaders(b"last-event-id"), request.args.get(b"last_event_id")
        )
        view, opener = await self.view(request)
        if request.finished or getattr(request, "_disconnected", False):
            return
        refused = self.feed.refusal(opener)
        if refused is not None:
            request.setHeader(b"retry-after", b"10")
            answer(request, [], refused.status, refused.body())
            return
        request.setHeader(b"content-type", b"text/event-stream; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        request.setHeader(b"x-accel-buffering", b"no")
        peer = getattr(request.getClientAddress(), "host", "") or ""
        kind = "kiosk" if isinstance(opener, Link) else f"wall {opener.number}"
        self.feed.open(request, view, after, f"{kind}@{peer}", opener, session_key(request))


def signed_in(staffing: Staffing, person: Person) -> View:
    """What `person`'s wall shows, signed in (Forbidden: their role sees no wallboard)."""
    if person.role not in ("admin", "supervisor"):
        raise Forbidden(f"role {person.role!r} may not see the wallboard")
    return View(audience_of(staffing, person), controls=person.role == "supervisor")


def _failed(request, failure) -> None:
    error = failure.value
    if request.finished or getattr(request, "_disconnected", False):
        return
    if isinstance(error, Unauthorized):  # no Basic challenge: browsers must never hold Basic credentials
        answer(request, [], 401, {"error": str(error)})
    elif isinstance(error, Throttled):
        request.setHeader(b"retry-after", str(error.retry_after).encode())
        answer(request, [], 429, {"error": str(error)})
    elif isinstance(error, Forbidden):
        answer(request, [], 403, {"error": str(error)})
    elif isinstance(error, HttpError):
        answer(request, [], error.code, {"error": str(error)})
    elif isinstance(error, ValueError):
        answer(request, [], 400, {"error": str(error)})
    else:
        log.failure("wallboard request failed", failure)
        answer(request, [], 500, {"error": "internal error"})
