"""Asking for a call (enqueue), withdrawing calls not yet placed (cancel), and reading attempts back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from care.models import utcnow
from outreach.models import CallAttempt
from outreach.states import AttemptStatus, Purpose
from outreach.view import AttemptView

WAKE_FLAG = "outreach_added"


def enqueue(
    session: Session,
    *,
    key: str,
    purpose: Purpose,
    to_phone: str,
    locale: str,
    subject_id: int | None = None,
    senior_id: int | None = None,
    priority: int = 0,
    not_before: datetime | None = None,
    context: Mapping[str, Any] | None = None,
) -> CallAttempt:
    """Ask the dialer for one call, in the caller's transaction (it is placed only if that commits).

    `key` makes it idempotent: the same key again returns the existing attempt, whatever its state, so a
    replayed event or a handler that runs again never asks for a second call. Use one key per try
    ("checkin:<plan>:<date>:2"). `not_before` is UTC (naive, like every stored time); `priority` higher first.
    """
    existing = session.scalar(select(CallAttempt).where(CallAttempt.key == key))
    if existing is not None:
        return existing
    row = CallAttempt(
        key=key,
        purpose=Purpose(purpose).value,
        subject_id=subject_id,
        senior_id=senior_id,
        to_phone=to_phone,
        locale=locale,
        priority=priority,
        not_before=not_before or utcnow(),
        context=dict(context or {}),
        status=AttemptStatus.QUEUED,
    )
    session.add(row)
    session.flush()
    session.info[WAKE_FLAG] = True
    return row


def cancel(session: Session, *, purpose: Purpose, subject_id: int | None = None, keys: list[str] | None = None) -> int:
    """Withdraw queued attempts of a purpose (all of a subject's, or these keys); return how many.

    Only attempts not yet claimed by the dialer: a call already dialling or ringing runs its course. Their
    handlers are not run for a cancel (the canceller knows).
    """
    query = update(CallAttempt).where(
        CallAttempt.purpose == Purpose(purpose).value, CallAttempt.status == AttemptStatus.QUEUED
    )
    if subject_id is not None:
        query = query.where(CallAttempt.subject_id == subject_id)
    if keys is not None:
        query = query.where(CallAttempt.key.in_(keys))
    now = utcnow()
    result = session.execute(
        query.values(status=AttemptStatus.CANCELED, finished_at=now, handled_at=now).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def attempts_for(session: Session, purpose: Purpose, subject_id: int) -> list[AttemptView]:
    """A subject's attempts, oldest first (a request's confirmation calls, a broadcast's calls)."""
    rows = session.scalars(
        select(CallAttempt)
        .where(CallAttempt.purpose == Purpose(purpose).value, CallAttempt.subject_id == subject_id)
        .order_by(CallAttempt.id)
    )
    return [AttemptView.of(row) for row in rows]


def on_commit_with_new_attempts(sessions: object, wake: Callable[[], None]) -> None:
    """Call `wake` after any commit that queued attempts (the job queue then runs the dialer at once)."""

    @event.listens_for(sessions, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(WAKE_FLAG, False):
            wake()

    @event.listens_for(sessions, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(WAKE_FLAG, None)
