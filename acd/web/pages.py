"""Server-rendered pages: Jinja2 templates (autoescaped: a customer's name with markup shows as
text) from acd/web/templates/, static files from acd/web/static/, and the base resource every
page is built on.

A page's handler is a coroutine given the signed-in person; a page for some roles only says
so in `roles`. Nobody signed in is sent to the sign-in page (GET) or told 401 (anything
else); another role gets 403. Every page is `no-store` (they show customer data) and carries
the session's CSRF token in `<meta name="csrf-token">` for its scripts (acd/web/static/acd.js).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote

import jinja2
from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import resource, server

from acd.core.people import ROLES, Person
from acd.web.auth import Forbidden, StaffLogin, Throttled, Unauthorized
from acd.web.base import HttpError, identify, session_id, set_status

log = Logger()
TYPES = {  # what the static folder may hold, and how it is served
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".map": "application/json",
}
NAV = {  # the header's links, by role (the pages themselves are other modules')
    "agent": (("/desk", "Desk"), ("/cases", "Cases")),
    "supervisor": (
        ("/wall", "Wallboard"),
        ("/reports", "Reports"),
        ("/cases", "Cases"),
        ("/knowledge", "Knowledge"),
    ),
    "quality": (("/", "Home"),),
    "admin": (
        ("/wall", "Wallboard"),
        ("/reports", "Reports"),
        ("/cases", "Cases"),
        ("/knowledge", "Knowledge"),
        ("/admin/staff", "Staff"),
    ),
}


@dataclass(frozen=True)
class Redirect:
    """A page's answer that sends the browser elsewhere (303: the next request is a GET)."""

    to: str


class Pages:
    """The template environment; `render` gives a page's bytes with its headers set."""

    def __init__(self, login: StaffLogin) -> None:
        self.login = login
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("acd.web", "templates"),
            autoescape=True,  # every template, whatever its name
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, request, template: str, person: Person | None, status: int = 200, **context) -> bytes:
        sid = session_id(self.login, request)
        csrf = self.login.sessions.csrf_token(sid) if sid and person is not None else ""
        body = self.env.get_template(template).render(
            person=person, csrf_token=csrf, nav=NAV.get(person.role, ()) if person else (), **context
        )
        set_status(request, status)
        request.setHeader(b"content-type", b"text/html; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        return body.encode()


class Page(resource.Resource):
    """A leaf page: `get` and `post` are coroutines given the signed-in person."""

    isLeaf = True
    roles: tuple[str, ...] = ROLES  # who may open it
    public = False  # True: nobody need be signed in (the sign-in page)

    def __init__(self, login: StaffLogin, pages: Pages) -> None:
        super().__init__()
        self.login, self.pages = login, pages

    def render_GET(self, request) -> object:
        return self._run(request, self.get)

    def render_POST(self, request) -> object:
        return self._run(request, self.post)

    async def get(self, request, person: Person | None) -> bytes | Redirect:
        raise HttpError(405, "method not allowed")

    async def post(self, request, person: Person | None) -> bytes | Redirect:
        raise HttpError(405, "method not allowed")

    async def who(self, request) -> Person | None:
        if self.public:
            try:
                return await identify(self.login, request)
            except (Unauthorized, Forbidden):
                return None
        person = await identify(self.login, request)
        if person.role not in self.roles:
            raise Forbidden(f"this page is not for the role {person.role!r}")
        return person

    def _run(self, request, handler) -> object:
        async def run() -> bytes | Redirect:
            return await handler(request, await self.who(request))

        done = defer.Deferred.fromFuture(asyncio.ensure_future(run()))
        done.addCallbacks(lambda body: self._answer(request, body), lambda f: self._failed(request, f))
        done.addErrback(lambda failure: log.failure("page answer failed", failure))
        return server.NOT_DONE_YET

    def _answer(self, request, body: bytes | Redirect) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        if isinstance(body, Redirect):
            request.setResponseCode(303)
            request.setHeader(b"location", body.to.encode())
            request.setHeader(b"cache-control", b"no-store")
            body = b""
        request.setHeader(b"content-length", str(len(body)).encode())
        request.write(body)
        request.finish()

    def _failed(self, request, failure) -> None:
        error = failure.value
        if isinstance(error, Unauthorized) and request.method == b"GET":
            self._answer(request, Redirect("/signin?next=" + quote(request.path.decode("utf-8", "replace"))))
            return
        if isinstance(error, Throttled):
            request.setHeader(b"retry-after", str(error.retry_after).encode())
        code = {Unauthorized: 401, Forbidden: 403, Throttled: 429}.get(type(error))
        code = code or (error.code if isinstance(error, HttpError) else None)
        if code is None:
            log.failure("page failed", failure)
            code, error = 500, Exception("internal error")
        found = getattr(request, "acd_person", None)  # identify()'s answer: the header shows who
        person = found if isinstance(found, Person) else None
        page = self.pages.render(request, "error.html", person, code, code=code, message=str(error))
        self._answer(request, page)


class Frame(Page):
    """A screen whose script draws it from the API: the page is its `template` alone, at its
    own path (anything below it is a 404)."""

    template = ""

    async def get(self, request, person: Person | None) -> bytes:
        if request.postpath not in ([], [b""]):
            raise HttpError(404, "not found")
        return self.pages.render(request, self.template, person)


class Static(resource.Resource):
    """acd/web/static/, read once at start: only the files there, with their declared types,
    an ETag, and revalidation (the vendored libraries carry their version in the name)."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[bytes, bytes, bytes]] = {}
        root = resources.files("acd.web").joinpath("static")
        self._walk(root, "")

    def _walk(self, folder, prefix: str) -> None:
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                self._walk(entry, name + "/")
                continue
            kind = TYPES.get("." + entry.name.rsplit(".", 1)[-1]) if "." in entry.name else None
            if kind is None:
                continue  # nothing served by a guess (mimetypes would)
            data = entry.read_bytes()
            etag = b'"' + hashlib.sha256(data).hexdigest()[:20].encode() + b'"'
            self.files[name] = (data, kind.encode(), etag)

    def render_GET(self, request) -> bytes:
        found = self.files.get("/".join(p.decode("utf-8", "replace") for p in request.postpath))
        if found is None:
            request.setResponseCode(404)
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"not found\n"
        data, kind, etag = found
        request.setHeader(b"content-type", kind)
        request.setHeader(b"etag", etag)
        request.setHeader(b"cache-control", b"no-cache")
        if etag in [t.strip() for t in (request.getHeader(b"if-none-match") or b"").split(b",")]:
            request.setResponseCode(304)
            return b""
        return data
