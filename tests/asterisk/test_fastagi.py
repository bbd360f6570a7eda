"""The FastAGI server over real loopback sockets, with a fake Asterisk on the other end."""

from __future__ import annotations

import asyncio
import functools
import socket

import pytest
import pytest_twisted
from twisted.internet import defer
from twisted.logger import formatEvent, globalLogPublisher

from acd import config as config_module
from acd.asterisk.agi_routes import Routes
from acd.asterisk.fastagi import (
    MAX_COMMAND,
    AgiChannel,
    AgiValueError,
    FastAgiService,
    Hangup,
)
from acd.config import FastAgi
from acd.core import events as ev
from acd.speech import SpeechCache
from acd.store import db
from acd.store.directory import Directory
from ivr import menu


def on_asyncio(test):
    """Run an asyncio test body on the reactor's loop (pytest-twisted, --reactor=asyncio)."""

    @pytest_twisted.inlineCallbacks
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        yield defer.Deferred.fromFuture(asyncio.ensure_future(test(*args, **kwargs)))

    return wrapper


async def listening(service: FastAgiService) -> None:
    await service.listen().asFuture(asyncio.get_event_loop())


TOKEN = "T0ken" * 8  # the PBX's proof on every session (config.fastagi.token)
ENTER = f"{TOKEN}/acd/enter"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The FastAGI service with the real routes over an empty SQLite store."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    directory = Directory(url)
    received: list[ev.Event] = []
    routes = Routes(config_module.load(), received.append, directory, SpeechCache(tmp_path), menu.load())
    service = FastAgiService(FastAgi(port=free_port(), header_timeout=0.5, token=TOKEN), routes.table())
    service.received = received
    yield service
    service.stopService()
    directory.close()


def headers(**values: str) -> bytes:
    base = {
        "agi_network_script": ENTER,
        "agi_uniqueid": "acd-1.1",
        "agi_callerid": "5551001",
        "agi_extension": "200",
        "agi_threadid": "139872",  # res_agi's last header before the arguments
    }
    base.update(values)
    return "".join(f"{k}: {v}\n" for k, v in base.items() if v is not None).encode() + b"\n"


