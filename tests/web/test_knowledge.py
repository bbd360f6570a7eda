"""The knowledge base over HTTP on loopback with a real store: everyone signed in searches,
supervisors and admins write (with the CSRF token), an agent's question goes to the back
office's list with the call, and its answer is an entry the next agent finds."""

from __future__ import annotations

import json
import time

import pytest

from acd.store import knowledge
from tests.web.conftest import on_asyncio
from tests.web.test_desk import session_of, signed
from tests.web.test_pops import agent, agents_sign_in, get, post  # noqa: F401  (a fixture)
from tests.web.test_push import auth, make_daemon


@pytest.fixture
def live(tmp_path, agents_sign_in):  # noqa: F811
    from twisted.internet import reactor

    made = make_daemon(tmp_path)
    added, problem = knowledge.seed_folder(made.config.store.url, made.config.knowledge_path(), time.time())
    assert added >= 6 and problem is None
    port = reactor.listenTCP(made.config.http.port, made.site, interface="127.0.0.1")
    yield made
    made.feed.stop()
    port.stopListening()
    made.directory.close()


def staff(made, number: str) -> dict[str, str]:
    return auth(made, number)


async def put(made, path: str, headers: dict[str, str], body: object):
    import asyncio

    from tests.web.conftest import read_answer

    raw = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", made.config.http.port)
    lines = [f"PUT {path} HTTP/1.1", f"Host: 127.0.0.1:{made.config.http.port}", "Connection: close"]
    lines += ["Content-Type: application/json", f"Content-Length: {len(raw)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + raw)
    try:
        return await read_answer(reader)
    finally:
        writer.close()


@on_asyncio
async def test_an_agent_searches_the_seeded_entries(live):
    found = json.loads((await get(live, "/api/kb?q=router&category=technical", agent("1001"))).body)
    assert found["entries"] and all(e["category"] == "technical" for e in found["entries"])
    assert all("router" in (e["title"] + e["body"]).lower() for e in found["entries"])
    assert json.loads((await get(live, "/api/kb?q=zzzqqq", agent("1001"))).body) == {"entries": []}
    bad = await get(live, "/api/kb?category=Not%20One", agent("1001"))
    assert bad.status == 400 and "category" in json.loads(bad.body)["error"]
    assert (await get(live, "/api/kb?q=" + "x" * 201, agent("1001"))).status == 400
    assert (await get(live, "/api/kb", {})).status == 401
    listed = json.loads((await get(live, "/api/kb/categories", agent("1001"))).body)["categories"]
    assert "technical" in listed and listed == sorted(set(listed))  # the desk's search offers these
    assert (await get(live, "/api/kb/categories", {})).status == 401


@on_asyncio
async def test_supervisors_and_admins_write_entries_agents_do_not(live):
    entry = {"category": "product", "title": "Gift wrapping", "body": "Free on orders over 50 euros."}
    by_agent = await post(live, "/api/kb", signed(live, "1001"), entry)
    quality = await post(live, "/api/kb", staff(live, "9101"), entry)
    session, _ = await session_of(live, "1001")
    no_token = await post(live, "/api/kb/questions", session, {"question": "Why?"})
    assert [a.status for a in (by_agent, quality, no_token)] == [403, 403, 403]
    made = await post(live, "/api/kb", staff(live, "9001"), entry)
    assert made.status == 201
    created = json.loads(made.body)["entry"]
    assert created["updated_by"] == "9001"
    changed = await put(
        live, f"/api/kb/{created['id']}", staff(live, "9901"), {**entry, "body": "Always free."}
    )
    assert changed.status == 200 and json.loads(changed.body)["entry"]["body"] == "Always free."
    assert (await put(live, "/api/kb/999999", staff(live, "9901"), entry)).status == 404
    assert (await put(live, f"/api/kb/{created['id']}", signed(live, "1001"), entry)).status == 403
    missing = await post(live, "/api/kb", staff(live, "9001"), {"category": "product", "title": "x"})
    assert missing.status == 400 and json.loads(missing.body)["error"] == "body: required"
    found = json.loads((await get(live, "/api/kb?q=gift", agent("1002"))).body)["entries"]
    assert [e["body"] for e in found] == ["Always free."]


@on_asyncio
async def test_a_question_without_an_answer_becomes_an_entry_the_next_agent_finds(live):
    asked = await post(
        live,
        "/api/kb/questions",
        signed(live, "1001"),
        {"question": "Do you ship to Liechtenstein?", "call": "c-9", "category": "availability"},
    )
    assert asked.status == 201
    number = json.loads(asked.body)["id"]
    assert (await get(live, "/api/kb/questions", agent("1001"))).status == 403  # the back office's list
    by_supervisor = await post(live, "/api/kb/questions", staff(live, "9001"), {"question": "x"})
    assert by_supervisor.status == 403  # questions come from agents' calls
    listed = json.loads((await get(live, "/api/kb/questions", auth(live, "9001"))).body)["questions"]
    assert [(q["id"], q["agent"], q["call"]) for q in listed] == [(number, "1001", "c-9")]
    answer = {"title": "Shipping to Liechtenstein", "body": "Yes: 4-8 working days, customs paid by us."}
    assert (
        await post(live, f"/api/kb/questions/{number}/answer", signed(live, "1001"), answer)
    ).status == 403
    done = await post(live, f"/api/kb/questions/{number}/answer", staff(live, "9001"), answer)
    assert done.status == 201 and json.loads(done.body)["entry"]["category"] == "availability"
    twice = await post(live, f"/api/kb/questions/{number}/answer", staff(live, "9001"), answer)
    assert twice.status == 404
    assert json.loads((await get(live, "/api/kb/questions", auth(live, "9001"))).body) == {"questions": []}
    found = json.loads((await get(live, "/api/kb?q=liechtenstein", agent("1002"))).body)["entries"]
    assert [e["title"] for e in found] == ["Shipping to Liechtenstein"]
    bad = await post(live, "/api/kb/questions", signed(live, "1001"), {"question": "", "call": "c-9"})
    assert bad.status == 400 and json.loads(bad.body)["error"] == "question: required"
    odd = await post(live, "/api/kb/questions", signed(live, "1001"), {"question": "q", "call": "a b"})
    assert odd.status == 400


@on_asyncio
async def test_an_entry_as_long_as_the_api_says_fits_its_request(live):
    """The text may be ENTRY_MOST characters, accented ones too: the request that carries it
    is not refused for its size first (the desk's 8 KB cap did that at 8,192 bytes)."""
    longest = "é" * knowledge.ENTRY_MOST
    made = await post(
        live, "/api/kb", staff(live, "9001"), {"category": "technical", "title": "t", "body": longest}
    )
    assert made.status == 201, made.body
    entry = json.loads(made.body)["entry"]
    assert (
        await put(live, f"/api/kb/{entry['id']}", staff(live, "9001"), {**entry, "body": longest})
    ).status == 200
    over = await post(
        live, "/api/kb", staff(live, "9001"), {"category": "technical", "title": "t", "body": longest + "x"}
    )
    assert over.status == 400 and f"at most {knowledge.ENTRY_MOST}" in json.loads(over.body)["error"]
