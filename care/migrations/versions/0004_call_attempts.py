"""Outbound calls: the call-attempt table the dialer works from, and the dialer's pacing row (outreach.models).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("senior_id", sa.Integer(), nullable=True),
        sa.Column("to_phone", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("dial_tries", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=True),
        sa.Column("answered_by", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("answer_via", sa.String(length=10), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("question_tries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dialled_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["senior_id"], ["seniors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_sid"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "dialer_pace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_slot_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_call_attempts_due", "call_attempts", ["status", "priority", "not_before"])
    op.create_index(op.f("ix_call_attempts_handled_at"), "call_attempts", ["handled_at"])
    op.create_index(op.f("ix_call_attempts_senior_id"), "call_attempts", ["senior_id"])
    op.create_index(op.f("ix_call_attempts_subject_id"), "call_attempts", ["subject_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_call_attempts_subject_id"), table_name="call_attempts")
    op.drop_index(op.f("ix_call_attempts_senior_id"), table_name="call_attempts")
    op.drop_index(op.f("ix_call_attempts_handled_at"), table_name="call_attempts")
    op.drop_index("ix_call_attempts_due", table_name="call_attempts")
    op.drop_table("dialer_pace")
    op.drop_table("call_attempts")
