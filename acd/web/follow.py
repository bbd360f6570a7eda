"""Open signed-in streams live as their person's access, as their sessions do.

A stream is opened once and then lasts for hours; who opened it can be disabled, given a new
password, moved to other teams or given another role meanwhile (`acd staff`, /admin/staff).
At each read of the staff table (acd/service.py ROSTER_EVERY), when the sessions that ended
are swept (acd/web/sessions.py), every open `/api/events` stream and signed-in wall is held
against its person's record now: one whose sessions would have ended (gone, disabled, another
version of the record) or whose role may no longer see it is cut off; the others see what
their person may see now. Kiosk walls follow their makers the same way (acd/web/kiosk.py).
An admin's change at /admin/staff runs the same pass at once, as it ends the person's sessions.

A stream opened with a session cookie is tied to that session: signing it out (or signing in
anew over it) cuts the streams it opened, and only those. A session that merely expires
(`http.session_idle`, `http.session_max`) leaves its streams open, on purpose: a desk listens
only to its stream, so an agent on calls all day would lose their events for want of a click;
their next request signs in again. Streams opened with Basic (scripts) have no session to end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from acd.core.feed import Audience
from acd.core.people import Person, may_sign_in
from acd.core.staffing import Staffing
from acd.web.auth import Forbidden, People
from acd.web.kiosk import Kiosks
from acd.web.push import Feed, audience_of
from acd.web.wall import View, WallFeed
from acd.web.wall_api import signed_in

T = TypeVar("T")


class Follower:
    """The daemon's open streams, held against their people's access (a sessions watcher)."""

    def __init__(self, people: People, events: Feed, walls: WallFeed, kiosks: Kiosks) -> None:
        self.people, self.events, self.walls, self.kiosks = people, events, walls, kiosks

    def follow(self) -> None:
        """Every open stream and kiosk wall as its person or maker may see it now."""
        self.kiosks.follow()
        streams(self.people, self.events, self.walls)

    def person_changed(self, number: str) -> None:
        """An admin disabled `number` or set their password: the whole pass now, not at the
        next read of the staff table (one look per person: cheap, and the timer's rules)."""
        self.follow()

    def signed_out(self, key: str) -> None:
        """The session `key` was signed out: the streams it opened end with it."""
        self.events.signed_out(key)
        self.walls.signed_out(key)


def streams(people: People, events: Feed, walls: WallFeed) -> None:
    """The staff table was read again: the open streams follow their people now."""
    events.follow(lambda opened: audience_now(people, opened))
    walls.follow_people(lambda opened: view_now(people, opened))


def standing(people: People, opened: Person) -> Person | None:
    """`opened`'s record now, while a session made when the stream opened would still live
    (None: gone, disabled, or a new version of the record: a new password)."""
    person = people.person(opened.number)
    if person is None or not may_sign_in(person) or person.version != opened.version:
        return None
    return person


def audience_now(people: People, opened: Person) -> Audience | None:
    """What a live-events stream `opened` made may show now (None: it ends)."""
    return _may_see(people, opened, audience_of)


def view_now(people: People, opened: Person) -> View | None:
    """What a signed-in wall `opened` made may show now (None: it ends)."""
    return _may_see(people, opened, signed_in)


def _may_see(people: People, opened: Person, what: Callable[[Staffing, Person], T]) -> T | None:
    person = standing(people, opened)
    try:
        return None if person is None else what(people.staffing, person)
    except Forbidden:
        return None
