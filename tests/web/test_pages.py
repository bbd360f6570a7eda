"""The pages over HTTP on the real site (loopback): signing in and out with the form, cookies
with the right flags, the landing page per role, CSRF on every change, other roles refused,
expired sessions sent back to sign in, hostile names as text, the security headers, static
files, and Basic never mixed with the cookie."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.asterisk.test_fastagi import on_asyncio
from tests.web.conftest import LOADED, basic, build

FORM = "application/x-www-form-urlencoded"


def password(number: str) -> str:
    return (LOADED.person(number) or LOADED.agent(number)).password


def cookies(answer) -> dict[str, str]:
    found = {}
    for line in answer.raw.decode("latin-1").split("\r\n"):
        if line.lower().startswith("set-cookie:"):
            name, _, rest = line.split(":", 1)[1].strip().partition("=")
            found[name] = rest
    return found


class Browser:
    """A client that keeps its session cookie and reads the CSRF token from the pages."""

    def __init__(self, web) -> None:
        self.web, self.cookie, self.csrf = web, "", ""

    def headers(self, **more: str) -> dict[str, str]:
        made = {"Cookie": self.cookie} if self.cookie else {}
        return {**made, **more}

    async def get(self, path: str):
        answer = await self.web.request("GET", path, self.headers())
        found = re.search(rb'<meta name="csrf-token" content="([0-9a-f]*)">', answer.body)
        if found and found.group(1):
            self.csrf = found.group(1).decode()
        return answer

    async def post(self, path: str, fields: dict[str, str], token: bool = True, **headers: str):
        if token:
            fields = {**fields, "csrf_token": self.csrf}
        body = urlencode(fields).encode()
        sent = self.headers(**{"Content-Type": FORM, "Origin": f"http://{self.web.host()}", **headers})
        return await self.web.request("POST", path, sent, body)

    async def sign_in(self, number: str, secret: str | None = None):
        answer = await self.post(
            "/signin", {"number": number, "password": secret or password(number)}, token=False
        )
        session = cookies(answer).get("acd_session")
        if session:
            self.cookie = "acd_session=" + session.split(";")[0]
        return answer


async def signed_in(web, number: str) -> Browser:
    browser = Browser(web)
    answer = await browser.sign_in(number)
    assert answer.status == 303, answer.body
    await browser.get("/admin/staff")  # the admin's page, or a 403 page: both carry the token
    return browser


@pytest.fixture
def site(tmp_path):
    now = [1_000_000.0]
    made = build(tmp_path, clock=lambda: now[0])
    made.now = now
    yield made
    made.listening.stopListening()
    made.people.close()


@on_asyncio
async def test_the_sign_in_page_is_a_form_with_strict_headers(site):
    page = await site.request("GET", "/signin")
    assert page.status == 200 and b'<form method="post" action="/signin"' in page.body
    h = page.headers
    assert h["content-type"] == "text/html; charset=utf-8" and h["cache-control"] == "no-store"
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert b"<script>" not in page.body and b" on" not in page.body.replace(b" one", b"")  # no inline JS
    assert password("9901").encode() not in page.body


@on_asyncio
async def test_signing_in_sets_a_strict_session_cookie_and_lands_on_the_roles_screen(site):
    for number, where in (("1001", "/desk"), ("9001", "/wall"), ("9901", "/wall")):
        browser = Browser(site)
        answer = await browser.sign_in(number)
        assert (answer.status, answer.headers["location"]) == (303, where)
        flags = cookies(answer)["acd_session"].lower()
        assert "httponly" in flags and "samesite=strict" in flags and "max-age=43200" in flags
        assert "secure" not in flags  # plain HTTP here (tests/web/test_tls.py: Secure on HTTPS)
        assert (await browser.get("/")).headers["location"] == where
    quality = Browser(site)
    await quality.sign_in("9101")
    home = await quality.get("/")
    assert home.status == 200 and b"Quinn Adler" in home.body and quality.csrf


@on_asyncio
async def test_a_wrong_password_is_one_answer_and_guessing_gets_429(site):
    browser = Browser(site)
    for number in ("9001", "9999"):
        answer = await browser.sign_in(number, "not-the-password")
        assert answer.status == 401 and b"wrong number or password" in answer.body
        assert "acd_session" not in cookies(answer)
    for i in range(6):
        await browser.sign_in("9002", f"guess-{i}")
    slowed = await browser.sign_in("9002")
    assert slowed.status == 429 and int(slowed.headers["retry-after"]) >= 1


@on_asyncio
async def test_next_goes_back_only_to_this_site(site):
    page = await site.request("GET", "/signin?next=//evil.example/x")
    assert b'name="next" value=""' in page.body
    browser = Browser(site)
    sent = {"number": "9001", "password": password("9001"), "next": "/admin/staff"}
    assert (await browser.post("/signin", sent, token=False)).headers["location"] == "/admin/staff"
    sent["next"] = "https://evil.example/"
    assert (await browser.post("/signin", sent, token=False)).headers["location"] == "/wall"


@on_asyncio
async def test_changes_need_the_sessions_csrf_token(site):
    admin = await signed_in(site, "9901")
    assert admin.csrf
    missing = await admin.post("/admin/staff/disable", {"number": "1002"}, token=False)
    wrong = await admin.post("/admin/staff/disable", {"number": "1002", "csrf_token": "0" * 64}, token=False)
    assert (missing.status, wrong.status) == (403, 403)
    assert not site.people.person("1002").disabled
    other = await signed_in(site, "9901")  # another session's token is not this one's
    crossed = await admin.post(
        "/admin/staff/disable", {"number": "1002", "csrf_token": other.csrf}, token=False
    )
    assert crossed.status == 403
    done = await admin.post("/admin/staff/disable", {"number": "1002"})
    assert done.status == 303 and site.people.person("1002").disabled
    await admin.post("/admin/staff/enable", {"number": "1002"})


@on_asyncio
async def test_the_api_takes_the_cookie_with_the_token_in_a_header(site):
    admin = await signed_in(site, "9901")
    assert (await site.request("GET", "/api/state", admin.headers())).status == 200
    body = b'{"agent": "1001", "mode": "monitor"}'
    json = {"Content-Type": "application/json", "Origin": f"http://{site.host()}"}
    bare = await site.request("POST", "/api/supervise", admin.headers(**json), body)
    assert bare.status == 403 and b"CSRF" in bare.body
    with_token = await site.request(
        "POST", "/api/supervise", admin.headers(**json, **{"X-CSRF-Token": admin.csrf}), body
    )
    assert (
        with_token.status == 403 and b"CSRF" not in with_token.body
    )  # past the token: an admin is no supervisor


@on_asyncio
async def test_other_roles_get_403(site):
    for number in ("1001", "9001", "9101"):
        browser = await signed_in(site, number)
        answer = await browser.get("/admin/staff")
        assert answer.status == 403, number
        assert (await browser.post("/admin/staff/disable", {"number": "1002"})).status == 403
    assert not site.people.person("1002").disabled
    agent = await signed_in(site, "1001")
    assert (await site.request("GET", "/api/state", agent.headers())).status == 403


@on_asyncio
async def test_an_expired_session_goes_back_to_sign_in(site):
    browser = await signed_in(site, "9901")
    site.now[0] += LOADED.http.session_idle + 1
    page = await browser.get("/admin/staff")
    assert (page.status, page.headers["location"]) == (303, "/signin?next=/admin/staff")
    assert (await site.request("GET", "/api/state", browser.headers())).status == 401
    late = await browser.post("/admin/staff/disable", {"number": "1002"})
    assert late.status == 401
    fresh = await signed_in(site, "9901")
    for _ in range(int(LOADED.http.session_max / 1000) + 1):
        site.now[0] += 1000
        await fresh.get("/admin/staff")
    assert (await fresh.get("/admin/staff")).status == 303  # used all along: the absolute limit


@on_asyncio
async def test_signing_out_ends_the_session(site):
    browser = await signed_in(site, "9001")
    old = browser.headers()
    assert (await browser.post("/signout", {}, token=False)).status == 403  # a forged sign-out
    out = await browser.post("/signout", {})
    assert (out.status, out.headers["location"]) == (303, "/signin")
    assert "max-age=0" in cookies(out)["acd_session"].lower()
    assert (await site.request("GET", "/api/state", old)).status == 401


@on_asyncio
async def test_a_disabled_persons_sessions_end_at_once(site):
    sofia = await signed_in(site, "9002")
    admin = await signed_in(site, "9901")
    assert (await site.request("GET", "/api/state", sofia.headers())).status == 200
    await admin.post("/admin/staff/disable", {"number": "9002"})
    assert (await site.request("GET", "/api/state", sofia.headers())).status == 401
    assert (await Browser(site).sign_in("9002")).status == 401
    await admin.post("/admin/staff/enable", {"number": "9002"})
    assert (await site.request("GET", "/api/state", sofia.headers())).status == 401  # sign in again


@on_asyncio
async def test_a_form_field_is_read_whole_never_cut_to_fit(site):
    """The form's password is the store's: up to 128 characters, accented ones too; one longer
    is refused, never cut to a prefix that matches. The admin's form keeps what was typed or
    says why not."""
    admin = await signed_in(site, "9901")
    accented, exact = "é" * 70, "A" * 128
    for number, secret in (("5006", accented), ("5007", exact)):
        sent = {
            "number": number,
            "name": "Long Secret",
            "role": "agent",
            "teams": "front",
            "password": secret,
        }
        assert (await admin.post("/admin/staff/add", sent)).status == 303
    assert (await Browser(site).sign_in("5006", accented)).status == 303
    assert (await Browser(site).sign_in("5007", exact)).status == 303
    assert (await Browser(site).sign_in("5007", exact + "anything")).status in (400, 401)
    for odd in ({"number": "1" * 21}, {"name": "N" * 61}, {"number": "5008", "name": b"\xff"}):
        sent = {"number": "5008", "name": "Nine", "role": "agent", "teams": "front", **odd}
        sent["password"] = "a-long-password-8"
        refused = await admin.post("/admin/staff/add", sent)
        assert refused.status == 400, odd
    assert site.people.person("5008") is None and site.people.person("1" * 20) is None


@on_asyncio
async def test_an_admin_adds_someone_and_a_hostile_name_renders_as_text(site):
    admin = await signed_in(site, "9901")
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    sent = {
        "number": "5005",
        "name": hostile,
        "role": "agent",
        "teams": "front",
        "password": "a-long-password-5",
    }
    added = await admin.post("/admin/staff/add", sent)
    assert added.status == 303, added.body
    listing = await admin.get("/admin/staff")
    assert b"<script>alert(2)" not in listing.body and b"<img src=x" not in listing.body
    assert b"&lt;script&gt;alert(2)&lt;/script&gt;" in listing.body
    newcomer = Browser(site)
    assert (await newcomer.sign_in("5005", "a-long-password-5")).headers["location"] == "/desk"
    page = await newcomer.get("/signin?again")
    assert page.status == 303
    reset = await admin.post("/admin/staff/password", {"number": "5005", "password": "another-password-6"})
    assert reset.status == 303
    assert (await site.request("GET", "/api/state", newcomer.headers())).status == 401  # sessions ended
    assert (await Browser(site).sign_in("5005", "another-password-6")).status == 303
    short = await admin.post("/admin/staff/password", {"number": "5005", "password": "short"})
    assert short.status == 400 and b"password: 10 to 128" in short.body
    myself = await admin.post("/admin/staff/disable", {"number": "9901"})
    assert myself.status == 400 and not site.people.person("9901").disabled


@on_asyncio
async def test_basic_is_judged_alone_and_never_posts_a_form(site):
    admin = await signed_in(site, "9901")
    wrong = {"Authorization": basic("9901", "wrong-password")}
    assert (await site.request("GET", "/api/state", admin.headers(**wrong))).status == 401  # cookie unused
    right = {"Authorization": basic("9901")}
    posted = await admin.post("/admin/staff/disable", {"number": "1002"}, **right)
    assert posted.status == 403 and not site.people.person("1002").disabled
    assert (await site.request("GET", "/api/state", right)).status == 200


@on_asyncio
async def test_forms_come_only_from_this_site_and_only_to_the_forms_paths(site):
    browser = Browser(site)
    sent = urlencode({"number": "9001", "password": password("9001")}).encode()
    evil = {"Content-Type": FORM, "Origin": "http://evil.example"}
    assert (await site.request("POST", "/signin", evil, sent)).status == 403
    cross = {"Content-Type": FORM, "Sec-Fetch-Site": "cross-site"}
    assert (await site.request("POST", "/signin", cross, sent)).status == 403
    admin = await signed_in(site, "9901")
    api = await admin.post("/api/supervise", {"agent": "1001"})
    assert api.status == 415  # the API takes JSON only
    assert (await browser.sign_in("9001")).status == 303


@on_asyncio
async def test_static_files_have_their_types_and_nothing_else_is_served(site):
    css = await site.request("GET", "/static/acd.css")
    js = await site.request("GET", "/static/acd.js")
    assert (css.status, css.headers["content-type"]) == (200, "text/css; charset=utf-8")
    assert (js.status, js.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert js.headers["x-content-type-options"] == "nosniff"
    again = await site.request("GET", "/static/acd.css", {"If-None-Match": css.headers["etag"]})
    assert again.status == 304
    for path in (
        "/static/",
        "/static/nope.js",
        "/static/../auth.py",
        "/static/%2e%2e/auth.py",
        "/static/..%2fauth.py",
    ):
        assert (await site.request("GET", path)).status == 404, path


@on_asyncio
async def test_pages_for_nobody_signed_in_send_to_sign_in(site):
    for path in ("/", "/admin/staff"):
        answer = await site.request("GET", path)
        assert answer.status == 303 and answer.headers["location"].startswith("/signin?next=")
    assert (await site.request("GET", "/nothing-here")).status == 404
