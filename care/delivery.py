"""Outbox delivery: claim due messages, send each once through the SMS port, record the outcome, back off on failure.

Exactly-once, as far as it can be had with a provider that has no idempotency key:
- a row is claimed with a compare-and-set on (status, attempts), so two workers never send the same row;
- the claim is a lease (`claimed_until`); a row still SENDING after its lease belongs to a worker that died;
- such a row is never re-sent blindly. A worker can die after the provider accepted the message (its 201
  was on the wire) but before we committed SENT. So before sending a stale row again we ask the provider
  (`SentLookup.count_sent`) how many messages with this To and Body it accepted since the row was created,
  and compare with how many of our rows with the same To and Body are already marked SENT in that window.
  More at the provider than in our books means this row went: mark it SENT without sending.
  To + Body + time is what Twilio's Messages list returns and filters on (To, From, DateSent), so this works
  against the real API; bodies carry the request reference and the new status, so two different events
  rarely share a body, and when they do the counting keeps them apart.
- a send that timed out waiting for the provider's answer is the same unknown outcome (the message may have
  been accepted, its 201 lost or late): the row stays SENDING with its lease ending at the retry time, so the
  next pass asks the provider before sending, exactly as for a worker that died.
- a row that reaches FAILED alerts the admins by text (notices.delivery_failed), so a person can reach the
  recipient another way; an alert that itself fails does not alert again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from care.db import Database
from care.models import Notification, NotificationStatus, utcnow
from care.notices import delivery_failed
from care.outbox import is_opted_out
from care.ports import SendFailed, SmsSender
from care.settings import Settings

log = logging.getLogger(__name__)


class SentLookup(Protocol):
    def count_sent(self, to: str, body: str, since: datetime) -> int:
        """How many messages with this To and Body the provider accepted since `since` (UTC, naive)."""
        ...


class ProviderUnreachable(RuntimeError):
    """The provider could not be asked whether a message already went; try again later."""


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry and lease timings of the outbox."""

    # The defaults and their reasons are the settings' (care.settings, outbox_*).
    retry_base_seconds: float = Settings.outbox_retry_base_seconds
    retry_cap_seconds: float = Settings.outbox_retry_cap_seconds
    max_attempts: int = Settings.outbox_max_attempts
    lease_seconds: float = Settings.outbox_lease_seconds
    # A batch can outlast a lease when Twilio is slow, so a claim close to running out is renewed before its send.
    renew_margin_seconds: float = 30.0
    batch_size: int = Settings.outbox_batch_size

    def backoff(self, attempts: int) -> timedelta:
        """Wait before attempt number `attempts + 1`."""
        seconds = min(self.retry_cap_seconds, self.retry_base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        """The policy the settings give (outbox_retry_base_seconds ...)."""
        return cls(
            retry_base_seconds=settings.outbox_retry_base_seconds,
            retry_cap_seconds=settings.outbox_retry_cap_seconds,
            max_attempts=settings.outbox_max_attempts,
            lease_seconds=settings.outbox_lease_seconds,
            batch_size=settings.outbox_batch_size,
        )


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    already_sent: int = 0  # stale claims the provider says went: marked SENT, not sent again
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    next_due: datetime | None = None  # earliest pending retry, so the queue can schedule a wake-up

    @property
    def handled(self) -> int:
        return self.sent + self.already_sent + self.retrying + self.failed + self.suppressed


@dataclass(frozen=True)
class _Claim:
    id: int
    to_phone: str
    body: str
    attempts: int  # after the claim
    created_at: datetime
    stale: bool  # a previous worker's claim ran out: the message may already have gone
    claimed_until: datetime


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == NotificationStatus.PENDING, Notification.next_attempt_at <= now),
        and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_until < now),
    )


def claim_due(db: Database, policy: DeliveryPolicy, now: datetime) -> list[_Claim]:
    """Claim up to a batch of due rows; each claim is a compare-and-set, so concurrent workers split the work."""
    claims: list[_Claim] = []
    with db.transaction() as session:
        candidates = session.execute(
            select(
                Notification.id,
                Notification.status,
                Notification.attempts,
                Notification.to_phone,
                Notification.body,
                Notification.created_at,
            )
            .where(_due(now))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(policy.batch_size)
        ).all()
    # All compare-and-set updates in one transaction: one commit for the batch instead of one per row.
    with db.transaction() as session:
        for row in candidates:
            result = session.execute(
                update(Notification)
                .where(
                    Notification.id == row.id,
                    Notification.status == row.status,
                    Notification.attempts == row.attempts,
                )
                .values(
                    status=NotificationStatus.SENDING,
                    attempts=row.attempts + 1,
                    claimed_until=now + timedelta(seconds=policy.lease_seconds),
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claims.append(
                    _Claim(
                        id=row.id,
                        to_phone=row.to_phone,
                        body=row.body,
                        attempts=row.attempts + 1,
                        created_at=row.created_at,
                        stale=row.status == NotificationStatus.SENDING,
                        claimed_until=now + timedelta(seconds=policy.lease_seconds),
                    )
                )
    return claims


def _still_ours(db: Database, claim: _Claim, policy: DeliveryPolicy, now: datetime) -> bool:
    """Renew a claim that is close to running out (compare-and-set); False when another worker took it over."""
    margin = timedelta(seconds=min(policy.renew_margin_seconds, policy.lease_seconds / 2))
    if now < claim.claimed_until - margin:
        return True
    with db.transaction() as session:
        result = session.execute(
            update(Notification)
            .where(
                Notification.id == claim.id,
                Notification.attempts == claim.attempts,
                Notification.status == NotificationStatus.SENDING,
            )
            .values(claimed_until=now + timedelta(seconds=policy.lease_seconds))
            .execution_options(synchronize_session=False)
        )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _sent_in_books(db: Database, claim: _Claim) -> int:
    with db.sessions() as session:
        return int(
            session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.to_phone == claim.to_phone,
                    Notification.body == claim.body,
                    Notification.status == NotificationStatus.SENT,
                    Notification.id != claim.id,
                    Notification.created_at >= claim.created_at - timedelta(minutes=1),
                )
            )
            or 0
        )


