"""The knowledge base: entries per IVR category, seeded from Markdown files, searched from
the desk, edited by supervisors and admins; questions agents met with no answer, and the
answer that turns one into an entry.

Search is SQL LIKE on lower-cased title and body, every word of the query required: the same
statement on SQLite and PostgreSQL, and a base of a few hundred entries is scanned in well
under a millisecond. Full-text search would need two schemas (an FTS5 virtual table with its
triggers, a tsvector column with a GIN index) and a stemmer per language (en, de) for little
gain at this size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from acd.store.models import KnowledgeEntry, KnowledgeQuestion
from acd.store.times import epoch, utc

MAX_WORDS = 6
_CATEGORY = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class Seed:
    source: str  # the file, relative to the seeds' folder
    category: str
    title: str
    body: str


ENTRY_MOST = 20_000  # characters of an entry's text


def read_seeds(folder: Path) -> list[Seed]:
    """`<category>/<name>.md` files: the first line `# Title`, the rest the answer (at most
    ENTRY_MOST characters, as the API takes them). A file that does not fit is skipped and
    named in the ValueError's list (the caller logs it)."""
    seeds, bad = [], []
    for path in sorted(folder.glob("*/*.md")):
        category = path.parent.name
        text = path.read_text(encoding="utf-8").strip()
        title, _, body = text.partition("\n")
        fits = len(body.strip()) <= ENTRY_MOST
        if not _CATEGORY.fullmatch(category) or not title.startswith("# ") or not body.strip() or not fits:
            bad.append(str(path.relative_to(folder)))
            continue
        seeds.append(Seed(str(path.relative_to(folder)), category, title[2:].strip()[:200], body.strip()))
    if bad:
        raise SeedError(seeds, bad)
    return seeds


class SeedError(ValueError):
    def __init__(self, seeds: list[Seed], bad: list[str]) -> None:
        super().__init__(f"not a knowledge entry (want '# Title' then text): {', '.join(bad)}")
        self.seeds = seeds


def seed(session: Session, seeds: list[Seed], at: float) -> int:
    """Entries for seeds the store has not had yet; an entry edited since stays as edited."""
    known = set(session.scalars(select(KnowledgeEntry.source).where(KnowledgeEntry.source.is_not(None))))
    new = [s for s in seeds if s.source not in known]
    session.add_all(
        KnowledgeEntry(
            category=s.category,
            title=s.title,
            body=s.body,
            source=s.source,
            updated_by="seed",
            updated_at=utc(at),
        )
        for s in new
    )
    return len(new)


def seed_folder(url: str, folder: Path, at: float) -> tuple[int, str | None]:
    """Seed the store at `url` from `folder` (the daemon's start): how many entries were new,
    and what was wrong with the files skipped (None: nothing)."""
    from acd.store import db

    problem = None
    try:
        seeds = read_seeds(folder) if folder.is_dir() else []
    except SeedError as bad:
        seeds, problem = bad.seeds, str(bad)
    made = db.engine(url)
    try:
        with db.sessions(made).begin() as session:
            return seed(session, seeds, at), problem
    finally:
        made.dispose()


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, q: str = "", category: str | None = None, limit: int = 20) -> list[dict]:
    """Entries with every word of `q` in their title or body (any case), title hits first."""
    query = select(KnowledgeEntry)
    if category:
        query = query.where(KnowledgeEntry.category == category)
    words = q.split()[:MAX_WORDS]
    title, body = func.lower(KnowledgeEntry.title), func.lower(KnowledgeEntry.body)
    for word in words:
        pattern = _like(word)
        query = query.where(or_(title.like(pattern, escape="\\"), body.like(pattern, escape="\\")))
    rows = session.scalars(query.order_by(KnowledgeEntry.updated_at.desc(), KnowledgeEntry.id.desc())).all()
    lowered = [w.lower() for w in words]
    ranked = sorted(rows, key=lambda r: -sum(w in r.title.lower() for w in lowered))
    return [entry_dict(r) for r in ranked[:limit]]


def categories(session: Session) -> list[str]:
    """The categories that hold entries: the desk's search offers these."""
    query = select(KnowledgeEntry.category).distinct().order_by(KnowledgeEntry.category)
    return list(session.scalars(query))


def hints_for_category(session: Session, category: str, limit: int = 3) -> list[dict]:
    """The category's latest entries, for the pop."""
    rows = session.scalars(
        select(KnowledgeEntry)
        .where(KnowledgeEntry.category == category)
        .order_by(KnowledgeEntry.updated_at.desc(), KnowledgeEntry.id.desc())
        .limit(limit)
    )
    return [{"id": r.id, "title": r.title, "body": r.body} for r in rows]


def entry_dict(row: KnowledgeEntry) -> dict:
    return {
        "id": row.id,
        "category": row.category,
        "title": row.title,
        "body": row.body,
        "updated_at": epoch(row.updated_at),
        "updated_by": row.updated_by,
    }


def add_entry(session: Session, category: str, title: str, body: str, by: str, at: float) -> dict:
    row = KnowledgeEntry(category=category, title=title, body=body, updated_by=by, updated_at=utc(at))
    session.add(row)
    session.flush()
    return entry_dict(row)


def update_entry(
    session: Session, entry_id: int, category: str, title: str, body: str, by: str, at: float
) -> dict | None:
    row = session.get(KnowledgeEntry, entry_id)
    if row is None:
        return None
    row.category, row.title, row.body, row.updated_by, row.updated_at = category, title, body, by, utc(at)
    return entry_dict(row)


def ask(
    session: Session, question: str, agent: str, call_id: str | None, category: str | None, at: float
) -> int:
    row = KnowledgeQuestion(
        question=question, agent=agent, linkedid=call_id, category=category, asked_at=utc(at)
    )
    session.add(row)
    session.flush()
    return row.id


def questions(session: Session, open_only: bool = True, limit: int = 200) -> list[dict]:
    """The back office's list, oldest first (the longest waiting at the top)."""
    query = select(KnowledgeQuestion).order_by(KnowledgeQuestion.asked_at, KnowledgeQuestion.id).limit(limit)
    if open_only:
        query = query.where(KnowledgeQuestion.entry_id.is_(None))
    return [
        {
            "id": r.id,
            "question": r.question,
            "category": r.category,
            "agent": r.agent,
            "call": r.linkedid,
            "asked_at": epoch(r.asked_at),
            "answered_entry": r.entry_id,
            "answered_by": r.answered_by,
        }
        for r in session.scalars(query)
    ]


def answer(
    session: Session, question_id: int, title: str, body: str, category: str | None, by: str, at: float
) -> dict | None:
    """The answer becomes an entry (in the question's category unless one is given); None
    when there is no such question, or it has its answer already."""
    row = session.get(KnowledgeQuestion, question_id)
    if row is None or row.entry_id is not None:
        return None
    chosen = category or row.category or "other"
    entry = add_entry(session, chosen, title, body, by, at)
    row.entry_id, row.answered_by, row.answered_at = entry["id"], by, utc(at)
    return entry
