"""The notifications outbox: messages are written in the caller's transaction and sent later by a worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from care.models import Notification, NotificationStatus, SmsOptOut, utcnow
from care.segments import fit


@dataclass(frozen=True)
class Message:
    """One message to one phone, with the key that makes it unique (event + recipient)."""

    event_key: str
    to_phone: str
    body: str
    kind: str
    request_id: int | None = None
    hold: timedelta = timedelta(0)  # sent no earlier than this after queueing (a later notice may replace it)


def is_opted_out(session: Session, phone: str) -> bool:
    row = session.get(SmsOptOut, phone)
    return bool(row and row.opted_out)


def enqueue(session: Session, message: Message) -> Notification | None:
    """Add a message to the outbox unless the same event already produced it; returns the row if new."""
    key = f"{message.event_key}:{message.to_phone}"
    existing = session.scalar(select(Notification).where(Notification.event_key == key))
    if existing is not None:
        return None
    # A number that texted STOP is never contacted (Twilio would block it anyway): keep the row, suppressed,
    # so staff can see that the message was not sent and why.
    status = NotificationStatus.SUPPRESSED if is_opted_out(session, message.to_phone) else NotificationStatus.PENDING
    row = Notification(
        event_key=key,
        to_phone=message.to_phone,
        # Like every reply, never more than three segments (a staff alert quotes up to 200 characters).
        body=fit(message.body),
        kind=message.kind,
        request_id=message.request_id,
        status=status,
        next_attempt_at=utcnow() + message.hold,
    )
    session.add(row)
    session.info["outbox_added"] = True
    return row


def supersede_pending(session: Session, *, request_id: int, to_phone: str, kinds: frozenset[str]) -> int:
    """Mark notices of these kinds about a request, not yet tried, as replaced by a newer one; return how many."""
    rows = session.scalars(
        select(Notification).where(
            Notification.request_id == request_id,
            Notification.to_phone == to_phone,
            Notification.kind.in_(kinds),
            Notification.status == NotificationStatus.PENDING,
            Notification.attempts == 0,
        )
    )
    replaced = 0
    for row in rows:
        row.status = NotificationStatus.SUPERSEDED
        replaced += 1
    return replaced


def on_commit_with_new_messages(sessions: object, wake: Callable[[], None]) -> None:
    """Call `wake` after any commit that added outbox rows (the job queue then delivers them at once)."""

    @event.listens_for(sessions, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop("outbox_added", False):
            wake()

    @event.listens_for(sessions, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop("outbox_added", None)
