#!/usr/bin/env python3
"""Classic AGI that Asterisk runs itself when the daemon is down: a minimal caller lookup.

It runs inside the PBX with the PBX's own python3, so it needs only the standard library,
pyst2, the number normaliser and the channel variables' names (copied beside it into pylib/
by `acd pbx up`) and reads the SQLite store read-only. No IVR here: the call goes on to its queue.
"""

import json
import os
import re
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "pylib"))

import acd_channel_vars as var  # noqa: E402  from pylib/, on the path from the line above
from acd_agi_quote import quoted  # noqa: E402  from pylib/, on the path from the line above
from acd_numbers import normalize  # noqa: E402  from pylib/, on the path from the line above
from asterisk.agi import AGI, AGIException  # noqa: E402  from pylib/, on the path from the line above

# What a stored field may hold before it reaches the channel (acd/store/fields.py, acd-clean):
# anything else, a quote or a line break above all, is dropped, never sent.
FIELDS = {
    var.SEGMENT: re.compile(r"[a-z0-9_]{1,32}"),
    var.LANGUAGE: re.compile(r"[a-z]{2,3}"),
    var.CUSTOMER_ID: re.compile(r"[0-9]{1,18}"),
    var.VIP: re.compile(r"[01]"),
    var.ROUTED: re.compile(r"fallback"),
}

LOOKUP = """
SELECT c.id, c.segment, c.language, c.vip
  FROM phone_numbers AS p JOIN customers AS c ON c.id = p.customer_id
 WHERE p.number = ?
 LIMIT 2
"""


def lookup(database, number):
    """The customers who use `number` (at most two: one is enough to know it is shared)."""
    uri = "file:" + database + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=0.5) as db:
        return db.execute(LOOKUP, (number,)).fetchall()


def route(agi, settings):
    numbers = settings["numbers"]
    number = normalize(
        agi.env.get("agi_callerid", ""),
        numbers["country_code"],
        numbers["national_prefix"],
        numbers["international_prefix"],
    )
    set_value(agi, var.ROUTED, "fallback")
    if not number or not settings.get("sqlite"):
        return
    found = lookup(settings["sqlite"], number)
    if len(found) == 1:
        customer_id, segment, language, vip = found[0]
        set_value(agi, var.CUSTOMER_ID, str(customer_id))
        set_value(agi, var.SEGMENT, segment or "")
        set_value(agi, var.LANGUAGE, language or "")
        set_value(agi, var.VIP, "1" if vip else "0")


def set_value(agi, name, value):
    """SET VARIABLE as the daemon sends it (pyst2's set_variable quotes nothing: a quote and a
    line break in a stored segment became a command of their own). A value its field does not
    allow is not set."""
    value = str(value)
    if value and not FIELDS[name].fullmatch(value):
        return
    agi.execute("SET VARIABLE", name, f'"{quoted(value)}"')


def say_why(agi, exc):
    """A note in Asterisk's log: printable ASCII only, quoted as any value."""
    text = re.sub(r"[^A-Za-z0-9 ._:/-]", "?", str(exc))[:200]
    agi.execute("VERBOSE", f'"{quoted("acd_fallback: lookup skipped: " + text)}"', "1")


def main():
    agi = AGI()
    try:
        with open(os.path.join(HERE, "acd_fallback.json")) as handle:
            route(agi, json.load(handle))
    except AGIException:
        pass  # the caller hung up, or Asterisk went away: nothing left to tell
    except (OSError, ValueError, sqlite3.Error) as exc:
        say_why(agi, exc)


if __name__ == "__main__":
    main()
