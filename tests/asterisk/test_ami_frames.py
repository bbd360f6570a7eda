"""The daemon's own AMI framing (acd/asterisk/ami_frames.py) inside _SafeProtocol: events as
header dicts, responses still through panoramisk, and whatever the bytes, nothing lost that
is whole and nothing kept that is too big."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from panoramisk.message import Message

from acd.asterisk import ami_events, ami_frames
from acd.asterisk.ami import _SafeProtocol
from acd.core import events as ev

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ami" / "three_calls_two_agents.txt"


class Factory:
    """panoramisk's Manager as the protocol sees it: dispatch, connection_lost."""

    def __init__(self) -> None:
        self.got: list = []
        self.lost: list = []

    def dispatch(self, message) -> None:
        self.got.append(message)

    def connection_lost(self, exc) -> None:
        self.lost.append(exc)


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        pass


def protocol() -> tuple[_SafeProtocol, Factory]:
    made = _SafeProtocol()
    made.connection_made(Transport())
    made.factory = factory = Factory()
    return made, factory


def fed(data: bytes, pieces: int | None = None) -> list:
    made, factory = protocol()
    if pieces is None:
        made.data_received(data)
    else:  # cut anywhere: inside a header, between \r and \n, inside a UTF-8 character
        step = max(1, len(data) // pieces)
        for offset in range(0, len(data), step):
            made.data_received(data[offset : offset + step])
    return factory.got


def panoramisk_view(data: bytes) -> list[dict]:
    """What panoramisk's Message makes of the same bytes (the reference for the headers),
    less the body it files among them as the header `content` (empty for an event)."""
    blocks = (Message.from_line(b.strip()) for b in data.decode().split("\r\n\r\n"))
    found = [dict(m.items()) for m in blocks if m is not None and "Event" in m]
    assert all(m.pop("content") == "" for m in found)
    return found


RECORDED = FIXTURE.read_bytes()


def test_recorded_events_give_the_headers_panoramisk_gave():
    got = fed(RECORDED)
    assert [dict(m) for m in got] == panoramisk_view(RECORDED)
    assert all(isinstance(m, ami_frames.Headers) for m in got)


@pytest.mark.parametrize("pieces", [3, 97, len(RECORDED)])  # the last: one byte at a time
def test_frames_split_across_reads_come_out_whole_and_in_order(pieces):
    assert [dict(m) for m in fed(RECORDED, pieces)] == panoramisk_view(RECORDED)


def test_bare_newlines_frame_like_crlf():
    bare = RECORDED.replace(b"\r\n", b"\n")
    assert [dict(m) for m in fed(bare)] == panoramisk_view(RECORDED)
    mixed = b"Event: Hangup\nUniqueid: u1\r\nChannel: x\nLinkedid: u1\r\n\n" + b"Event: Hangup\r\n\r\n"
    assert [dict(m) for m in fed(mixed, len(mixed))] == [
        {"Event": "Hangup", "Uniqueid": "u1", "Channel": "x", "Linkedid": "u1"},
        {"Event": "Hangup"},
    ]


def test_lookups_ignore_case_as_panoramisk_did():
    (message,) = fed(b"Event: Hangup\r\nUniqueID: u1\r\nChannel: x\r\n\r\n")
    assert message["Uniqueid"] == message["uniqueid"] == message.get("UNIQUEID") == "u1"
    assert "uniqueid" in message and "Linkedid" not in message and message.get("Linkedid") is None
    assert message.event == "Hangup"
    with pytest.raises(KeyError):
        message["Linkedid"]


def test_doubled_headers_are_lists_and_refused_by_the_translator():
    (message,) = fed(b"Event: Hangup\r\nUniqueid: u1\r\nUniqueid: u2\r\nChannel: x\r\nLinkedid: u1\r\n\r\n")
    assert message["Uniqueid"] == ["u1", "u2"]
    with pytest.raises(ami_events.BadEvent):
        ami_events.translate(message, 0.0)


def test_lines_without_a_header_are_skipped_and_controls_still_refused():
    data = b"Event: Hangup\r\ngarbage\r\nUniqueid: u\x001\r\nChannel: x\r\nLinkedid: u1\r\n\r\n"
    (message,) = fed(data)
    assert "garbage" not in message and message["Channel"] == "x"
    with pytest.raises(ami_events.BadEvent, match="control character"):
        ami_events.translate(message, 0.0)


def test_non_utf8_bytes_are_replaced_not_lost_nor_a_crash():
    hangup = "Event: Hangup\r\nUniqueid: u1\r\nChannel: PJSIP/x\r\nLinkedid: u1\r\n"
    data = (hangup + "CallerIDName: M").encode() + b"\xfc\xffller\r\n\r\n" + b"Event: Hangup\r\n\r\n"
    first, second = fed(data, len(data))  # byte by byte: a character's bytes in two reads
    assert first["CallerIDName"] == "M\ufffd\ufffdller"
    assert isinstance(ami_events.translate(first, 0.0), ev.ChannelHungUp)
    assert second == {"Event": "Hangup"}
    utf8 = "Event: Hangup\r\nCallerIDName: Müller\r\n\r\n".encode()
    assert fed(utf8, len(utf8))[0]["CallerIDName"] == "Müller"


def test_an_oversized_frame_is_dropped_and_the_next_one_read(monkeypatch):
    monkeypatch.setattr(ami_frames, "MAX_FRAME", 1000)
    huge = b"Event: Hangup\r\n" + b"X-Pad: " + b"a" * 5000 + b"\r\n\r\n"
    after = b"Event: Hangup\r\nUniqueid: u9\r\n\r\n"
    for pieces in (None, 40):  # one read, and a frame that grows past the limit read by read
        made, factory = protocol()
        if pieces is None:
            made.data_received(huge + after)
        else:
            for offset in range(0, len(huge), len(huge) // pieces):
                made.data_received(huge[offset : offset + len(huge) // pieces])
            assert len(made.framer.tail) <= 1000  # never more than the limit kept
            made.data_received(after)
        assert [dict(m) for m in factory.got] == [{"Event": "Hangup", "Uniqueid": "u9"}]
        assert made.framer.dropped == 1


@pytest.mark.parametrize("pieces", [None, 7])
def test_responses_and_events_with_an_action_id_still_answer_panoramisk_actions(pieces):
    made, factory = protocol()
    asyncio.set_event_loop(loop := asyncio.new_event_loop())
    try:
        future = made.send({"Action": "QueueStatus", "ActionID": "a1"}, as_list=True)
        data = (
            b"Asterisk Call Manager/9.0.0\r\n"
            b"Response: Success\r\nActionID: a1\r\nEventList: start\r\n"
            b"Message: Queue status will follow\r\n\r\n"
            b"Event: QueueMember\r\nActionID: a1\r\nQueue: support\r\nName: 1001\r\n\r\n"
            b"Event: Hangup\r\nUniqueid: u1\r\n\r\n"  # an event of its own, between the list's
            b"Event: QueueStatusComplete\r\nActionID: a1\r\nEventList: Complete\r\n\r\n"
        )
        if pieces is None:
            made.data_received(data)
        else:
            for offset in range(0, len(data), pieces):
                made.data_received(data[offset : offset + pieces])
        answer = future.result()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert [m.get("Event") or m.get("Response") for m in answer] == [
        "Success",
        "QueueMember",
        "QueueStatusComplete",
    ]
    assert [dict(m) for m in factory.got] == [{"Event": "Hangup", "Uniqueid": "u1"}]
    assert made.version == "9.0.0"


def test_a_shutdown_event_closes_the_link_and_is_dispatched():
    made, factory = protocol()
    made.data_received(b"Event: Shutdown\r\nShutdown: Uncleanly\r\nRestart: True\r\n\r\n")
    assert [m["Event"] for m in factory.got] == ["Shutdown"]
    assert len(factory.lost) == 1


def test_a_message_that_trips_the_factory_is_dropped_and_the_read_goes_on():
    made, factory = protocol()

    def dispatch(message) -> None:
        if message["Uniqueid"] == "boom":
            raise RuntimeError("a handler's bug")
        factory.got.append(message)

    factory.dispatch = dispatch  # type: ignore[method-assign]
    made.data_received(b"Event: Hangup\r\nUniqueid: boom\r\n\r\nEvent: Hangup\r\nUniqueid: u2\r\n\r\n")
    assert [m["Uniqueid"] for m in factory.got] == ["u2"]
