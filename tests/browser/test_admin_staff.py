"""/admin/staff in Debian's Chromium, against the real daemon's site in process (a real store):
an admin signs in by the form, sees the staff list (no password or PIN hash anywhere in the
page), adds a person and disables one through the page's own forms (their CSRF field), a
hostile name stays text; a supervisor and an agent get 403."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from acd.store import staff
from tests.asterisk.test_fastagi import on_asyncio
from tests.browser.test_desk import HOSTILE
from tests.web.test_pops import AGENT_PASSWORD
from tests.web.test_push import make_daemon

PASSWORD = AGENT_PASSWORD  # everyone's, as the staff table is seeded here


@pytest.fixture
def site(tmp_path, monkeypatch):
    from twisted.internet import reactor

    real = staff.from_config
    monkeypatch.setattr(
        staff, "from_config", lambda config: [(p, PASSWORD, pin) for p, _, pin in real(config)]
    )
    made = make_daemon(tmp_path)
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


async def sign_in(page, made, number: str) -> None:
    await page.goto(f"http://127.0.0.1:{made.config.http.port}/signin?next=/admin/staff")
    await page.fill('input[name="number"]', number)
    await page.fill('input[name="password"]', PASSWORD)
    await page.click('button[type="submit"]')


@on_asyncio
async def test_an_admin_lists_adds_and_disables_staff_through_the_page(site, page):
    await sign_in(page, site, "9901")
    await page.wait_for_url("**/admin/staff")
    rows = page.locator("#staff tbody tr")
    await expect(rows.filter(has_text="Sofia Brenner")).to_have_count(1)
    await expect(page.locator('#staff tr[data-number="1001"]')).to_have_count(1)
    source = await page.content()
    assert "$argon2" not in source  # no password or PIN hash reaches the page
    # someone new, with a name that would be markup if it were not text
    await page.fill("#add-number", "7001")
    await page.fill("#add-name", HOSTILE)
    await page.select_option("#add-role", "agent")
    await page.fill("#add-queues", "support")
    await page.fill("#add-password", "new-person-pass-1")
    await page.click("#add-person")
    await expect(page.locator("#notice")).to_have_text("added 7001")
    added = page.locator('#staff tr[data-number="7001"]')
    await expect(added.locator(".name")).to_have_text(HOSTILE)
    assert await page.locator("#staff img").count() == 0 and await page.title() != "pwned"
    assert site.people.people["7001"].name == HOSTILE
    # disable the supervisor: the row says so, the store says so
    await page.locator('#staff tr[data-number="9001"] button', has_text="Disable").click()
    await expect(page.locator("#notice")).to_have_text("9001 disabled")
    sofia = page.locator('#staff tr[data-number="9001"]')
    await expect(sofia).to_have_class("disabled")
    await expect(sofia.locator("button", has_text="Enable")).to_have_count(1)
    assert site.people.people["9001"].disabled
    # the admin's own row offers no disable
    await expect(page.locator('#staff tr[data-number="9901"] button', has_text="Disable")).to_have_count(0)
    assert "$argon2" not in await page.content()
    assert page.errors == []


@pytest.mark.parametrize("number", ["9001", "1001"])
@on_asyncio
async def test_a_supervisor_or_an_agent_gets_403(site, page, number):
    await sign_in(page, site, number)
    await expect(page.locator("#sign-out")).to_be_visible()  # signed in (the 403 page has the header)
    answer = await page.goto(f"http://127.0.0.1:{site.config.http.port}/admin/staff")
    assert answer is not None and answer.status == 403
    await expect(page.locator("#staff")).to_have_count(0)
    assert "Quinn Adler" not in await page.content()  # nobody else's record
    assert [e for e in page.errors if "403" not in e] == []
