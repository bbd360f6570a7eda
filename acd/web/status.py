"""Read-only JSON status on loopback: what the demo's terminal view and the tests read."""
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


def make_site(center: CallCenter, links: Callable[[], dict], clock: Callable[[], float] = time.time) -> server.Site:
    root = resource.Resource()
    api = resource.Resource()
    root.putChild(b"api", api)
    api.putChild(b"state", JsonResource(lambda: {**snapshot(center, clock()), "links": links()}))
    root.putChild(b"healthz", JsonResource(lambda: {"ok": True, **links()}))
    return server.Site(root)
