"""Kiosk links: a read-only wallboard for a wall screen, opened by a long random token in
its address instead of a sign-in.

An admin or a supervisor makes one (`POST /api/wall/kiosks {"label"}`); it shows what its maker
sees now (their current teams), without the listen / whisper / barge controls and without
callers' numbers. Only the token's SHA-256 is stored, and the token is shown once. Revoking it
(`POST /api/wall/kiosks/<id>/revoke`, its maker or an admin) refuses it from then on and cuts
the walls open with it at once. A link lives as its maker's access: a maker disabled, or no
longer an admin or a supervisor, has its walls cut at the daemon's next read of the staff table
(acd/service.py ROSTER_EVERY), as their sessions end; a maker moved to other teams has its walls
show those from that read on. The audience stored with a link is what it showed when made.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable

from acd.config import Config
from acd.core.people import may_sign_in
from acd.core.staffing import Staffing
from acd.store import kiosks as store
from acd.store.directory import Directory
from acd.web.auth import Forbidden, People
from acd.web.base import HttpError
from acd.web.push import audience_of
from acd.web.wall import Link, View, WallFeed

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,60}")
MAX_BODY = 1024
MAKERS = ("admin", "supervisor")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Kiosks:
    def __init__(
        self,
        config: Config,
        directory: Directory,
        feed: WallFeed,
        people: People,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`people`: the staff table's word on a number now (a link lives as its maker's access)."""
        self.config, self.directory, self.feed, self.clock = config, directory, feed, clock
        self.people = people

    def view_of(self, maker: str) -> View | None:
        """What a link of `maker`'s shows now: their current teams' wall (None: disabled, or
        no longer an admin or a supervisor)."""
        person = self.people.person(maker)
        if person is None or not may_sign_in(person) or person.role not in MAKERS:
            return None
        return View(audience_of(self.people.staffing, person), kiosk=True)

    def follow(self) -> None:
        """The staff table was read again: open walls follow their makers' access."""
        self.feed.follow(self.view_of)

    async def find(self, raw: bytes) -> tuple[View, Link]:
        """The view a kiosk token opens, and the link (Forbidden: unknown or revoked)."""
        token = raw.decode("ascii", "replace")
        if not TOKEN.fullmatch(token):
            raise Forbidden("not a kiosk link")
        found = await self.directory.read(store.find, digest(token))
        if found is None:
            raise Forbidden("this kiosk link is unknown or was revoked")
        view = self.view_of(found["made_by"])
        if view is None:
            raise Forbidden("whoever made this kiosk link may no longer share the wall")
        return view, Link(found["id"], found["made_by"])

    async def make(self, person, body: bytes, staffing: Staffing) -> dict:
        if person.role not in MAKERS:
            raise Forbidden(f"role {person.role!r} may not make kiosk links")
        label = _label(body)
        audience = audience_of(staffing, person)
        token = secrets.token_urlsafe(32)
        agents = None if audience.queues is None else sorted(audience.agents)
        queues = None if audience.queues is None else sorted(audience.queues)
        made = await self.directory.write(
            store.make, digest(token), label, person.number, agents, queues, self.clock()
        )
        return {**made, "token": token, "url": f"/kiosk/{token}"}

    async def listing(self, person) -> dict:
        return {"kiosks": await self.directory.read(store.listing, _owner(person))}

    async def revoke(self, person, kiosk_id: int) -> dict:
        done = await self.directory.write(store.revoke, kiosk_id, _owner(person), self.clock())
        if not done:
            raise HttpError(404, "no such kiosk link of yours")
        self.feed.close_kiosk(kiosk_id)
        return {"id": kiosk_id, "revoked": True}


def _owner(person) -> str | None:
    """Whose links `person` may list and revoke: None is everyone's (an admin)."""
    if person.role == "admin":
        return None
    if person.role == "supervisor":
        return person.number
    raise Forbidden(f"role {person.role!r} may not manage kiosk links")


def _label(body: bytes) -> str:
    if len(body) > MAX_BODY:
        raise HttpError(413, "request too large")
    try:
        label = str(json.loads(body or b"{}").get("label", "wall screen")).strip()
    except (ValueError, AttributeError):
        raise HttpError(400, 'expected {"label": "..."}') from None
    if not _LABEL.fullmatch(label):
        raise HttpError(400, "label: 1 to 60 characters, no control characters")
    return label
