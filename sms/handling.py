"""The SMS edge: who texted, what we asked them last, carry out the conversation's decisions, render the reply.

Everything for one incoming text happens in one database transaction: the request, its history, the
outbox notifications, the opt-out, the conversation state and the stored reply (keyed by MessageSid), so a
repeated delivery of the same message finds the stored reply and does nothing again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care import inbox
from care.db import unreachable
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
from care.outbox import Message, enqueue, is_opted_out
from care.people import identify, linked_seniors
from care.requests import (
    NewRequest,
    RequestNotFound,
    add_note,
    apply_action,
    create_request,
    find_by_reference,
    open_requests,
    rate,
)
from care.segments import fit
from care.settings import Settings
from care.spool import ReplayReport, Spooled
from i18n.clock import written_datetime
from i18n.messages import translate
from intents import Intent, Locale, Utterance, enrich
from intents.locale import detect_locale
from sms.conversation import (
    CRISIS_REPLY,
    ConfirmResolved,
    ConversationState,
    Created,
    CreateRequest,
    Done,
    EmergencyCheck,
    ListStatus,
    NoteOn,
    NotFound,
    OptIn,
    OptOut,
    Outcome,
    Rate,
    Refused,
    Reopen,
    Repeated,
    Reply,
    RequestRef,
    Role,
    Rules,
    SenderView,
    SeniorRef,
    SmsResult,
    StatusItem,
    StatusList,
    reply_to,
    settle,
    urgent_request,
    utterance_of,
)
from sms.keywords import keyword_of
from sms.repeats import same_text
from web.context import Hearthline

log = logging.getLogger(__name__)

# Twilio joins a long text into at most 1600 characters (https://www.twilio.com/docs/glossary/what-sms-character-limit);
# anything far beyond that did not come from Twilio's messaging webhook.
MAX_BODY_CHARS = 4000
# The job that brings an unanswered "is this an emergency?" to staff (queued when the question is asked).
EMERGENCY_UNANSWERED_JOB = "sms.emergency_unanswered"
# The job that replays the SMS spool (care.spool) once the database answers again.
REPLAY_JOB = "replay-sms-spool"


# Replies other parts give before the conversation (a family member's "1" to a check-in that needs them):
# (session, phone, body) -> the reply, or None to leave the text to the conversation. Registered by name in
# create_app, so registering again (one app per test) replaces.
TextHook = Callable[[Session, str, str], str | None]
_TEXT_HOOKS: dict[str, TextHook] = {}


def register_text_hook(name: str, hook: TextHook) -> None:
    _TEXT_HOOKS[name] = hook


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


def rules_of(settings: Settings) -> Rules:
    return Rules(rating_window=timedelta(minutes=settings.sms_rating_reply_minutes))


def _sender_view(session: Session, phone: str, settings: Settings, now: datetime) -> SenderView:
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
        .where(scope, ServiceRequest.status == RequestStatus.RESOLVED, _not_system)
        .order_by(ServiceRequest.updated_at.desc(), ServiceRequest.id.desc())
    )
    closed = session.scalars(
        select(ServiceRequest)
        .where(
            scope,
            ServiceRequest.status == RequestStatus.CLOSED,
            ServiceRequest.rating.is_(None),
            _not_system,
            ServiceRequest.closed_at >= now - rules_of(settings).rating_window,
        )
        .order_by(ServiceRequest.closed_at.desc(), ServiceRequest.id.desc())
    )
    last_text_at = session.scalar(
        select(func.max(InboundMessage.received_at)).where(InboundMessage.from_phone == phone)
    )
    return SenderView(
        phone,
        role,
        locale,
        seniors,
        opted_out,
        # "Is it sorted?" goes out when staff resolve; "how did we do?" when the request closes.
        awaiting_confirmation=tuple(RequestRef(r.reference, r.status, r.intent, r.updated_at) for r in resolved),
        awaiting_rating=tuple(RequestRef(r.reference, r.status, r.intent, r.closed_at) for r in closed),
        last_text_at=last_text_at,
    )


# Requests Hearthline opened itself (a check-in nobody answered) are nobody's to confirm or rate by text: a
# family member's "1" that stopped the ladder must not then rate the request it closed.
_not_system = ServiceRequest.requester_kind != RequesterKind.SYSTEM


def _scope(phone: str, senior_ids: list[int]) -> Any:
    """Requests this sender may ask about and answer for: their own, and those of the seniors they act for."""
    return or_(ServiceRequest.requester_phone == phone, ServiceRequest.senior_id.in_(senior_ids))


def _locale_or_none(raw: str | None) -> Locale | None:
    try:
        return Locale(raw) if raw else None
    except ValueError:
        return None


def check_incoming(incoming: Incoming) -> None:
    """Raise MalformedMessage unless this is a text Twilio could have sent (before it is handled or spooled)."""
    if not incoming.message_sid or not incoming.from_phone:
        raise MalformedMessage("MessageSid and From are required")
    if len(incoming.body) > MAX_BODY_CHARS:
        raise MalformedMessage(f"a text of {len(incoming.body)} characters did not come from Twilio")


def handle(hl: Hearthline, incoming: Incoming, *, reply_by_text: bool = False) -> Answer:
    """Act on one incoming text exactly once and return the reply (the stored one for a repeated delivery).

    `reply_by_text`: the webhook was answered long ago (a text replayed from the spool), so the reply goes to
    the sender through the outbox, in the same transaction that stores the text.
    """
    check_incoming(incoming)
    settings = hl.settings
    default_locale = Locale(settings.default_locale)
    # The text's arrival, before anything it changes (a request it closes is closed after it arrived).
    now = utcnow()
    ask_later: EmergencyCheck | None = None
    early = _understood_before_the_lock(hl, incoming, default_locale)
    try:
        with hl.db.transaction() as session:
            stored = session.get(InboundMessage, incoming.message_sid)
            if stored is not None:
                return Answer(stored.reply, duplicate=True)
            # Texts from one number are taken one at a time from here on, so the second of two texts sent
            # together reads what the first left (and neither is lost to the other's new conversation row).
            conversation = _conversation_locked(session, incoming.from_phone)
            for hook in _TEXT_HOOKS.values():
                hooked = hook(session, incoming.from_phone, incoming.body)
                if hooked is not None:
                    text = fit(hooked)
                    session.add(
                        InboundMessage(
                            message_sid=incoming.message_sid,
                            from_phone=incoming.from_phone,
                            body=incoming.body,
                            reply=text,
                            received_at=now,
                        )
                    )
                    return Answer(text)
            sender = _sender_view(session, incoming.from_phone, settings, now)
            state = ConversationState.from_json(conversation.state or {}, default_locale)
            bare = utterance_of(incoming.body, sender, default_locale)
            # The sender's language can have changed since the early look (a profile edited in between).
            heard = early if early.locale == bare.locale else enrich(bare, hl.understanding)
            outcome = reply_to(
                incoming.body,
                sender,
                state,
                default_locale=default_locale,
                heard=heard,
                now=now,
                rules=rules_of(settings),
            )
            check = outcome.state.emergency_check
            if check is not None and not check.asked_by:
                # Asked just now: name the question after this text, so its timeout job finds it (or not).
                ask_later = replace(check, asked_by=incoming.message_sid)
                outcome = replace(outcome, state=replace(outcome.state, emergency_check=ask_later))
            results = _carry_out(session, incoming, sender, outcome, settings)
            reply = settle(outcome, results)
            text = _render(reply, outcome.locale, settings) if reply is not None else ""
            conversation.state = outcome.state.to_json()
            if _for_the_inbox(incoming, sender, outcome):
                inbox.record(
                    session,
                    message_sid=incoming.message_sid,
                    phone=incoming.from_phone,
                    body=incoming.body,
                    locale=outcome.locale.value,
                    at=now,
                )
            session.add(
                InboundMessage(
                    message_sid=incoming.message_sid,
                    from_phone=incoming.from_phone,
                    body=incoming.body,
                    reply=text,
                    received_at=now,
                )
            )
            if reply_by_text and text:
                enqueue(session, Message(f"sms:{incoming.message_sid}:reply", incoming.from_phone, text, kind="reply"))
        if ask_later is not None:
            payload = {"phone": incoming.from_phone, "asked_by": ask_later.asked_by}
            hl.queue.schedule(EMERGENCY_UNANSWERED_JOB, payload, settings.sms_emergency_answer_seconds)
        return Answer(text)
    except IntegrityError:
        # The same MessageSid delivered twice at once: the other delivery committed first; answer as it did.
        with hl.db.sessions() as session:
            stored = session.get(InboundMessage, incoming.message_sid)
            if stored is None:
                raise
            return Answer(stored.reply, duplicate=True)


def replay_spool(hl: Hearthline, budget_seconds: float | None = None) -> ReplayReport:
    """Handle the texts kept while the database was away, oldest first, each once; their replies go by text."""

    def act(entry: Spooled) -> None:
        handle(hl, Incoming(entry.message_sid, entry.from_phone, entry.body), reply_by_text=True)

    return hl.spool.replay(act, retry_later=unreachable, budget_seconds=budget_seconds)


class SpoolWaiting(RuntimeError):
    """Texts are still kept because the database is away (the job queue tries the replay again later)."""


def _for_the_inbox(incoming: Incoming, sender: SenderView, outcome: Outcome) -> bool:
    """A text from someone not on file that made no request (and is no STOP/HELP keyword): staff must read it."""
    if sender.role is not Role.UNKNOWN or keyword_of(incoming.body) is not None:
        return False
    return not any(isinstance(a, CreateRequest | OptOut | OptIn) for a in outcome.actions)


def _understood_before_the_lock(hl: Hearthline, incoming: Incoming, default_locale: Locale) -> Utterance:
    """The text with the sentence model's opinion, worked out before the sender's conversation is locked.

    The model is the slow part of a text (tens of ms, seconds on a loaded machine), and a second text from the
    same number waits for that lock: held through the model, the wait ran past PostgreSQL's statement timeout
    under load, which reads as "the database is not answering", and every text for the next seconds was spooled.
    """
    profile: Locale | None = None
    if detect_locale(incoming.body) is None:  # only then does the profile's language decide (utterance_of)
        with hl.db.sessions() as session:
            profile = _locale_or_none(identify(session, incoming.from_phone).locale)
    sender = SenderView(incoming.from_phone, Role.UNKNOWN, profile)
    return enrich(utterance_of(incoming.body, sender, default_locale), hl.understanding)


def _conversation_locked(session: Session, phone: str) -> Conversation:
    """The sender's conversation row, created if new, locked until this text's transaction ends.

    INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same phone to commit instead of
    failing (PostgreSQL) or takes SQLite's one write lock first, so two texts from a new number never collide.
    """
    new = {"phone": phone, "state": {}}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql_insert(Conversation).values(new).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(Conversation).values(new).on_conflict_do_nothing())
    row = session.get(Conversation, phone, with_for_update=True, populate_existing=True)
    assert row is not None  # inserted above, or by the text that raced this one
    return row


def apology(settings: Settings, phone_locale: str | None = None) -> str:
    """The short plain reply when something broke on our side (the database is busy or down)."""
    locale = _locale_or_none(phone_locale) or Locale(settings.default_locale)
    return fit(translate("sms", "sms.error", locale, hotline=settings.hotline_number))


def kept_for_later(settings: Settings, body: str) -> str:
    """The reply to a text kept in the spool: we have it and will answer by text (in the language it is written
    in, as far as its script tells: the sender's settings are in the database we could not reach)."""
    locale = detect_locale(body) or Locale(settings.default_locale)
    return fit(translate("sms", "sms.kept", locale, emergency=settings.emergency_number))


def _carry_out(
    session: Session, incoming: Incoming, sender: SenderView, outcome: Outcome, settings: Settings
) -> tuple[SmsResult, ...]:
    """Do what the conversation decided; report what happened, one result per decision."""
    actor = f"{sender.role.value}:{incoming.from_phone}"
    results: list[SmsResult] = []
    for number, action in enumerate(outcome.actions):
        if isinstance(action, CreateRequest):
            # A text that makes two requests (an unanswered emergency question and a need) keys each apart.
            source = incoming if number == 0 else replace(incoming, message_sid=f"{incoming.message_sid}:{number}")
            results.append(_create(session, source, sender, action, settings, actor))
        elif isinstance(action, ListStatus):
            results.append(_status(session, sender, action.reference))
        elif isinstance(action, ConfirmResolved | Reopen | Rate):
            results.append(_answer_about(session, sender, action, actor))
        elif isinstance(action, NoteOn):
            request = _find(session, sender, action.reference)
            if request is not None:
                add_note(session, request, actor=actor, note=action.note, kind="detail")
            results.append(Done() if request is not None else NotFound(action.reference))
        elif isinstance(action, OptOut | OptIn):
            row = session.get(SmsOptOut, incoming.from_phone)
            if row is None:
                session.add(SmsOptOut(phone=incoming.from_phone, opted_out=isinstance(action, OptOut)))
            else:
                row.opted_out = isinstance(action, OptOut)
            results.append(Done())
    return tuple(results)


def _create(
    session: Session, incoming: Incoming, sender: SenderView, action: CreateRequest, settings: Settings, actor: str
) -> Created | Repeated:
    earlier = _asked_before(session, incoming.from_phone, action, settings)
    if earlier is not None:
        # Sent again (no answer seemed to come, or a double tap): the request stands; its history says so.
        add_note(session, earlier, actor=actor, note=action.text, kind="repeat")
        return Repeated(earlier.reference)
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
    promised = None
    if action.intent is Intent.OPERATOR:
        promised = written_datetime(request.due_at, action.locale.value, settings.zone)
    return Created(request.reference, promised)


def _asked_before(session: Session, phone: str, action: CreateRequest, settings: Settings) -> ServiceRequest | None:
    """An open request this number made by text a little earlier in the same words, if any.

    Emergencies are never folded into an earlier request: each text alerts staff again.
    """
    if settings.sms_repeat_window_hours == 0 or action.intent is Intent.EMERGENCY:
        return None
    recent = session.scalars(
        select(ServiceRequest)
        .where(
            ServiceRequest.requester_phone == phone,
            ServiceRequest.channel == Channel.SMS,
            ServiceRequest.status != RequestStatus.CLOSED,
            ServiceRequest.created_at >= utcnow() - timedelta(hours=settings.sms_repeat_window_hours),
        )
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    )
    return next((r for r in recent if same_text(r.transcript, action.text)), None)


def _in_scope(request: ServiceRequest, sender: SenderView) -> bool:
    return request.requester_phone == sender.phone or request.senior_id in {s.id for s in sender.seniors}


def _find(session: Session, sender: SenderView, reference: str) -> ServiceRequest | None:
    """The request with this reference, if the sender may see it (else as if it did not exist)."""
    try:
        request = find_by_reference(session, reference)
    except RequestNotFound:
        return None
    return request if _in_scope(request, sender) else None


def _item(request: ServiceRequest) -> StatusItem:
    name = request.senior.name if request.senior is not None else None
    return StatusItem(request.reference, request.intent, request.status, name)


def _answer_about(
    session: Session, sender: SenderView, action: ConfirmResolved | Reopen | Rate, actor: str
) -> NotFound | Refused | Done:
    request = _find(session, sender, action.reference)
    if request is None:
        return NotFound(action.reference)
    try:
        if isinstance(action, Rate):
            rate(session, request, action.rating, actor=actor)
        else:
            which = RequestAction.CLOSE if isinstance(action, ConfirmResolved) else RequestAction.REOPEN
            # The sender gets the TwiML reply now; the outbox tells everyone else (the family, the requester).
            apply_action(session, request, which, actor=actor, note=action.note, quiet_for=sender.phone)
    except (TransitionRefused, ValueError):
        return Refused(_item(request))
    return Done()


def _status(session: Session, sender: SenderView, reference: str | None) -> NotFound | StatusList:
    if reference is not None:
        request = _find(session, sender, reference)
        return NotFound(reference) if request is None else StatusList((_item(request),))
    seen: dict[int, ServiceRequest] = {}
    for senior in sender.seniors:
        for request in open_requests(session, senior_id=senior.id):
            seen[request.id] = request
    for request in open_requests(session, phone=sender.phone):
        seen[request.id] = request
    found = sorted(seen.values(), key=lambda r: (r.created_at, r.id), reverse=True)
    return StatusList(tuple(_item(r) for r in found))


def _render(reply: Reply, locale: Locale, settings: Settings) -> str:
    """The reply in the sender's language, within the SMS segment rules."""
    values: dict[str, Any] = {"hotline": settings.hotline_number, "emergency": settings.emergency_number}
    key = reply.key
    if key == CRISIS_REPLY:
        values["crisis"] = settings.crisis_line_number
        key = key if settings.crisis_line_number else "sms.callback"  # no crisis line: the call-back alone
    for name, value in reply.params.items():
        if name.endswith("intent"):  # "intent" -> {service}, "asked_intent" -> {asked_service}
            values[name.removesuffix("intent") + "service"] = translate("common", f"service.{value}", locale)
        elif name == "items":
            values[name] = "; ".join(_render_item(item, locale) for item in value)
        else:
            values[name] = value
    return fit(translate("sms", key, locale, **values))


def _render_item(item: StatusItem, locale: Locale) -> str:
    line = translate(
        "sms",
        "sms.status.item",
        locale,
        reference=item.reference,
        service=translate("common", f"service.{item.intent}", locale),
        status=translate("common", f"status.{item.status}", locale),
    )
    return line if item.senior_name is None else f"{item.senior_name}: {line}"


# --- an emergency question nobody answered ---------------------------------------------------------------------
def register_jobs(hl: Hearthline) -> None:
    """Name this module's jobs on the queue (create_app, so the web process and the worker know them).

    The spool's replay is a job queued when a text is kept, and a minutely chore of the worker (also at its start).
    """
    hl.queue.register(EMERGENCY_UNANSWERED_JOB, lambda payload: emergency_unanswered(hl, payload))

    def replay_job(_payload: dict[str, Any]) -> None:
        report = replay_spool(hl)
        if report.left:
            raise SpoolWaiting(f"{report.left} texts wait for the database")

    def replay_chore() -> None:
        replay_spool(hl)

    hl.queue.register(REPLAY_JOB, replay_job)
    hl.queue.every_minute(REPLAY_JOB, replay_chore)


def emergency_unanswered(hl: Hearthline, payload: dict[str, Any]) -> None:
    """Bring a still-unanswered emergency question to staff as an urgent request.

    Nothing happens when the sender answered meanwhile (YES, NO or another text: each settles the question).
    """
    phone, asked_by = str(payload["phone"]), str(payload["asked_by"])
    settings = hl.settings
    default_locale = Locale(settings.default_locale)
    with hl.db.transaction() as session:
        conversation = _conversation_locked(session, phone)
        state = ConversationState.from_json(conversation.state or {}, default_locale)
        check = state.emergency_check
        if check is None or check.asked_by != asked_by:
            return None
        sender = _sender_view(session, phone, settings, utcnow())
        action = urgent_request(check.text, sender, check.locale)
        created = _create(
            session, Incoming(f"{asked_by}:unanswered", phone, check.text), sender, action, settings, "system"
        )
        conversation.state = replace(state, emergency_check=None).to_json()
        if not sender.opted_out:
            body = _render(Reply("sms.emergency_timed_out"), check.locale, settings)
            enqueue(session, Message(f"sms:{asked_by}:unanswered", phone, body, kind="sms_reply"))
    log.info("SMS emergency question from %s unanswered: request %s", phone, created.reference)
    hl.queue.wake_outbox()
