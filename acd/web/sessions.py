"""Cookie sessions: who a browser is, between their sign-in and their sign-out or expiry.

The cookie holds a random id (32 bytes) and nothing else; the server keeps the record, under
the id's SHA-256 (a copy of the records, in memory or in redis, gives no usable cookie).
A session ends at sign-out, after `http.session_idle` seconds without a request, after
`http.session_max` seconds in any case, and as soon as its person's record changes version
(a new password, disabled) or the person is gone. Its CSRF token is an HMAC of the id under
the signing key: one per session, never stored, compared in constant time. The watchers hear
of the ends someone chose, a sign-out or an admin's change, so the live streams end with them
(acd/web/follow.py); an expiry is not told (the streams outlive it on purpose).

Records live in this process's memory and are copied to redis (acd/live.py), so a daemon
restart keeps everyone signed in (the desks reconnect by themselves) and redis being away
costs nothing but that copy: memory answers every request, redis is written in the background.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from hashlib import sha256
from typing import Protocol

from acd.background import background
from acd.core.people import Person, Session, may_sign_in

COOKIE = b"acd_session"
SECURE_COOKIE = b"__Host-acd_session"  # on HTTPS: Secure, path /, no Domain, by the browser's rules
CSRF_HEADER = b"x-csrf-token"
CSRF_FIELD = b"csrf_token"
MOST = 20_000  # sessions kept at once; past it the least recently seen go first
MOST_EACH = 20  # per person (tabs share one; these are browsers)
WRITE_BACK = 60.0  # seconds: a session's "seen" reaches redis at most this often
RESTORE_WAIT = 5.0  # seconds a request waits for the sessions redis kept, after a start


class People(Protocol):
    def person(self, number: str) -> Person | None: ...


class Watcher(Protocol):
    """Who hears of sessions ended on purpose (acd/web/follow.py: the open streams)."""

    def person_changed(self, number: str) -> None: ...

    def signed_out(self, key: str) -> None: ...


class Keeper(Protocol):
    """Where records outlive the process (redis)."""

    async def save_session(self, session: Session, ttl: int) -> None: ...

    async def drop_session(self, key: str) -> None: ...


class Sessions:
    def __init__(
        self,
        signing_key: str,
        people: People,
        idle: float,
        most: float,
        clock: Callable[[], float] = time.time,
        keeper: Keeper | None = None,
    ) -> None:
        self.key = signing_key.encode()
        self.people, self.idle, self.most, self.clock = people, idle, most, clock
        self.keeper = keeper
        self.records: dict[str, Session] = {}
        self.watchers: list[Watcher] = []
        self._restored: asyncio.Event | None = None  # set while a start reads redis's records

    def open(self, person: Person) -> str:
        """A new session for `person`; the cookie's value."""
        now = self.clock()
        sid = secrets.token_urlsafe(32)
        record = Session(_key(sid), person.number, person.version, now, now)
        self._bound(person.number)
        self.records[record.key] = record
        self._keep(record)
        return sid

    def find(self, sid: str | bytes | None) -> tuple[Session, Person] | None:
        """The live session of this cookie and its person; an expired one ends here."""
        if not sid or len(sid) > 100:
            return None
        key = _key(sid)
        record = self.records.get(key)
        if record is None:
            return None
        now = self.clock()
        person = self.people.person(record.number)
        if not self.alive(record, person, now) or person is None:
            self.end_key(key)
            return None
        if now - record.seen >= 1.0:
            touched = replace(record, seen=now)
            self.records[key] = touched
            if now - record.seen >= WRITE_BACK:
                self._keep(touched)
        return record, person

    def alive(self, record: Session, person: Person | None, now: float) -> bool:
        return (
            may_sign_in(person)
            and person is not None
            and person.version == record.version
            and now - record.seen < self.idle
            and now - record.created < self.most
        )

    def csrf_token(self, sid: str | bytes) -> str:
        raw = sid.encode() if isinstance(sid, str) else sid
        return hmac.new(self.key, b"session-csrf|" + raw, sha256).hexdigest()

    def csrf_ok(self, sid: str | bytes, token: str | bytes | None) -> bool:
        if not token or len(token) > 200:
            return False
        given = token.encode("latin-1", "replace") if isinstance(token, str) else token
        return hmac.compare_digest(self.csrf_token(sid).encode(), given)

    def end(self, sid: str | bytes) -> None:
        self.end_key(_key(sid))

    def sign_out(self, sid: str | bytes) -> None:
        """Its browser ends this session (a sign-out, or a new sign-in over it): the watchers
        end what it opened."""
        key = _key(sid)
        self.end_key(key)
        for watcher in self.watchers:
            watcher.signed_out(key)

    def end_key(self, key: str) -> None:
        if self.records.pop(key, None) is not None and self.keeper is not None:
            background(self.keeper.drop_session(key), "forgetting a session in redis")

    def end_for(self, number: str) -> int:
        """End every session of `number` (disabled, a new password), and tell the watchers
        (their streams end now, not at the next read of the staff table); how many ended."""
        keys = [k for k, r in self.records.items() if r.number == number]
        for key in keys:
            self.end_key(key)
        for watcher in self.watchers:
            watcher.person_changed(number)
        return len(keys)

    def sweep(self) -> None:
        """End the sessions that expired or whose person changed (a timer calls this)."""
        now = self.clock()
        for key, record in list(self.records.items()):
            if not self.alive(record, self.people.person(record.number), now):
                self.end_key(key)

    def restoring(self) -> None:
        """A start reads redis's records now: a request asks `ready` before it finds its own."""
        self._restored = asyncio.Event()

    async def ready(self) -> None:
        """Back once the kept records are in (or RESTORE_WAIT passed): a browser reconnecting
        the moment the daemon is back is not told its session ended."""
        restored = self._restored
        if restored is not None and not restored.is_set():
            try:
                await asyncio.wait_for(restored.wait(), RESTORE_WAIT)
            except TimeoutError:
                pass

    def restore(self, records: list[Session]) -> None:
        """The records redis kept while the daemon was away; the live ones come back."""
        now = self.clock()
        for record in records:
            if self.alive(record, self.people.person(record.number), now):
                self.records[record.key] = record
        self.restored()

    def restored(self) -> None:
        if self._restored is not None:
            self._restored.set()

    def _bound(self, number: str) -> None:
        mine = sorted((r for r in self.records.values() if r.number == number), key=lambda r: r.seen)
        for record in mine[: max(0, len(mine) - MOST_EACH + 1)]:
            self.end_key(record.key)
        if len(self.records) >= MOST:
            for record in sorted(self.records.values(), key=lambda r: r.seen)[: len(self.records) // 10]:
                self.end_key(record.key)

    def _keep(self, record: Session) -> None:
        if self.keeper is not None:
            ttl = int(min(self.idle, self.most - (record.seen - record.created))) + 1
            background(self.keeper.save_session(record, ttl), "copying a session to redis")


def _key(sid: str | bytes) -> str:
    text = sid.decode("ascii", "replace") if isinstance(sid, bytes) else sid
    return sha256(text.encode("utf-8", "replace")).hexdigest()
