"""Stored tables of reminders: a senior's medication or appointment reminder, and each time it is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from care.db import Base
from care.models import Senior, utcnow
from outreach.reminder_words import By, What

# The kinds and channels are the pure reader's (outreach.reminder_words), so a texted reminder and a stored one
# can never disagree on a value.
ReminderKind = What  # medication: daily times; appointment: one date-time, reminded a lead time before
ReminderChannel = By


class Reminder(Base):
    """A reminder staff (or linked family) set up for a senior."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(5))
    times: Mapped[str] = mapped_column(String(60), default="")  # medication: "08:00,20:00" on the centre's clock
    appointment_at: Mapped[datetime | None] = mapped_column(default=None)  # appointment (UTC)
    lead_minutes: Mapped[int] = mapped_column(default=0)  # appointment: how long before it to remind
    locale: Mapped[str] = mapped_column(String(5))
    team: Mapped[str] = mapped_column(String(60))  # who gets the urgent task when nobody acknowledges
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")  # why removed, by whom
    senior: Mapped[Senior] = relationship()


class ReminderRound(Base):
    """One time a reminder is due: the calls or texts sent, where it stands on the ladder (outreach.ladder)."""

    __tablename__ = "reminder_rounds"
    __table_args__ = (UniqueConstraint("reminder_id", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id"))
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"), index=True)
    due_at: Mapped[datetime] = mapped_column()  # the moment the reminder is for (UTC)
    status: Mapped[str] = mapped_column(String(10))  # outreach.ladder.Status
    calls: Mapped[int] = mapped_column(default=1)  # calls placed or texts sent to the senior
    # SMS: no reply by then counts as not reached; FAMILY: staff take over after it.
    wait_until: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reminder: Mapped[Reminder] = relationship()
