"""What the simulated day showed, read from the daemon's journal (every event it applied, in
order): the scripted moments as they happen, for the live view and the summary.

The journal is the engine's one stream of events; reading it here proves the daemon saw each
moment, not only that the demo sent the digits or the request.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from rich import box
from rich.table import Table
from sqlalchemy import select

from acd.store import db
from acd.store.models import JournalRow

# the moments, in the order the summary lists them
KINDS = ("ivr", "vip", "escalation", "callback", "supervision", "disposition")


@dataclass
class Moments:
    """Follows the journal from `since` (epoch seconds, the PBX's clock)."""

    url: str
    ivr_numbers: frozenset[str]
    vip_priority: int
    since: float
    seen: list[tuple[float, str, str]] = field(default_factory=list)  # (at, kind, what)
    last_seq: int = -1
    completed: list[tuple[str, str, str]] = field(default_factory=list)  # (agent, call, queue) to code

    def __post_init__(self) -> None:
        self.engine = db.engine(self.url)

    def poll(self) -> list[tuple[float, str, str]]:
        """The moments written since the last poll."""
        query = (
            select(JournalRow.seq, JournalRow.type, JournalRow.body)
            .where(JournalRow.seq > self.last_seq, JournalRow.at >= self.since)
            .order_by(JournalRow.seq)
        )
        new = []
        with self.engine.connect() as connection:
            for seq, kind, body in connection.execute(query):
                self.last_seq = seq
                found = self.moment(kind, json.loads(body))
                if found is not None:
                    new.append(found)
        self.seen.extend(new)
        return new

    def moment(self, kind: str, event: dict) -> tuple[float, str, str] | None:
        at = float(event.get("at", 0.0))
        if kind == "CallRouted":
            if event.get("priority", 0) >= self.vip_priority and self.vip_priority > 0:
                return (
                    at,
                    "vip",
                    f"VIP {event['caller_id']} to {event['queue']} at priority {event['priority']}",
                )
            if event.get("dialled") in self.ivr_numbers:
                learned = [
                    event.get("category") or "no category",
                    f"account {event['account']}" if event.get("account") else "no account",
                    f"identity {event.get('verification') or 'not asked'}",
                ]
                return at, "ivr", f"IVR {event['caller_id']} -> {event['queue']}: " + ", ".join(learned)
        elif kind == "CallEscalated":
            return (
                at,
                "escalation",
                (
                    f"agent {event['agent']} escalated {event['from_queue']} -> {event['to_queue']}: "
                    f"{event['reason']}"
                ),
            )
        elif kind == "CallbackDialled" and event.get("status") == "ANSWER":
            return at, "callback", "a waiting caller who pressed the callback key was called back"
        elif kind == "SpyStarted":
            phone = event["spyee_channel"].split("/")[-1].rsplit("-", 1)[0]
            return at, "supervision", f"a supervisor listens in on the call at phone {phone}"
        elif kind == "CallCompleted":
            self.completed.append((event["agent"], event["call_id"], event["queue"]))
        elif kind == "CallWrappedUp":
            return (
                at,
                "disposition",
                (
                    f"agent {event['agent']} filed {event['disposition']}"
                    + (" (resolved)" if event.get("resolved") else "")
                ),
            )
        return None

    def take_completed(self) -> list[tuple[str, str, str]]:
        """The calls completed since the last take: their agents code them next."""
        taken, self.completed = self.completed, []
        return taken

    def counts(self) -> Counter[str]:
        return Counter(kind for _, kind, _ in self.seen)

    def close(self) -> None:
        self.engine.dispose()


def moments_table(moments: Moments) -> Table:
    """The scripted moments and how often the journal saw each: the day's proof."""
    counts = moments.counts()
    table = Table(title="Moments (from the daemon's journal)", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("moment", "seen", "first"):
        table.add_column(column, justify="right" if column == "seen" else "left", no_wrap=column != "first")
    for kind in KINDS:
        first = next((what for _, k, what in moments.seen if k == kind), "")
        mark = f"[green]{counts[kind]}" if counts[kind] else "[red]0"
        table.add_row(kind, mark, first)
    return table
