"""What every API resource shares: who is asking, coroutine handlers, and JSON answers.

Who is asking comes from one of two places, never both: HTTP Basic (the API's tools), or
else the session cookie (browsers, after the sign-in form). A request that carries Basic is
judged by Basic alone, its cookies unused, so a forged request can never borrow a browser's
session through it; and since the daemon never asks a browser for Basic credentials (no
`WWW-Authenticate` challenge), a browser never holds any to send on a forged request. With
the cookie, every state-changing request must also carry the session's CSRF token.

Errors become JSON answers with a status; nothing a client sends turns into a 500 unless
the engine itself is broken (and that is logged).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from urllib import parse

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import resource, server

from acd.core.people import Person
from acd.web.auth import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    Forbidden,
    StaffLogin,
    Throttled,
    Unauthorized,
)
from acd.web.sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, SECURE_COOKIE

log = Logger()
SAFE_METHODS = (b"GET", b"HEAD", b"OPTIONS")
_FOUND = "acd_person"  # the request attribute identify() leaves its answer in
_SESSION = "acd_session_key"  # and the key of the cookie session it found the person by
_PHRASES = {429: b"Too Many Requests"}  # RFC 6585's; twisted.web.http.RESPONSES lacks it


class HttpError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def cookie_name(login: StaffLogin) -> bytes:
    return SECURE_COOKIE if login.config.http.tls else COOKIE


def session_id(login: StaffLogin, request) -> bytes | None:
    return request.received_cookies.get(cookie_name(login))


def peer(request) -> str:
    return getattr(request.getClientAddress(), "host", "") or ""


async def identify(login: StaffLogin, request) -> Person:
    """Who sent `request` (Unauthorized, Throttled, Forbidden); asked once per request."""
    if hasattr(request, _FOUND):
        found = getattr(request, _FOUND)
        if isinstance(found, Exception):
            raise found
        return found
    try:
        person = await _identify(login, request)
    except (Unauthorized, Throttled, Forbidden) as refused:
        setattr(request, _FOUND, refused)
        raise
    setattr(request, _FOUND, person)
    return person


async def _identify(login: StaffLogin, request) -> Person:
    header = request.requestHeaders.getRawHeaders(b"authorization")
    if header:
        if len(header) != 1:
            raise Unauthorized("one Authorization header, please")
        if request.method not in SAFE_METHODS and not _is_json(request):
            raise Forbidden("HTTP Basic is for the JSON API; pages sign in with the form")
        return await _basic(login, request, header[0])
    sid = session_id(login, request)
    await login.sessions.ready()
    found = login.sessions.find(sid)
    if found is None or sid is None:
        raise Unauthorized("sign in first" if sid is None else "your session has ended; sign in again")
    if request.method not in SAFE_METHODS:
        given = request.requestHeaders.getRawHeaders(CSRF_HEADER) or form(request).get(CSRF_FIELD)
        token = given[0] if given and len(given) == 1 else None
        if not login.sessions.csrf_ok(sid, token):
            raise Forbidden("the CSRF token is missing or wrong; reload the page")
    setattr(request, _SESSION, found[0].key)
    return found[1]


async def _basic(login: StaffLogin, request, authorization: bytes) -> Person:
    """The Basic pair's person; a first sign-in from this client gets a device cookie, so
    strangers' guessing never slows this client down."""
    signed = await login.basic(authorization, peer(request), request.received_cookies.get(DEVICE_COOKIE))
    if signed.device_cookie is not None:
        set_device_cookie(request, signed.device_cookie, login.config.http.tls)
    return signed.person


def set_device_cookie(request, cookie: bytes, secure: bool) -> None:
    """The device cookie a first sign-in from this client gets (acd/web/auth.py says why)."""
    request.addCookie(
        DEVICE_COOKIE,
        cookie,
        max_age=str(DEVICE_DAYS * 86400),
        path=b"/",
        httpOnly=True,
        sameSite="strict",
        secure=secure,
    )


def known(request) -> Person:
    """The person identify() found for this request (resources call it through self.person)."""
    found = getattr(request, _FOUND, None)
    if isinstance(found, Exception):
        raise found
    if found is None:
        raise Unauthorized("sign in first")
    return found


