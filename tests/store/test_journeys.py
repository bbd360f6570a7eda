"""Calls' stories in the store: segments and interactions closed with end and outcome, on
SQLite and PostgreSQL, written in batches."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event as sql_event
from sqlalchemy import select

from acd.core import events as ev
from acd.core.center import CallCenter
from acd.core.journeys import Close, End, Join, Open
from acd.store import db, journeys
from acd.store.directory import Directory
from acd.store.journeys import JourneyWriter, apply_writes, e164
from acd.store.models import Interaction, InteractionSegment

T = 1_700_000_000.0


def write(url: str, *batch) -> None:
    with db.sessions(db.engine(url)).begin() as session:
        apply_writes(session, list(batch))


def story(url: str, linkedid: str) -> tuple[tuple, list[tuple]]:
    with db.sessions(db.engine(url))() as session:
        row = session.scalars(select(Interaction).where(Interaction.linkedid == linkedid)).one()
        segments = session.execute(
            select(
                InteractionSegment.kind,
                InteractionSegment.name,
                InteractionSegment.ended_at.is_not(None),
                InteractionSegment.outcome,
            )
            .where(InteractionSegment.interaction_id == row.id)
            .order_by(InteractionSegment.id)
        ).all()
        ended = row.ended_at.timestamp() if row.ended_at is not None else None
        return (row.caller_number, ended, row.outcome), [tuple(s) for s in segments]


def test_answered_then_completed(db_url):
    write(
        db_url,
        Join("c1", "+49301", "support", T),
        Join("c1", "+49301", "support", T),  # a resync finds them waiting: still one segment
        Close("c1", "queue", "support", T + 4, "answered"),
        Open("c1", "agent", "1001", T + 4),
    )
    write(db_url, Close("c1", "agent", "1001", T + 60, "completed"), End("c1", T + 60, "completed"))
    write(db_url, End("c1", T + 61, "hung_up", if_open=True))  # the caller's hang-up after
    assert story(db_url, "c1") == (
        ("+49301", T + 60, "completed"),
        [("queue", "support", True, "answered"), ("agent", "1001", True, "completed")],
    )


def test_abandoned_after_the_hang_up_came_first(db_url):
    write(db_url, Join("c2", "", "support", T), End("c2", T + 8, "hung_up", if_open=True))
    write(db_url, Close("c2", "queue", "support", T + 8, "abandoned"), End("c2", T + 8, "abandoned"))
    assert story(db_url, "c2") == ((None, T + 8, "abandoned"), [("queue", "support", True, "abandoned")])


def test_escalated_goes_on_and_a_join_reopens(db_url):
    write(
        db_url,
        Join("c3", "+49303", "support", T),
        Close("c3", "queue", "support", T + 1, "answered"),
        Open("c3", "agent", "1001", T + 1),
        Close("c3", "agent", "1001", T + 30, "escalated"),
    )
    assert story(db_url, "c3")[0][1:] == (None, None)
    write(db_url, End("c3", T + 30, "completed"), Join("c3", "+49303", "support-2", T + 31))
    assert story(db_url, "c3")[0][1:] == (None, None)  # an end the core did not know for one
    with db.sessions(db.engine(db_url)).begin() as session:  # the route's note of it
        interaction = session.scalars(select(Interaction).where(Interaction.linkedid == "c3")).one()
        session.add(
            InteractionSegment(
                interaction_id=interaction.id,
                kind="escalation",
                name="support>support-2",
                outcome="complaint",
                started_at=dt.datetime.fromtimestamp(T + 30, dt.UTC),
            )
        )
    write(db_url, Close("c3", "queue", "support-2", T + 40, "abandoned"), End("c3", T + 40, "abandoned"))
    assert story(db_url, "c3") == (
        ("+49303", T + 40, "abandoned"),
        [
            ("queue", "support", True, "answered"),
            ("agent", "1001", True, "escalated"),
            ("queue", "support-2", True, "abandoned"),
            ("escalation", "support>support-2", False, "complaint"),  # a moment: kept as written
        ],
    )


def test_writes_about_calls_the_store_never_had_change_nothing(db_url):
    write(
        db_url,
        Close("x", "agent", "1001", T, "completed"),
        End("x", T, "completed"),
        Open("x", "agent", "1", T),
    )
    with db.sessions(db.engine(db_url))() as session:
        assert session.scalars(select(Interaction)).all() == []


def test_a_batch_reads_its_calls_in_a_few_queries_whatever_its_size(db_url, monkeypatch):
    """Two reads per IN_CHUNK calls, not one or more per write (each was ~0.5 ms of ORM work:
    at 10,000 events/s the store's writer fell ever further behind)."""
    monkeypatch.setattr(journeys, "IN_CHUNK", 4)  # ten calls: three chunks
    write(db_url, *(Join(f"q{i}", "", "support", T) for i in range(0, 10, 2)))  # half known already
    engine = db.engine(db_url)
    selects: list[str] = []
    sql_event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_: selects.append(sql) if sql.lstrip().upper().startswith("SELECT") else None,
    )
    batch = []
    for i in range(10):
        batch += [
            Join(f"q{i}", "", "support", T + 1),
            Close(f"q{i}", "queue", "support", T + 2, "answered"),
            Open(f"q{i}", "agent", "1001", T + 2),
            Close(f"q{i}", "agent", "1001", T + 9, "completed"),
            End(f"q{i}", T + 9, "completed"),
            End(f"q{i}", T + 10, "hung_up", if_open=True),
        ]
    with db.sessions(engine).begin() as session:
        apply_writes(session, batch)
    assert len(selects) == 2 * 3
    for i in range(10):
        assert story(db_url, f"q{i}") == (
            (None, T + 9, "completed"),
            [("queue", "support", True, "answered"), ("agent", "1001", True, "completed")],
        )


