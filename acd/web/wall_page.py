"""`GET /wall`: the supervisor's wallboard; `GET /kiosk/<token>`: the same wall, read-only, for a
wall screen. Both pages are frames: their script (static/wall.js) opens /api/wall/events and
draws every figure from the snapshots; nothing of a call or an agent is in the HTML.

Supervisors and admins sign in; the API decides what their wall holds (a supervisor's teams,
with the listen / whisper / barge controls). A kiosk link needs no sign-in: the page is served
only for a token the store knows and has not revoked (acd/web/kiosk.py), and the stream it
opens is the kiosk's own view (no controls, no callers' numbers).
"""

from __future__ import annotations

from acd.core.people import Person
from acd.web.auth import StaffLogin
from acd.web.base import HttpError
from acd.web.kiosk import Kiosks
from acd.web.pages import Page, Pages


class WallPage(Page):
    roles = ("supervisor", "admin")

    async def get(self, request, person: Person | None) -> bytes:
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        return self.pages.render(request, "wall.html", person, events="/api/wall/events", kiosk=False)


class KioskPage(Page):
    """`/kiosk/<token>`: whoever holds the link; an unknown or revoked token is refused (403)."""

    public = True

    def __init__(self, login: StaffLogin, pages: Pages, kiosks: Kiosks | None) -> None:
        super().__init__(login, pages)
        self.kiosks = kiosks

    async def who(self, request) -> Person | None:
        return None  # a wall screen shows nobody's name, whoever's browser opens it

    async def get(self, request, person: Person | None) -> bytes:
        if len(request.postpath) != 1 or self.kiosks is None:
            raise HttpError(404, "not found")
        token = request.postpath[0]
        await self.kiosks.find(token)  # Forbidden: unknown or revoked
        events = "/api/wall/events?kiosk=" + token.decode("ascii")  # find() checked its alphabet
        return self.pages.render(request, "wall.html", None, events=events, kiosk=True)
