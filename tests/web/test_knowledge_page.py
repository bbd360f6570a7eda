"""/knowledge on the daemon's real site: supervisors and admins get the back office's frame
under the strict CSP (no inline code, nothing of a question in the HTML) and a nav link to it;
agents and quality reviewers 403; nobody signed in is sent to sign in."""

from __future__ import annotations

from tests.web.conftest import Web, on_asyncio
from tests.web.test_knowledge import live as live  # the fixture
from tests.web.test_pages import Browser
from tests.web.test_pops import AGENT_PASSWORD, agent, post
from tests.web.test_pops import agents_sign_in as agents_sign_in  # the fixture


def web(made) -> Web:
    return Web(made.config.http.port, made.site, made.login, made.config.http)


async def signed_in(made, number: str) -> Browser:
    person = made.config.person(number)
    secret = person.password if person is not None and person.password else AGENT_PASSWORD
    browser = Browser(web(made))
    assert (await browser.sign_in(number, secret)).status == 303
    return browser


@on_asyncio
async def test_supervisors_and_admins_get_the_frame_under_the_strict_csp(live):
    asked = await post(live, "/api/kb/questions", agent("1001"), {"question": "Secret <b>thing</b>?"})
    assert asked.status == 201
    for number in ("9001", "9901"):
        browser = await signed_in(live, number)
        page = await browser.get("/knowledge")
        assert page.status == 200 and browser.csrf
        assert b'<script src="/static/knowledge.js" defer>' in page.body
        assert b'<a href="/knowledge">Knowledge</a>' in page.body
        assert b"<script>" not in page.body and b"<style" not in page.body and b" style=" not in page.body
        assert b"Secret" not in page.body  # the questions come from the API, not the HTML
        assert page.headers["cache-control"] == "no-store"
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    script = await web(live).request("GET", "/static/knowledge.js")
    assert script.status == 200 and b"innerHTML" not in script.body


@on_asyncio
async def test_agents_and_quality_are_refused_and_nobody_is_sent_to_sign_in(live):
    for number in ("1001", "9101"):
        browser = await signed_in(live, number)
        assert (await browser.get("/knowledge")).status == 403
    anonymous = await web(live).request("GET", "/knowledge")
    assert anonymous.status == 303 and anonymous.headers["location"] == "/signin?next=/knowledge"
    assert (await (await signed_in(live, "9001")).get("/knowledge/more")).status == 404
    assert b"/knowledge" not in (await (await signed_in(live, "1001")).get("/desk")).body
