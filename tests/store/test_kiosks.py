"""Kiosk links in the store (SQLite and PostgreSQL): only the token's hash is kept; revoked
links are not found; a supervisor lists and revokes their own only."""

from __future__ import annotations

from acd.store import db, kiosks


def test_a_kiosk_is_found_by_its_hash_until_it_is_revoked(db_url):
    sessions = db.sessions(db.engine(db_url))
    with sessions.begin() as session:
        made = kiosks.make(session, "ab" * 32, "hall TV", "9001", ["1001"], ["support"], 1000.0)
        everything = kiosks.make(session, "cd" * 32, "ops", "9901", None, None, 1001.0)
    with sessions.begin() as session:
        found = kiosks.find(session, "ab" * 32)
        assert found["agents"] == ["1001"] and found["queues"] == ["support"]
        assert kiosks.find(session, "cd" * 32)["queues"] is None  # the whole center
        assert kiosks.find(session, "ef" * 32) is None
        assert [k["id"] for k in kiosks.listing(session, "9001")] == [made["id"]]
        assert len(kiosks.listing(session, None)) == 2
        assert not kiosks.revoke(session, everything["id"], "9001", 1002.0)  # not theirs
        assert kiosks.revoke(session, made["id"], "9001", 1002.0)
    with sessions.begin() as session:
        assert kiosks.find(session, "ab" * 32) is None
        assert kiosks.listing(session, "9001")[0]["revoked"] is True
