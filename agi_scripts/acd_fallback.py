#!/usr/bin/env python3
"""Classic AGI that Asterisk runs itself when the daemon is down: a minimal caller lookup.

It runs inside the PBX with the PBX's own python3, so it needs only the standard library,
pyst2 and the number normaliser (both copied beside it into pylib/ by `acd pbx up`) and
reads the SQLite store read-only. No IVR here: the call goes on to its queue.
"""
import json
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "pylib"))

from asterisk.agi import AGI, AGIException  # noqa: E402
from acd_numbers import normalize  # noqa: E402

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
    number = normalize(agi.env.get("agi_callerid", ""), numbers["country_code"],
                       numbers["national_prefix"], numbers["international_prefix"])
    agi.set_variable("ACD_ROUTED", "fallback")
    if not number or not settings.get("sqlite"):
        return
    found = lookup(settings["sqlite"], number)
    if len(found) == 1:
        customer_id, segment, language, vip = found[0]
        agi.set_variable("ACD_CUSTOMER_ID", str(customer_id))
        agi.set_variable("ACD_SEGMENT", segment or "")
        agi.set_variable("ACD_LANGUAGE", language or "")
        agi.set_variable("ACD_VIP", "1" if vip else "0")


def main():
    agi = AGI()
    try:
        with open(os.path.join(HERE, "acd_fallback.json")) as handle:
            route(agi, json.load(handle))
    except AGIException:
        pass  # the caller hung up, or Asterisk went away: nothing left to tell
    except (OSError, ValueError, sqlite3.Error) as exc:
        agi.verbose("acd_fallback: lookup skipped: %s" % exc, 1)


if __name__ == "__main__":
    main()
