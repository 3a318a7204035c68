"""The closed sets of the domain (pure): request status, channel, requester kind, staff role, outbox status."""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    WEB = "web"
    OPEN311 = "open311"  # a partner system's POST (GeoReport v2, opendata/)


class RequesterKind(StrEnum):
    SENIOR = "senior"
    FAMILY = "family"
    UNKNOWN = "unknown"  # a caller whose number is not on file
    SYSTEM = "system"  # Hearthline itself (a daily check-in that needs staff): nobody to tell of each step


class StaffRole(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after every retry; staff see it
    SUPPRESSED = "suppressed"  # the recipient texted STOP
    SUPERSEDED = "superseded"  # a later notice about the same request reached the outbox before it was sent


class InboxStatus(StrEnum):
    OPEN = "open"  # nobody has dealt with it yet
    REQUEST = "request"  # staff made a request of it
    DISMISSED = "dismissed"  # staff read it and said why nothing is to be done


class InboxKind(StrEnum):
    """What an inbox text's history records."""

    RECEIVED = "received"
    LINKED = "linked"  # the sender was linked to a senior (family, with consent)
    REQUEST = "request"
    DISMISSED = "dismissed"
