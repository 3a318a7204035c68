"""Moving an attempt along as the provider reports its call, and running its purpose's handler exactly once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from care.db import Database
from care.models import utcnow
from outreach.attempts import WAKE_FLAG
from outreach.models import CallAttempt
from outreach.registry import programme
from outreach.states import FINAL, AttemptStatus, moves_forward
from outreach.view import AttemptView

log = logging.getLogger(__name__)


def advance(
    session: Session,
    row: CallAttempt,
    new: AttemptStatus,
    *,
    now: datetime,
    call_sid: str | None = None,
    answered_by: str = "",
    error: str = "",
) -> bool:
    """Record what the provider says about an attempt's call; return True when this made it final.

    The row should be loaded FOR UPDATE. A callback for another call than the one on record changes nothing
    (it would mean a second call for one attempt: logged loudly).
    """
    if call_sid and row.call_sid and row.call_sid != call_sid:
        log.error("attempt %s: status for call %s, but its call is %s", row.id, call_sid, row.call_sid)
        return False
    if call_sid and not row.call_sid:
        row.call_sid = call_sid
    if answered_by and not row.answered_by:
        row.answered_by = answered_by
    current = AttemptStatus(row.status)
    if not moves_forward(current, new):
        return False
    row.status = new
    if error:
        row.error = error
    if new is AttemptStatus.IN_PROGRESS and row.answered_at is None:
        row.answered_at = now
    if new in FINAL:
        row.finished_at = now
        row.claimed_until = None
        # A line is free: the dialer may place the next call at once.
        session.info[WAKE_FLAG] = True
        return True
    return False


def locked(session: Session, attempt_id: int) -> CallAttempt | None:
    return session.get(CallAttempt, attempt_id, with_for_update=True, populate_existing=True)


def run_handler(db: Database, attempt_id: int, now: datetime | None = None) -> bool:
    """Run the purpose's outcome handler for a final attempt, once: marking it handled and the handler's own
    writes commit together; an exception rolls both back (the sweep tries again). Return True if it ran."""
    with db.transaction() as session:
        marked = session.execute(
            update(CallAttempt)
            .where(
                CallAttempt.id == attempt_id,
                CallAttempt.handled_at.is_(None),
                CallAttempt.status.in_([status.value for status in FINAL]),
            )
            .values(handled_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            return False
        row = session.get(CallAttempt, attempt_id, populate_existing=True)
        assert row is not None
        programme(row.purpose).on_outcome(session, AttemptView.of(row))
    return True


def run_due_handlers(db: Database, limit: int = 200) -> int:
    """Handlers not yet run for final attempts (their first run failed, or its process died); return how many ran."""
    with db.sessions() as session:
        ids = list(
            session.scalars(
                select(CallAttempt.id)
                .where(CallAttempt.handled_at.is_(None), CallAttempt.status.in_([s.value for s in FINAL]))
                .order_by(CallAttempt.id)
                .limit(limit)
            )
        )
    ran = 0
    for attempt_id in ids:
        try:
            ran += run_handler(db, attempt_id)
        except Exception:  # one broken handler must not stop the others; it is tried again next pass
            log.exception("outcome handler failed for attempt %s", attempt_id)
    return ran
