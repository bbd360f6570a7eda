"""FastAGI request handling over arbitrary header blocks (issue 9, finding 10): every session
ends in one of the named outcomes (served, bad request, refused value, wrong token, no
route), never in an uncaught exception; the server takes the next session as before."""

from __future__ import annotations

import asyncio
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.logger import globalLogPublisher

from acd.asterisk.fastagi import MAX_LINE, AgiChannel, FastAgiService
from acd.config import FastAgi
from tests.asterisk.test_agi_outcome import run_alone

TOKEN = "T0ken" * 8
COUNTS: Counter = Counter()


async def echo(channel: AgiChannel) -> None:
    """Uses the headers as routes do: values set on the channel, one expression read back."""
    for key in ("agi_callerid", "agi_calleridname", "agi_extension", "agi_uniqueid"):
        await channel.set_variable("ACD_SEEN", channel.headers.get(key, "")[:3000])
    await channel.evaluate("${ACD_SEEN}|" + channel.headers.get("agi_channel", "")[:3000])


class Asterisk:
    """The PBX's end: writes the header block and answers every command with success."""

    def __init__(self, block: bytes) -> None:
        self.reader = asyncio.StreamReader(limit=MAX_LINE)  # as asyncio.start_server makes it
        self.reader.feed_data(block)
        self.closed = not block.endswith(b"\n\n")  # otherwise the PBX stays to answer
        if self.closed:
            self.reader.feed_eof()
        self.commands: list[bytes] = []

    def write(self, data: bytes) -> None:
        assert data.count(b"\n") == 1 and b"\r" not in data and b"\x00" not in data, data[:80]
        assert len(data) <= 2047, len(data)
        self.commands.append(data)
        if not self.closed:
            self.reader.feed_data(b"200 result=1 (x)\n")

    async def drain(self) -> None:
        pass

    def get_extra_info(self, name: str) -> tuple[str, int]:
        return ("127.0.0.1", 40001)

    def close(self) -> None:
        pass


TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "\x00", "\r", "x\ry", "a" * 2100, "ü" * 1500, "${SHELL(id)}", '"', "\\", " lead"]
)
KEY = st.sampled_from(
    [
        "agi_callerid",
        "agi_calleridname",
        "agi_extension",
        "agi_uniqueid",
        "agi_channel",
        "agi_network_script",
        "agi_x",
        "bad key",
        "",
    ]
) | st.text(max_size=10)
SCRIPT = st.sampled_from(
    [f"{TOKEN}/acd/echo", f"{TOKEN}/acd/none", "acd/echo", f"{TOKEN}x/acd/echo", f"{TOKEN}/acd/echo\x00", ""]
)


@st.composite
def header_blocks(draw) -> bytes:
    sep = draw(st.sampled_from([": "] * 6 + [":", " : ", ": \t"]))
    lines = [f"{k}{sep}{v}" for k, v in draw(st.lists(st.tuples(KEY, TEXT), max_size=12))]
    if draw(st.integers(0, 4)):
        script = draw(st.sampled_from([f"{TOKEN}/acd/echo"] * 4) | SCRIPT)
        lines.insert(draw(st.integers(0, len(lines))), f"agi_network_script: {script}")
    block = "".join(f"{line}\n" for line in lines).encode("utf-8", "surrogatepass")
    tail = draw(st.sampled_from([b"\n"] * 5 + [b"", b"\r\n\r\n", b"\n\n", b"x" * 5000 + b"\n\n"]))
    if draw(st.integers(0, 9)) == 0:
        block = draw(st.binary(max_size=300))
    if draw(st.integers(0, 19)) == 0:
        block = b"".join(b"agi_h%d: v\n" % i for i in range(70))
    return block + tail


def outcome(lines: list[str]) -> str:
    for line in lines:
        for marker, name in (
            ("route failed", "UNCAUGHT"),
            ("bad request", "bad request"),
            ("value refused", "value refused"),
            ("no route", "no route"),
            ("timed out", "timed out"),
        ):
            if marker in line:
                return name
    return "other"


@settings(max_examples=600, deadline=None)
@given(header_blocks())
def test_no_header_block_ends_in_an_uncaught_exception(block):
    """Arbitrary header blocks: 0 sessions end in "FastAGI route failed" (an exception the
    server did not expect); every command written is one line res_agi reads whole."""
    lines: list[str] = []

    def observe(event: dict) -> None:
        if event.get("log_namespace", "").startswith("acd.asterisk.fastagi"):
            lines.append(str(event.get("log_format", "")))

    service = FastAgiService(FastAgi(token=TOKEN, header_timeout=0.5, route_timeout=1), {"acd/echo": echo})
    wire = Asterisk(block)
    globalLogPublisher.addObserver(observe)
    try:
        run_alone(service._serve(wire.reader, wire))
    finally:
        globalLogPublisher.removeObserver(observe)
    result = "served" if service.served else outcome(lines)
    if result == "other" and not wire.commands:
        result = "dropped (token)"
    COUNTS[result] += 1
    assert result != "UNCAUGHT", (block[:200], lines)


def teardown_module() -> None:
    if COUNTS:
        print(f"\nFastAGI header blocks: {sum(COUNTS.values())} generated, outcomes {dict(COUNTS)}")
