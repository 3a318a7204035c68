"""Partner webhooks: request events written to the partners' outbox in the event's transaction, then sent signed.

Signing (documented in the README): each attempt carries
  X-Hearthline-Timestamp: seconds since the epoch when the attempt was made
  X-Hearthline-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
  X-Hearthline-Event: request.created | request.status | request.note | ...
  X-Hearthline-Delivery: the event's id, the same on every retry, so a receiver that keeps ids never acts twice.
Delivery keeps the SMS outbox's discipline (care.delivery): a row is claimed by compare-and-set with a lease,
so two workers never send it; a partner that is down or answers anything but 2xx is retried with exponential
backoff until it answers; an answer we never saw (a timeout) is retried with the same delivery id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from care.db import Database
from care.delivery import DeliveryPolicy
from care.models import RequestEvent, utcnow
from care.settings import Settings
from opendata.keys import Grant, parse_scopes
from opendata.models import PartnerDelivery, PartnerSubscription
from opendata.open311 import iso, listed, view

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Hearthline-Timestamp"
SIGNATURE_HEADER = "X-Hearthline-Signature"
EVENT_HEADER = "X-Hearthline-Event"
DELIVERY_HEADER = "X-Hearthline-Delivery"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
SESSION_ZONE = "opendata_zone"  # Session.info key: the centre's time zone, for times in the payloads
SESSION_WOKEN = "opendata_partner_rows"
# 32 random bytes, as for API keys (opendata.keys).
SECRET_BYTES = 32


class PartnerError(ValueError):
    """A subscription cannot be created or changed as asked."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for one attempt."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance: float = 300) -> bool:
    """What a receiver does (and our tests): the signature matches and the timestamp is recent (no replays)."""
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- subscriptions ------------------------------------------------------------------------------------------
def subscribe(session: Session, *, name: str, url: str, scopes: str = "") -> tuple[PartnerSubscription, str]:
    """Add a partner; returns the row and the signing secret (shown once to the admin, kept to sign)."""
    label = " ".join(name.split())
    parts = urlsplit(url.strip())
    if not label or len(label) > 80:
        raise PartnerError("a partner needs a name of 1-80 characters")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PartnerError("the URL must be an http(s):// address")
    if session.scalar(select(PartnerSubscription.id).where(PartnerSubscription.name == label)) is not None:
        raise PartnerError(f"a partner named {label!r} exists already")
    try:
        chosen = parse_scopes(scopes)
    except ValueError as exc:
        raise PartnerError(str(exc)) from None
    secret = secrets.token_hex(SECRET_BYTES)
    row = PartnerSubscription(
        name=label, url=url.strip(), secret=secret, scopes=" ".join(sorted(s.value for s in chosen))
    )
    session.add(row)
    session.flush()
    return row, secret


def unsubscribe(session: Session, name: str) -> PartnerSubscription:
    row = session.scalar(select(PartnerSubscription).where(PartnerSubscription.name == name.strip()))
    if row is None:
        raise PartnerError(f"no partner named {name!r}")
    row.active = False
    return row


# --- the partners' outbox -------------------------------------------------------------------------------------
def _payload(session: Session, entry: RequestEvent, grant: Grant, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": entry.hash,
        "type": f"request.{entry.kind}",
        "occurred_at": iso(entry.at, zone),
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "request": view(listed(session, entry.request_id), grant=grant, zone=zone, locale="en"),
    }


SESSION_PENDING = "hearthline.partner_events"


