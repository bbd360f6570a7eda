"""Signing in and out with the form, and the landing page that sends each role to its screen.

A right number and password open a new session (a fresh id every time, so a cookie planted
before sign-in is worth nothing after it) and set its cookie: HttpOnly, SameSite=Strict,
Secure on HTTPS, for at most `http.session_max`. Wrong tries are throttled as for Basic
(acd/web/auth.py): 429 with Retry-After.
"""

from __future__ import annotations

import re

from acd.core.people import Person, home
from acd.web.auth import DEVICE_COOKIE, Throttled, Unauthorized
from acd.web.base import cookie_name, form, peer, session_id, set_device_cookie
from acd.web.pages import Page, Redirect

_LOCAL = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%-]{0,200}")  # a path on this site, never //elsewhere


class FieldError(ValueError):
    """A form field that is not UTF-8 text, or longer than its limit: said, never cut to fit."""


def field(request, name: bytes, most: int = 200) -> str:
    raw = (form(request).get(name) or [b""])[0]
    label = name.decode("ascii", "replace")
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldError(f"{label}: not UTF-8 text") from None
    if len(value) > most:
        raise FieldError(f"{label}: at most {most} characters")
    return value


def local(target: str) -> str | None:
    """`next` when it is a path on this site (no open redirect)."""
    return target if _LOCAL.fullmatch(target) else None


class SignIn(Page):
    public = True

    async def get(self, request, person: Person | None) -> bytes | Redirect:
        if person is not None:
            return Redirect(home(person))
        wanted = request.args.get(b"next", [b""])[0].decode("utf-8", "replace")
        return self.pages.render(request, "signin.html", None, next=local(wanted) or "", error="")

    async def post(self, request, person: Person | None) -> bytes | Redirect:
        try:
            wanted = local(field(request, b"next")) or ""
        except FieldError:
            wanted = ""
        try:
            number, password = field(request, b"number", 20), field(request, b"password", 128)
        except FieldError as no:
            return self.pages.render(request, "signin.html", None, 400, next=wanted, error=str(no))
        try:
            signed = await self.login.sign_in(
                number, password, peer(request), request.received_cookies.get(DEVICE_COOKIE)
            )
        except (Unauthorized, Throttled) as no:
            status = 429 if isinstance(no, Throttled) else 401
            if isinstance(no, Throttled):
                request.setHeader(b"retry-after", str(no.retry_after).encode())
            return self.pages.render(request, "signin.html", None, status, next=wanted, error=str(no))
        old = session_id(self.login, request)
        if old:
            self.login.sessions.sign_out(old)  # its streams end too (acd/web/follow.py)
        secure = self.login.config.http.tls
        if signed.device_cookie is not None:
            set_device_cookie(request, signed.device_cookie, secure)
        request.addCookie(
            cookie_name(self.login),
            self.login.sessions.open(signed.person).encode(),
            max_age=str(self.login.config.http.session_max),
            path=b"/",
            httpOnly=True,
            sameSite="strict",
            secure=secure,
        )
        return Redirect(wanted or home(signed.person))


class SignOut(Page):
    """POST only, with the CSRF token (a link could sign anyone out)."""

    async def post(self, request, person: Person | None) -> bytes | Redirect:
        sid = session_id(self.login, request)
        if sid:
            self.login.sessions.sign_out(sid)
        request.addCookie(
            cookie_name(self.login),
            b"",
            max_age="0",
            path=b"/",
            httpOnly=True,
            sameSite="strict",
            secure=self.login.config.http.tls,
        )
        return Redirect("/signin")


class Home(Page):
    """`/`: each role to its screen; a quality reviewer (no screen yet) stays here."""

    async def get(self, request, person: Person | None) -> bytes | Redirect:
        if request.postpath not in ([], [b""]):
            return self.pages.render(request, "error.html", person, 404, code=404, message="not found")
        assert person is not None  # not public: who() raised first
        target = home(person)
        if target != "/":
            return Redirect(target)
        return self.pages.render(request, "home.html", person)
