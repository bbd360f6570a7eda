"""The web port's edge: what is refused before a request reaches a resource, or its body is read.

twisted.web as it comes spools any body over 100 KB to a temporary file before a resource
sees the request, answers to any Host, keeps a connection as long as its client dribbles
bytes and takes any number of them. Here, once a request's headers are in and before one
body byte is read: an unknown Host is refused (DNS rebinding), an announced body over the
limit gets 413, and a POST must be `application/json` from the same origin (CSRF); only the
pages' own forms (sign-in, sign-out, the admin page) may post form-encoded bodies, same
origin too, and those also need the session's CSRF token (acd/web/base.py). Bytes
actually read are capped too (chunked bodies announce no length), connections are counted,
and a request must be complete within a deadline, so slow clients cannot pile up.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import cast

from twisted.internet import interfaces, protocol
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web import http, resource, server

from acd import security_log
from acd.config import Http

log = Logger()
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
UNSAFE_METHODS = {b"POST", b"PUT", b"PATCH", b"DELETE"}
FORM_PATHS = (b"/signin", b"/signout", b"/admin/")  # the pages' forms (a path, or a prefix ending in /)
FORM = b"application/x-www-form-urlencoded"
# Every answer's: pages load only their own scripts and styles and no frame holds them
SECURITY_HEADERS = {
    b"content-security-policy": b"default-src 'none'; script-src 'self'; style-src 'self'; "
    b"img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    b"frame-ancestors 'none'; base-uri 'none'",
    b"x-frame-options": b"DENY",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"cross-origin-opener-policy": b"same-origin",
}
_HOST = re.compile(
    rb"^(?:\[(?P<v6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9.-]{1,253}))(?::(?P<port>[0-9]{1,5}))?$"
)


class Refusal(Exception):
    """Refused at the edge: a status and a short JSON error."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rules:
    """What the edge enforces, from the config's http section."""

    hosts: frozenset[str]
    port: int
    max_body: int
    max_connections: int
    request_timeout: float
    idle_timeout: float
    scheme: str = "http"

    @classmethod
    def of(cls, config: Http) -> Rules:
        hosts = {*LOOPBACK_NAMES, config.host, *config.allowed_hosts}
        return cls(
            frozenset(h.lower() for h in hosts),
            config.port,
            config.max_body,
            config.max_connections,
            config.request_timeout,
            config.idle_timeout,
            config.scheme(),
        )

    def origins(self) -> frozenset[str]:
        """The API's own origins: a browser page served from any allowed name."""
        named = {f"[{h}]" if ":" in h else h for h in self.hosts}
        default = 443 if self.scheme == "https" else 80
        return frozenset(f"{self.scheme}://{h}:{self.port}" for h in named) | (
            frozenset(f"{self.scheme}://{h}" for h in named) if self.port == default else frozenset()
        )


def host_refusal(rules: Rules, raw: list[bytes] | None) -> Refusal | None:
    """One Host header naming an allowed host (and this port, when a port is given)."""
    if not raw or len(raw) != 1:
        return Refusal(400, "exactly one Host header is required")
    found = _HOST.match(raw[0].strip())
    if found is None:
        return Refusal(400, "malformed Host header")
    name = (found["v6"] or found["name"]).decode("ascii").lower().rstrip(".")
    if name not in rules.hosts or (found["port"] is not None and int(found["port"]) != rules.port):
        return Refusal(421, "this server does not answer for that host")
    return None


def form_path(path: bytes) -> bool:
    bare = path.split(b"?", 1)[0]
    return any(bare == p or (p.endswith(b"/") and bare.startswith(p)) for p in FORM_PATHS)


def unsafe_refusal(rules: Rules, headers: http.Headers, path: bytes = b"") -> Refusal | None:
    """A state-changing request: a JSON body (a form's, on the forms' paths), and not sent
    by another site's page."""
    kind = headers.getRawHeaders(b"content-type") or [b""]
    media = kind[0].split(b";")[0].strip().lower() if len(kind) == 1 else b""
    if media != b"application/json" and not (media == FORM and form_path(path)):
        return Refusal(415, "requests that change anything take application/json")
    origin = headers.getRawHeaders(b"origin")
    fetch_site = (headers.getRawHeaders(b"sec-fetch-site") or [b""])[-1].lower()
    if origin is not None:
        if len(origin) != 1 or origin[0].decode("latin-1").lower() not in rules.origins():
            return Refusal(403, "cross-origin requests are refused")
    elif fetch_site not in (b"", b"none", b"same-origin"):
        return Refusal(403, "cross-site requests are refused")
    return None


def length_refusal(rules: Rules, length: int | None) -> Refusal | None:
    if length is not None and length > rules.max_body:
        return Refusal(413, f"request bodies are limited to {rules.max_body} bytes")
    return None


