"""DTMF input, generated (finding 9): whatever a caller presses (or Asterisk hands back) the
flow ends, never verifies without a right answer, takes an account only from the store's
answer, and the player passes on only DTMF characters within the prompt's length."""

from __future__ import annotations

from collections import namedtuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.asterisk import ivr_player
from ivr import menu as menu_module
from ivr.flow import Ask, Attempt, Caller, Check, FindAccount, Guessed, IvrCall, Limit, Say, Spared

MENU = menu_module.load(queues=["support", "support-3", "sales"])
Owner = namedtuple("Owner", "id vip")
COUNTS = {"flows": 0, "replies": 0, "player_reads": 0}
FLOWS, READS = 1000, 1000

keys_pressed = st.one_of(st.text(alphabet="0123456789*#", max_size=25), st.text(max_size=30))
callers = st.builds(
    Caller,
    customer_id=st.none() | st.integers(1, 9),
    language=st.sampled_from([None, "en", "de", "xx"]),
    vip=st.booleans(),
    accounts=st.lists(st.just("00000018"), max_size=2).map(tuple),
    candidates=st.integers(0, 3),
    greeting=st.none() | st.just("Hello Anna"),
    number=st.none() | st.just("+4930111"),
)


@settings(max_examples=FLOWS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(callers, st.booleans(), st.data())
def test_any_key_presses_end_the_flow_safely(caller, open_now, data):
    COUNTS["flows"] += 1
    call = IvrCall(MENU, caller, open=open_now)
    flow, reply, requests = call.run(), None, 0
    found: set[str] = set()
    right_answers = 0
    try:
        while True:
            request = flow.send(reply)
            requests += 1
            COUNTS["replies"] += 1
            assert requests < 200, "the flow does not end"
            if isinstance(request, Ask):
                assert 1 <= request.max_digits <= 20
                reply = data.draw(keys_pressed)
            elif isinstance(request, Say):
                reply = None
            elif isinstance(request, FindAccount):
                reply = data.draw(st.none() | st.builds(Owner, st.integers(1, 9), st.booleans()))
                if reply is not None:
                    found.add(request.number)
            elif isinstance(request, Check):
                assert call.account in found  # only an entered, known account is checked
                reply = data.draw(st.booleans())
                right_answers += reply
            elif isinstance(request, (Limit, Attempt)):
                reply = data.draw(st.sampled_from([0.0, 0.0, 300.0]))
            else:
                assert isinstance(request, (Guessed, Spared))
                reply = None
    except StopIteration:
        pass
    assert call.verification in ("", "verified", "not_verified", "locked")
    assert call.verification != "verified" or right_answers == 1
    assert call.account is None or call.account in found
    assert "account:known" not in call.steps


class FakeChannel:
    """Answers Read with whatever Asterisk might leave in the variable."""

    def __init__(self, value: str) -> None:
        self.value = value

    async def command(self, line: str) -> dict:
        return {"result": ("0", "")}

    async def get_variable(self, name: str) -> str:
        return self.value


class FakeSpeech:
    async def render(self, text: str, language: str) -> str:
        return "/tmp/prompt"


def run(coroutine):
    """The fakes never wait, so the coroutine finishes on its first step (no event loop)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the coroutine waited")


@settings(max_examples=READS, deadline=None)
@given(st.text(max_size=80), st.integers(1, 20))
def test_the_player_passes_on_only_dtmf_within_the_length(value, max_digits):
    COUNTS["player_reads"] += 1
    digits = run(ivr_player.read_digits(FakeChannel(value), FakeSpeech(), [("en", "x")], max_digits, 5000))
    assert len(digits) <= max_digits and set(digits) <= set("0123456789*#")


def test_counts():
    """After the properties (file order): how many inputs they were given."""
    assert COUNTS["flows"] >= FLOWS and COUNTS["player_reads"] >= READS
    print(f"\nDTMF inputs: {COUNTS}")
