"""The dialer: claims due attempts in risk order, paced to the account's calls a second and a line cap, and
places each call exactly once.

Exactly once, as the outbox sends texts (care.delivery), with a provider that has no idempotency key:
- every claim takes the next start slot under the lock of the one pacing row (outreach.models.DialerPace), so
  any number of workers together keep to `dialer_calls_per_second` and the line cap, and the row it claims
  moves QUEUED -> DIALLING in the same transaction (a compare-and-set: two workers never claim one attempt);
- the claim is a lease. A row still DIALLING after it (its worker died mid-dial), or marked UNKNOWN (the
  request timed out after it may have reached Twilio), is never dialled blindly: Twilio is asked for the
  calls from our number to that number since the claim, and a call whose sid none of our attempts holds is
  this attempt's call (adopted, with its status). Only when Twilio has none is the attempt queued again.
  Status callbacks carry the attempt id too, so a call placed by a worker that died is usually adopted by
  its first callback before the lease even runs out.
- a live call whose final status callback never came is fetched by sid when its lease runs out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care.db import Database
from care.models import utcnow
from care.ports import CallPlacer, DialFailed, FoundCall, LookupFailed, PlaceCall
from care.settings import Settings
from outreach.models import CallAttempt, DialerPace
from outreach.outcomes import advance, locked, run_due_handlers, run_handler
from outreach.states import ON_THE_LINE, AttemptStatus, from_twilio

log = logging.getLogger(__name__)

PACE_ROW = 1
ANSWER_PATH = "/voice/outbound/answer"
STATUS_PATH = "/voice/outbound/status"


@dataclass(frozen=True)
class DialerPolicy:
    """Pacing, caps and timings (the defaults and their reasons are the settings', dialer_*)."""

    calls_per_second: float = Settings.dialer_calls_per_second
    max_concurrent: int = Settings.dialer_max_concurrent_calls
    ring_seconds: int = Settings.dialer_ring_seconds
    time_limit_seconds: int = Settings.dialer_call_time_limit_seconds
    lease_seconds: float = Settings.dialer_lease_seconds
    max_dial_tries: int = Settings.dialer_max_dial_tries
    # A pass waits for a slot at most this long; a later slot is left to a scheduled pass (no job sleeps long).
    horizon_seconds: float = 2.0
    # A pass dials for at most this long, then leaves the rest to the next (scheduled) pass: a 2,000-callee
    # broadcast at 1 call a second must not hold a worker thread for half an hour.
    pass_seconds: float = 10.0
    # An unknown outcome is checked this much later: Twilio has created the call by then, if it ever will.
    unknown_check_seconds: float = 30.0
    # A transient refusal (429, 5xx) is retried this much later, times the tries so far.
    retry_seconds: float = 60.0
    # Stale rows looked at per pass.
    batch_size: int = 50

    @property
    def gap(self) -> timedelta:
        return timedelta(seconds=1.0 / self.calls_per_second)

    @property
    def live_check(self) -> timedelta:
        """When to ask Twilio about a live call whose final callback has not come: after it must have ended."""
        return timedelta(seconds=self.ring_seconds + self.time_limit_seconds + 300)

    @classmethod
    def from_settings(cls, settings: Settings) -> DialerPolicy:
        return cls(
            calls_per_second=settings.dialer_calls_per_second,
            max_concurrent=settings.dialer_max_concurrent_calls,
            ring_seconds=settings.dialer_ring_seconds,
            time_limit_seconds=settings.dialer_call_time_limit_seconds,
            lease_seconds=settings.dialer_lease_seconds,
            max_dial_tries=settings.dialer_max_dial_tries,
        )


@dataclass
class PassReport:
    """What one dialer pass did."""

    dialled: int = 0
    adopted: int = 0  # unknown outcomes Twilio says were placed: recorded, not dialled again
    requeued: int = 0  # unknown outcomes Twilio says were never placed: queued to dial again
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    handled: int = 0
    next_due: datetime | None = None
    held_by: list[str] = field(default_factory=list)  # why the pass stopped: "pace", "lines", "nothing"


@dataclass(frozen=True)
class _Claim:
    id: int
    to: str
    slot: datetime
    dial_tries: int


class Dialer:
    """One pass at a time per worker; several workers may run passes at once."""

    def __init__(
        self,
        db: Database,
        placer: CallPlacer,
        public_base_url: str,
        policy: DialerPolicy | None = None,
        *,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db = db
        self.placer = placer
        self.base = public_base_url.rstrip("/")
        self.policy = policy or DialerPolicy()
        self.now = now
        self.sleep = sleep

    # --- one pass ----------------------------------------------------------------------------------------
    def run_pass(self) -> PassReport:
        """Settle stale claims, then dial what is due until the pace, the line cap or the queue stops it."""
        report = PassReport()
        self.settle_stale(report)
        until = self.now() + timedelta(seconds=self.policy.pass_seconds)
        while self.now() < until:
            claim = self._claim(report)
            if claim is None:
                break
            self._dial(claim, report)
        report.handled += run_due_handlers(self.db)
        report.next_due = self.next_due()
        return report

    # --- claiming ----------------------------------------------------------------------------------------
    def _lock_pace(self, session: Session, now: datetime) -> DialerPace:
        """Take the pacing row's lock for this transaction (a write: PostgreSQL row lock, SQLite write lock)."""
        touched = session.execute(
            update(DialerPace)
            .where(DialerPace.id == PACE_ROW)
            .values(next_slot_at=DialerPace.next_slot_at)
            .execution_options(synchronize_session=False)
        )
        if touched.rowcount == 0:  # type: ignore[attr-defined]
            session.add(DialerPace(id=PACE_ROW, next_slot_at=now))
            session.flush()  # two first-ever claims at once: one gets IntegrityError and tries again
        pace = session.get(DialerPace, PACE_ROW, populate_existing=True)
        assert pace is not None
        return pace

    def _claim(self, report: PassReport) -> _Claim | None:
        for _ in range(3):
            try:
                return self._claim_once(report)
            except IntegrityError:
                continue
        return None

    def _claim_once(self, report: PassReport) -> _Claim | None:
        now = self.now()
        with self.db.transaction() as session:
            pace = self._lock_pace(session, now)
            on_line = session.scalar(
                select(func.count(CallAttempt.id)).where(CallAttempt.status.in_([s.value for s in ON_THE_LINE]))
            )
            if (on_line or 0) >= self.policy.max_concurrent:
                report.held_by.append("lines")
                return None
            slot = max(now, pace.next_slot_at)
            if slot > now + timedelta(seconds=self.policy.horizon_seconds):
                report.held_by.append("pace")
                return None
            row = session.execute(
                select(CallAttempt.id, CallAttempt.to_phone, CallAttempt.dial_tries)
                .where(CallAttempt.status == AttemptStatus.QUEUED, CallAttempt.not_before <= slot)
                .order_by(CallAttempt.priority.desc(), CallAttempt.not_before, CallAttempt.id)
                .limit(1)
            ).first()
            if row is None:
                report.held_by.append("nothing")
                return None
            claimed = session.execute(
                update(CallAttempt)
                .where(CallAttempt.id == row.id, CallAttempt.status == AttemptStatus.QUEUED)
                .values(
                    status=AttemptStatus.DIALLING,
                    claimed_until=slot + timedelta(seconds=self.policy.lease_seconds),
                    dialled_at=slot,
                    dial_tries=row.dial_tries + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            pace.next_slot_at = slot + self.policy.gap
            return _Claim(row.id, row.to_phone, slot, row.dial_tries + 1)

    # --- dialling ----------------------------------------------------------------------------------------
    def _place(self, claim: _Claim) -> PlaceCall:
        return PlaceCall(
            to=claim.to,
            answer_url=f"{self.base}{ANSWER_PATH}?attempt={claim.id}",
            status_url=f"{self.base}{STATUS_PATH}?attempt={claim.id}",
            ring_seconds=self.policy.ring_seconds,
            time_limit_seconds=self.policy.time_limit_seconds,
        )

    def _dial(self, claim: _Claim, report: PassReport) -> None:
        wait = (claim.slot - self.now()).total_seconds()
        if wait > 0:
            self.sleep(wait)
        try:
            sid = self.placer.place(self._place(claim))
        except DialFailed as exc:
            self._dial_failed(claim, exc, report)
            return
        now = self.now()
        with self.db.transaction() as session:
            row = locked(session, claim.id)
            if row is None:
                return
            if row.call_sid is None:
                row.call_sid = sid
            elif row.call_sid != sid:
                log.error("attempt %s: placed call %s but %s is on record", claim.id, sid, row.call_sid)
            if AttemptStatus(row.status) in ON_THE_LINE:
                row.claimed_until = now + self.policy.live_check
        report.dialled += 1

    def _dial_failed(self, claim: _Claim, exc: DialFailed, report: PassReport) -> None:
        now = self.now()
        final = False
        with self.db.transaction() as session:
            row = locked(session, claim.id)
            if row is None or row.status != AttemptStatus.DIALLING:
                return  # a callback already moved it (the call went after all)
            row.error = str(exc)
            if exc.outcome_unknown:
                # Maybe placed: only a check with Twilio may clear it for dialling again.
                row.status = AttemptStatus.UNKNOWN
                row.claimed_until = now + timedelta(seconds=self.policy.unknown_check_seconds)
                report.unknown += 1
            elif exc.transient and claim.dial_tries < self.policy.max_dial_tries:
                row.status = AttemptStatus.QUEUED
                row.claimed_until = None
                row.not_before = now + timedelta(seconds=self.policy.retry_seconds * claim.dial_tries)
                report.retrying += 1
            else:
                final = advance(session, row, AttemptStatus.FAILED, now=now, error=str(exc))
                report.failed += 1
        if final:
            self._handle(claim.id)

    def _handle(self, attempt_id: int) -> None:
        try:
            run_handler(self.db, attempt_id, self.now())
        except Exception:  # the sweep runs it again; the dialer carries on
            log.exception("outcome handler failed for attempt %s", attempt_id)

    # --- stale claims and silent calls -----------------------------------------------------------------------
    def settle_stale(self, report: PassReport) -> None:
        """Attempts whose claim ran out: an unknown dial outcome, or a live call we heard nothing final about."""
        now = self.now()
        with self.db.sessions() as session:
            stale = session.execute(
                select(CallAttempt.id, CallAttempt.status, CallAttempt.claimed_until)
                .where(
                    CallAttempt.status.in_([s.value for s in ON_THE_LINE]),
                    CallAttempt.claimed_until < now,
                )
                .order_by(CallAttempt.claimed_until)
                .limit(self.policy.batch_size)
            ).all()
        for stale_row in stale:
            # Take the stale row over (compare-and-set), so two workers never ask about it at once.
            with self.db.transaction() as session:
                taken = session.execute(
                    update(CallAttempt)
                    .where(
                        CallAttempt.id == stale_row.id,
                        CallAttempt.status == stale_row.status,
                        CallAttempt.claimed_until == stale_row.claimed_until,
                    )
                    .values(claimed_until=now + timedelta(seconds=self.policy.lease_seconds))
                    .execution_options(synchronize_session=False)
                )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                self._settle(stale_row.id, report)

    def _settle(self, attempt_id: int, report: PassReport) -> None:
        with self.db.sessions() as session:
            row = session.get(CallAttempt, attempt_id)
            if row is None:
                return
            sid, to = row.call_sid, row.to_phone
            since = (row.dialled_at or row.created_at) - timedelta(minutes=1)
        try:
            if sid is not None:
                found = self.placer.fetch(sid)
                self._apply_found(attempt_id, found, report, adopted=False)
                return
            calls = self.placer.calls_to(to, since)
        except LookupFailed as exc:
            self._still_unknown(attempt_id, str(exc), report)
            return
        with self.db.sessions() as session:
            known = set(
                session.scalars(select(CallAttempt.call_sid).where(CallAttempt.call_sid.in_([c.sid for c in calls])))
            )
        ours = sorted((c for c in calls if c.sid not in known), key=lambda c: (c.created_at or since, c.sid))
        if len(ours) > 1:
            log.error("attempt %s: %d calls to %s nobody claims; adopting the first", attempt_id, len(ours), to)
        self._apply_found(attempt_id, ours[0] if ours else None, report, adopted=True)

    def _apply_found(self, attempt_id: int, found: FoundCall | None, report: PassReport, *, adopted: bool) -> None:
        now = self.now()
        final = False
        with self.db.transaction() as session:
            row = locked(session, attempt_id)
            if row is None:
                return
            if found is None:
                if row.call_sid is None and row.status in (AttemptStatus.DIALLING, AttemptStatus.UNKNOWN):
                    # Twilio has no call for it: it was never placed, so dialling it now places it once.
                    row.status = AttemptStatus.QUEUED
                    row.claimed_until = None
                    row.not_before = now
                    row.error = "dial outcome was unknown; Twilio has no such call, dialling again"
                    report.requeued += 1
                else:
                    final = advance(session, row, AttemptStatus.FAILED, now=now, error="Twilio has no such call")
                    report.failed += 1
            else:
                status = from_twilio(found.status, found.answered_by) or AttemptStatus.UNKNOWN
                final = advance(session, row, status, now=now, call_sid=found.sid, answered_by=found.answered_by)
                if not final:
                    if row.status == AttemptStatus.UNKNOWN:
                        row.status = AttemptStatus.DIALLING  # it exists at Twilio: no longer unknown
                    row.claimed_until = now + self.policy.live_check
                report.adopted += 1 if adopted else 0
        if final:
            self._handle(attempt_id)

    def _still_unknown(self, attempt_id: int, error: str, report: PassReport) -> None:
        now = self.now()
        with self.db.transaction() as session:
            row = locked(session, attempt_id)
            if row is None or AttemptStatus(row.status) not in ON_THE_LINE:
                return
            if row.call_sid is None:
                row.status = AttemptStatus.UNKNOWN
            row.claimed_until = now + timedelta(seconds=self.policy.unknown_check_seconds)
            row.error = error
        report.unknown += 1

    # --- when to come back -----------------------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        """When the next pass has work: the next slot for a due attempt, a future not-before, or a lease's end."""
        now = self.now()
        with self.db.sessions() as session:
            queued = session.scalar(
                select(func.min(CallAttempt.not_before)).where(CallAttempt.status == AttemptStatus.QUEUED)
            )
            lease = session.scalar(
                select(func.min(CallAttempt.claimed_until)).where(
                    CallAttempt.status.in_([s.value for s in ON_THE_LINE])
                )
            )
            pace = session.get(DialerPace, PACE_ROW)
            on_line = session.scalar(
                select(func.count(CallAttempt.id)).where(CallAttempt.status.in_([s.value for s in ON_THE_LINE]))
            )
        found: list[datetime] = []
        if queued is not None and (on_line or 0) < self.policy.max_concurrent:
            found.append(max(queued, pace.next_slot_at if pace else queued))
        if lease is not None:
            found.append(lease + timedelta(milliseconds=50))
        return max(min(found), now) if found else None
