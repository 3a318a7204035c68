"""Chain each request's history by hash (tamper-evident) and backfill the chain of existing entries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from care.chain import GENESIS, event_digest

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_head", sa.String(length=64), nullable=True))
    _backfill()


def _backfill() -> None:
    # Entries written before this revision get their chain now, in the order they were written.
    conn = op.get_bind()
    events = sa.table(
        "request_events",
        *(sa.column(c) for c in ("id", "request_id", "actor", "kind", "from_status", "to_status", "note")),
        sa.column("at", sa.DateTime()),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    requests = sa.table("service_requests", sa.column("id"), sa.column("history_head"))
    heads: dict[int, str] = {}
    for row in conn.execute(sa.select(events).order_by(events.c.id)):
        prev = heads.get(row.request_id, GENESIS)
        digest = event_digest(prev, row)
        conn.execute(sa.update(events).where(events.c.id == row.id).values(prev_hash=prev, hash=digest))
        heads[row.request_id] = digest
    for request_id, head in heads.items():
        conn.execute(sa.update(requests).where(requests.c.id == request_id).values(history_head=head))


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("history_head")
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
