"""Arbitrary method, path, headers and body at every endpoint, over the real port: the answer
is never a 500 and nothing is raised or logged as a failure (ACD_WEB_FUZZ_EXAMPLES=5000 for a longer run)."""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet import defer
from twisted.logger import globalLogPublisher

from tests.web.conftest import LOADED, Answer, basic, build

AGENT_PIN = LOADED.agent("1001").pin

ENDPOINTS = [
    "/healthz",
    "/api/state",
    "/api/recordings",
    "/api/recordings/7",
    "/api/recordings/8",
    "/api/supervision",
    "/api/supervise",
    "/",
    "/api",
    "/api/nope",
]
TOKEN = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."),
    min_size=1,
    max_size=12,
)
VALUE = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1").replace("\r", "").replace("\n", "")),
)
AUTH = st.one_of(
    st.sampled_from(["9001", "9002", "9101", "9901"]).map(basic),
    st.just(basic("1001", AGENT_PIN)),
    st.just(None),
    st.tuples(st.text(max_size=8), st.text(max_size=8)).map(
        lambda p: basic(p[0].replace(":", "") or "1", p[1])
    ),
    VALUE,
)
HEADER = st.one_of(
    st.tuples(
        st.just("Content-Type"),
        st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]) | VALUE,
    ),
    st.tuples(
        st.sampled_from(
            [
                "Origin",
                "Sec-Fetch-Site",
                "Range",
                "Cookie",
                "If-Range",
                "Expect",
                "Connection",
                "Accept",
                "Authorization",
            ]
        ),
        VALUE,
    ),
    st.tuples(st.just("Origin"), st.sampled_from(["http://127.0.0.1:{port}", "http://evil.example", "null"])),
    st.tuples(
        st.just("Range"),
        st.lists(
            st.tuples(st.integers(-5, 10**4) | st.none(), st.integers(-5, 10**4) | st.none()), max_size=6
        ).map(
            lambda rs: (
                "bytes="
                + ",".join(f"{a if a is not None else ''}-{b if b is not None else ''}" for a, b in rs)
            )
        ),
    ),
    st.tuples(TOKEN, VALUE),
)
RARE = st.sampled_from(["Host", "Content-Length", "Transfer-Encoding"])  # framing: mostly 400 by design
METHOD = st.sampled_from(["GET"] * 4 + ["POST"] * 3 + ["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]) | TOKEN
SUFFIX = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30) | st.sampled_from(
    ["", "/", "?call=x", "/../../etc/passwd", "/%00", "/" + "9" * 40, "?call=" + "a" * 100]
)
BODY = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b'{"agent": "1001"}',
            b'{"agent": "1001", "mode": "barge"}',
            b"[]",
            b"null",
            b'{"agent": 1e400}',
            b'{"agent": "' + b"1" * 30 + b'"}',
            b'{"agent": "1001", "mode": ["x"]}',
            b"\xff\xfe",
        ]
    ),
)

counted = {"examples": 0, "statuses": {}}


@pytest.fixture(scope="module")
def fuzz_web(tmp_path_factory):
    # a body shorter than announced waits for the request deadline: keep it short here
    made = build(tmp_path_factory.mktemp("fuzz"), LOADED.http.model_copy(update={"request_timeout": 0.5}))
    yield made
    made.listening.stopListening()


async def _send(web, raw: bytes) -> Answer | None:
    reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 5)
    except ConnectionError:
        return None
    finally:
        writer.close()
    if not data:
        return None
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else -1
    return Answer(status, {}, b"", data)


@settings(
    max_examples=int(os.environ.get("ACD_WEB_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    method=METHOD,
    endpoint=st.sampled_from(ENDPOINTS),
    suffix=SUFFIX | st.just(""),
    auth=AUTH,
    headers=st.lists(HEADER, max_size=5),
    rare=st.lists(st.tuples(RARE, VALUE), max_size=1) | st.just([]),
    body=BODY,
    good_host=st.sampled_from([True, True, True, False]),
)
def test_no_input_makes_a_500_or_an_uncaught_error(
    fuzz_web, method, endpoint, suffix, auth, headers, rare, body, good_host
):
    """pytest-twisted runs each example on the reactor and waits for the Deferred."""
    headers = ([("Authorization", auth)] if auth is not None else []) + [
        (name, value.replace("{port}", str(fuzz_web.port))) for name, value in headers + rare
    ]
    return defer.Deferred.fromFuture(
        asyncio.ensure_future(_one(fuzz_web, method, endpoint, suffix, headers, body, good_host))
    )


async def _one(fuzz_web, method, endpoint, suffix, headers, body, good_host) -> None:
    failures = []

    def watch(event: dict) -> None:
        if event.get("log_failure") is not None or event.get("isError"):
            failures.append(event)

    fuzz_web.login.throttle.records.clear()  # reach past the sign-in, not only the 429
    lines = [f"{method} {endpoint}{suffix} HTTP/1.1", "Connection: close"]
    if good_host:
        lines.append(f"Host: 127.0.0.1:{fuzz_web.port}")
    lines += [f"{name}: {value}" for name, value in headers]
    if not any(n.lower() in ("content-length", "transfer-encoding") for n, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body
    globalLogPublisher.addObserver(watch)
    try:
        answer = await _send(fuzz_web, raw)
        await asyncio.sleep(0)
    finally:
        globalLogPublisher.removeObserver(watch)
    counted["examples"] += 1
    status = answer.status if answer else 0
    counted["statuses"][status] = counted["statuses"].get(status, 0) + 1
    assert status != 500, raw[:300]
    assert not failures, (raw[:300], failures[0])


def test_report_the_counts():
    """Printed with -s: how many inputs the property above generated, by answer."""
    print(f"\nweb fuzz: {counted['examples']} inputs, statuses {sorted(counted['statuses'].items())}")