async def asterisk(port: int, payload: bytes, answer: bytes = b"200 result=1\n") -> list[str]:
    """Send `payload`, answer each command with `answer`, return the commands received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    commands = []
    while line := await asyncio.wait_for(reader.readline(), 5):
        commands.append(line.decode().strip())
        await asyncio.sleep(0.01)
        assert not reader._buffer, "a command sent before the last one's answer"  # res_agi would stall
        writer.write(answer)
        await writer.drain()
    writer.close()
    return commands


async def good_call_works(server) -> None:
    """After any abuse, the next well-formed request is still served."""
    commands = await asterisk(server.config.port, headers(agi_uniqueid="acd-9.9"))
    assert commands[0].startswith('EXEC MSet "ACD_QUEUE=sales,')


@on_asyncio
async def test_enter_sets_queue_and_reports_the_route(server):
    """acd/enter sets the queue for the dialled number and tells the core."""
    await listening(server)
    commands = await asterisk(server.config.port, headers())
    assert commands == [
        'EXEC MSet "ACD_QUEUE=sales,ACD_MAX_WAIT=600,ACD_ROUTED=daemon,ACD_PRIORITY=0"',
        'SET VARIABLE ACD_AGI_OK "1"',
    ]  # the last step: the route ran to its end
    [routed] = server.received
    assert (routed.call_id, routed.caller_id, routed.dialled, routed.queue) == (
        "acd-1.1",
        "+495551001",
        "200",
        "sales",
    )
    assert (routed.customer_id, routed.candidates, routed.greeted) == (None, 0, False)
    assert server.served == 1


@pytest.mark.parametrize(
    "payload",
    [
        f"agi_network_script: {ENTER}\n".encode(),  # closes before the blank line
        b"",  # sends nothing: header timeout
        f"agi_network_script: {ENTER}\nagi_x: ".encode() + b"x" * 10000 + b"\n\n",
        b"".join(b"agi_h%d: v\n" % i for i in range(100)) + b"\n",
        b"agi_uniqueid: acd-1.1\n\n",  # no agi_network_script
        headers(agi_network_script=f"{TOKEN}/no/such/route"),
        headers(agi_network_script="acd/enter"),  # no token
        headers(agi_network_script=f"{TOKEN[:-1]}x/acd/enter"),  # a wrong token
        # a line break a caller put in a SIP URI (%0A), which pjsip decodes and res_agi writes
        # as it is: another header (a key twice), a line that is no header, the block's end
        headers(agi_callerid="5551001\nagi_uniqueid: acd-7.7"),
        headers(agi_extension="200\nagi_callerid: +49301110001"),
        headers(agi_callerid="5551001\nnot a header"),
        headers(agi_callerid="5551001\n\n200 result=1 (forged)"),
    ],
)
@on_asyncio
async def test_hostile_requests_are_dropped_and_server_survives(server, payload):
    """Bad headers, silence, floods and unknown routes end that session only."""
    await listening(server)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.config.port)
    writer.write(payload)
    if payload.endswith(b"acd/enter\n"):
        writer.write_eof()
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 3) == b""  # closed without a command
    writer.close()
    await good_call_works(server)


@on_asyncio
async def test_undecodable_headers_without_a_uniqueid_leave_the_dialplan_default(server):
    """Bytes that are no UTF-8 and a NUL in the caller ID, no uniqueid: the route sets nothing
    but its proof of having run (the dialplan's own default queue applies)."""
    await listening(server)
    payload = f"agi_network_script: {ENTER}\nagi_callerid: ".encode() + b"\xff\xfe\x00\nagi_threadid: 1\n\n"
    assert await asterisk(server.config.port, payload) == ['SET VARIABLE ACD_AGI_OK "1"']
    await good_call_works(server)


@pytest.fixture
def logged() -> list[str]:
    """The daemon's log lines while the test runs."""
    lines: list[str] = []

    def observe(event: dict) -> None:
        lines.append(formatEvent(event))

    globalLogPublisher.addObserver(observe)
    yield lines
    globalLogPublisher.removeObserver(observe)


@pytest.mark.parametrize(
    "caller_id",
    [
        "1' OR '1'='1",
        "+4930'; DROP TABLE customers;--",
        "555\x01\x7f1001",
        "☎ +49 30 1234 ü",
        "9" * 1000,
        "<script>alert(1)</script>",
    ],
)
@on_asyncio
async def test_hostile_caller_id_is_treated_as_withheld(server, logged, caller_id):
    """Injection strings, control characters, non-ASCII and 1000-character caller IDs reach
    the core as an empty (withheld) number, are logged (cut short), and the call is routed."""
    await listening(server)
    commands = await asterisk(server.config.port, headers(agi_callerid=caller_id))
    assert commands[0].startswith('EXEC MSet "ACD_QUEUE=sales,')
    assert server.received[0].caller_id == ""
    [warning] = [line for line in logged if "unusable caller ID" in line]
    assert len(warning) < 200


@on_asyncio
async def test_hangup_mid_route_ends_quietly(server):
    """Asterisk's asynchronous HANGUP answer stops the route without a traceback."""
    await listening(server)
    commands = await asterisk(server.config.port, headers(), answer=b"HANGUP\n")
    assert len(commands) == 1 and server.received == [] and server.served == 0
    await good_call_works(server)


class _Wire:
    """Asterisk's end of one session: records each command and answers it. Like res_agi,
    it takes one command at a time: a write holding two would leave the second unread."""

    def __init__(self, answer: bytes = b"200 result=1 (x)\n") -> None:
        self.sent: list[str] = []
        self.reader = asyncio.StreamReader()
        self.answer = answer

    @property
    def writer(self):
        return self

    def write(self, data: bytes) -> None:
        assert data.count(b"\n") == 1 and data.endswith(b"\n"), f"not one command: {data!r}"
        self.sent.append(data.decode()[:-1])
        if self.answer:
            self.reader.feed_data(self.answer)

    async def drain(self) -> None:
        pass


@on_asyncio
async def test_set_variable_escapes_quotes_and_backslashes():
    """A value with quotes or backslashes cannot break out of its argument."""
    wire = _Wire()
    await AgiChannel({}, wire).set_variable("X", 'a"b\\c EXEC Dial x')
    assert wire.sent == ['SET VARIABLE X "a\\"b\\\\c EXEC Dial x"']


@pytest.mark.parametrize("value", ["a\nEXEC Dial x", "a\rb", "stall\x00here", "x" * 2100, "ü" * 1020])
@on_asyncio
async def test_a_value_that_would_not_stay_one_command_is_never_sent(value):
    """CR, LF or NUL, or more bytes than res_agi reads as one line (2047 with the newline; the
    rest would run as a command of its own): refused before anything is written."""
    wire = _Wire()
    with pytest.raises(AgiValueError):
        await AgiChannel({}, wire).set_variable("X", value)
    with pytest.raises(AgiValueError):
        await AgiChannel({}, wire).command(f"VERBOSE {value}")
    assert wire.sent == []


@on_asyncio
async def test_the_longest_command_res_agi_reads_whole_is_sent():
    wire = _Wire()
    await AgiChannel({}, wire).command("VERBOSE " + "x" * (MAX_COMMAND - 8))
    assert len(wire.sent[0].encode()) == MAX_COMMAND


@on_asyncio
async def test_plain_values_go_in_one_mset_and_free_text_alone():
    """Names, numbers and codes: one round trip. A name with a comma or a quote is set on
    its own, where MSet's splitting on commas cannot mangle it."""
    wire = _Wire()
    await AgiChannel({}, wire).set_variables(
        {
            "ACD_QUEUE": "support-2",
            "ACD_VIP": "1",
            "ACD_LANGUAGE": "",
            "CALLERID(name)": "Jörg Müller",
            "A": 'Müller, "Hans"',
            "B": "${SHELL(x)}",
            "C": "Ann (Nan",
            "D": " lead",
        }
    )
    assert wire.sent == [
        'EXEC MSet "ACD_QUEUE=support-2,ACD_VIP=1,ACD_LANGUAGE=,CALLERID(name)=Jörg Müller"',
        'SET VARIABLE A "Müller, \\"Hans\\""',
        'SET VARIABLE B "${SHELL(x)}"',
        'SET VARIABLE C "Ann (Nan"',
        'SET VARIABLE D " lead"',
    ]


@on_asyncio
async def test_an_expression_gives_several_values_in_one_round_trip():
    wire = _Wire(b"200 result=1 (support|acd-1.0)\n")
    assert await AgiChannel({}, wire).evaluate("${ACD_LINE}|${CHANNEL(linkedid)}") == "support|acd-1.0"
    assert wire.sent == ['GET FULL VARIABLE "${ACD_LINE}|${CHANNEL(linkedid)}"']


@on_asyncio
async def test_a_hangup_answer_or_a_closed_session_is_a_hangup():
    with pytest.raises(Hangup):
        await AgiChannel({}, _Wire(b"HANGUP\n")).set_variables({"A": "1", "B": "2"})
    closed = _Wire(b"")
    closed.reader.feed_eof()
    with pytest.raises(Hangup):
        await AgiChannel({}, closed).command("ANSWER")


@on_asyncio
async def test_unreachable_store_makes_the_caller_unknown_not_the_call_fail(tmp_path, logged):
    """The store cannot be opened: the call is still routed (as an unknown caller), and logged."""
    directory = Directory(f"sqlite:///{tmp_path / 'missing' / 'store.sqlite3'}")
    received: list[ev.Event] = []
    routes = Routes(config_module.load(), received.append, directory, SpeechCache(tmp_path), menu.load())
    service = FastAgiService(FastAgi(port=free_port(), header_timeout=0.5, token=TOKEN), routes.table())
    try:
        await listening(service)
        commands = await asterisk(service.config.port, headers(agi_callerid="+4930123456"))
        assert commands[0].startswith('EXEC MSet "ACD_QUEUE=sales,')
        assert received[0].customer_id is None and received[0].caller_id == "+4930123456"
        assert any("caller lookup failed" in line for line in logged)
    finally:
        service.stopService()
        directory.close()
