"""An agent who is only in the staff table (added while the daemon runs) is filtered on every
screen as a configured agent of their team is: their own pop and stream, their supervisors'
views, nobody else's (issue 11: agents live in the store)."""

from __future__ import annotations

import json
import time

from acd.core import events as ev
from acd.core.people import Person
from tests.web.conftest import basic, on_asyncio
from tests.web.sse_client import SseClient
from tests.web.test_pops import agent, agents_sign_in, get, live, ring  # noqa: F401  fixtures
from tests.web.test_push import auth

NIA = Person("3001", "Nia Holm", "agent", ("front",), None, ("support",))  # as 1001: front, support
NIA_PASSWORD = "nia-password-42"


async def enrolled(made) -> None:
    await made.people.add(NIA, NIA_PASSWORD, "4321")  # as `acd staff add` (then the roster's pass)
    made._enrol()
    assert made.book.get("3001") is not None


@on_asyncio
async def test_a_store_only_agent_s_pops_are_filtered_as_a_configured_agent_s(live):  # noqa: F811
    await enrolled(live)
    ring(live, "c-one", "1001")
    ring(live, "c-other", "3001")
    nia = {"Authorization": basic("3001", NIA_PASSWORD)}
    [mine] = json.loads((await get(live, "/api/pops", nia)).body)["pops"]
    assert mine["call"] == "c-other"
    assert (await get(live, "/api/pops/c-one", nia)).status == 403
    assert (await get(live, "/api/pops/c-other", agent("1001"))).status == 403
    for call in ("c-one", "c-other"):
        statuses = [(await get(live, f"/api/pops/{call}", auth(live, w))).status for w in ("9001", "9002")]
        assert statuses == [200, 403]  # front's supervisor sees both; back's neither
    front = json.loads((await get(live, "/api/pops", auth(live, "9001"))).body)["pops"]
    back = json.loads((await get(live, "/api/pops", auth(live, "9002"))).body)["pops"]
    assert {p["call"] for p in front} == {"c-one", "c-other"} and back == []
    now = time.time()  # a sales caller offered to her: the pop says it is not one of her queues
    live.apply(ev.CallRouted(now, "c-sales", "+4930111", "200", "sales"))
    live.apply(ev.CallerJoined(now, "c-sales", "sales", "+4930111", 1))
    live.apply(ev.AgentRung(now, "c-sales", "sales", "3001", "PJSIP/1006-1", "leg-sales"))
    pop = json.loads((await get(live, "/api/pops/c-sales", nia)).body)
    assert pop["overflow"]["own_queues"] == ["support"]


@on_asyncio
async def test_a_store_only_agent_s_events_reach_them_and_their_team_s_supervisor_only(live):  # noqa: F811
    await enrolled(live)
    streams = {
        who: await SseClient.open(live.config.http.port, headers)
        for who, headers in (
            ("3001", {"Authorization": basic("3001", NIA_PASSWORD)}),
            ("9001", auth(live, "9001")),
            ("9002", auth(live, "9002")),
        )
    }
    assert {s.status for s in streams.values()} == {200}
    ring(live, "c-other", "3001")
    live.apply(ev.AgentLoggedIn(time.time(), "2001", "PJSIP/1006"))  # back's: 9002 hears of it
    for who in ("3001", "9001"):
        await streams[who].until(lambda c: any(m.event == "AgentRung" for m in c.messages))
    await streams["9002"].until(lambda c: any(m.event == "AgentLoggedIn" for m in c.messages))
    assert not any(m.data["event"].get("agent") == "3001" for m in streams["9002"].messages)
    assert {m.data["event"].get("call_id") for m in streams["3001"].messages} == {"c-other"}
    for stream in streams.values():
        stream.close()
