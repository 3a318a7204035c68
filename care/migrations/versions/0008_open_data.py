"""Open data: API keys and their use, Open311 details, the HSDS directory, partner webhooks

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_prefix"), ["prefix"], unique=False)

    op.create_table(
        "hsds_organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "partner_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_key_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_keys.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_uses_key_id"), ["key_id"], unique=False)

    op.create_table(
        "hsds_locations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("location_type", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["hsds_organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "hsds_services",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["hsds_organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hsds_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_services_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "hsds_languages",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["hsds_locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hsds_languages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_languages_service_id"), ["service_id"], unique=False)

    op.create_table(
        "hsds_schedules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("freq", sa.String(length=10), nullable=False),
        sa.Column("byday", sa.String(length=40), nullable=False),
        sa.Column("opens_at", sa.String(length=8), nullable=False),
        sa.Column("closes_at", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["hsds_locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hsds_schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_schedules_service_id"), ["service_id"], unique=False)

    op.create_table(
        "hsds_service_areas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hsds_service_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_service_areas_service_id"), ["service_id"], unique=False)

    op.create_table(
        "hsds_service_at_location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["hsds_locations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hsds_service_at_location", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_service_at_location_service_id"), ["service_id"], unique=False)

    op.create_table(
        "hsds_service_intents",
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("intent", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["hsds_services.id"],
        ),
        sa.PrimaryKeyConstraint("service_id", "intent"),
    )
    with op.batch_alter_table("hsds_service_intents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hsds_service_intents_intent"), ["intent"], unique=False)

    op.create_table(
        "open311_details",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("address_string", sa.Text(), nullable=False),
        sa.Column("address_id", sa.String(length=120), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("long", sa.Double(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("account_id", sa.String(length=120), nullable=False),
        sa.Column("device_id", sa.String(length=120), nullable=False),
        sa.Column("media_url", sa.String(length=500), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_keys.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
        ),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_table(
        "partner_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=160), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["partner_subscriptions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_key"),
    )
    with op.batch_alter_table("partner_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_partner_deliveries_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "request_providers",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("hsds_service_id", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=250), nullable=False),
        sa.Column("organization_name", sa.String(length=250), nullable=False),
        sa.Column("matched_on", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_requests.id"],
        ),
        sa.PrimaryKeyConstraint("request_id"),
    )
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.create_index("ix_requests_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_requests_intent_created_at", ["intent", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_requests_intent_created_at")
        batch_op.drop_index("ix_requests_created_at")

    op.drop_table("request_providers")
    with op.batch_alter_table("partner_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_partner_deliveries_due")

    op.drop_table("partner_deliveries")
    op.drop_table("open311_details")
    with op.batch_alter_table("hsds_service_intents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_service_intents_intent"))

    op.drop_table("hsds_service_intents")
    with op.batch_alter_table("hsds_service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_service_at_location_service_id"))

    op.drop_table("hsds_service_at_location")
    with op.batch_alter_table("hsds_service_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_service_areas_service_id"))

    op.drop_table("hsds_service_areas")
    with op.batch_alter_table("hsds_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_schedules_service_id"))

    op.drop_table("hsds_schedules")
    with op.batch_alter_table("hsds_languages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_languages_service_id"))

    op.drop_table("hsds_languages")
    with op.batch_alter_table("hsds_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hsds_services_organization_id"))

    op.drop_table("hsds_services")
    op.drop_table("hsds_locations")
    with op.batch_alter_table("api_key_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_uses_key_id"))

    op.drop_table("api_key_uses")
    op.drop_table("partner_subscriptions")
    op.drop_table("hsds_organizations")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_prefix"))

    op.drop_table("api_keys")
