"""Crisis broadcasts: senior tags and team, each broadcast and each senior's place on its board.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seniors") as batch:
        batch.add_column(sa.Column("team", sa.String(length=60), nullable=False, server_default=""))
    op.create_table(
        "senior_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["senior_id"], ["seniors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("senior_id", "tag"),
    )
    op.create_index("ix_senior_tags_senior_id", "senior_tags", ["senior_id"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("area", sa.String(length=60), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("tags", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "broadcast_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("risk", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["service_requests.id"]),
        sa.ForeignKeyConstraint(["senior_id"], ["seniors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broadcast_id", "senior_id"),
    )
    op.create_index("ix_broadcast_members_state", "broadcast_members", ["broadcast_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_broadcast_members_state", table_name="broadcast_members")
    op.drop_table("broadcast_members")
    op.drop_table("broadcasts")
    op.drop_index("ix_senior_tags_senior_id", table_name="senior_tags")
    op.drop_table("senior_tags")
    with op.batch_alter_table("seniors") as batch:
        batch.drop_column("team")
