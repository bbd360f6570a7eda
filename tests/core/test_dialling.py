"""Which caller IDs may be dialled back (finding 8): examples, and properties over generated
caller IDs (never raises; whatever is allowed is a home E.164 number dialled as digits; no
spelling of an emergency or short number gets through)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.config_dial import DialPolicy
from acd.core import dialling, numbers

RULES = dialling.Rules("49", "0", "00")
POLICY = DialPolicy().core()
COUNTS = {"caller_ids": 0, "emergency_spellings": 0}
CALLER_IDS = 3000
SPELLINGS = 2000


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("030 1234567", "ok"),
        ("+49 30 1234567", "ok"),
        ("0049301234567", "ok"),
        ("5557002", "ok"),
        ("112", "emergency"),
        ("110", "emergency"),
        ("911", "emergency"),
        ("999", "emergency"),
        ("+49112", "emergency"),
        ("0049 110", "emergency"),
        ("0112", "emergency"),
        ("+112", "emergency"),
        ("+49 0 0 1 900 5550100", "invalid"),
        ("+490301234567", "invalid"),
        ("11833", "short"),
        ("22 33", "short"),
        ("0900 1234567", "denied"),
        ("+49 137 1234567", "denied"),
        ("0180 5123456", "denied"),
        ("+43 1 2345678", "international"),
        ("00 1 212 5550100", "international"),
        ("", "withheld"),
        ("anonymous", "withheld"),
        ("12a45", "withheld"),
        ("+" + "1" * 30, "withheld"),
    ],
)
def test_examples(raw, reason):
    verdict = dialling.check(raw, RULES, POLICY)
    assert verdict.reason == reason
    assert verdict.allowed == (reason == "ok") and (verdict.number is not None) == verdict.allowed


def test_allow_list_and_international():
    abroad = DialPolicy(international=True).core()
    assert dialling.check("+43 1 2345678", RULES, abroad).number == "+4312345678"
    only_berlin = DialPolicy(allow=("+4930",)).core()
    assert dialling.check("030 1234567", RULES, only_berlin).allowed
    assert dialling.check("089 1234567", RULES, only_berlin).reason == "not_allowed"
    austria = DialPolicy(allow=("+43",)).core()
    assert dialling.check("0043 1 2345678", RULES, austria).allowed  # allow opens a country
    assert dialling.check("0900 1234567", RULES, DialPolicy(allow=("+49900",)).core()).reason == "denied"


def test_dial_string_is_what_the_carrier_expects():
    assert dialling.dial_string("+49301234567", RULES) == "0301234567"
    assert dialling.dial_string("+4312345678", RULES) == "004312345678"


_HOME = re.compile(r"\+49[1-9][0-9]{5,12}")
caller_ids = st.one_of(
    st.text(max_size=50),
    st.from_regex(r"\A[+0]?[0-9 ()./-]{0,24}\Z"),
    st.builds(
        lambda p, d: p + d,
        st.sampled_from(["", "+", "00", "0", "+49", "0049", "+1", "011"]),
        st.text(alphabet="0123456789 -", max_size=20),
    ),
)


@settings(max_examples=CALLER_IDS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caller_ids)
def test_any_caller_id_is_judged_without_error(raw):
    COUNTS["caller_ids"] += 1
    normal = numbers.normalize(raw, "49", "0", "00")
    assert normal is None or re.fullmatch(r"\+[1-9][0-9]{4,14}", normal)
    verdict = dialling.check(raw, RULES, POLICY)
    if verdict.allowed:
        assert verdict.number is not None and _HOME.fullmatch(verdict.number)
        assert not any(verdict.number.startswith(p) for p in POLICY.deny)
        dialled = dialling.dial_string(verdict.number, RULES)
        assert dialled.isdigit() and dialled.isascii() and dialled.startswith("0")


@settings(max_examples=SPELLINGS, deadline=None)
@given(
    st.sampled_from(POLICY.emergency + ("11", "19222", "1234")),
    st.sampled_from(["", "+49", "0049", "0", "+490", "+", "00"]),
    st.lists(st.sampled_from([" ", "-", ".", "/"]), max_size=3),
    st.booleans(),
)
def test_no_spelling_of_an_emergency_or_short_number_is_dialled(short, prefix, separators, pad):
    COUNTS["emergency_spellings"] += 1
    spaced = short
    for i, separator in enumerate(separators):
        cut = 1 + i % max(1, len(short) - 1)
        spaced = spaced[:cut] + separator + spaced[cut:]
    raw = (" " if pad else "") + prefix + spaced
    assert not dialling.check(raw, RULES, POLICY).allowed, raw


def test_counts():
    """Runs after the properties (file order): how many inputs they were given."""
    assert COUNTS["caller_ids"] >= CALLER_IDS and COUNTS["emergency_spellings"] >= 1
    print(f"\ncallback numbers: {COUNTS}")
