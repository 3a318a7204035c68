"""Who is told what when a request is created or changes state, written to the outbox in their language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.lines import receives_texts
from care.models import Notification, RequesterKind, RequestStatus, ServiceRequest, StaffMember, StaffRole
from care.outbox import Message, enqueue, supersede_pending
from care.people import family_of, staff_for_team
from care.urgency import describe
from i18n.clock import written_datetime
from i18n.messages import translate

# "Assigned" and "work has started" are only news if nothing follows soon: staff often assign, start and resolve
# a request within a minute or two, and three texts in a minute read as noise to an older reader. They wait
# this long and a later status notice about the same request replaces them.
STATUS_SETTLE = timedelta(minutes=3)
PASSING_STATUSES = frozenset({RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS})
STATUS_KINDS = frozenset({"status", "confirm"})

# Staff alerts are in the centre's working language; one per deployment for now.
STAFF_LOCALE = "en"
# The kind of the alert about a message that could not be delivered (never itself alerted about).
DELIVERY_ALERT = "delivery_alert"


def service_name(intent: str, locale: str) -> str:
    return translate("common", f"service.{intent}", locale)


def _who(request: ServiceRequest, locale: str) -> str:
    if request.senior is not None:
        return request.senior.name
    return translate("notify", "notify.someone", locale)


def _family_recipients(session: Session, request: ServiceRequest) -> list[tuple[str, str]]:
    """(phone, locale) of the senior's linked family, leaving out whoever made the request."""
    if request.senior_id is None:
        return []
    return [
        (member.phone, member.locale)
        for member in family_of(session, request.senior_id)
        if member.phone != request.requester_phone
    ]


def request_created(session: Session, request: ServiceRequest, zone: tzinfo) -> None:
    """Tell the family about a new request; alert staff at once for emergencies and callbacks.

    `zone` is the centre's time zone: staff read the due time on the centre's clock, not in UTC.
    """
    session.refresh(request, ["senior"])
    event = f"request:{request.id}:created"
    # Only an emergency is one to the family; a request raised by care.urgency reads as an ordinary new request.
    family_key = "notify.emergency.family" if request.intent == "emergency" else "notify.created"
    for phone, locale in _family_recipients(session, request):
        body = translate(
            "notify",
            family_key,
            locale,
            who=_who(request, locale),
            service=service_name(request.intent, locale),
            reference=request.reference,
        )
        enqueue(session, Message(event, phone, body, kind="family", request_id=request.id))
    if request.urgent and request.intent != "emergency":
        _alert_staff(session, request, zone, event, "notify.urgent.staff")
    elif request.urgent or request.intent == "operator":
        staff_key = "notify.emergency.staff" if request.urgent else "notify.callback.staff"
        _alert_staff(session, request, zone, event, staff_key)


def request_raised(session: Session, request: ServiceRequest, zone: tzinfo) -> None:
    """Alert the team's staff that details added later made a request urgent (care.requests.raise_for_details)."""
    event = f"request:{request.id}:raised:{request.urgent_because}"
    _alert_staff(session, request, zone, event, "notify.urgent.staff")


def _alert_staff(session: Session, request: ServiceRequest, zone: tzinfo, event: str, key: str) -> None:
    """Text the request's team at once: who, what for, why urgent (care.urgency), what was said, when it is due.

    Each message key uses the fields it needs (str.format leaves the others unused).
    """
    for member in staff_for_team(session, request.team):
        assert member.phone is not None
        body = translate(
            "notify",
            key,
            STAFF_LOCALE,
            who=_who(request, STAFF_LOCALE),
            phone=request.requester_phone,
            reference=request.reference,
            service=service_name(request.intent, STAFF_LOCALE),
            reasons=describe(request.urgent_because, STAFF_LOCALE),
            transcript=(request.transcript or request.details or "-")[:200],
            due=written_datetime(request.due_at, STAFF_LOCALE, zone),
        )
        enqueue(session, Message(event, member.phone, body, kind="staff", request_id=request.id))