def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note the new history entries (care has chained them: their hashes are their ids) for the commit to queue.

    The payloads are built just before the commit, not here: a request's created entry is flushed before what its
    channel stores beside it (an Open311 POST's name and address), and the partner must see the request whole.
    """
    entries = [obj for obj in session.new if isinstance(obj, RequestEvent) and obj.hash]
    if entries:
        session.info.setdefault(SESSION_PENDING, []).extend(entries)


def _before_commit(session: Session) -> None:
    """Queue one delivery per partner for every history entry of this transaction (same transaction, so no loss)."""
    entries: list[RequestEvent] = session.info.pop(SESSION_PENDING, [])
    if not entries:
        return
    session.flush()  # everything the transaction wrote is visible to the payloads' reads
    with session.no_autoflush:
        partners = list(session.scalars(select(PartnerSubscription).where(PartnerSubscription.active)))
        if not partners:
            return
        zone = ZoneInfo(session.info.get(SESSION_ZONE, "UTC"))
        for partner in partners:
            grant = Grant(key_id=None, name=partner.name, scopes=parse_scopes(partner.scopes))
            for entry in entries:
                body = json.dumps(_payload(session, entry, grant, zone), ensure_ascii=False, separators=(",", ":"))
                session.add(
                    PartnerDelivery(
                        event_key=f"{partner.id}:{entry.hash}",
                        subscription_id=partner.id,
                        request_id=entry.request_id,
                        event_type=f"request.{entry.kind}",
                        body=body,
                    )
                )
        session.info[SESSION_WOKEN] = True


def install(sessions: object, wake: Callable[[], None]) -> None:
    """Note each flush's history entries, queue them at commit, wake the worker after a commit that queued."""
    if not event.contains(Session, "before_flush", _on_flush):
        event.listen(Session, "before_flush", _on_flush)
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)

    @event.listens_for(sessions, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(SESSION_WOKEN, False):
            wake()

    @event.listens_for(sessions, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(SESSION_WOKEN, None)
        session.info.pop(SESSION_PENDING, None)


# --- delivery -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    """Retry, lease and timeout of partner deliveries (the settings' webhook_* values)."""

    base_seconds: float = Settings.webhook_retry_base_seconds
    cap_seconds: float = Settings.webhook_retry_cap_seconds
    max_attempts: int = Settings.webhook_max_attempts
    timeout_seconds: float = Settings.webhook_timeout_seconds
    batch_size: int = 50

    @property
    def lease(self) -> timedelta:
        # Longer than one send can take, so a live worker's claim never runs out under it.
        return timedelta(seconds=self.timeout_seconds * 3 + 5)

    def backoff(self, attempts: int) -> timedelta:
        """The SMS outbox's exponential backoff (care.delivery), on the webhook settings' base and cap."""
        return DeliveryPolicy(retry_base_seconds=self.base_seconds, retry_cap_seconds=self.cap_seconds).backoff(
            attempts
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            settings.webhook_retry_base_seconds,
            settings.webhook_retry_cap_seconds,
            settings.webhook_max_attempts,
            settings.webhook_timeout_seconds,
        )


@dataclass(frozen=True)
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Claim:
    id: int
    attempts: int
    url: str
    secret: str
    event_type: str
    delivery_id: str
    body: str


def _claim(db: Database, policy: Policy, now: datetime) -> list[_Claim]:
    due = or_(
        and_(PartnerDelivery.status == PENDING, PartnerDelivery.next_attempt_at <= now),
        and_(PartnerDelivery.status == SENDING, PartnerDelivery.claimed_until < now),
    )
    with db.transaction() as session:
        rows = session.execute(
            select(
                PartnerDelivery.id,
                PartnerDelivery.status,
                PartnerDelivery.attempts,
                PartnerDelivery.event_key,
                PartnerDelivery.event_type,
                PartnerDelivery.body,
                PartnerSubscription.url,
                PartnerSubscription.secret,
            )
            .join(PartnerSubscription, PartnerSubscription.id == PartnerDelivery.subscription_id)
            .where(due, PartnerSubscription.active)
            .order_by(PartnerDelivery.id)
            .limit(policy.batch_size)
        ).all()
    claims = []
    with db.transaction() as session:
        for row in rows:
            done = session.execute(
                update(PartnerDelivery)
                .where(
                    PartnerDelivery.id == row.id,
                    PartnerDelivery.status == row.status,
                    PartnerDelivery.attempts == row.attempts,
                )
                .values(status=SENDING, attempts=row.attempts + 1, claimed_until=now + policy.lease)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount == 1:  # type: ignore[attr-defined]
                claims.append(
                    _Claim(
                        row.id,
                        row.attempts + 1,
                        row.url,
                        row.secret,
                        row.event_type,
                        row.event_key.split(":", 1)[1],
                        row.body,
                    )
                )
    return claims


def _finish(db: Database, claim: _Claim, **values: object) -> None:
    with db.transaction() as session:
        session.execute(
            update(PartnerDelivery)
            .where(PartnerDelivery.id == claim.id, PartnerDelivery.attempts == claim.attempts)
            .values(claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )


def post(claim: _Claim, timeout: float) -> int:
    """One signed attempt; the HTTP status (an exception when nothing came back)."""
    body = claim.body.encode("utf-8")
    timestamp = str(int(time.time()))
    response = requests.post(
        claim.url,
        data=body,
        timeout=timeout,
        allow_redirects=False,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(claim.secret, timestamp, body),
            EVENT_HEADER: claim.event_type,
            DELIVERY_HEADER: claim.delivery_id,
        },
    )
    return response.status_code


def deliver_due(db: Database, policy: Policy, *, now: Callable[[], datetime] = utcnow) -> Report:
    """One pass over the partners' outbox: claim what is due, send, record sent / retry with backoff / failed."""
    sent = retrying = failed = 0
    for claim in _claim(db, policy, now()):
        try:
            status = post(claim, policy.timeout_seconds)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        if not error:
            _finish(db, claim, status=SENT, sent_at=now(), last_error="")
            sent += 1
        elif claim.attempts >= policy.max_attempts:
            log.error("partner delivery %s failed for good: %s", claim.id, error)
            _finish(db, claim, status=FAILED, last_error=error)
            failed += 1
        else:
            _finish(db, claim, status=PENDING, next_attempt_at=now() + policy.backoff(claim.attempts), last_error=error)
            retrying += 1
    return Report(sent, retrying, failed)
