"""JSON on loopback: the status the demo's terminal view and the tests read, and the root
the quality API (acd/web/quality.py) hangs from."""
from __future__ import annotations

import json
import time
from typing import Callable

from twisted.web import resource, server

from acd.core.center import CallCenter
from acd.core.snapshot import snapshot


class JsonResource(resource.Resource):
    isLeaf = True

    def __init__(self, produce: Callable[[], dict]) -> None:
        super().__init__()
        self.produce = produce

    def render_GET(self, request) -> bytes:
        request.setHeader(b"content-type", b"application/json")
        request.setHeader(b"cache-control", b"no-store")
        return json.dumps(self.produce()).encode()


def make_site(center: CallCenter, links: Callable[[], dict], more: dict[bytes, resource.Resource] | None = None,
              clock: Callable[[], float] = time.time) -> server.Site:
    """The status API, and `more` resources under /api (the quality API)."""
    root = resource.Resource()
    api = resource.Resource()
    root.putChild(b"api", api)
    api.putChild(b"state", JsonResource(lambda: {**snapshot(center, clock()), "links": links()}))
    for name, child in (more or {}).items():
        api.putChild(name, child)
    root.putChild(b"healthz", JsonResource(lambda: {"ok": True, **links()}))
    return server.Site(root)
