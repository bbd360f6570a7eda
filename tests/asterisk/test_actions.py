"""Every AMI action the daemon sends is built by acd/asterisk/actions.py, and what it builds
reaches the wire as exactly one action with exactly its headers (issue 9, finding 2)."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from panoramisk.actions import Action as WireAction

from acd.asterisk import actions
from acd.asterisk.ami import AmiService
from acd.config import Ami

COUNTS: dict[str, int] = {}
# ACD_HYPOTHESIS_EXAMPLES=20000 for a thorough run; the fast suite keeps to a few hundred
EXAMPLES = int(os.environ.get("ACD_HYPOTHESIS_EXAMPLES", "400"))


def wire(action: actions.Action) -> str:
    """What panoramisk writes to the socket for it (its own serialiser, without the Future
    and ActionID a real send adds)."""
    return WireAction.__str__(action.as_dict())  # type: ignore[arg-type]


def parsed(text: str) -> list[list[tuple[str, str]]]:
    """The actions Asterisk would read from `text`: split on empty lines, lines on CR, LF
    or CRLF (Asterisk accepts a bare LF), a NUL ends a value."""
    found = []
    for block in re.split(r"(?:\r?\n){2,}", text):
        lines = [line.split("\0")[0] for line in re.split(r"\r\n|\r|\n", block) if line]
        headers = [tuple(line.split(": ", 1)) for line in lines if not line.startswith("ActionID")]
        if headers:
            found.append(headers)
    return found


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.mark.parametrize(
    "bad", ["break\r\nAction: Originate", "x\nApplication: System", "x\rY", "lunch\0", "\x1b[2J", "x" * 1001]
)
def test_a_line_break_nul_or_control_in_any_value_is_refused(bad):
    with pytest.raises(actions.UnsafeAction, match="Reason"):
        actions.queue_pause("PJSIP/1001", True, bad)
    with pytest.raises(actions.UnsafeAction):
        actions.queue_add("support", bad, 0, False, "1001")
    with pytest.raises(actions.UnsafeAction):
        actions.originate("PJSIP/9001", actions.SPY, {"ACD_SPY_TARGET": bad})
    with pytest.raises(actions.UnsafeAction):
        actions.setvar("PJSIP/x-1", "ACD_QUEUE", bad)


@pytest.mark.parametrize("value", [None, 3, b"bytes", ["a"], 1.5])
def test_non_text_is_refused(value):
    with pytest.raises(actions.UnsafeAction, match="not text"):
        actions.queue_remove("support", value)


@pytest.mark.parametrize("name", ["Bad Name", "X:Y", "Action", "ActionID", "", "x\r\n", "ä"])
def test_bad_header_names_are_refused(name):
    with pytest.raises(actions.UnsafeAction):
        actions.build("Ping", {name: "v"})


def test_originate_only_into_the_daemons_contexts_and_never_an_application():
    with pytest.raises(actions.UnsafeAction, match="not one of the daemon's contexts"):
        actions.originate("PJSIP/9001", "default")
    with pytest.raises(TypeError):
        actions.originate("PJSIP/9001", actions.SPY, application="AGI")  # type: ignore[call-arg]
    made = actions.originate(
        "Local/announce@acd-announce/n",
        actions.ANNOUNCE_WHISPER,
        {"__ACD_ANNOUNCE": "/a&/b", "__ACD_ANNOUNCE_TO": "PJSIP/trunk-1"},
    )
    assert made.get("Context") == "acd-announce-whisper" and made.get("Application") == ""
    # Asterisk splits every Variable header on commas: one in a value would add a variable
    with pytest.raises(actions.UnsafeAction, match="comma"):
        actions.originate("PJSIP/9001", actions.SPY, {"ACD_SPY_OPTIONS": "q,SHELL=x"})
    with pytest.raises(actions.UnsafeAction, match="variable name"):
        actions.setvar("PJSIP/1001-1", "FILE(/etc/passwd)", "x")
    with pytest.raises(actions.UnsafeAction, match="contexts"):
        actions.redirect("PJSIP/1001-1", "acd-spy")


def test_the_service_sends_only_built_actions():
    service = AmiService(Ami(secret="s" * 32, watch_secret="w" * 32), lambda event: None)
    with pytest.raises(TypeError, match="acd.asterisk.actions"):
        service.send({"Action": "Originate", "Application": "System"})  # type: ignore[arg-type]


def test_a_built_action_is_one_action_on_the_wire():
    made = actions.originate(
        "Local/s@acd-callback-hold/n",
        actions.CALLBACK_DIAL,
        {"__ACD_QUEUE": "support", "__ACD_CALLBACK_NUMBER": "4930111"},
        timeout_ms=7200000,
        caller_id='"Callback" <+4930111>',
    )
    [headers] = parsed(wire(made))
    assert ("Variable", "__ACD_QUEUE=support") in headers and ("Context", "acd-callback-dial") in headers
    assert sum(1 for key, _ in headers if key == "Action") == 1


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
near_text = st.one_of(
    text,
    st.sampled_from(["\r\n", "\n", "\r", "\0", "a\r\nAction: Originate", "x" * 1001, "q,SHELL(x)=1"]),
    st.builds(lambda a, b, c: a + b + c, text, st.sampled_from(["\r\n", "\n", "\0", ",", ": "]), text),
)
keys = st.one_of(near_text, st.none(), st.integers(), st.binary(max_size=8))
garbage = st.one_of(keys, st.lists(text, max_size=2))


def check(build) -> None:
    """Either refused with UnsafeAction, or one action on the wire carrying exactly its headers."""
    try:
        made = build()
    except actions.UnsafeAction:
        return
    [headers] = parsed(wire(made))
    assert sum(1 for key, _ in headers if key == "Action") == 1
    expected = [("Action", made.name)] + [
        (k, v) for k, value in made.headers for v in (value if isinstance(value, tuple) else (value,))
    ]
    assert sorted(headers) == sorted(expected)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    queue=garbage,
    interface=garbage,
    penalty=st.one_of(st.integers(), garbage),
    paused=st.booleans(),
    member=garbage,
    reason=garbage,
)
def test_queue_builders_never_let_a_value_out_of_its_header(
    queue, interface, penalty, paused, member, reason
):
    count("queue builders")
    check(lambda: actions.queue_add(queue, interface, penalty, paused, member))
    check(lambda: actions.queue_remove(queue, interface))
    check(lambda: actions.queue_pause(interface, paused, reason))


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    channel=garbage,
    context=st.one_of(st.sampled_from(sorted(actions.ORIGINATE_CONTEXTS)), garbage),
    variables=st.dictionaries(st.one_of(st.from_regex(r"\A(__)?[A-Z_]{1,12}\Z"), keys), garbage, max_size=4),
    caller_id=st.one_of(st.none(), garbage),
    value=garbage,
)
def test_channel_builders_never_let_a_value_out_of_its_header(channel, context, variables, caller_id, value):
    count("channel builders")
    check(lambda: actions.originate(channel, context, variables, caller_id=caller_id))
    check(lambda: actions.setvar(channel, "ACD_QUEUE", value))
    check(lambda: actions.redirect(channel, "acd-escalated"))
    check(lambda: actions.mixmonitor_mute(channel, True))
    check(lambda: actions.user_event("AcdRecording", {"Take": value}))


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(headers=st.dictionaries(keys, garbage, max_size=5), name=garbage)
def test_build_refuses_anything_that_is_not_one_action(headers, name):
    count("build")
    check(lambda: actions.build(name, headers))  # type: ignore[arg-type]


def test_zz_report_counts(capsys):
    with capsys.disabled():
        print("\nhypothesis inputs (actions):", COUNTS)
