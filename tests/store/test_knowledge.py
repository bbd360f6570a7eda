"""The knowledge base on SQLite and PostgreSQL: seeded from Markdown (the shipped seeds
cover the IVR's categories), searched by every word in any case, edited, and grown from a
question an agent met with no answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from acd.store import db, knowledge

REPO = Path(__file__).resolve().parents[2]


def made(url: str):
    return db.sessions(db.engine(url))


def test_the_shipped_seeds_are_entries_for_the_ivr_s_categories(db_url):
    import yaml

    seeds = knowledge.read_seeds(REPO / "config" / "knowledge")
    categories = {c["name"] for c in yaml.safe_load((REPO / "config" / "ivr.yaml").read_text())["categories"]}
    assert {s.category for s in seeds} == categories
    sessions = made(db_url)
    with sessions.begin() as session:
        assert knowledge.seed(session, seeds, 10.0) == len(seeds)
    with sessions.begin() as session:
        assert knowledge.seed(session, seeds, 20.0) == 0  # seeded once; edits stay
    with sessions() as session:
        assert knowledge.hints_for_category(session, "technical", limit=2)


def test_a_seed_that_is_not_an_entry_is_named(tmp_path):
    (tmp_path / "technical").mkdir()
    (tmp_path / "technical" / "good.md").write_text("# Reset\n\nUnplug it.\n")
    (tmp_path / "technical" / "bad.md").write_text("no title here\n")
    (tmp_path / "technical" / "long.md").write_text("# Long\n\n" + "x" * (knowledge.ENTRY_MOST + 1))
    with pytest.raises(knowledge.SeedError) as raised:
        knowledge.read_seeds(tmp_path)
    assert "technical/bad.md" in str(raised.value) and "technical/long.md" in str(raised.value)
    assert [s.title for s in raised.value.seeds] == ["Reset"]


def test_search_needs_every_word_in_any_case_and_a_wildcard_is_a_character(db_url):
    sessions = made(db_url)
    with sessions.begin() as session:
        knowledge.add_entry(
            session, "technical", "Router blinks red", "Unplug it for 30 seconds.", "9001", 1.0
        )
        knowledge.add_entry(
            session, "technical", "Slow line", "Check the router's cable. 100% of cases.", "9001", 2.0
        )
        knowledge.add_entry(
            session, "order_status", "Where is my order", "Tracking link in the mail.", "9001", 3.0
        )
    with sessions() as session:
        found = knowledge.search(session, "ROUTER")
        assert [e["title"] for e in found] == ["Router blinks red", "Slow line"]  # title hits first
        assert [e["title"] for e in knowledge.search(session, "router cable")] == ["Slow line"]
        assert [e["title"] for e in knowledge.search(session, "%")] == ["Slow line"]
        assert knowledge.search(session, "_") == []
        assert [e["title"] for e in knowledge.search(session, "", "order_status")] == ["Where is my order"]
        assert len(knowledge.search(session)) == 3


def test_a_question_answered_becomes_an_entry_the_next_agent_finds(db_url):
    sessions = made(db_url)
    with sessions.begin() as session:
        asked = knowledge.ask(session, "Can I pay by invoice abroad?", "1001", "call-9", "product", 5.0)
    with sessions() as session:
        (open_one,) = knowledge.questions(session)
    assert (open_one["id"], open_one["agent"], open_one["call"], open_one["answered_entry"]) == (
        asked,
        "1001",
        "call-9",
        None,
    )
    with sessions.begin() as session:
        entry = knowledge.answer(session, asked, "Invoices abroad", "Only inside the EU.", None, "9001", 6.0)
        assert entry is not None and entry["category"] == "product"
        assert knowledge.answer(session, asked, "again", "again", None, "9001", 7.0) is None
        assert knowledge.answer(session, 999, "x", "y", None, "9001", 7.0) is None
    with sessions() as session:
        assert knowledge.questions(session) == []
        assert knowledge.questions(session, open_only=False)[0]["answered_by"] == "9001"
        assert [e["title"] for e in knowledge.search(session, "invoice")] == ["Invoices abroad"]


def test_an_entry_is_edited(db_url):
    sessions = made(db_url)
    with sessions.begin() as session:
        entry = knowledge.add_entry(session, "other", "Opening hours", "8 to 18", "9901", 1.0)
    with sessions.begin() as session:
        changed = knowledge.update_entry(
            session, entry["id"], "other", "Opening hours", "8 to 20", "9001", 2.0
        )
        assert changed is not None and changed["updated_by"] == "9001"
        assert knowledge.update_entry(session, 999, "other", "x", "y", "9001", 2.0) is None
    with sessions() as session:
        assert knowledge.search(session, "hours")[0]["body"] == "8 to 20"
