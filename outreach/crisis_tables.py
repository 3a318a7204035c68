"""Stored crisis broadcasts: what staff asked (message, group) and each senior's place on the live board."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from care.db import Base
from care.models import utcnow


class BroadcastStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # queued calls withdrawn; calls already ringing run their course
    FINISHED = "finished"  # everyone is safe, needs help or unreachable


class MemberState(StrEnum):
    """Where one senior of a broadcast stands (the board's columns, with `reached` beside them)."""

    WAITING = "waiting"  # not reached yet: a call is queued, ringing, or waits for the next try
    SAFE = "safe"
    HELP = "help"  # pressed 2, said no, asked for a person or the emergency line: an urgent request
    UNREACHABLE = "unreachable"  # no safe/help answer after the tries: an urgent request


class Broadcast(Base):
    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(Text)  # typed; with a recording, what staff wrote it says (may be "")
    # A message staff recorded or uploaded (prompts.audio: a token URL Twilio <Play>s); "" when typed only.
    audio_url: Mapped[str] = mapped_column(Text, default="", server_default="")
    area: Mapped[str] = mapped_column(String(60), default="")
    team: Mapped[str] = mapped_column(String(60), default="")
    tags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated care.tags.Tag values
    status: Mapped[str] = mapped_column(String(10), default=BroadcastStatus.RUNNING)
    # Bumped on every resume: new attempt keys, since the canceled ones stay canceled (outreach.attempts.cancel).
    round: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BroadcastMember(Base):
    __tablename__ = "broadcast_members"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "senior_id"),
        Index("ix_broadcast_members_state", "broadcast_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"))
    phone: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5))
    risk: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(12), default=MemberState.WAITING)
    reached: Mapped[bool] = mapped_column(default=False)  # a person answered one of the calls
    tries: Mapped[int] = mapped_column(default=0)  # calls that ended (canceled ones do not count)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
