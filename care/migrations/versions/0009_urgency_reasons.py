"""Urgency beyond the intent: why a request was raised (care.urgency), and the senior's "lives alone" flag.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seniors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lives_alone", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgent_because", sa.String(length=120), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_column("urgent_because")
    with op.batch_alter_table("seniors", schema=None) as batch_op:
        batch_op.drop_column("lives_alone")