class GuardedRequest(server.Request):
    """Never spools: the body goes to memory, and no more than the limit is ever kept."""

    refused = False
    _received = 0

    def gotLength(self, length: int | None) -> None:
        self.content = io.BytesIO()

    def handleContentChunk(self, data: bytes) -> None:
        if self.refused:
            return
        self._received += len(data)
        channel = cast(GuardedChannel, self.channel)  # GuardedSite builds only these
        if self._received > channel.rules.max_body:
            channel.refuse(Refusal(413, f"request bodies are limited to {channel.rules.max_body} bytes"))
            return
        assert self.content is not None  # gotLength came first
        self.content.write(data)

    def process(self) -> None:
        """Every answer carries the security headers (a resource may set stricter ones)."""
        for name, value in SECURITY_HEADERS.items():
            self.setHeader(name, value)
        channel = cast(GuardedChannel, self.channel)
        if getattr(channel, "rules", None) is not None and channel.rules.scheme == "https":
            self.setHeader(b"strict-transport-security", b"max-age=31536000")
        super().process()

    def processingFailed(self, reason):
        """An error no resource caught: logged, and a JSON 500 that says nothing more."""
        log.failure("web request failed", reason)
        if not self.finished and not self.startedWriting:
            body = json.dumps({"error": "internal error"}).encode()
            self.setResponseCode(500)
            self.setHeader(b"content-type", b"application/json")
            self.setHeader(b"content-length", str(len(body)).encode())
            self.write(body)
            self.finish()
        return reason


class GuardedChannel(http.HTTPChannel):
    """Counts itself, gives every request a deadline, and refuses at the headers."""

    rules: Rules
    site: GuardedSite
    _deadline = None
    _abort = None
    _refused = False

    def connectionMade(self) -> None:
        site: GuardedSite = self.factory
        self.rules = site.rules
        site.open += 1
        self._counted = True
        if site.open > self.rules.max_connections:
            security_log.event("HttpTooManyConnections", "http", _peer(self), Open=site.open)
            self.refuse(Refusal(503, "too many connections"))
            return
        super().connectionMade()
        self._arm()

    def connectionLost(self, reason: Failure = protocol.connectionDone) -> None:
        if getattr(self, "_counted", False):
            self.factory.open -= 1
            self._counted = False
        self._disarm()
        if self._abort is not None and self._abort.active():
            self._abort.cancel()
        super().connectionLost(reason)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.callLater(self.rules.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None and self._deadline.active():
            self._deadline.cancel()
        self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        self.refuse(Refusal(408, "the request took too long"))

    def dataReceived(self, data: bytes) -> None:
        if not self._refused:
            super().dataReceived(data)

    def rawDataReceived(self, data: bytes) -> None:
        if not self._refused:
            super().rawDataReceived(data)

    def allHeadersReceived(self) -> None:
        request = self.requests[-1]
        headers = request.requestHeaders
        refusal = (
            host_refusal(self.rules, headers.getRawHeaders(b"host"))
            or length_refusal(self.rules, self.length)
            or (
                unsafe_refusal(self.rules, headers, self._path)
                if self._command.upper() in UNSAFE_METHODS
                else None
            )
        )
        if refusal is not None:
            if refusal.code in (403, 421):
                security_log.event("HttpRefused", "http", _peer(self), Status=refusal.code, Why=str(refusal))
            self.refuse(refusal)
            return
        super().allHeadersReceived()

    def allContentReceived(self) -> None:
        if self._refused:
            return
        self._disarm()
        super().allContentReceived()

    def requestDone(self, request) -> None:
        super().requestDone(request)
        if self.persistent and not self._refused and self.transport is not None:
            self._arm()

    def refuse(self, refusal: Refusal) -> None:
        """Answer now, read nothing more, and close."""
        if self._refused:
            return
        self._refused = True
        self._disarm()
        for request in self.requests:
            request.refused = True
        body = json.dumps({"error": str(refusal)}).encode()
        reason = HTTPStatus(refusal.code).phrase.encode()
        if self.transport is None:
            return  # gone already
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (refusal.code, reason, len(body), body)
        )
        self.transport.loseConnection()
        if interfaces.ITCPTransport.providedBy(self.transport):  # a client that never reads
            self._abort = self.callLater(self.rules.request_timeout, self.transport.abortConnection)


class GuardedSite(server.Site):
    """A Site whose channels and requests are the guarded ones above."""

    requestFactory = GuardedRequest

    def __init__(self, root: resource.Resource, config: Http) -> None:
        self.rules = Rules.of(config)
        super().__init__(root, timeout=self.rules.idle_timeout)
        self.open = 0
        self.displayTracebacks = False

    def buildProtocol(self, addr):
        # HTTPFactory's own would wrap the channel for HTTP/2 negotiation: ours is built here
        channel = GuardedChannel()
        channel.factory = self
        channel.requestFactory = self.requestFactory
        channel.site = self
        channel.callLater = self.reactor.callLater  # type: ignore[method-assign,assignment]  # as HTTPFactory does
        channel.timeOut = self.timeOut  # type: ignore[assignment]  # Twisted: float here, int there
        return channel


def _peer(channel: http.HTTPChannel) -> str:
    peer = channel.transport.getPeer() if channel.transport is not None else None
    return getattr(peer, "host", "") or ""
