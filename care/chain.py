"""The hash that chains one request-history entry to the one before it (pure: hashlib and json only)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Protocol

# The first event of every request chains to this value, as a register's first entry chains to a known origin.
GENESIS = "0" * 64


def _timestamp(at: datetime) -> str:
    # Stored times are naive UTC; SQLite and PostgreSQL both keep microseconds, so this text survives a round trip.
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


class HistoryEntry(Protocol):
    """The fields of a history entry that its hash covers (a stored row, a pending one, or a migration's row)."""

    request_id: int
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str


def event_digest(prev_hash: str, entry: HistoryEntry) -> str:
    """The hash of one history entry: its own fields and the hash of the entry before it."""
    payload = [
        prev_hash,
        entry.request_id,
        _timestamp(entry.at),
        entry.actor,
        entry.kind,
        entry.from_status or "",
        entry.to_status or "",
        entry.note,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
