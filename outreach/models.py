"""The call-attempt table: one row per outbound call attempt, from queued to its final outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from care.db import Base
from care.models import utcnow
from outreach.states import AttemptStatus


class CallAttempt(Base):
    """One call the dialer places (or placed). Programmes own the meaning (purpose + subject); the dialer owns
    the status, the lease and the CallSid."""

    __tablename__ = "call_attempts"
    __table_args__ = (Index("ix_call_attempts_due", "status", "priority", "not_before"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # One attempt per key ("confirm:501451:1"): enqueueing the same key again finds this row (idempotent).
    key: Mapped[str] = mapped_column(String(160), unique=True)
    purpose: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[int | None] = mapped_column(default=None, index=True)  # request / plan / broadcast id
    senior_id: Mapped[int | None] = mapped_column(ForeignKey("seniors.id"), default=None, index=True)
    to_phone: Mapped[str] = mapped_column(String(20))  # E.164
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # Higher is dialled first (risk order); equal priorities go in not_before, then id order.
    priority: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    # Anything the purpose's script needs (reference, service, a broadcast's message): plain JSON.
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=AttemptStatus.QUEUED)
    # The worker that claimed the row holds it until then; past it, its outcome is unknown (ask Twilio).
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    dial_tries: Mapped[int] = mapped_column(default=0)  # calls.create attempts (transient errors retry)
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    answered_by: Mapped[str] = mapped_column(String(20), default="")  # Twilio's AnsweredBy (AMD)
    answer: Mapped[str | None] = mapped_column(String(20), default=None)  # a Choice.answer, or "person"
    answer_via: Mapped[str] = mapped_column(String(10), default="")  # an AnswerVia
    heard: Mapped[str] = mapped_column(Text, default="")  # keys pressed or what was said (transcript)
    question_tries: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dialled_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the purpose's outcome handler ran (in the same transaction as its effects): exactly once.
    handled_at: Mapped[datetime | None] = mapped_column(default=None, index=True)


class DialerPace(Base):
    """One row: the moment the next call may start. Every claim takes the next slot under this row's lock, so
    any number of workers together keep to the account's calls-per-second."""

    __tablename__ = "dialer_pace"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    next_slot_at: Mapped[datetime] = mapped_column(default=utcnow)
