"""The inbox: texts nobody on file sent, kept for staff to make a request of, link the sender, or dismiss (why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from care import directory
from care.hours import ServiceHours
from care.models import (
    Channel,
    FamilyLink,
    FamilyMember,
    InboxEvent,
    InboxKind,
    InboxStatus,
    InboxText,
    RequesterKind,
    Senior,
    ServiceRequest,
    utcnow,
)
from care.requests import NewRequest, create_request
from care.routing import ROUTES


class InboxError(ValueError):
    """What staff asked cannot be done (a text dealt with already, no reason given, an unknown service)."""


def record(
    session: Session, *, message_sid: str, phone: str, body: str, locale: str, at: datetime | None = None
) -> InboxText:
    """Keep a text nobody on file sent (a repeated delivery of the same message keeps one)."""
    found = session.scalar(select(InboxText).where(InboxText.message_sid == message_sid))
    if found is not None:
        return found
    at = at or utcnow()
    text = InboxText(message_sid=message_sid, from_phone=phone, body=body, locale=locale, received_at=at)
    session.add(text)
    session.flush()
    session.add(InboxEvent(text_id=text.id, at=at, actor=f"unknown:{phone}", kind=InboxKind.RECEIVED))
    return text


def open_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(InboxText.status == InboxStatus.OPEN)) or 0)


def texts(session: Session, *, status: InboxStatus = InboxStatus.OPEN, limit: int = 200) -> list[InboxText]:
    """Texts in one state: the open ones oldest first (first come, first read), the others newest first."""
    order = InboxText.received_at.asc() if status is InboxStatus.OPEN else InboxText.received_at.desc()
    query = select(InboxText).where(InboxText.status == status).order_by(order, InboxText.id).limit(limit)
    return list(session.scalars(query))


def get(session: Session, text_id: int) -> InboxText:
    text = session.get(InboxText, text_id)
    if text is None:
        raise InboxError(f"no inbox text {text_id}")
    return text


def history(session: Session, text: InboxText) -> list[InboxEvent]:
    return list(session.scalars(select(InboxEvent).where(InboxEvent.text_id == text.id).order_by(InboxEvent.id)))


def _still_open(text: InboxText) -> None:
    if text.status != InboxStatus.OPEN:
        raise InboxError(f"this text was dealt with already ({text.status})")


@dataclass(frozen=True)
class NewSenior:
    """A senior put on file while a text is made a request (the text was about someone not yet known)."""

    name: str
    phone: str
    locale: str = "en"
    address: str = ""


def make_request(
    session: Session,
    text: InboxText,
    *,
    intent: str,
    actor: str,
    zone: tzinfo,
    hours: ServiceHours | None = None,
    senior: Senior | None = None,
    new_senior: NewSenior | None = None,
    region: str = "US",
) -> ServiceRequest:
    """Make a request of the text, for a senior on file or one put on file now; the text leaves the inbox."""
    _still_open(text)
    if intent not in ROUTES:
        raise InboxError(f"unknown service {intent!r}")
    if new_senior is not None:
        senior = directory.add_senior(
            session,
            phone=new_senior.phone,
            name=new_senior.name,
            locale=new_senior.locale,
            address=new_senior.address,
            region=region,
        )
    family = session.scalar(select(FamilyMember).where(FamilyMember.phone == text.from_phone))
    request, _ = create_request(
        session,
        NewRequest(
            intent=intent,
            channel=Channel.SMS,
            requester_phone=text.from_phone,
            source_key=f"inbox:{text.message_sid}",
            requester_kind=RequesterKind.FAMILY if family is not None else RequesterKind.UNKNOWN,
            senior_id=senior.id if senior is not None else None,
            locale=text.locale,
            transcript=text.body,
            understood_by="person",
            actor=actor,
        ),
        zone=zone,
        hours=hours,
    )
    text.status = InboxStatus.REQUEST
    text.request_id = request.id
    who = f" for {senior.name}" if senior is not None else ""
    session.add(InboxEvent(text_id=text.id, actor=actor, kind=InboxKind.REQUEST, note=f"{request.reference}{who}"))
    return request


def link_sender(
    session: Session,
    text: InboxText,
    *,
    senior: Senior,
    name: str,
    consent_given_by: str,
    actor: str,
    relationship_label: str = "",
    region: str = "US",
) -> FamilyLink:
    """Put the sender on file as family of `senior`, with who consented; the text stays open to be acted on."""
    _still_open(text)
    family = session.scalar(select(FamilyMember).where(FamilyMember.phone == text.from_phone))
    if family is None:
        family = directory.add_family_member(
            session, phone=text.from_phone, name=name, locale=text.locale, region=region
        )
    link = directory.link_family(
        session, senior=senior, family=family, consent_given_by=consent_given_by, relationship_label=relationship_label
    )
    note = f"{family.name} → {senior.name}; consent: {link.consent_given_by}"
    session.add(InboxEvent(text_id=text.id, actor=actor, kind=InboxKind.LINKED, note=note))
    return link


def dismiss(session: Session, text: InboxText, *, reason: str, actor: str) -> None:
    """Set a text aside, saying why (a wrong number, spam, dealt with by phone): the reason is kept."""
    _still_open(text)
    reason = " ".join(reason.split())
    if not reason:
        raise InboxError("say why the text needs nothing done")
    text.status = InboxStatus.DISMISSED
    session.add(InboxEvent(text_id=text.id, actor=actor, kind=InboxKind.DISMISSED, note=reason))
