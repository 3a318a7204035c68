"""Delete callers' recordings kept on disk once settings.audio_retention_days has passed (privacy by default)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from care.db import Database
from care.models import RequestEvent, ServiceRequest, utcnow

log = logging.getLogger(__name__)


def sweep_audio(db: Database, now: datetime | None = None) -> int:
    """Remove every local recording past its expiry, note it in the request's history; return how many."""
    now = now or utcnow()
    removed = 0
    with db.transaction() as session:
        expired = session.scalars(
            select(ServiceRequest).where(ServiceRequest.audio_path.is_not(None), ServiceRequest.audio_expires_at <= now)
        )
        for request in expired:
            assert request.audio_path is not None
            Path(request.audio_path).unlink(missing_ok=True)
            request.audio_path = None
            request.audio_expires_at = None
            session.add(
                RequestEvent(request_id=request.id, actor="system", kind="audio_deleted", note="retention period ended")
            )
            removed += 1
    if removed:
        log.info("deleted %d call recordings past their retention period", removed)
    return removed
