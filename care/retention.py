"""Delete callers' recordings kept on disk once settings.audio_retention_days has passed (privacy by default)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select

from care.db import Database
from care.models import CallState, CallTurn, RequestEvent, ServiceRequest, utcnow

# A call's state (what was heard, the answers given) is needed while the call lasts and for Twilio's
# retries just after it; a day later it is only personal data, so it goes. The request keeps what matters.
CALL_STATE_KEPT = timedelta(days=1)

log = logging.getLogger(__name__)


def kept_audio(data_dir: Path, audio_path: str) -> Path | None:
    """The file of a request's recording, only if it exists inside the data folder.

    Paths are stored relative to the data folder; rows written before that held a path relative to the
    working folder the app was started from, which is tried second.
    """
    root = data_dir.resolve()
    stored = Path(audio_path)
    for candidate in (root / stored, stored) if not stored.is_absolute() else (stored,):
        path = candidate.resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    return None


def sweep_audio(db: Database, data_dir: Path, now: datetime | None = None) -> int:
    """Remove every local recording past its expiry, note it in the request's history; return how many."""
    now = now or utcnow()
    removed = 0
    with db.transaction() as session:
        expired = session.scalars(
            select(ServiceRequest).where(ServiceRequest.audio_path.is_not(None), ServiceRequest.audio_expires_at <= now)
        )
        for request in expired:
            assert request.audio_path is not None
            path = kept_audio(data_dir, request.audio_path)
            if path is not None:
                path.unlink()
            request.audio_path = None
            request.audio_expires_at = None
            session.add(
                RequestEvent(request_id=request.id, actor="system", kind="audio_deleted", note="retention period ended")
            )
            removed += 1
    if removed:
        log.info("deleted %d call recordings past their retention period", removed)
    return removed


def sweep_call_states(db: Database, now: datetime | None = None) -> int:
    """Delete the per-call dialogue state and replayable answers of calls that ended a day ago or more."""
    cutoff = (now or utcnow()) - CALL_STATE_KEPT
    with db.transaction() as session:
        old = list(session.scalars(select(CallState.call_sid).where(CallState.updated_at < cutoff)))
        if old:
            session.execute(delete(CallTurn).where(CallTurn.call_sid.in_(old)))
            session.execute(delete(CallState).where(CallState.call_sid.in_(old)))
    return len(old)
