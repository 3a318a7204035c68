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
