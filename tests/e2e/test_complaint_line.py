"""A complaint on the real PBX goes to the line that takes complaints: a sipp caller picks
"a complaint" in IVR 800, gives their account and date of birth, and queue_log has them enter
support-3 (the third line), not support (the first, where they landed before). Nobody answers:
when they hang up, their complaint is a case for cases.unassigned."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import queued_calls, wait_until
from tests.e2e.test_desk_pop import account
from tests.e2e.test_survey import journal

pytestmark = pytest.mark.e2e


def test_a_complaint_caller_waits_in_the_third_line(pbx, daemon, call, customers, lab_config):
    config, _ = lab_config
    theirs = account("1140001")
    customers("Clara Kwan", ["+49301140091"], language="en", born="1980-05-17", accounts=(theirs,))
    daemon.start()
    keys = [(2000, "5"), (1500, theirs), (1500, "17051980")]  # complaint, account, date of birth
    caller = call(["+49301140091"], dialled="800", patience_ms=25000, keys=keys)

    def entered() -> str | None:
        found = [c for c in queued_calls(pbx).values() if c.caller_id.endswith("301140091")]
        return found[0].queue if found else None

    queue = wait_until(entered, 40, "the complaint caller in a queue (queue_log ENTERQUEUE)")
    assert queue == "support-3" and config.queue(queue).line == 3
    caller.wait(40)
    # nobody answered: the complaint is a case all the same, for cases.unassigned (9002)
    (opened,) = wait_until(lambda: journal(config.store.url, "CaseOpened"), 15, "the case in the journal")
    assert (opened["source"], opened["owner"], opened["caller_id"][-9:]) == ("ivr", "9002", "301140091")
