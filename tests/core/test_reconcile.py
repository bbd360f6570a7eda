"""queue_log's facts the journal lacks, as core events: entered once, whatever the restarts."""

from __future__ import annotations

from acd.asterisk import queue_log
from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.reconcile import VERB_KINDS, CallLedger, key_of, missing, translate

# a day on the lab PBX: A answered live, the daemon killed; A ends, B joins, is answered and
# ends, C joins and abandons, D joins and waits, all while it is down
LOG = """\
1000|NONE|NONE|NONE|QUEUESTART|
1001|acd-1.0|support|NONE|ENTERQUEUE||5558101|1
1001|acd-1.0|support|1001|CONNECT|0|acd-1.1|0
1005|acd-5.2|support|NONE|ENTERQUEUE||5558102|1
1006|acd-5.2|support|1002|CONNECT|1|acd-6.3|2
1009|acd-1.0|support|1001|COMPLETEAGENT|0|8|1
1010|acd-7.4|support|NONE|ENTERQUEUE||5558103|1
1012|acd-7.4|support|NONE|ABANDON|1|1|2
1013|acd-5.2|support|1002|COMPLETECALLER|1|7|1
1014|acd-8.5|support|NONE|ENTERQUEUE||5558104|1
1014|NONE|support|1001|UNPAUSE|
"""


def lines(text: str = LOG) -> list[queue_log.Entry]:
    return list(queue_log.parse(text.splitlines()))


def lived() -> list[ev.Event]:
    """What the daemon saw (and journaled) before the kill -9."""
    return [
        ev.CallerJoined(1001.2, "acd-1.0", "support", "5558101", 1),
        ev.CallAnswered(1001.4, "acd-1.0", "support", "1001", 0.2, 0.1),
    ]


def ledger_of(events: list[ev.Event]) -> CallLedger:
    ledger = CallLedger()
    for event in events:
        ledger.apply(event)
    return ledger


def test_only_what_the_journal_lacks_with_queue_logs_times():
    found = missing(lines(), ledger_of(lived()), since=0)
    assert found == [
        ev.CallerJoined(1005.0, "acd-5.2", "support", "5558102", 1),
        ev.CallAnswered(1006.0, "acd-5.2", "support", "1002", 1.0, 2.0),
        ev.CallCompleted(1009.0, "acd-1.0", "support", "1001", 0.0, 8.0, "agent"),
        ev.CallerJoined(1010.0, "acd-7.4", "support", "5558103", 1),
        ev.CallerAbandoned(1012.0, "acd-7.4", "support", 2.0),
        ev.CallCompleted(1013.0, "acd-5.2", "support", "1002", 1.0, 7.0, "caller"),
        ev.CallerJoined(1014.0, "acd-8.5", "support", "5558104", 1),
    ]


def test_a_second_restart_enters_nothing_again():
    """The fold replays the journal into the ledger, the reconstructed entries with it."""
    first = missing(lines(), ledger_of(lived()), since=0)
    assert missing(lines(), ledger_of(lived() + first), since=0) == []


def test_the_journals_lost_last_batch_is_found_in_queue_log():
    """kill -9 may lose the journal's last batch: the answer is entered from queue_log,
    once, though the journal holds the call's join from the same second."""
    found = missing(lines(), ledger_of(lived()[:1]), since=0)
    assert found[0] == ev.CallAnswered(1001.0, "acd-1.0", "support", "1001", 0.0, 0.0)


def test_counted_per_call_queue_and_kind_not_by_time():
    """The same call joining the same queue twice (a callback's place back) is two facts."""
    text = LOG + "1015|acd-8.5|support|NONE|ABANDON|1|1|1\n1016|acd-8.5|support|NONE|ENTERQUEUE||5558104|1\n"
    journal = lived() + missing(lines(LOG), ledger_of(lived()), since=0)
    found = missing(lines(text), ledger_of(journal), since=0)
    assert found == [
        ev.CallerAbandoned(1015.0, "acd-8.5", "support", 1.0),
        ev.CallerJoined(1016.0, "acd-8.5", "support", "5558104", 1),
    ]


