"""Names cleaned for displays and prompts: no controls or direction overrides survive."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from acd.core.text import clean_name

HOSTILE = [
    "\x9b2J",
    "\u202eanna",
    "\u2066x\u2069",
    "\u200f",
    "\u061c",
    "\ufeff",
    "\x00",
    "\x1b[5m",
    "\u2028",
    "\ud800",
    "\U000e0041",
    "\ue000",
]


def test_controls_and_overrides_are_gone_words_stay_apart():
    assert clean_name("Anna\u202e nhoJ") == "Anna nhoJ"
    assert clean_name("Anna\nSchmidt\r\n") == "Anna Schmidt"
    assert clean_name("\x9b2JMallory\x85Evil\x1b") == "2JMallory Evil"
    assert clean_name("Zoë  \t Müller") == "Zoë Müller"
    assert clean_name("Zoe\u0308") == "Zoë"  # NFC: one character, as a display wants
    assert (
        clean_name("\u0645\u06cc\u200c\u062e\u0648\u0627\u0645")
        == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645"
    )
    assert clean_name(None) == "" and clean_name("\u202e\u202c") == ""


def test_long_names_are_cut_at_a_word_when_one_is_near():
    assert clean_name("Anna Maria Schmidt-Weber", 14) == "Anna Maria"
    assert clean_name("A" * 100, 60) == "A" * 60


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet=st.characters(codec=None), max_size=200)
    | st.lists(st.sampled_from(HOSTILE + ["a", " ", "é"]), max_size=40).map("".join),
    st.integers(1, 120),
)
def test_no_hostile_character_survives(name, limit):
    cleaned = clean_name(name, limit)
    assert len(cleaned) <= limit
    assert cleaned == cleaned.strip() and "  " not in cleaned
    for char in cleaned:
        category = unicodedata.category(char)
        assert category not in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), repr(char)
        assert category != "Cf" or char in "\u200c\u200d", repr(char)
    assert clean_name(cleaned, limit) == cleaned  # cleaning is idempotent