def _finish(db: Database, claim: _Claim, **values: object) -> None:
    with db.transaction() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == claim.id, Notification.attempts == claim.attempts)
            .values(**{"claimed_until": None, **values})
            .execution_options(synchronize_session=False)
        )


def _fail(db: Database, claim: _Claim, error: str) -> None:
    """Mark the row FAILED and, in the same transaction, queue the alert that tells the admins."""
    with db.transaction() as session:
        done = session.execute(
            update(Notification)
            .where(Notification.id == claim.id, Notification.attempts == claim.attempts)
            .values(status=NotificationStatus.FAILED, claimed_until=None, last_error=error)
            .execution_options(synchronize_session=False)
        )
        row = session.get(Notification, claim.id)
        if done.rowcount == 1 and row is not None:  # type: ignore[attr-defined]
            log.error("notification %s to %s failed for good: %s", claim.id, claim.to_phone, error)
            delivery_failed(session, row)


def deliver_due(
    db: Database,
    sender: SmsSender,
    lookup: SentLookup | None,
    policy: DeliveryPolicy | None = None,
    *,
    now: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """One pass: claim what is due, send it, record SENT / retry with backoff / FAILED / SUPPRESSED."""
    policy = policy or DeliveryPolicy()
    counts = {"sent": 0, "already_sent": 0, "retrying": 0, "failed": 0, "suppressed": 0}
    next_due: datetime | None = None
    for claim in claim_due(db, policy, now()):
        if not _still_ours(db, claim, policy, now()):
            continue  # our lease ran out mid-batch and another worker took the row over: it is theirs now
        with db.sessions() as session:
            opted_out = is_opted_out(session, claim.to_phone)
        if opted_out:
            # They texted STOP after this was queued: Twilio would refuse it (21610), and we must not try.
            _finish(db, claim, status=NotificationStatus.SUPPRESSED, last_error="recipient opted out")
            counts["suppressed"] += 1
            continue
        if claim.stale:
            if lookup is None:
                # Nobody to ask: never risk a double send; staff see it and decide.
                _fail(db, claim, "claim expired; cannot verify")
                counts["failed"] += 1
                continue
            try:
                at_provider = lookup.count_sent(claim.to_phone, claim.body, claim.created_at - timedelta(minutes=1))
            except ProviderUnreachable as exc:
                retry_at = now() + policy.backoff(claim.attempts)
                # Not PENDING: only a check may clear it for sending. It stays SENDING with a lease that runs
                # out at the retry time, so the next pass asks the provider again.
                _finish(db, claim, status=NotificationStatus.SENDING, claimed_until=retry_at, last_error=str(exc))
                counts["retrying"] += 1
                next_due = min(next_due, retry_at) if next_due else retry_at
                continue
            if at_provider > _sent_in_books(db, claim):
                log.info("notification %s already reached the provider before its worker stopped", claim.id)
                _finish(db, claim, status=NotificationStatus.SENT, sent_at=now(), last_error="")
                counts["already_sent"] += 1
                continue
        try:
            sid = sender.send(claim.to_phone, claim.body)
        except SendFailed as exc:
            if exc.outcome_unknown:
                # Maybe sent: leave it SENDING with the lease ending at the retry time, so the next pass asks the
                # provider (the stale-claim path above) before anything is sent again.
                retry_at = now() + policy.backoff(claim.attempts)
                _finish(db, claim, status=NotificationStatus.SENDING, claimed_until=retry_at, last_error=str(exc))
                counts["retrying"] += 1
                next_due = min(next_due, retry_at) if next_due else retry_at
            elif exc.transient and claim.attempts < policy.max_attempts:
                retry_at = now() + policy.backoff(claim.attempts)
                _finish(db, claim, status=NotificationStatus.PENDING, next_attempt_at=retry_at, last_error=str(exc))
                counts["retrying"] += 1
                next_due = min(next_due, retry_at) if next_due else retry_at
            else:
                _fail(db, claim, str(exc))
                counts["failed"] += 1
            continue
        _finish(db, claim, status=NotificationStatus.SENT, provider_sid=sid, sent_at=now(), last_error="")
        counts["sent"] += 1
    upcoming = next_due_at(db, now())
    if upcoming is not None:
        next_due = min(next_due, upcoming) if next_due else upcoming
    return DeliveryReport(**counts, next_due=next_due)


def next_due_at(db: Database, now: datetime) -> datetime | None:
    """When the next row falls due: a pending (re)try, or the end of a claim held by a worker that may have died.

    A row already due (it fell due while this pass was sending, or the batch was full) gives `now`, so the
    queue runs another pass at once instead of leaving it for the periodic sweep.
    """
    with db.sessions() as session:
        retry = session.scalar(
            select(func.min(Notification.next_attempt_at)).where(Notification.status == NotificationStatus.PENDING)
        )
        lease = session.scalar(
            select(func.min(Notification.claimed_until)).where(Notification.status == NotificationStatus.SENDING)
        )
    # A lease is due just after it runs out (claimed_until < now is what counts as due).
    found = [at for at in (retry, lease + timedelta(milliseconds=50) if lease else None) if at is not None]
    return max(min(found), now) if found else None


def pending_count(db: Database) -> int:
    """Rows still to go (pending, or being sent)."""
    with db.sessions() as session:
        return int(
            session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.SENDING])
                )
            )
            or 0
        )
