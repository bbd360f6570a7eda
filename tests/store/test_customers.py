"""The customer store on SQLite and PostgreSQL: migrations, lookup, PINs, generate, import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from acd.config import Numbers
from acd.core.accounts import check_digit
from acd.store import customers, db, importer, synthetic
from acd.store.models import Customer, PhoneNumber


def account(body: str) -> str:
    return body + check_digit(body)


def count(url: str) -> int:
    with db.engine(url).connect() as connection:
        return connection.scalar(select(func.count(Customer.id)))


def test_migration_creates_tables_and_is_idempotent(db_url):
    """upgrade head builds the schema; running it again changes nothing."""
    db.migrate(db_url)
    tables = set(inspect(db.engine(db_url)).get_table_names())
    assert {
        "customers",
        "phone_numbers",
        "accounts",
        "interactions",
        "interaction_segments",
        "ivr_answers",
        "dispositions",
        "notes",
        "alembic_version",
    } <= tables


def test_generate_then_lookup_finds_single_and_shared_numbers(db_url):
    """Synthetic customers can be found by number; a shared number returns every owner."""
    made = db.engine(db_url)
    assert synthetic.generate(made, 3000, seed=3) == 3000
    with db.sessions(made)() as session:
        shared = session.scalar(
            select(PhoneNumber.number).group_by(PhoneNumber.number).having(func.count() > 1).limit(1)
        )
        single = session.scalar(
            select(PhoneNumber.number).group_by(PhoneNumber.number).having(func.count() == 1).limit(1)
        )
        assert len(customers.lookup(session, shared)) == 2
        [card] = customers.lookup(session, single)
        assert card.accounts and len(card.accounts[0]) == 8
        assert customers.by_account(session, card.accounts[0]).id == card.id
    # ids keep counting after explicit-id inserts (PostgreSQL sequences caught up)
    with db.sessions(made).begin() as session:
        session.add(Customer(name="After Generate"))


@pytest.mark.parametrize("hostile", ["1' OR '1'='1", "%", "", "\x00", "+" + "9" * 500])
def test_lookup_with_hostile_strings_finds_nothing(db_url, hostile):
    made = db.engine(db_url)
    synthetic.generate(made, 50)
    with db.sessions(made)() as session:
        assert customers.lookup(session, hostile) == []


def test_pin_hash_verifies_only_the_right_pin():
    stored = customers.hash_pin("4711")
    assert stored.startswith("scrypt$") and "4711" not in stored
    assert customers.verify_pin("4711", stored)
    assert not customers.verify_pin("4712", stored)
    assert not customers.verify_pin("4711", None) and not customers.verify_pin("4711", "md5$x$y")
    for odd in ("scrypt$a$b", "scrypt$YWJj$é", "scrypt$$", "scrypt$%%%$x"):  # the store's text: anyone's
        assert not customers.verify_pin("4711", odd), odd


GOOD = """name,phones,language,segment,vip,date_of_birth,postcode,pin,accounts
Anna Schmidt,030 1110001;+49 151 2223334,de,premium,yes,1980-02-01,10115,4711,{a1}
"Weber, Ben",030 1110002,en,,no,,,,{a2};{a3}
Clara Weber,030 1110002,,,,,,,
"""


def test_import_good_file(db_url, tmp_path: Path):
    """Every column lands; phones are stored in E.164; PINs only as hashes."""
    path = tmp_path / "good.csv"
    path.write_text(GOOD.format(a1=account("1000001"), a2=account("1000002"), a3=account("1000003")))
    assert importer.import_csv(db.engine(db_url), path, Numbers()) == importer.Imported(3, [])
    with db.sessions(db.engine(db_url))() as session:
        [anna] = customers.lookup(session, "+49301110001")
        assert (anna.name, anna.language, anna.segment, anna.vip) == ("Anna Schmidt", "de", "premium", True)
        assert len(customers.lookup(session, "+49301110002")) == 2
        stored = session.get(Customer, anna.id)
        assert customers.verify_pin("4711", stored.pin_hash)


def test_import_with_bad_rows_names_each_and_imports_the_rest(db_url, tmp_path: Path):
    """A file with bad rows names each with its line and reason; only the good rows land."""
    synthetic.generate(db.engine(db_url), 10)
    before = count(db_url)
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,phones,accounts\n"
        f"Good Row,030 1234567,{account('2000001')}\n"
        "Bad Phone,030 12x4567,\n"
        "Bad Account,030 7654321,20000019\n"
        ",030 5554444,\n"
    )
    done = importer.import_csv(db.engine(db_url), path, Numbers())
    lines = dict(done.problems)
    assert set(lines) == {3, 4, 5} and done.written == 1
    assert "phone" in lines[3] and "check digit" in lines[4] and "name" in lines[5]
    assert count(db_url) == before + 1


def test_import_drops_rows_with_accounts_already_taken_and_refuses_unknown_columns(db_url, tmp_path: Path):
    made = db.engine(db_url)
    synthetic.generate(made, 5)
    with db.sessions(made)() as session:
        existing = customers.lookup(session, session.scalar(select(PhoneNumber.number).limit(1)))[0].accounts[
            0
        ]
    path = tmp_path / "dup.csv"
    fresh = account("3000001")
    path.write_text(f"name,accounts\nDup,{existing}\nNew,{fresh}\nAgain,{fresh}\n")
    done = importer.import_csv(made, path, Numbers())
    assert done.written == 1 and [line for line, _ in done.problems] == [2, 4]
    assert "already belongs" in done.problems[0][1] and "twice" in done.problems[1][1]
    path.write_text("name,colour\nX,blue\n")
    with pytest.raises(importer.ImportFailed) as failed:
        importer.import_csv(made, path, Numbers())
    assert "unknown: colour" in failed.value.problems[0][1]


def test_the_caller_comes_with_the_agent_who_served_them_last(db_url):
    """One query gives the caller's card and, for a single customer, their last agent
    within the window; a shared number names no agent."""
    import datetime as dt

    from acd.store.models import Interaction, InteractionSegment

    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    made = db.sessions(db.engine(db_url))
    with made.begin() as session:
        kim, ann, bob = (Customer(name=n) for n in ("Kim", "Ann", "Bob"))
        kim.numbers = [PhoneNumber(number="+49301150001")]
        ann.numbers, bob.numbers = [PhoneNumber(number="+49301150002")], [PhoneNumber(number="+49301150002")]
        session.add_all([kim, ann, bob])
        session.flush()
        for linkedid, agent, hours_ago in (("a", "1001", 30), ("b", "1002", 2), ("c", "1003", 1)):
            journey = Interaction(
                linkedid=linkedid, customer_id=kim.id if linkedid != "c" else ann.id, started_at=now
            )
            session.add(journey)
            session.flush()
            session.add(
                InteractionSegment(
                    interaction_id=journey.id,
                    kind="agent",
                    name=agent,
                    started_at=now - dt.timedelta(hours=hours_ago),
                )
            )
    day_ago = now - dt.timedelta(days=1)
    with made() as session:
        cards, agent = customers.caller(session, "+49301150001", day_ago)
        assert [c.name for c in cards] == ["Kim"] and agent == "1002"  # the newest in the window
        assert customers.caller(session, "+49301150001", now - dt.timedelta(minutes=30))[1] is None
        assert customers.caller(session, "+49301150001", None)[1] is None  # no window: not asked
        cards, agent = customers.caller(session, "+49301150002", day_ago)
        assert len(cards) == 2 and agent is None  # shared: nobody's agent
        assert customers.caller(session, "not a number", day_ago) == ([], None)
