"""Stored tables of the open-data layer: API keys and their use, Open311 details, the HSDS directory, partners."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from care.db import Base
from care.models import utcnow


class ApiKey(Base):
    """A key an admin granted to a partner system; only a hash of the secret is kept."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # The first characters of the key, shown in lists so admins can tell keys apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200), default="")  # space-separated opendata.keys.Scope values
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKeyUse(Base):
    """Every use of a key (and every refused one): when, what, from where, with what answer."""

    __tablename__ = "api_key_uses"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None, index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(200))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[int] = mapped_column(default=0)


class Open311Detail(Base):
    """What an Open311 client sent with a request beyond what every channel has (kept apart, private)."""

    __tablename__ = "open311_details"
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    address_string: Mapped[str] = mapped_column(Text, default="")
    address_id: Mapped[str] = mapped_column(String(120), default="")
    lat: Mapped[float | None] = mapped_column(default=None)
    long: Mapped[float | None] = mapped_column(default=None)
    email: Mapped[str] = mapped_column(String(200), default="")
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    account_id: Mapped[str] = mapped_column(String(120), default="")
    device_id: Mapped[str] = mapped_column(String(120), default="")
    media_url: Mapped[str] = mapped_column(String(500), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- the HSDS directory (Open Referral HSDS 3.0 tables, the fields Hearthline uses) ---------------------------
class HsdsOrganization(Base):
    __tablename__ = "hsds_organizations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(500), default="")


class HsdsService(Base):
    __tablename__ = "hsds_services"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("hsds_organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(250))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")


class HsdsLocation(Base):
    __tablename__ = "hsds_locations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_organizations.id"), default=None)
    location_type: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(250), default="")
    latitude: Mapped[float | None] = mapped_column(default=None)
    longitude: Mapped[float | None] = mapped_column(default=None)


class HsdsServiceAtLocation(Base):
    __tablename__ = "hsds_service_at_location"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("hsds_locations.id"))


class HsdsServiceArea(Base):
    __tablename__ = "hsds_service_areas"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), index=True)
    name: Mapped[str] = mapped_column(String(250), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class HsdsLanguage(Base):
    __tablename__ = "hsds_languages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), default=None, index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), default=None)
    name: Mapped[str] = mapped_column(String(120), default="")
    code: Mapped[str] = mapped_column(String(20), default="")


class HsdsSchedule(Base):
    __tablename__ = "hsds_schedules"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_services.id"), default=None, index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("hsds_locations.id"), default=None)
    freq: Mapped[str] = mapped_column(String(10), default="")
    byday: Mapped[str] = mapped_column(String(40), default="")
    opens_at: Mapped[str] = mapped_column(String(8), default="")
    closes_at: Mapped[str] = mapped_column(String(8), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class HsdsServiceIntent(Base):
    """Which Hearthline services (intents) an HSDS service provides, from its taxonomy-term attributes."""

    __tablename__ = "hsds_service_intents"
    service_id: Mapped[str] = mapped_column(ForeignKey("hsds_services.id"), primary_key=True)
    intent: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class RequestProvider(Base):
    """The directory's provider named for a request (a snapshot: a later import does not rewrite it)."""

    __tablename__ = "request_providers"
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), primary_key=True)
    hsds_service_id: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(250))
    organization_name: Mapped[str] = mapped_column(String(250))
    matched_on: Mapped[str] = mapped_column(String(200), default="")  # "area Eastside, language ko"


# --- partner webhooks ----------------------------------------------------------------------------------------
class PartnerSubscription(Base):
    """A partner system that is sent request events (signed with its secret)."""

    __tablename__ = "partner_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(128))  # the HMAC key: must be readable to sign, so not hashed
    scopes: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerDelivery(Base):
    """The partners' outbox: one row per (event, partner), written in the transaction of the event itself."""

    __tablename__ = "partner_deliveries"
    __table_args__ = (Index("ix_partner_deliveries_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(160), unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("partner_subscriptions.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), default=None)
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
