"""The browser harness itself: Debian's Chromium loads a loopback twisted.web page, a real
EventSource receives a server-sent event, and the page writes what it carries as text."""

from __future__ import annotations

import json

import pytest
from twisted.web import resource, server

from tests.asterisk.test_fastagi import on_asyncio
from tests.lab import browser as harness

HOSTILE = '<img src=x onerror="document.title=\'pwned\'">Alice'
PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>harness</title>
<script src="/app.js"></script></head><body><p id="t">waiting</p><p id="n"></p>
<script>document.title = 'inline ran';</script></body></html>"""
APP = b"""addEventListener('DOMContentLoaded', () => {
  const source = new EventSource('/events');
  source.addEventListener('pop', (message) => {
    document.getElementById('t').textContent = JSON.parse(message.data).name;
    document.getElementById('n').textContent = message.lastEventId;
  });
});"""


class Fixed(resource.Resource):
    isLeaf = True

    def __init__(self, body: bytes, kind: bytes) -> None:
        super().__init__()
        self.body, self.kind = body, kind

    def render_GET(self, request):
        request.setHeader(b"content-type", self.kind)
        request.setHeader(b"content-security-policy", b"default-src 'self'; script-src 'self'")
        return self.body


class Events(resource.Resource):
    """One event, then the stream stays open (as the daemon's do)."""

    isLeaf = True

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/event-stream")
        data = json.dumps({"name": HOSTILE}).encode()
        request.write(b"id: 7\nevent: pop\ndata: " + data + b"\n\n")
        return server.NOT_DONE_YET


@pytest.fixture
def site_port():
    from twisted.internet import reactor

    root = resource.Resource()
    root.putChild(b"", Fixed(PAGE, b"text/html; charset=utf-8"))
    root.putChild(b"app.js", Fixed(APP, b"text/javascript"))
    root.putChild(b"events", Events())
    root.putChild(b"favicon.ico", Fixed(b"", b"image/x-icon"))
    port = reactor.listenTCP(0, server.Site(root), interface="127.0.0.1")
    yield port.getHost().port
    port.stopListening()


@on_asyncio
async def test_a_pushed_event_reaches_the_page_as_text(page, site_port):
    """The harness drives a real EventSource; markup in the data stays text, and the page's
    CSP refusal of an inline script is among the errors the harness collects."""
    await page.goto(f"http://127.0.0.1:{site_port}/")
    await page.wait_for_function("document.getElementById('t').textContent !== 'waiting'")
    assert await page.text_content("#t") == HOSTILE
    assert await page.text_content("#n") == "7"
    assert await page.locator("img").count() == 0
    assert await page.title() == "harness"
    assert any("Content Security Policy" in error for error in page.errors), page.errors


def test_a_missing_browser_fails_under_ci(monkeypatch, tmp_path):
    """In CI a browser test never skips for want of Chromium: it fails and says why."""
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium"):
        harness.chromium_path()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        harness.chromium_path()


@pytest.fixture
def other_process(tmp_path):
    """A page served by another process, as the daemon is in the end-to-end tests."""
    import socket
    import subprocess
    import sys
    import time

    (tmp_path / "index.html").write_text('<!doctype html><p id="t">from afar</p>')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    served = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    served.terminate()
    served.wait(10)


def test_a_sync_test_drives_the_browser_from_its_own_thread(sync_page, other_process):
    """sync_page blocks the test (not the reactor: Playwright runs in a thread of its own)."""
    sync_page.goto(f"http://127.0.0.1:{other_process}/")
    assert sync_page.locator("#t").text_content() == "from afar"
