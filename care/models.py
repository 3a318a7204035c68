"""Stored tables: people, links, service requests with their append-only history, the outbox, call state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from care.chain import GENESIS, event_digest
from care.db import Base
from care.states import Channel, InboxKind, InboxStatus, NotificationStatus, RequesterKind, RequestStatus, StaffRole

__all__ = ["Channel", "InboxKind", "InboxStatus", "NotificationStatus", "RequestStatus", "RequesterKind", "StaffRole"]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Senior(Base):
    __tablename__ = "seniors"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    address: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(60), default="")
    # The team that looks after the senior (care.routing.TEAMS; "" for none): crisis broadcasts pick by it.
    team: Mapped[str] = mapped_column(String(60), default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Nobody else at home notices if things get worse: raises every request of theirs (care.urgency).
    lives_alone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    links: Mapped[list[FamilyLink]] = relationship(back_populates="senior")


class SeniorTag(Base):
    """A tag staff put on a senior (care.tags.Tag: "lives alone", "uses oxygen"); crisis calls pick and order by it."""

    __tablename__ = "senior_tags"
    __table_args__ = (UniqueConstraint("senior_id", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"), index=True)
    tag: Mapped[str] = mapped_column(String(30))


class FamilyMember(Base):
    __tablename__ = "family_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    links: Mapped[list[FamilyLink]] = relationship(back_populates="family_member")


class FamilyLink(Base):
    """A family member may act for a senior; the senior's consent is recorded (who gave it, when)."""

    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("senior_id", "family_member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    senior_id: Mapped[int] = mapped_column(ForeignKey("seniors.id"))
    family_member_id: Mapped[int] = mapped_column(ForeignKey("family_members.id"))
    relationship_label: Mapped[str] = mapped_column(String(60), default="")  # "daughter", "son"
    consent_given_by: Mapped[str] = mapped_column(String(120))
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)
    senior: Mapped[Senior] = relationship(back_populates="links")
    family_member: Mapped[FamilyMember] = relationship(back_populates="links")


