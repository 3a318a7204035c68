"""The SMS edge: who texted, what we asked them last, carry out the conversation's decisions, render the reply.

Everything for one incoming text happens in one database transaction: the request, its history, the
outbox notifications, the opt-out, the conversation state and the stored reply (keyed by MessageSid), so a
repeated delivery of the same message finds the stored reply and does nothing again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care.context import Hearthline
from care.hours import ServiceHours
from care.lifecycle import RequestAction, TransitionRefused
from care.models import (
    Channel,
    Conversation,
    InboundMessage,
    RequesterKind,
    RequestStatus,
    ServiceRequest,
    SmsOptOut,
    utcnow,
)
from care.outbox import is_opted_out
from care.people import identify, linked_seniors
from care.requests import (
    NewRequest,
    RequestNotFound,
    apply_action,
    create_request,
    find_by_reference,
    open_requests,
    rate,
)
from care.settings import Settings
from intents import Locale, enrich
from prompts.messages import translate
from sms.conversation import (
    ConfirmResolved,
    CreateRequest,
    ListStatus,
    OptIn,
    OptOut,
    Outcome,
    Rate,
    Reopen,
    Reply,
    RequestRef,
    Role,
    SenderView,
    SeniorRef,
    reply_to,
    utterance_of,
)
from sms.segments import fit

log = logging.getLogger(__name__)

# Twilio joins a long text into at most 1600 characters (https://www.twilio.com/docs/glossary/what-sms-character-limit);
# anything far beyond that did not come from Twilio's messaging webhook.
MAX_BODY_CHARS = 4000
# A closed request can be rated for a week after it closed; later a bare digit means nothing.
RATING_WINDOW = timedelta(days=7)


class MalformedMessage(ValueError):
    """The webhook lacks what every Twilio message has (MessageSid, From, Body) or is absurdly long."""


@dataclass(frozen=True)
class Incoming:
    message_sid: str
    from_phone: str  # E.164
    body: str


@dataclass(frozen=True)
class Answer:
    reply: str  # "" sends no reply
    duplicate: bool = False


def _sender_view(session: Session, phone: str, settings: Settings) -> SenderView:
    caller = identify(session, phone)
    opted_out = is_opted_out(session, phone)
    locale = _locale_or_none(caller.locale)
    if caller.senior is not None:
        role = Role.SENIOR
        seniors: tuple[SeniorRef, ...] = (SeniorRef(caller.senior.id, caller.senior.name),)
    elif caller.family is not None and (linked := linked_seniors(session, caller.family)):
        role = Role.FAMILY
        seniors = tuple(SeniorRef(s.id, s.name) for s in linked)
    else:
        return SenderView(phone, Role.UNKNOWN, locale, (), opted_out)
    scope = _scope(phone, [s.id for s in seniors])
    resolved = session.scalars(
        select(ServiceRequest)
        .where(scope, ServiceRequest.status == RequestStatus.RESOLVED)
        .order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc())
    )
    closed = session.scalars(
        select(ServiceRequest)
        .where(
            scope,
            ServiceRequest.status == RequestStatus.CLOSED,
            ServiceRequest.rating.is_(None),
            ServiceRequest.closed_at >= utcnow() - RATING_WINDOW,
        )
        .order_by(ServiceRequest.closed_at.desc(), ServiceRequest.id.desc())
    )
    return SenderView(
        phone,
        role,
        locale,
        seniors,
        opted_out,
        awaiting_confirmation=tuple(RequestRef(r.reference, r.status) for r in resolved),
        awaiting_rating=tuple(RequestRef(r.reference, r.status) for r in closed),
    )


def _scope(phone: str, senior_ids: list[int]) -> Any:
    """Requests this sender may ask about and answer for: their own, and those of the seniors they act for."""
    return or_(ServiceRequest.requester_phone == phone, ServiceRequest.senior_id.in_(senior_ids))


def _locale_or_none(raw: str | None) -> Locale | None:
    try:
        return Locale(raw) if raw else None
    except ValueError:
        return None


def handle(hl: Hearthline, incoming: Incoming) -> Answer:
    """Act on one incoming text exactly once and return the reply (the stored one for a repeated delivery)."""
    if not incoming.message_sid or not incoming.from_phone:
        raise MalformedMessage("MessageSid and From are required")
    if len(incoming.body) > MAX_BODY_CHARS:
        raise MalformedMessage(f"a text of {len(incoming.body)} characters did not come from Twilio")
    settings = hl.settings
    try:
        with hl.db.transaction() as session:
            stored = session.get(InboundMessage, incoming.message_sid)
            if stored is not None:
                return Answer(stored.reply, duplicate=True)
            sender = _sender_view(session, incoming.from_phone, settings)
            conversation = session.get(Conversation, incoming.from_phone)
            state = dict(conversation.state) if conversation is not None else {}
            heard = enrich(utterance_of(incoming.body, sender, Locale(settings.default_locale)), hl.understanding)
            outcome = reply_to(
                incoming.body, sender, state, default_locale=Locale(settings.default_locale), heard=heard
            )
            params = _carry_out(session, incoming, sender, outcome, settings)
            reply = _render(outcome.reply, outcome.locale, params, settings) if outcome.reply else ""
            if conversation is None:
                session.add(Conversation(phone=incoming.from_phone, state=outcome.state))
            else:
                conversation.state = outcome.state
            session.add(
                InboundMessage(
                    message_sid=incoming.message_sid, from_phone=incoming.from_phone, body=incoming.body, reply=reply
                )
            )
        return Answer(reply)
    except IntegrityError:
        # The same MessageSid delivered twice at once: the other delivery committed first; answer as it did.
        with hl.db.sessions() as session:
            stored = session.get(InboundMessage, incoming.message_sid)
            if stored is None:
                raise
            return Answer(stored.reply, duplicate=True)


def apology(settings: Settings, phone_locale: str | None = None) -> str:
    """The short plain reply when something broke on our side (the database is busy or down)."""
    locale = _locale_or_none(phone_locale) or Locale(settings.default_locale)
    return fit(translate("sms", "sms.error", locale, hotline=settings.hotline_number))


def _carry_out(
    session: Session, incoming: Incoming, sender: SenderView, outcome: Outcome, settings: Settings
) -> dict[str, Any]:
    """Do what the conversation decided; return what the reply needs to say (the new reference ...)."""
    params: dict[str, Any] = {}
    actor = f"{sender.role.value}:{incoming.from_phone}"
    for action in outcome.actions:
        if isinstance(action, CreateRequest):
            kind = {Role.SENIOR: RequesterKind.SENIOR, Role.FAMILY: RequesterKind.FAMILY}.get(
                sender.role, RequesterKind.UNKNOWN
            )
            request, _ = create_request(
                session,
                NewRequest(
                    intent=action.intent.value,
                    channel=Channel.SMS,
                    requester_phone=incoming.from_phone,
                    source_key=f"sms:{incoming.message_sid}",
                    requester_kind=kind,
                    senior_id=action.senior_id,
                    locale=action.locale.value,
                    transcript=action.text,
                    understood_by="sms",
                    actor=actor,
                ),
                zone=settings.zone,
                hours=ServiceHours.from_settings(settings),
            )
            params["reference"] = request.reference
            params["service"] = translate("common", f"service.{action.intent.value}", outcome.locale)
        elif isinstance(action, ListStatus):
            params.update(_status(session, sender, action.reference, outcome.locale))
        elif isinstance(action, ConfirmResolved | Reopen | Rate):
            params.update(_answer_about(session, sender, action, actor, outcome.locale))
        elif isinstance(action, OptOut | OptIn):
            row = session.get(SmsOptOut, incoming.from_phone)
            if row is None:
                session.add(SmsOptOut(phone=incoming.from_phone, opted_out=isinstance(action, OptOut)))
            else:
                row.opted_out = isinstance(action, OptOut)
    return params


def _in_scope(request: ServiceRequest, sender: SenderView) -> bool:
    return request.requester_phone == sender.phone or request.senior_id in {s.id for s in sender.seniors}


def _answer_about(
    session: Session, sender: SenderView, action: ConfirmResolved | Reopen | Rate, actor: str, locale: Locale
) -> dict[str, Any]:
    try:
        request = find_by_reference(session, action.reference)
    except RequestNotFound:
        return {"override": "sms.status.not_found", "reference": action.reference}
    if not _in_scope(request, sender):
        return {"override": "sms.status.not_found", "reference": action.reference}
    try:
        if isinstance(action, Rate):
            rate(session, request, action.rating, actor=actor)
        else:
            which = RequestAction.CLOSE if isinstance(action, ConfirmResolved) else RequestAction.REOPEN
            # The sender gets the TwiML reply now; the outbox tells everyone else (the family, the requester).
            apply_action(session, request, which, actor=actor, quiet_for=sender.phone)
    except (TransitionRefused, ValueError):
        # Staff moved it meanwhile (or it was rated already): say where it stands instead.
        return _status(session, sender, request.reference, locale)
    return {}


def _status(session: Session, sender: SenderView, reference: str | None, locale: Locale) -> dict[str, Any]:
    if reference is not None:
        try:
            request = find_by_reference(session, reference)
        except RequestNotFound:
            return {"override": "sms.status.not_found", "reference": reference}
        if not _in_scope(request, sender):
            return {"override": "sms.status.not_found", "reference": reference}
        found = [request]
    else:
        seen: dict[int, ServiceRequest] = {}
        for senior in sender.seniors:
            for request in open_requests(session, senior_id=senior.id):
                seen[request.id] = request
        for request in open_requests(session, phone=sender.phone):
            seen[request.id] = request
        found = sorted(seen.values(), key=lambda r: (r.created_at, r.id), reverse=True)
    if not found:
        return {"override": "sms.status.none"}
    several = len({r.senior_id for r in found}) > 1
    items = []
    for request in found:
        item = translate(
            "sms",
            "sms.status.item",
            locale,
            reference=request.reference,
            service=translate("common", f"service.{request.intent}", locale),
            status=translate("common", f"status.{request.status}", locale),
        )
        if several and request.senior is not None:
            item = f"{request.senior.name}: {item}"
        items.append(item)
    return {"override": "sms.status.list", "items": "; ".join(items), "count": len(found)}


def _render(reply: Reply, locale: Locale, params: dict[str, Any], settings: Settings) -> str:
    values = {
        "hotline": settings.hotline_number,
        "emergency": settings.emergency_number,
        **reply.params,
        **params,
    }
    key = str(values.pop("override", reply.key))
    return fit(translate("sms", key, locale, **values))
