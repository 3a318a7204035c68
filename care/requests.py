"""Service requests: create, move through the life cycle, note, rate; each change recorded and announced."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care import notices, urgency
from care.hours import ServiceHours
from care.lifecycle import OPEN_STATUSES, RequestAction, next_status
from care.models import (
    Channel,
    RequesterKind,
    RequestEvent,
    RequestStatus,
    Senior,
    ServiceRequest,
    utcnow,
)
from care.routing import due_at, route_for

REFERENCE_DIGITS = 6  # a million references; read back digit by digit, short enough to write down


class RequestNotFound(LookupError):
    """No request has that reference."""


@dataclass(frozen=True)
class NewRequest:
    """What a channel knows when it asks for a request to be created."""

    intent: str
    channel: Channel
    requester_phone: str
    source_key: str  # idempotency key: the same key never creates a second request
    requester_kind: RequesterKind = RequesterKind.UNKNOWN
    senior_id: int | None = None
    locale: str = "en"
    transcript: str = ""
    understood_by: str = ""
    audio_path: str | None = None
    audio_expires_at: datetime | None = None
    actor: str = ""
    team: str | None = None  # instead of the intent's route (a check-in plan's own team)
    announce: bool = True  # False: the family is not texted about it (the caller tells them in its own words)


def _new_reference(session: Session) -> str:
    while True:
        # No leading zero, so the number reads and types the same everywhere.
        reference = str(secrets.randbelow(9 * 10 ** (REFERENCE_DIGITS - 1)) + 10 ** (REFERENCE_DIGITS - 1))
        if session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == reference)) is None:
            return reference


def find_by_source(session: Session, source_key: str) -> ServiceRequest | None:
    return session.scalar(select(ServiceRequest).where(ServiceRequest.source_key == source_key))


def find_by_reference(session: Session, reference: str) -> ServiceRequest:
    found = session.scalar(select(ServiceRequest).where(ServiceRequest.reference == reference.strip()))
    if found is None:
        raise RequestNotFound(f"no request with reference {reference!r}")
    return found


def create_request(
    session: Session,
    new: NewRequest,
    *,
    zone: tzinfo,
    hours: ServiceHours | None = None,
    now: datetime | None = None,
) -> tuple[ServiceRequest, bool]:
    """Create a request (history entry and notifications included); an existing source_key returns it.

    `zone` is the centre's time zone, in which the notifications state times. A callback (the operator
    intent) is due when `hours` promise it, counting only staffed time.
    """
    existing = find_by_source(session, new.source_key)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    route = route_for(new.intent)
    senior = session.get(Senior, new.senior_id) if new.senior_id is not None else None
    raised = urgency.assess(new.transcript, new.locale, lives_alone=senior is not None and senior.lives_alone)
    routed_due = due_at(new.intent, now, hours.callback_due_utc(now) if hours is not None else None)
    request = ServiceRequest(
        reference=_new_reference(session),
        source_key=new.source_key,
        senior_id=new.senior_id,
        requester_phone=new.requester_phone,
        requester_kind=new.requester_kind,
        channel=new.channel,
        intent=new.intent,
        urgent=route.urgent or raised.urgent,
        urgent_because=urgency.store_reasons(raised.reasons),
        locale=new.locale,
        transcript=new.transcript,
        understood_by=new.understood_by,
        audio_path=new.audio_path,
        audio_expires_at=new.audio_expires_at,
        status=RequestStatus.NEW,
        team=new.team or route.team,
        due_at=raised.due(now, routed_due),
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint: a duplicate delivery racing this one makes the insert fail, and we return its row.
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        existing = find_by_source(session, new.source_key)
        if existing is None:
            raise
        return existing, False
    actor = new.actor or f"{new.requester_kind}:{new.requester_phone}"
    session.add(
        RequestEvent(
            request_id=request.id,
            at=now,
            actor=actor,
            kind="created",
            to_status=RequestStatus.NEW,
            note=new.transcript,
        )
    )
    if raised.reasons:
        session.add(_urgency_event(request, raised, at=now))
    if new.announce:
        notices.request_created(session, request, zone)
    return request, True


def _urgency_event(request: ServiceRequest, raised: urgency.Assessment, *, at: datetime) -> RequestEvent:
    """The history entry that says why a request was raised (the note is the reason codes; pages name them)."""
    return RequestEvent(
        request_id=request.id, at=at, actor="system", kind="urgency", note=urgency.store_reasons(raised.reasons)
    )


def raise_for_details(session: Session, request: ServiceRequest, text: str, *, zone: tzinfo) -> None:
    """Details added later (a transcribed recording, a follow-up) can raise a request, never lower it."""
    before = set(urgency.parse_reasons(request.urgent_because))
    raised = urgency.assess(text, request.locale)
    new_reasons = [reason for reason in raised.reasons if reason not in before]
    if not new_reasons:
        return
    now = utcnow()
    combined = urgency.Assessment(
        reasons=tuple(r for r in urgency.Reason if r in before or r in new_reasons),
        urgent=raised.urgent,
    )
    was_urgent = request.urgent
    request.urgent = request.urgent or raised.urgent
    request.urgent_because = urgency.store_reasons(combined.reasons)
    request.due_at = urgency.Assessment(tuple(new_reasons), raised.urgent).due(request.created_at, request.due_at)
    request.updated_at = now
    session.add(_urgency_event(request, urgency.Assessment(tuple(new_reasons), raised.urgent), at=now))
    if request.urgent and not was_urgent:
        notices.request_raised(session, request, zone)


def apply_action(
    session: Session,
    request: ServiceRequest,
    action: RequestAction,
    *,
    actor: str,
    note: str = "",
    assignee: str | None = None,
    now: datetime | None = None,
    quiet_for: str | None = None,
    announce: bool = True,
) -> ServiceRequest:
    """Move a request through its life cycle; raises TransitionRefused when the action does not apply.

    `quiet_for` is a phone that made the change by text and is answered directly, so the outbox skips it;
    `announce=False` tells nobody (a check-in's request closed because the senior was found all right).
    """
    now = now or utcnow()
    before = RequestStatus(request.status)
    after = next_status(before, action)
    request.status = after
    request.updated_at = now
    if action is RequestAction.ASSIGN:
        request.assignee = assignee or actor.split(":", 1)[-1]
    if after is RequestStatus.CLOSED:
        request.closed_at = now
    if after is RequestStatus.REOPENED:
        request.closed_at = None
        request.rating = None
    label = f"{action.value} → {request.assignee}" if action is RequestAction.ASSIGN else action.value
    session.add(
        RequestEvent(
            request_id=request.id,
            at=now,
            actor=actor,
            kind="status",
            from_status=before,
            to_status=after,
            note=f"{label}: {note}" if note else label,
        )
    )
    session.flush()
    if not announce:
        return request
    notices.status_changed(
        session,
        request,
        event_id=_last_event_id(session, request),
        skip_phone=quiet_for,
        note=note if action is RequestAction.RESOLVE else "",
    )
    return request


def _last_event_id(session: Session, request: ServiceRequest) -> int:
    event_id = session.scalar(
        select(RequestEvent.id).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id.desc())
    )
    assert event_id is not None
    return event_id


def add_note(session: Session, request: ServiceRequest, *, actor: str, note: str, kind: str = "note") -> None:
    """Add a staff note or a caller's extra details to the history (details also go on the request)."""
    if not note.strip():
        raise ValueError("a note needs some text")
    if kind == "detail":
        request.details = f"{request.details}\n{note}".strip()
    request.updated_at = utcnow()
    session.add(RequestEvent(request_id=request.id, actor=actor, kind=kind, note=note.strip()))


def note_recorded_details(session: Session, request: ServiceRequest, *, actor: str) -> None:
    """Note in the history that the requester recorded details nobody transcribed (staff listen to them)."""
    request.updated_at = utcnow()
    session.add(RequestEvent(request_id=request.id, actor=actor, kind="detail_audio"))


def rate(session: Session, request: ServiceRequest, rating: int, *, actor: str) -> None:
    """Record the requester's 1-5 rating of a closed request."""
    if not 1 <= rating <= 5:
        raise ValueError("a rating is a whole number from 1 to 5")
    if request.status != RequestStatus.CLOSED:
        raise ValueError("only a closed request can be rated")
    request.rating = rating
    session.add(RequestEvent(request_id=request.id, actor=actor, kind="rating", note=str(rating)))


def open_requests(session: Session, *, senior_id: int | None = None, phone: str | None = None) -> list[ServiceRequest]:
    """A senior's (or a phone number's) requests that are not closed, newest first."""
    query = select(ServiceRequest).where(ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
    if senior_id is not None:
        query = query.where(ServiceRequest.senior_id == senior_id)
    elif phone is not None:
        query = query.where(ServiceRequest.requester_phone == phone)
    else:
        raise ValueError("open_requests needs a senior or a phone number")
    return list(session.scalars(query.order_by(ServiceRequest.created_at.desc())))