def test_the_writer_batches_and_takes_the_routes_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    db.migrate(url)
    directory = Directory(url)
    center = CallCenter({"support": 20.0})
    writer = JourneyWriter(directory, center, e164(_Rules()), delay=0.05)
    transactions: list[int] = []
    real_write = directory.write

    async def counted(work, *args):
        transactions.append(len(args[0]))
        return await real_write(work, *args)

    directory.write = counted  # type: ignore[method-assign]

    async def scenario() -> None:
        await directory.open_interaction("r1", None, "+4930555", T - 5)  # the route's row
        for event in (
            ev.CallerJoined(T, "r1", "support", "030555", 1),
            ev.CallerJoined(T, "d1", "support", "030 777", 2),  # came in while the daemon was down
            ev.CallerAbandoned(T + 3, "d1", "support", 3.0),
            ev.CallAnswered(T + 4, "r1", "support", "1001", 4.0, 1.0),
            ev.CallCompleted(T + 9, "r1", "support", "1001", 4.0, 5.0, "agent"),
        ):
            center.apply(event)
            writer.on_event(event)
        await asyncio.sleep(0.3)

    try:
        with ThreadPoolExecutor(1) as thread:  # pytest's reactor runs a loop in this thread
            thread.submit(asyncio.run, scenario()).result()
    finally:
        directory.close()
    assert transactions == [8]
    assert story(url, "r1")[0] == ("+4930555", T + 9, "completed")
    assert story(url, "d1")[0] == ("+4930777", T + 3, "abandoned")


class _Rules:
    country_code, national_prefix, international_prefix = "49", "0", "00"


def test_a_new_call_ended_and_reopened_in_one_batch_beside_a_known_one(db_url):
    write(db_url, Join("k1", "+49301", "support", T))
    write(
        db_url,
        Join("n1", "+49302", "support", T),  # new to the store
        Close("n1", "queue", "support", T + 1, "answered"),
        Open("n1", "agent", "1001", T + 1),
        End("n1", T + 5, "completed"),
        Join("n1", "+49302", "support-2", T + 6),  # it went on: open again, in the same batch
        Close("k1", "queue", "support", T + 2, "abandoned"),  # the known one
        End("k1", T + 2, "abandoned"),
    )
    assert story(db_url, "n1") == (
        ("+49302", None, None),
        [
            ("queue", "support", True, "answered"),
            ("agent", "1001", True, "completed"),
            ("queue", "support-2", False, None),
        ],
    )
    assert story(db_url, "k1") == (("+49301", T + 2, "abandoned"), [("queue", "support", True, "abandoned")])
