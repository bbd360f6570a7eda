"""Names as phones, prompts and screens may show them: no control or direction characters.

A customer's name comes from an import file anyone with the file could have written. A C1
control (U+0080-U+009F) is a terminal escape on some phone displays, a bidi override
(U+202E) turns "Anna" into what an agent reads as a different caller, and a line break splits
a prompt or a log line. So names are cleaned where they leave the store, not trusted later.
"""

from __future__ import annotations

import unicodedata

# Categories never shown: controls (C0, DEL, C1), format characters (bidi marks, overrides,
# isolates, zero-width space, BOM), surrogates, private use, unassigned; line/paragraph breaks.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Format characters a name in some scripts needs (Persian, Indic): joiners stay.
_KEPT = frozenset({"\u200c", "\u200d"})
# Controls that separate words: they become one space rather than gluing words together.
_SPACES = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def _shown(char: str) -> str:
    if char in _SPACES or unicodedata.category(char) == "Zs":
        return " "
    if char in _KEPT or unicodedata.category(char) not in _DROPPED:
        return char
    return ""


def clean_name(name: str | None, limit: int = 60) -> str:
    """`name` as text safe to display and speak: NFC, no controls, single spaces, at most
    `limit` characters (cut at a word boundary when one is near)."""
    if not name:
        return ""
    text = " ".join("".join(map(_shown, unicodedata.normalize("NFC", name))).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit * 2 // 3 else cut).rstrip()


def ascii_digits(text: str) -> bool:
    """Digits int() reads: str.isdigit also takes "²" and other digits int() refuses, so a
    value from outside (queue_log, AGI, a channel variable) checked by isdigit alone raises."""
    return text.isascii() and text.isdigit()