def test_a_fact_older_than_the_journals_latest_about_the_call_is_not_entered():
    """A timeout in the preferred agent's queue, never reported live, found after the answer:
    entering it now would end a call that is talking."""
    text = (
        "2000|acd-9.0|acd-agent-1001|NONE|ENTERQUEUE||5558105|1\n"
        "2003|acd-9.0|acd-agent-1001|NONE|EXITWITHTIMEOUT|1|1|3\n"
        "2003|acd-9.0|support|NONE|ENTERQUEUE||5558105|1\n"
        "2005|acd-9.0|support|1002|CONNECT|2|acd-9.1|1\n"
    )
    journal = [
        ev.CallerJoined(2000.1, "acd-9.0", "acd-agent-1001", "5558105", 1),
        ev.CallerJoined(2003.2, "acd-9.0", "support", "5558105", 1),
        ev.CallAnswered(2005.3, "acd-9.0", "support", "1002", 2.1, 1.0),
    ]
    assert missing(lines(text), ledger_of(journal), since=0) == []
    # without the daemon at all, the whole story is entered, in order
    assert [type(e) for e in missing(lines(text), CallLedger(), since=0)] == [
        ev.CallerJoined,
        ev.QueueExited,
        ev.CallerJoined,
        ev.CallAnswered,
    ]


def test_the_day_starts_at_since():
    assert missing(lines(), CallLedger(), since=1010)[0] == ev.CallerJoined(
        1010.0, "acd-7.4", "support", "5558103", 1
    )


def test_the_core_counts_as_queue_log_does():
    center = CallCenter({"support": 20.0})
    journal = lived()
    for event in journal + missing(lines(), ledger_of(journal), since=0):
        center.apply(event)
    stats = center.queues["support"].stats
    assert (stats.offered, stats.answered, stats.abandoned, stats.completed) == (4, 2, 1, 2)
    assert queue_log.day_counts(lines(), 0) == {"support": {"offered": 4, "answered": 2, "abandoned": 1}}


def test_verbs_and_malformed_lines():
    def one(text: str) -> ev.Event | None:
        return translate(lines(text + "\n")[0])

    assert one("5|c|q|1001|BLINDTRANSFER|200|ctx|3|40|1") == ev.CallCompleted(
        5.0, "c", "q", "1001", 3.0, 40.0, "transfer"
    )
    assert one("5|c|q|1001|ATTENDEDTRANSFER|BRIDGE|b-1|3|40|1") == ev.CallCompleted(
        5.0, "c", "q", "1001", 3.0, 40.0, "transfer"
    )
    assert one("5|c|q|NONE|EXITEMPTY|1|1|9") == ev.QueueExited(5.0, "c", "q", "LEAVEEMPTY")
    assert one("5|c|q|NONE|EXITWITHTIMEOUT|1|1|9") == ev.QueueExited(5.0, "c", "q", "TIMEOUT")
    assert one("5|c|q|1001|RINGNOANSWER|6000") is None
    assert one("5|c|q|1001|CONNECT|x|y|z") is None
    assert one("5|c|q|1001|COMPLETECALLER") is None
    assert one("5|c|q|NONE|ABANDON|1|1|-3") is None
    assert one("5|c|q|NONE|ABANDON|1|1|99999999999") is None


def test_the_ledger_forgets_the_oldest_calls_first():
    ledger = CallLedger(limit=2)
    for n in range(3):
        ledger.apply(ev.CallerJoined(float(n), f"c{n}", "support", "", 1))
    ledger.apply(ev.CallAnswered(3.0, "c1", "support", "1001", 1.0, 1.0))
    ledger.apply(ev.CallerJoined(4.0, "c3", "support", "", 1))
    assert [ledger.held((c, "support", "joined")) for c in ("c0", "c1", "c2", "c3")] == [0, 1, 0, 1]


def test_each_verb_names_the_fact_its_event_states():
    """missing() keys a line by its verb before translating it: the two must agree."""
    for text in (
        "5|c|q|NONE|ENTERQUEUE||5551|1",
        "5|c|q|1001|CONNECT|1|x|1",
        "5|c|q|1001|COMPLETECALLER|1|2|1",
        "5|c|q|1001|COMPLETEAGENT|1|2|1",
        "5|c|q|1001|BLINDTRANSFER|200|ctx|3|40|1",
        "5|c|q|1001|ATTENDEDTRANSFER|BRIDGE|b-1|3|40|1",
        "5|c|q|NONE|ABANDON|1|1|2",
        "5|c|q|NONE|EXITWITHTIMEOUT|1|1|2",
        "5|c|q|NONE|EXITEMPTY|1|1|2",
    ):
        line = lines(text + "\n")[0]
        event = translate(line)
        assert event is not None and key_of(event) == ("c", "q", VERB_KINDS[line.verb]), text
