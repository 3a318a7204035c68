"""The hash that chains one request-history entry to the one before it (pure: hashlib and json only)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

# The first event of every request chains to this value, as a register's first entry chains to a known origin.
GENESIS = "0" * 64


def _timestamp(at: datetime) -> str:
    # Stored times are naive UTC; SQLite and PostgreSQL both keep microseconds, so this text survives a round trip.
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def event_digest(
    prev_hash: str,
    *,
    request_id: int,
    at: datetime,
    actor: str,
    kind: str,
    from_status: str | None,
    to_status: str | None,
    note: str,
) -> str:
    """The hash of one history entry: its own fields and the hash of the entry before it."""
    payload = [prev_hash, request_id, _timestamp(at), actor, kind, from_status or "", to_status or "", note]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
