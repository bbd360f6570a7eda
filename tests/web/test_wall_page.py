"""The wallboard's pages over HTTP on the real site: /wall for signed-in supervisors and admins
(agents and quality 403, nobody sent to sign in), /kiosk/<token> for a link the store knows
(unknown, malformed and revoked tokens refused), both frames with no data and no inline code
under the strict CSP, the vendored chart library served from the package."""

from __future__ import annotations

import json

import pytest

from tests.asterisk.test_fastagi import on_asyncio
from tests.web.conftest import LOADED, Web
from tests.web.test_pages import Browser
from tests.web.test_wall import call, joined
from tests.web.wall_site import WallSite, served


@pytest.fixture
def wall(tmp_path):
    yield from served(LOADED, tmp_path)


def web(site: WallSite) -> Web:
    return Web(site.port, site.site, site.login, site.config.http)


async def signed_in(site: WallSite, number: str) -> Browser:
    browser = Browser(web(site))
    assert (await browser.sign_in(number)).status == 303
    return browser


@on_asyncio
async def test_supervisors_and_admins_get_the_wall_frame_under_the_strict_csp(wall):
    wall.apply(joined("c1", number="03055501"))
    for number in ("9001", "9901"):
        browser = await signed_in(wall, number)
        page = await browser.get("/wall")
        assert page.status == 200 and browser.csrf
        assert b'data-events="/api/wall/events"' in page.body and b'data-kiosk="no"' in page.body
        assert b'<script src="/static/wall.js" defer>' in page.body
        assert b'<script src="/static/vendor/uPlot.iife.min.js" defer>' in page.body
        assert b"<script>" not in page.body and b"<style" not in page.body and b" style=" not in page.body
        assert b"03055501" not in page.body  # nothing of a call in the HTML
        assert page.headers["cache-control"] == "no-store"
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp


@on_asyncio
async def test_other_roles_are_refused_and_nobody_is_sent_to_sign_in(wall):
    for number in ("1001", "9101"):
        browser = await signed_in(wall, number)
        assert (await browser.get("/wall")).status == 403
    anonymous = await web(wall).request("GET", "/wall")
    assert anonymous.status == 303 and anonymous.headers["location"] == "/signin?next=/wall"
    assert (await (await signed_in(wall, "9001")).get("/wall/more")).status == 404


@on_asyncio
async def test_a_kiosk_link_opens_its_read_only_frame_until_revoked(wall):
    status, made = await call(wall, "POST", "/api/wall/kiosks", "9001", b'{"label": "hall TV"}')
    assert status == 201
    page = await web(wall).request("GET", made["url"])
    assert page.status == 200 and b'data-kiosk="yes"' in page.body
    assert f'data-events="/api/wall/events?kiosk={made["token"]}"'.encode() in page.body
    assert b'<meta name="csrf-token" content="">' in page.body  # nothing to post with
    assert b"Sign out" not in page.body and b"Listen in" not in page.body
    assert page.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    status, _ = await call(wall, "POST", f"/api/wall/kiosks/{made['id']}/revoke", "9001")
    assert status == 200
    assert (await web(wall).request("GET", made["url"])).status == 403


@on_asyncio
async def test_a_kiosk_link_dies_with_its_maker_s_access(wall):
    """A supervisor who is disabled (gone from the company) no longer shares the wall: their
    links stop opening it, as their sessions end."""
    status, made = await call(wall, "POST", "/api/wall/kiosks", "9001", b'{"label": "hall TV"}')
    assert status == 201 and (await web(wall).request("GET", made["url"])).status == 200
    await wall.people.set_disabled("9001", True)
    assert (await web(wall).request("GET", made["url"])).status == 403
    assert (await web(wall).request("GET", f"/api/wall?kiosk={made['token']}")).status == 403
    await wall.people.set_disabled("9001", False)
    assert (await web(wall).request("GET", made["url"])).status == 200


@on_asyncio
async def test_an_unknown_or_malformed_kiosk_token_is_refused(wall):
    for path in ("/kiosk/" + "x" * 43, "/kiosk/short", "/kiosk/%3Cscript%3E", "/kiosk/a/b"):
        found = await web(wall).request("GET", path)
        assert found.status in (403, 404), path
        assert b"<script>" not in found.body
    assert (await web(wall).request("GET", "/kiosk/" + "x" * 43)).status == 403
    assert (await web(wall).request("GET", "/kiosk")).status == 404


@on_asyncio
async def test_the_vendored_chart_library_is_served_with_its_license_and_version(wall):
    script = await web(wall).request("GET", "/static/vendor/uPlot.iife.min.js")
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"uPlot" in script.body
    css = await web(wall).request("GET", "/static/vendor/uPlot.min.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    versions = await web(wall).request("GET", "/static/vendor/VERSIONS.txt")
    assert b"uPlot    1.6.32   MIT" in versions.body and b"npm pack uplot@1.6.32" in versions.body
    assert (await web(wall).request("GET", "/static/vendor/uPlot.LICENSE.txt")).status == 200
    for name in ("wall.js", "wall.css"):
        assert (await web(wall).request("GET", "/static/" + name)).status == 200


@on_asyncio
async def test_the_wall_s_stream_answers_a_resume_with_nothing_it_has(wall):
    """The page's reconnect after a refusal resumes by `?last_event_id=` (a new EventSource
    sends no Last-Event-ID): the server's answer is the same as for the header."""
    from tests.web.sse_client import SseClient
    from tests.web.test_wall import basic

    wall.apply(joined("c1"))
    first = await SseClient.open(wall.port, {"Authorization": basic("9901")}, path="/api/wall/events")
    await first.until(lambda c: len(c.messages) == 1)
    first.close()
    again = await SseClient.open(
        wall.port, {"Authorization": basic("9901")}, path="/api/wall/events?last_event_id=1"
    )
    wall.apply(joined("c2"))
    await again.until(lambda c: len(c.messages) >= 1)
    assert [m.id for m in again.messages] == ["2"]
    assert json.loads(json.dumps(again.messages[0].data))["queues"]["support"]["waiting"] == 2
    again.close()


@on_asyncio
async def test_the_daemon_serves_the_wall_and_the_kiosk_pages(tmp_path):
    from twisted.internet import reactor

    from tests.web.test_push import make_daemon

    made = make_daemon(tmp_path)
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    try:
        site = Web(made.config.http.port, made.site, made.login, made.config.http)
        browser = Browser(site)
        assert (await browser.sign_in("9001", made.config.person("9001").password)).status == 303
        assert (await browser.get("/wall")).status == 200
        assert (await site.request("GET", "/kiosk/" + "x" * 43)).status == 403
    finally:
        made.wall_feed.stop()
        port.stopListening()
        made.directory.close()
