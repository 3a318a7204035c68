"""Stored tables of check-ins: each senior's plan (with their consent) and each day's round on the ladder."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from care.db import Base
from care.models import Senior, utcnow


class PlanStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"  # kept, with its history, but never called again


class ConsentHow(StrEnum):
    """How the senior agreed to be called (a record of consent says how it was given, not only that it was)."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    WRITTEN = "written"
    REPRESENTATIVE = "representative"  # a legal representative agreed for them


class CheckinPlan(Base):
    """A senior on daily check-in calls: which days, a window on the centre's clock, and their consent."""

    __tablename__ = "checkin_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"), unique=True)
    days: Mapped[str] = mapped_column(String(20))  # "0,1,2,3,4,5,6", Monday is 0
    window_start: Mapped[time] = mapped_column(Time)
    window_end: Mapped[time] = mapped_column(Time)
    locale: Mapped[str] = mapped_column(String(5))
    team: Mapped[str] = mapped_column(String(60))  # who gets the urgent task when nobody can be reached
    call_on_holidays: Mapped[bool] = mapped_column(default=False)
    weekly_summary: Mapped[bool] = mapped_column(default=False)  # the senior agreed the family gets a weekly text
    consent_by: Mapped[str] = mapped_column(String(120))
    consent_how: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.ACTIVE)
    status_note: Mapped[str] = mapped_column(Text, default="")  # why paused or removed, by whom
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    senior: Mapped[Senior] = relationship()

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.days.split(",") if d)


class CheckinRound(Base):
    """One day's check-in of one plan: the calls placed, where it stands on the ladder, and the answer."""

    __tablename__ = "checkin_rounds"
    __table_args__ = (
        UniqueConstraint("plan_id", "day"),
        Index("ix_checkin_rounds_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("checkin_plans.id"))
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"), index=True)
    day: Mapped[date] = mapped_column(Date)  # the centre's calendar day
    due_at: Mapped[datetime] = mapped_column()  # the next call to place (UTC), while status is "due"
    status: Mapped[str] = mapped_column(String(10))  # outreach.rounds.RoundStatus
    calls: Mapped[int] = mapped_column(default=0)  # calls placed to the senior
    wait_until: Mapped[datetime | None] = mapped_column(default=None)  # family asked: staff take over after
    answer: Mapped[str | None] = mapped_column(String(12), default=None)  # outreach.trends.Answer
    # The request that carries this round's ladder in its history (made at the first missed call).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    plan: Mapped[CheckinPlan] = relationship()
