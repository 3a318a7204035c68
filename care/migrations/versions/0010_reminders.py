"""Reminders: medication and appointment reminders and each time they are due

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("times", sa.String(length=60), nullable=False),
        sa.Column("appointment_at", sa.DateTime(), nullable=True),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("team", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["senior_id"], ["seniors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminders_senior_id", "reminders", ["senior_id"])
    op.create_table(
        "reminder_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("senior_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"]),
        sa.ForeignKeyConstraint(["senior_id"], ["seniors.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["service_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reminder_id", "due_at"),
    )
    op.create_index("ix_reminder_rounds_senior_id", "reminder_rounds", ["senior_id"])


def downgrade() -> None:
    op.drop_table("reminder_rounds")
    op.drop_table("reminders")