def session_key(request) -> str | None:
    """The key of the cookie session identify() found this request's person by (None: Basic,
    or nobody): a stream it opens ends when that session is signed out."""
    return getattr(request, _SESSION, None)


def form(request) -> dict[bytes, list[bytes]]:
    """The fields of a form-encoded body (never the query string: tokens stay out of URLs)."""
    kind = request.requestHeaders.getRawHeaders(b"content-type") or [b""]
    if kind[0].split(b";")[0].strip().lower() != b"application/x-www-form-urlencoded":
        return {}
    content = request.content
    if content is None:
        return {}
    content.seek(0)
    raw = content.read()
    content.seek(0)
    try:  # as latin-1, a character a byte: bytes in, the same bytes out (parse_qs on bytes
        # encodes its values as ASCII, and one accented letter emptied the whole form)
        found = parse.parse_qs(
            raw.decode("latin-1"), keep_blank_values=True, max_num_fields=50, encoding="latin-1"
        )
    except ValueError:
        return {}
    return {k.encode("latin-1"): [v.encode("latin-1") for v in vs] for k, vs in found.items()}


def _is_json(request) -> bool:
    kind = request.requestHeaders.getRawHeaders(b"content-type") or [b""]
    return kind[0].split(b";")[0].strip().lower() == b"application/json"


class AsyncJson(resource.Resource):
    """A leaf whose handlers are coroutines; their errors become JSON answers with a status."""

    isLeaf = True

    def __init__(self, login: StaffLogin) -> None:
        super().__init__()
        self.login = login

    def person(self, request) -> Person:
        """Who is asking (Unauthorized, Throttled, Forbidden): the one place identity comes from."""
        return known(request)

    def render_GET(self, request) -> object:
        return self._run(request, self.get)

    def render_POST(self, request) -> object:
        return self._run(request, self.post)

    async def get(self, request) -> object:
        raise HttpError(405, "method not allowed")

    async def post(self, request) -> object:
        raise HttpError(405, "method not allowed")

    def _run(self, request, handler: Callable[[object], Awaitable[object]]) -> object:
        gone: list[bool] = []
        request.notifyFinish().addErrback(lambda _: gone.append(True))
        done = defer.Deferred.fromFuture(asyncio.ensure_future(self._identified(request, handler)))
        done.addCallbacks(
            lambda body: answer(request, gone, 200, body), lambda failure: _failed(request, gone, failure)
        )
        done.addErrback(lambda failure: log.failure("web answer failed", failure))
        return server.NOT_DONE_YET

    async def _identified(self, request, handler: Callable[[object], Awaitable[object]]) -> object:
        """Identity first (its failure kept for self.person to raise), then the handler."""
        try:
            await identify(self.login, request)
        except (Unauthorized, Throttled, Forbidden):
            pass  # raised again where the handler asks who this is
        return await handler(request)


def _failed(request, gone: list, failure) -> None:
    error = failure.value
    if isinstance(error, Unauthorized):  # no Basic challenge: browsers must never hold Basic credentials
        answer(request, gone, 401, {"error": str(error)})
    elif isinstance(error, Throttled):
        request.setHeader(b"retry-after", str(error.retry_after).encode())
        answer(request, gone, 429, {"error": str(error)})
    elif isinstance(error, Forbidden):
        answer(request, gone, 403, {"error": str(error)})
    elif isinstance(error, HttpError):
        answer(request, gone, error.code, {"error": str(error)})
    else:
        log.failure("web request failed", failure)
        answer(request, gone, 500, {"error": "internal error"})


def set_status(request, code: int) -> None:
    """The status with its reason phrase: twisted's "Unknown Status" for a 429 reads like a bug."""
    request.setResponseCode(code, _PHRASES.get(code))


def answer(request, gone: list, code: int, body: object) -> None:
    if gone or request.finished or body is server.NOT_DONE_YET:
        return  # the client left, or a file is being streamed
    if isinstance(body, tuple):  # (status, body)
        code, body = body
    set_status(request, code)
    request.setHeader(b"content-type", b"application/json")
    request.setHeader(b"cache-control", b"no-store")
    raw = json.dumps(body).encode()
    request.setHeader(b"content-length", str(len(raw)).encode())
    request.write(raw)
    request.finish()
