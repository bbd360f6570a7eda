"""The customer store's tables (SQLAlchemy 2). The schema itself is Alembic's (migrations/).

A phone number may belong to several customers (a family line, a switchboard), so numbers
are rows of their own, indexed for the caller-ID lookup. One interaction is one customer
journey, keyed by Asterisk's linkedid; its segments (IVR, each queue, each agent), IVR
answers, dispositions and notes hang off it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(8))
    segment: Mapped[str] = mapped_column(String(20), default="standard")
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(10))
    pin_hash: Mapped[str | None] = mapped_column(String(200))

    numbers: Mapped[list[PhoneNumber]] = relationship(back_populates="customer")
    accounts: Mapped[list[Account]] = relationship(back_populates="customer")


class PhoneNumber(Base):
    __tablename__ = "phone_numbers"
    __table_args__ = (UniqueConstraint("number", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)

    customer: Mapped[Customer] = relationship(back_populates="numbers")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # with its Luhn check digit
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    last_payment_euros: Mapped[int | None] = mapped_column(Integer)
    last_payment_on: Mapped[dt.date | None] = mapped_column(Date)

    customer: Mapped[Customer] = relationship(back_populates="accounts")


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    linkedid: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    caller_number: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # completed | transferred | abandoned | timed_out | hung_up (acd/core/journeys.py)
    outcome: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    account_number: Mapped[str | None] = mapped_column(String(20))
    verification: Mapped[str | None] = mapped_column(String(20))
    ivr_steps: Mapped[str | None] = mapped_column(String(200))  # how far the caller got


class InteractionSegment(Base):
    __tablename__ = "interaction_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # ivr | queue | agent
    name: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(20))


class IvrAnswer(Base):
    __tablename__ = "ivr_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))


class Disposition(Base):
    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    agent: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved: Mapped[bool | None] = mapped_column(Boolean)  # on this call (first-contact resolution)
    follow_up: Mapped[bool | None] = mapped_column(Boolean)  # someone must come back to the customer


class SurveyAnswer(Base):
    """The caller's rating of the call, one row per question answered (1-5). A caller who
    hung up or pressed nothing has no row: no score, not a zero."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("interaction_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    question: Mapped[int] = mapped_column(Integer)  # 1 or 2, in the survey's order
    score: Mapped[int] = mapped_column(Integer)
    agent: Mapped[str] = mapped_column(String(20))  # who the caller rated
    queue: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    agent: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class KnowledgeEntry(Base):
    """One answer agents can find, filed under an IVR category; seeded from config/knowledge
    (`source` names the file), then kept and edited in the store."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200), unique=True)  # seed file; None: written here
    updated_by: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class KnowledgeQuestion(Base):
    """A question an agent met with no answer, sent with the call to the back office."""

    __tablename__ = "knowledge_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))
    agent: Mapped[str] = mapped_column(String(20))
    linkedid: Mapped[str | None] = mapped_column(String(64))
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="SET NULL"))
    answered_by: Mapped[str | None] = mapped_column(String(20))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SupervisionSession(Base):
    """The audit of a supervisor listening in: who, whom, which call, which modes, when."""

    __tablename__ = "supervision_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session: Mapped[str] = mapped_column(String(40), unique=True)
    supervisor: Mapped[str] = mapped_column(String(20), index=True)  # staff number, or the phone
    agent: Mapped[str] = mapped_column(String(20), index=True)
    origin: Mapped[str] = mapped_column(String(10))  # phone | web
    linkedid: Mapped[str | None] = mapped_column(String(64), index=True)  # the call listened to
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    modes: Mapped[str] = mapped_column(String(200), default="")  # in order: monitor,whisper,...
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    spy_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(40))  # open | ended | no_call | refused:<why>


class Recording(Base):
    """One recorded agent leg of a call, indexed against its journey and agent."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    take: Mapped[str] = mapped_column(String(40), unique=True)
    linkedid: Mapped[str] = mapped_column(String(64), index=True)
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    agent: Mapped[str] = mapped_column(String(20), index=True)
    queue: Mapped[str] = mapped_column(String(40))
    path: Mapped[str] = mapped_column(String(255))  # relative to recording.folder
    reason: Mapped[str] = mapped_column(String(40))  # the policy rule, on_demand or fallback
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float | None] = mapped_column(Float)
    paused_s: Mapped[float] = mapped_column(Float, default=0.0)
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # recording | done | missing


class JournalRow(Base):
    """One applied event, in the order the daemon applied it (acd/store/journal.py).

    `at` is the PBX's clock (epoch seconds), indexed: a restart folds the day back by it, and
    retention deletes by it. `body` is the event as a record (acd.core.codec), as JSON text.
    """

    __tablename__ = "journal"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[float] = mapped_column(Float, index=True)
    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    reconstructed: Mapped[bool] = mapped_column(Boolean, default=False)


class JournalSnapshot(Base):
    """A checkpoint of the read model after journal entry `seq` (acd/core/checkpoint.py), so a
    restart folds only the entries after it. `taken_at`: wall-clock epoch seconds; `body`: the
    checkpoint as JSON text (its own version inside too; `version` is for a glance in SQL)."""

    __tablename__ = "journal_snapshots"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    taken_at: Mapped[float] = mapped_column(Float, index=True)
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class WallKiosk(Base):
    """A read-only wallboard link for a wall screen (acd/web/kiosk.py): only the token's hash is
    kept; the scope is the maker's at the time it was made; revoked links stay, as the record."""

    __tablename__ = "wall_kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    made_by: Mapped[str] = mapped_column(String(20), index=True)  # the staff number
    agents: Mapped[str] = mapped_column(Text)  # comma-separated numbers; "*": the whole center
    queues: Mapped[str] = mapped_column(Text)  # comma-separated names; "*": the whole center
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StaffMember(Base):
    """One person who signs in: an agent, supervisor, quality reviewer or admin (acd/store/staff.py).

    Only hashes are kept (argon2id): `password_hash` for the web, `pin_hash` for phones.
    `teams` and `queues` are comma-joined names (config names never hold a comma). `version`
    grows with every change of credentials or standing, so sessions made before it end.
    """

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    teams: Mapped[str] = mapped_column(String(400), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    queues: Mapped[str] = mapped_column(String(400), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    manager: Mapped[str | None] = mapped_column(String(20))  # complaint cases go up to them
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ComplaintCase(Base):
    """A complaint case (acd/core/cases.py): who owns it, by when, at which level, and when and by
    whom it was resolved. Its steps are in the journal; this row outlives the day's."""

    __tablename__ = "complaint_cases"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    caller_id: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(20), default="")
    level: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
