"""The API's resources through the real site: who sees the live state, /healthz, bounded
recording ids and Range requests that cannot amplify."""

from __future__ import annotations

import json

from acd.config_people import seed_staffing
from acd.web.status import team_view
from tests.web.conftest import LOADED, WAV, basic, on_asyncio

PIN_1001 = LOADED.agent("1001").pin


@on_asyncio
async def test_healthz_says_ok_and_nothing_else(web):
    answer = await web.request("GET", "/healthz")
    assert (answer.status, answer.body) == (200, b"ok\n")
    assert (await web.request("GET", "/healthz/links")).status == 404


@on_asyncio
async def test_the_live_state_needs_sign_in_and_the_right_role(web):
    assert (await web.request("GET", "/api/state")).status == 401
    assert (await web.request("GET", "/api/state", {"Authorization": basic("1001", PIN_1001)})).status == 401
    assert (await web.request("GET", "/api/state", {"Authorization": basic("9101")})).status == 403  # quality
    admin = await web.request("GET", "/api/state", {"Authorization": basic("9901")})
    assert admin.status == 200 and "calls" in json.loads(admin.body)
    assert "set-cookie" in admin.headers and "HttpOnly" in admin.headers["set-cookie"]


@on_asyncio
async def test_a_supervisor_sees_their_teams_only(web):
    answer = await web.request("GET", "/api/state", {"Authorization": basic("9002")})  # Tomas: team back
    seen = json.loads(answer.body)
    theirs = {q for a in LOADED.agents if a.team == "back" for q in a.queues}
    assert answer.status == 200 and set(seen["queues"]) <= theirs
    assert set(seen["agents"]) <= {"2001", "2002"} and "ami_logins" not in seen["links"]


def test_team_view_hides_other_teams_callers():
    tomas = LOADED.person("9002")
    state = {
        "at": 1.0,
        "resyncs": 1,
        "queues": {q.name: {"callers": [{"caller_id": "+4930111"}]} for q in LOADED.queues},
        "agents": {a.number: {} for a in LOADED.agents},
        "calls": [
            {"agent": "1001", "queue": "support", "caller_id": "+4930111"},
            {"agent": "2001", "queue": "x", "caller_id": "+4930222"},
        ],
        "recent_calls": [],
        "links": {
            "ami_connected": True,
            "ami_logins": 3,
            "agent_states": [{"number": "1001"}, {"number": "2002"}],
            "supervision": [{"supervisor": "9001"}, {"supervisor": "9002"}],
        },
    }
    seen = team_view(seed_staffing(LOADED), tomas, state)
    theirs = {q for a in LOADED.agents if a.team == "back" for q in a.queues}
    assert set(seen["queues"]) == theirs
    assert set(seen["agents"]) == {"2001", "2002"}
    assert [c["caller_id"] for c in seen["calls"]] == ["+4930222"]  # 1001's caller is not theirs
    assert [s["number"] for s in seen["links"]["agent_states"]] == ["2002"]
    assert seen["links"]["supervision"] == [{"supervisor": "9002"}]
    assert "ami_logins" not in seen["links"]


@on_asyncio
async def test_one_answer_for_unknown_number_and_wrong_password(web):
    unknown = await web.request("GET", "/api/state", {"Authorization": basic("9999", "guess-guess")})
    wrong = await web.request("GET", "/api/state", {"Authorization": basic("9901", "guess-guess")})
    drop = {"date"}
    assert unknown.status == wrong.status == 401 and unknown.body == wrong.body
    assert {k: v for k, v in unknown.headers.items() if k not in drop} == {
        k: v for k, v in wrong.headers.items() if k not in drop
    }


@on_asyncio
async def test_guessing_over_http_gets_429_and_the_device_cookie_still_signs_in(web):
    first = await web.request("GET", "/api/state", {"Authorization": basic("9901")})
    cookie = first.headers["set-cookie"].split(";")[0]
    for i in range(6):
        await web.request("GET", "/api/state", {"Authorization": basic("9901", f"guess-{i}")})
    slowed = await web.request("GET", "/api/state", {"Authorization": basic("9901")})
    assert slowed.status == 429 and int(slowed.headers["retry-after"]) >= 1
    trusted = await web.request("GET", "/api/state", {"Authorization": basic("9901"), "Cookie": cookie})
    assert trusted.status == 200


@on_asyncio
async def test_recording_ids_are_bounded(web):
    quinn = {"Authorization": basic("9101")}
    for wanted in ("9" * 40, "1" * 19, "-1", "0", "07", "7.0", "7/extra", "1e3", "%D9%A7", "%00"):
        answer = await web.request("GET", f"/api/recordings/{wanted}", quinn)
        assert answer.status == 404, wanted
    assert (await web.request("GET", "/api/recordings/7", quinn)).body == WAV
    assert (await web.request("GET", "/api/recordings/8", {"Authorization": basic("9001")})).status == 403
    assert (await web.request("GET", "/api/recordings?call=a%0Db", quinn)).status == 400


@on_asyncio
async def test_thousands_of_overlapping_ranges_never_answer_more_than_the_file(web):
    quinn = {"Authorization": basic("9101")}
    many = "bytes=" + ",".join(["0-"] * 3000)
    answer = await web.request("GET", "/api/recordings/7", {**quinn, "Range": many[:15000]})
    assert answer.status == 200 and answer.body == WAV  # the whole file, once
    few = await web.request("GET", "/api/recordings/7", {**quinn, "Range": "bytes=0-99,50-199,100-299"})
    assert few.status == 206 and few.body == WAV[:300]  # merged into one range
    assert few.headers["content-range"] == f"bytes 0-299/{len(WAV)}"
    two = await web.request("GET", "/api/recordings/7", {**quinn, "Range": "bytes=0-9,-10"})
    assert two.status == 206 and len(two.body) < len(WAV)
    suffix = await web.request("GET", "/api/recordings/7", {**quinn, "Range": "bytes=-999999"})
    assert suffix.status == 206 and suffix.body == WAV
    assert (await web.request("GET", "/api/recordings/7", {**quinn, "Range": "bytes=99999-"})).status == 416
    odd = await web.request("GET", "/api/recordings/7", {**quinn, "Range": "bytes=" + "9" * 5000 + "-"})
    assert odd.status == 200 and odd.body == WAV


@on_asyncio
async def test_a_malformed_range_gets_the_whole_file_not_an_error(web):
    quinn = {"Authorization": basic("9101")}
    for malformed in ("bytes=", "bytes=,", "bytes=-", "bytes=5-2", "bytes=a-b", "items=0-9", "bytes=0-9,,"):
        answer = await web.request("GET", "/api/recordings/7", {**quinn, "Range": malformed})
        assert answer.status in (200, 206, 416), malformed
        if answer.status == 200:
            assert answer.body == WAV, malformed
