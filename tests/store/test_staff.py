"""The staff table on SQLite and PostgreSQL: seeded from acd.yaml without overwriting what
changed since, argon2id hashes only (never a secret in a column), checks that fail the same
way for strangers, disabled people and wrong secrets, and old hashes remade at the config's cost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acd import config as config_module
from acd.config_web import Hashing
from acd.core.people import Person
from acd.store import staff
from acd.store.models import StaffMember
from acd.store.roster import Roster
from tests.asterisk.test_fastagi import on_asyncio

LOADED = config_module.load(write_secrets=False)
CHEAP = Hashing(time_cost=1, memory_kib=1024, parallelism=1)  # tests: the same code, less work


@pytest.fixture
def roster(db_url):
    made = Roster(db_url, CHEAP)
    made.seed(LOADED)
    yield made
    made.close()


def test_acd_yaml_seeds_everyone_with_hashes_only(roster):
    assert set(roster.people) == {a.number for a in LOADED.agents} | {s.number for s in LOADED.staff}
    assert roster.person("1001") == Person("1001", "Alice Martin", "agent", ("front",), "1001", ("support",))
    assert roster.person("9001").teams == ("front", "sales")
    with roster.sessions() as session:
        rows = list(session.scalars(select(StaffMember)))
    for row in rows:
        for secret in (row.password_hash, row.pin_hash):
            assert secret is None or secret.startswith("$argon2id$")
    agent = next(r for r in rows if r.number == "1001")
    assert (
        LOADED.agent("1001").pin not in agent.pin_hash
        and LOADED.agent("1001").password not in agent.password_hash
    )


@on_asyncio
async def test_a_second_seed_adds_only_who_is_missing_and_keeps_changed_passwords(roster):
    (await roster.set_password("9001", "a-new-password-1"))
    assert roster.seed(LOADED) == []
    assert (await roster.check_password("9001", "a-new-password-1")) is not None
    assert (await roster.check_password("9001", LOADED.person("9001").password)) is None
    with roster.sessions.begin() as session:
        session.delete(staff.record(session, "1002"))
    assert roster.seed(LOADED) == ["1002"]


@on_asyncio
async def test_passwords_and_pins_check_against_the_hashes(roster):
    alice = LOADED.agent("1001")
    assert (await roster.check_password("1001", alice.password)).name == "Alice Martin"
    assert (await roster.check_pin("1001", alice.pin)).number == "1001"
    assert (await roster.check_pin("1001", alice.password)) is None
    assert (await roster.check_password("1001", alice.pin)) is None
    assert (await roster.check_password("9999", alice.password)) is None
    assert (await roster.check_pin("9101", "123456")) is None  # a reviewer has no PIN: nothing matches


@on_asyncio
async def test_disabled_people_pass_no_check_and_their_version_moves(roster):
    before = roster.person("1001").version
    (await roster.set_disabled("1001", True))
    assert roster.person("1001").disabled and roster.person("1001").version == before + 1
    assert (await roster.check_password("1001", LOADED.agent("1001").password)) is None
    assert (await roster.check_pin("1001", LOADED.agent("1001").pin)) is None


@on_asyncio
async def test_changes_made_by_another_process_reach_the_snapshot(roster, db_url):
    other = Roster(db_url, CHEAP)
    try:
        (await other.set_disabled("9002", True))
    finally:
        other.close()
    assert not roster.person("9002").disabled
    (await roster.refresh())
    assert roster.person("9002").disabled


@on_asyncio
async def test_a_hash_made_at_an_older_cost_is_remade_at_the_next_right_check(db_url):
    old = Roster(db_url, CHEAP)
    old.seed(LOADED)
    old.close()
    newer = Roster(db_url, Hashing(time_cost=2, memory_kib=2048, parallelism=1))
    try:
        assert (await newer.check_password("9001", LOADED.person("9001").password)) is not None
        with newer.sessions() as session:
            assert "m=2048,t=2" in staff.record(session, "9001").password_hash
            assert "m=1024,t=1" in staff.record(session, "9002").password_hash
    finally:
        newer.close()


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (Person("12a", "X", "agent"), "number"),
        (Person("5001", "<b>\nX", "agent"), "name"),
        (Person("5001", "X", "root"), "role"),
        (Person("5001", "X", "supervisor", ("Front",)), "teams"),
        (Person("5001", "X", "agent", queues=("a,b",)), "queues"),
        (Person("5001", "X", "agent", phone="x"), "phone"),
    ],
)
@on_asyncio
async def test_bad_records_are_refused_naming_the_field(roster, person, field):
    with pytest.raises(staff.StaffError, match=f"^{field}"):
        (await roster.add(person, "long-enough-password"))


@on_asyncio
async def test_numbers_are_unique_and_passwords_long_enough(roster):
    with pytest.raises(staff.StaffError, match="taken"):
        (await roster.add(Person("1001", "Dup", "agent"), "long-enough-password"))
    with pytest.raises(staff.StaffError, match="^password"):
        (await roster.add(Person("5001", "Short", "agent"), "short"))
    made = await roster.add(Person("5001", "New Admin", "admin"), "long-enough-password")
    assert roster.person("5001") == made
