"""Stored tables of the prompts part: staff recordings with versions, the chosen version, its history, calls."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from care.db import Base
from care.models import utcnow


class RecordingState(StrEnum):
    DRAFT = "draft"  # recorded by phone, not yet kept (the staff member is listening back)
    APPROVED = "approved"  # kept; may be the live version or an older one to roll back to
    DISCARDED = "discarded"  # redone or abandoned; the file stays until cleanup


class RecordingSource(StrEnum):
    PHONE = "phone"
    UPLOAD = "upload"


class PromptRecording(Base):
    """One version of a staff recording of one prompt in one locale; rows and files are never changed."""

    __tablename__ = "prompt_recordings"
    __table_args__ = (UniqueConstraint("key", "locale", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    locale: Mapped[str] = mapped_column(String(5))
    version: Mapped[int]
    state: Mapped[str] = mapped_column(String(10), default=RecordingState.DRAFT)
    audio_id: Mapped[str] = mapped_column(String(64))  # sha256 of the WAV bytes; the file's name
    text: Mapped[str] = mapped_column(Text)  # the catalog text the staff member read
    seconds: Mapped[float]
    source: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromptChoice(Base):
    """Which approved version callers hear for (key, locale); no row means synthesis."""

    __tablename__ = "prompt_choices"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("prompt_recordings.id"))
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromptEvent(Base):
    """Append-only history of every change to what callers hear: who, when, which version."""

    __tablename__ = "prompt_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    locale: Mapped[str] = mapped_column(String(5))
    action: Mapped[str] = mapped_column(String(20))  # recorded, approved, discarded, rolled_back
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("prompt_recordings.id"), default=None)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffLineCall(Base):
    """State of one call to the staff recording line, by CallSid (any worker can take the next turn)."""

    __tablename__ = "staff_line_calls"
    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_phone: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"), default=None)
    claimed_staff_id: Mapped[int | None] = mapped_column(default=None)  # the staff number typed, before the PIN
    pin_failures: Mapped[int] = mapped_column(default=0)
    locale: Mapped[str | None] = mapped_column(String(5), default=None)
    prompt_key: Mapped[str | None] = mapped_column(String(120), default=None)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("prompt_recordings.id"), default=None)
    # The RecordingUrl the draft came from: Twilio may deliver the same webhook twice, and the second
    # delivery must replay the draft, not fail to download a recording we already deleted.
    last_recording_url: Mapped[str | None] = mapped_column(String(300), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
