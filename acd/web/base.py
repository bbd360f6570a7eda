"""What every API resource shares: signing in, coroutine handlers, and JSON answers.

Errors become JSON answers with a status; nothing a client sends turns into a 500 unless
the engine itself is broken (and that is logged).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import resource, server

from acd.config import Staff
from acd.web.auth import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    Forbidden,
    StaffLogin,
    Throttled,
    Unauthorized,
)

log = Logger()


class HttpError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def sign_in(login: StaffLogin, request) -> Staff:
    """The signed-in staff member (Unauthorized, Throttled); a first sign-in from this
    client gets a device cookie, so strangers' guessing never slows this client down."""
    header = request.requestHeaders.getRawHeaders(b"authorization")
    authorization = header[0] if header and len(header) == 1 else None
    peer = request.getClientAddress()
    signed = login.sign_in(
        authorization, getattr(peer, "host", "") or "", request.received_cookies.get(DEVICE_COOKIE)
    )
    if signed.device_cookie is not None:
        request.addCookie(
            DEVICE_COOKIE,
            signed.device_cookie,
            max_age=str(DEVICE_DAYS * 86400),
            path=b"/",
            httpOnly=True,
            sameSite="strict",
        )
    return signed.person


class AsyncJson(resource.Resource):
    """A leaf whose handlers are coroutines; their errors become JSON answers with a status."""

    isLeaf = True

    def __init__(self, login: StaffLogin) -> None:
        super().__init__()
        self.login = login

    def person(self, request) -> Staff:
        return sign_in(self.login, request)

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
        done = defer.Deferred.fromFuture(asyncio.ensure_future(handler(request)))
        done.addCallbacks(
            lambda body: answer(request, gone, 200, body), lambda failure: _failed(request, gone, failure)
        )
        done.addErrback(lambda failure: log.failure("web answer failed", failure))
        return server.NOT_DONE_YET


def _failed(request, gone: list, failure) -> None:
    error = failure.value
    if isinstance(error, Unauthorized):
        request.setHeader(b"www-authenticate", b'Basic realm="acd"')
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


def answer(request, gone: list, code: int, body: object) -> None:
    if gone or request.finished or body is server.NOT_DONE_YET:
        return  # the client left, or a file is being streamed
    if isinstance(body, tuple):  # (status, body)
        code, body = body
    request.setResponseCode(code)
    request.setHeader(b"content-type", b"application/json")
    request.setHeader(b"cache-control", b"no-store")
    raw = json.dumps(body).encode()
    request.setHeader(b"content-length", str(len(raw)).encode())
    request.write(raw)
    request.finish()