class StaffMember(Base):
    __tablename__ = "staff_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    role: Mapped[str] = mapped_column(String(10), default=StaffRole.STAFF)
    team: Mapped[str] = mapped_column(String(60), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    pin_hash: Mapped[str] = mapped_column(String(255), default="")
    # Console password failures in a row, and the lock they set; PIN failures on the staff line count apart, so
    # wrong PINs from any caller cannot lock a person out of the console (and the other way round).
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    failed_pins: Mapped[int] = mapped_column(default=0)
    pin_locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # Every console session carries the epoch it was opened in; raising it (logout, password reset) ends them all.
    session_epoch: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    # Open311 and exports read requests by time range, newest first, of every kind or of one (bench open311).
    __table_args__ = (
        Index("ix_requests_status_team", "status", "team"),
        Index("ix_requests_created_at", "created_at"),
        Index("ix_requests_intent_created_at", "intent", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    # Idempotency key from the channel (CallSid + step, MessageSid): a repeated webhook finds this row.
    source_key: Mapped[str] = mapped_column(String(120), unique=True)
    senior_id: Mapped[int | None] = mapped_column(ForeignKey("seniors.id"), default=None)
    requester_phone: Mapped[str] = mapped_column(String(20))
    requester_kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    intent: Mapped[str] = mapped_column(String(30))
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_because: Mapped[str] = mapped_column(String(120), default="")  # care.urgency reason codes, comma-separated
    locale: Mapped[str] = mapped_column(String(5), default="en")
    transcript: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    understood_by: Mapped[str] = mapped_column(String(10), default="")  # speech | keypad | sms | person
    audio_path: Mapped[str | None] = mapped_column(String(255), default=None)
    audio_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.NEW)
    team: Mapped[str] = mapped_column(String(60))
    assignee: Mapped[str | None] = mapped_column(String(60), default=None)
    due_at: Mapped[datetime] = mapped_column()
    rating: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The hash of the newest history entry: a history cut short at its end no longer matches it.
    history_head: Mapped[str | None] = mapped_column(String(64), default=None)
    senior: Mapped[Senior | None] = relationship()
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="save-update"
    )


class RequestEvent(Base):
    """One entry of a request's append-only history: what changed, when, and who did it."""

    __tablename__ = "request_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))  # "caller:+1555…", "staff:alice", "system"
    kind: Mapped[str] = mapped_column(String(20))  # created, status, note, detail, rating, assigned
    from_status: Mapped[str | None] = mapped_column(String(12), default=None)
    to_status: Mapped[str | None] = mapped_column(String(12), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    # Each entry is chained to the one before it (care/chain.py), so an edit or a deletion in the database
    # shows in `flask audit verify`, as it does in a public register.
    prev_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    hash: Mapped[str | None] = mapped_column(String(64), default=None)
    request: Mapped[ServiceRequest] = relationship(back_populates="events")


class HistoryIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a history entry."""


@event.listens_for(Session, "before_flush")
def _refuse_history_rewrites(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, RequestEvent | InboxEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise HistoryIsAppendOnly(f"{obj.__tablename__} entry {obj.id} cannot be changed or deleted")
    _chain_new_events(session)


def _chain_new_events(session: Session) -> None:
    """Give each new history entry its place in its request's hash chain, in the order the entries were added."""
    pending = [obj for obj in session.new if isinstance(obj, RequestEvent)]
    if not pending:
        return
    # The order the code added them in is the order they get their ids (the unit of work inserts by it).
    pending.sort(key=lambda e: inspect(e).insert_order or 0)
    heads: dict[int, str] = {}
    with session.no_autoflush:
        for entry in pending:
            request_id = entry.request_id if entry.request_id is not None else entry.request.id
            entry.request_id = request_id
            if request_id not in heads:
                # Lock the request row (PostgreSQL) so two writers cannot both chain to the same last entry.
                session.execute(select(ServiceRequest.id).where(ServiceRequest.id == request_id).with_for_update())
                last = session.scalar(
                    select(RequestEvent.hash)
                    .where(RequestEvent.request_id == request_id)
                    .order_by(RequestEvent.id.desc())
                    .limit(1)
                )
                heads[request_id] = last or GENESIS
            entry.at = entry.at or utcnow()
            entry.note = entry.note or ""
            entry.prev_hash = heads[request_id]
            entry.hash = event_digest(entry.prev_hash, entry)
            heads[request_id] = entry.hash
        for request_id, head in heads.items():
            request = session.get(ServiceRequest, request_id)
            if request is not None:
                request.history_head = head


class Notification(Base):
    """The outbox: every message the system sends on its own, written in the same transaction as its cause."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # One message per (event, recipient): a replayed event never sends twice.
    event_key: Mapped[str] = mapped_column(String(160), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    kind: Mapped[str] = mapped_column(String(30))
    to_phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    provider_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class SmsOptOut(Base):
    """Numbers that texted STOP (and have not texted START since): we send them nothing."""

    __tablename__ = "sms_opt_outs"
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundMessage(Base):
    """Every SMS received, by MessageSid, so a repeated delivery is answered without acting twice."""

    __tablename__ = "inbound_messages"
    message_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_phone: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxText(Base):
    """A text nobody on file could be served from (a stranger, a relative not yet linked): staff read every one.

    `status` is where it stands (open, request, dismissed); what happened to it, by whom and why, is in its
    append-only history (InboxEvent).
    """

    __tablename__ = "inbox_texts"
    __table_args__ = (Index("ix_inbox_status", "status", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_phone: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="en")  # the language it was answered in
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=InboxStatus.OPEN)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    request: Mapped[ServiceRequest | None] = relationship()
    events: Mapped[list[InboxEvent]] = relationship(order_by="InboxEvent.id", cascade="save-update")


class InboxEvent(Base):
    """One entry of an inbox text's append-only history: received, linked, made a request, dismissed (and why)."""

    __tablename__ = "inbox_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("inbox_texts.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class Conversation(Base):
    """What an SMS sender was last asked (e.g. which senior), so the next text can answer it."""

    __tablename__ = "sms_conversations"
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallState(Base):
    """The dialogue state of one call, keyed by CallSid, so any worker can take the next turn."""

    __tablename__ = "call_states"
    call_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_phone: Mapped[str] = mapped_column(String(20))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    turns: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallTurn(Base):
    """The answer given to one webhook delivery, so a repeated delivery gets the same TwiML and no new work."""

    __tablename__ = "call_turns"
    __table_args__ = (UniqueConstraint("call_sid", "delivery_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    delivery_key: Mapped[str] = mapped_column(String(200))
    twiml: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhoneLine(Base):
    """What staff know about a number's line: whether it can receive texts (None there: the numbering plan's
    guess, care.lines). A landline that the plan cannot tell from a mobile (the US, Canada) is set here."""

    __tablename__ = "phone_lines"
    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    receives_texts: Mapped[bool] = mapped_column()
    set_by: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
