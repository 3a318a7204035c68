"""Whether a number can receive texts, as staff set it on the profile (care.lines).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_lines",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("receives_texts", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("phone"),
    )


def downgrade() -> None:
    op.drop_table("phone_lines")