def status_changed(
    session: Session, request: ServiceRequest, *, event_id: int, skip_phone: str | None = None, note: str = ""
) -> None:
    """Tell the requester (when the number can take texts) and the linked family about a new status.

    `skip_phone` made the change by text and already has our answer in the reply to that text. A `note` staff
    wrote when resolving (who will come, when) goes in the same text.
    """
    status = RequestStatus(request.status)
    event = f"request:{request.id}:event:{event_id}"
    recipients = _family_recipients(session, request)
    # A requester who cannot receive texts (a landline) is asked by a confirmation call instead (outreach.confirm,
    # one of the status listeners below). An Open311 client may post without a phone: then only the family is told.
    if (
        request.requester_phone
        and request.requester_kind != RequesterKind.SYSTEM
        and receives_texts(session, request.requester_phone)[0]
    ):
        recipients.insert(0, (request.requester_phone, request.locale))
    for phone, locale in recipients:
        if phone == skip_phone:
            continue
        key = f"notify.status.{status.value}"
        if status is RequestStatus.RESOLVED and note:
            key = "notify.status.resolved_note"
        body = translate(
            "notify", key, locale, reference=request.reference, service=service_name(request.intent, locale), note=note
        )
        kind = "confirm" if status is RequestStatus.RESOLVED and phone == request.requester_phone else "status"
        supersede_pending(session, request_id=request.id, to_phone=phone, kinds=STATUS_KINDS)
        hold = STATUS_SETTLE if status in PASSING_STATUSES else timedelta(0)
        enqueue(session, Message(event, phone, body, kind=kind, request_id=request.id, hold=hold))
    for listener in _STATUS_LISTENERS.values():
        listener(session, request, event_id)


# Parts above care that act on a status change in the same transaction (outreach places a confirmation call to
# a requester who cannot receive texts); registered by name, so an app built twice registers once.
StatusListener = Callable[[Session, ServiceRequest, int], None]
_STATUS_LISTENERS: dict[str, StatusListener] = {}


def listen_for_status(name: str, listener: StatusListener) -> None:
    """Call `listener(session, request, event_id)` after every status change's notices are queued."""
    _STATUS_LISTENERS[name] = listener


# A callback nobody has picked up is flagged to staff an hour before the time the caller was promised
# (settings.callback_within_hours, 4 h by default), leaving time to call.
CALLBACK_REMINDER_LEAD = timedelta(hours=1)


def callback_reminders(session: Session, now: datetime, zone: tzinfo) -> int:
    """Remind staff, once per request, of callbacks still unassigned and due within the lead time (told in `zone`)."""
    due = session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.intent == "operator",
            ServiceRequest.status == RequestStatus.NEW,
            ServiceRequest.due_at <= now + CALLBACK_REMINDER_LEAD,
        )
    )
    queued = 0
    for request in due:
        for member in staff_for_team(session, request.team):
            assert member.phone is not None
            body = translate(
                "notify",
                "notify.callback.reminder",
                STAFF_LOCALE,
                who=_who(request, STAFF_LOCALE),
                phone=request.requester_phone,
                reference=request.reference,
                due=written_datetime(request.due_at, STAFF_LOCALE, zone),
            )
            message = Message(
                f"request:{request.id}:reminder", member.phone, body, kind="reminder", request_id=request.id
            )
            if enqueue(session, message) is not None:
                queued += 1
    return queued


def delivery_failed(session: Session, failed: Notification) -> None:
    """Tell the active admins (by text) that a message could not be delivered, so a person reaches them otherwise."""
    if failed.kind == DELIVERY_ALERT:
        return  # an alert that cannot be delivered is in the log and on the console; no alert about the alert
    reference = "-"
    if failed.request_id is not None:
        request = session.get(ServiceRequest, failed.request_id)
        reference = request.reference if request is not None else "-"
    admins = session.scalars(
        select(StaffMember).where(
            StaffMember.role == StaffRole.ADMIN, StaffMember.active, StaffMember.phone.is_not(None)
        )
    )
    for admin in admins:
        if admin.phone is None or admin.phone == failed.to_phone:
            continue
        body = translate(
            "notify",
            "notify.delivery_failed.staff",
            STAFF_LOCALE,
            phone=failed.to_phone,
            reference=reference,
            body=failed.body[:100],
        )
        message = Message(f"notification:{failed.id}:failed", admin.phone, body, kind=DELIVERY_ALERT)
        enqueue(session, message)
