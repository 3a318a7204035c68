"""Family members set up, list and cancel a linked senior's reminders by text (outreach.reminder_words reads them).

A hook before the SMS conversation (sms.handling.register_text_hook): a text that is not a reminder command, or
that comes from anyone but a family member linked to a senior, is left to the conversation as usual. Family
linked to several seniors who name none are asked which; that question waits in the sender's conversation
state (care.models.Conversation, under its own key) until the answer, and any other text drops it, as the
conversation's own questions are dropped. Every change goes into the history of a request made for it (quiet,
closed at once: Hearthline's own, so it is nobody's to confirm or rate), where staff see who set what.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from babel.lists import format_list
from sqlalchemy import select
from sqlalchemy.orm import Session

from care.lifecycle import RequestAction, TransitionRefused
from care.models import Channel, Conversation, FamilyMember, RequesterKind, Senior, ServiceRequest, utcnow
from care.people import linked_seniors
from care.requests import NewRequest, add_note, apply_action, create_request, find_by_source
from care.settings import Settings
from i18n.clock import written_datetime, written_time
from i18n.messages import translate
from outreach.reminder_tables import Reminder, ReminderKind
from outreach.reminder_words import By, CancelReminder, ListReminders, SetReminder, What, read_command
from outreach.reminders import INTENT, ReminderError, ReminderRequest, add_for_family, remove_reminder
from outreach.schedule import on_clock, to_stored
from sms.conversation import SeniorRef, choose_senior, senior_named_in
from sms.handling import register_text_hook
from web.context import Hearthline

# The question "who is the reminder for?" waits under this key of the sender's conversation state, this long.
PENDING_KEY = "reminder_setup"
PENDING_FOR = timedelta(minutes=30)
EVENT_KIND = "reminder"  # history entries (the console labels them as the reminder ladder's)


@dataclass(frozen=True)
class Pending:
    command: SetReminder
    choices: tuple[int, ...]


def reply_text(session: Session, settings: Settings, phone: str, body: str) -> str | None:
    """The reply to a family member's reminder command, or None to leave the text to the SMS conversation."""
    member = session.scalar(select(FamilyMember).where(FamilyMember.phone == phone))
    if member is None:
        return None
    seniors = linked_seniors(session, member)
    if not seniors:
        return None
    now = utcnow()
    command = read_command(body, on_clock(now, settings.zone).replace(tzinfo=None))
    conversation = session.get(Conversation, phone)
    pending = _pending(conversation, now)
    refs = tuple(SeniorRef(s.id, s.name) for s in seniors)
    if command is None:
        if pending is None:
            return None
        chosen = choose_senior(body, refs, pending.choices)
        if chosen is None:
            return None  # not an answer: the conversation takes the text (and drops the question)
        _forget(conversation)
        senior = next(s for s in seniors if s.id == chosen)
        return _set(session, settings, member, senior, pending.command, now)
    _forget(conversation)
    if isinstance(command, ListReminders):
        return _list(session, settings, member, seniors)
    if isinstance(command, CancelReminder):
        return _cancel(session, settings, member, seniors, command.number, now)
    if len(seniors) == 1:
        return _set(session, settings, member, seniors[0], command, now)
    named = senior_named_in(command.text, refs)
    if named is not None:
        return _set(session, settings, member, next(s for s in seniors if s.id == named), command, now)
    if conversation is not None:
        conversation.state = {**(conversation.state or {}), PENDING_KEY: _to_json(command, refs, now)}
    choices = ", ".join(f"{n} {s.name}" for n, s in enumerate(seniors, start=1))
    return translate("sms", "sms.reminder.which_senior", member.locale, choices=choices)


# --- what the text asks -------------------------------------------------------------------------------------
def _set(
    session: Session, settings: Settings, member: FamilyMember, senior: Senior, command: SetReminder, now: datetime
) -> str | None:
    appointment = None
    if command.appointment is not None:
        appointment = to_stored(command.appointment.replace(tzinfo=settings.zone))
    request = ReminderRequest(
        kind=command.what,
        channel=command.by,
        times=command.times,
        appointment_at=appointment,
    )
    try:
        reminder = add_for_family(session, member, senior, request)
    except ReminderError:
        return None  # cannot be set as asked: a person reads the text instead
    locale = member.locale
    params = _describe(reminder, settings, locale)
    _history(
        session,
        settings,
        member,
        reminder,
        f"reminder {reminder.id} set up by text: {command.what.value} by {command.by.value}, "
        + (f"daily at {reminder.times}" if command.what is What.MEDICATION else f"appointment {command.appointment}"),
        command.text,
        now,
    )
    return translate("sms", f"sms.reminder.set.{reminder.kind}.{reminder.channel}", locale, **params)


def _list(session: Session, settings: Settings, member: FamilyMember, seniors: list[Senior]) -> str:
    reminders = _reminders_of(session, seniors)
    locale = member.locale
    if not reminders:
        return translate("sms", "sms.reminder.none", locale)
    items = "; ".join(
        translate("sms", f"sms.reminder.item.{r.kind}", locale, **_describe(r, settings, locale)) for r in reminders
    )
    return translate("sms", "sms.reminder.list", locale, items=items)


def _cancel(
    session: Session,
    settings: Settings,
    member: FamilyMember,
    seniors: list[Senior],
    number: int | None,
    now: datetime,
) -> str:
    reminders = _reminders_of(session, seniors)
    if number is None:  # "cancel reminder": the only one; with several, the list says how to pick
        if len(reminders) != 1:
            return _list(session, settings, member, seniors)
        number = reminders[0].id
    reminder = next((r for r in reminders if r.id == number), None)
    if reminder is None:
        return translate("sms", "sms.reminder.not_found", member.locale, number=number)
    remove_reminder(session, reminder, actor=f"family:{member.phone}")
    _history(session, settings, member, reminder, f"reminder {reminder.id} stopped by text", "", now)
    return translate("sms", "sms.reminder.cancelled", member.locale, number=number, name=reminder.senior.name)


def _reminders_of(session: Session, seniors: list[Senior]) -> list[Reminder]:
    """The active reminders of the seniors a family member is linked to, whoever set them up."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.active, Reminder.senior_id.in_([s.id for s in seniors]))
            .order_by(Reminder.id)
        )
    )


def _describe(reminder: Reminder, settings: Settings, locale: str) -> dict[str, Any]:
    """A reminder's parts as the family reads them: number, name, times or the appointment, call or text."""
    params: dict[str, Any] = {
        "number": reminder.id,
        "name": reminder.senior.name,
        "by": translate("sms", f"sms.reminder.by.{reminder.channel}", locale),
    }
    if reminder.kind == ReminderKind.MEDICATION:
        times = [written_time(time.fromisoformat(raw), locale) for raw in reminder.times.split(",") if raw]
        params["times"] = format_list(times, locale=locale)
    elif reminder.appointment_at is not None:
        params["time"] = written_time(on_clock(reminder.appointment_at, settings.zone).time(), locale)
        remind_at = reminder.appointment_at - timedelta(minutes=reminder.lead_minutes)
        params["when"] = written_datetime(remind_at, locale, settings.zone)
    return params


def _history(
    session: Session,
    settings: Settings,
    member: FamilyMember,
    reminder: Reminder,
    note: str,
    text: str,
    now: datetime,
) -> None:
    """The change, with who made it, in the history of the reminder's own request (made, closed, the first time)."""
    actor = f"family:{member.phone}"
    request = find_by_source(session, f"reminder-setup:{reminder.id}")
    if request is None:
        request, _ = create_request(
            session,
            NewRequest(
                intent=INTENT,
                channel=Channel.SMS,
                requester_phone=member.phone,
                source_key=f"reminder-setup:{reminder.id}",
                requester_kind=RequesterKind.SYSTEM,
                senior_id=reminder.senior_id,
                locale=member.locale,
                transcript=text or note,
                understood_by="sms",
                actor=actor,
                team=reminder.team,
                announce=False,
            ),
            zone=settings.zone,
            now=now,
        )
        add_note(session, request, actor=actor, note=note, kind=EVENT_KIND)
        _close(session, request, now)
        return
    add_note(session, request, actor=actor, note=note, kind=EVENT_KIND)


def _close(session: Session, request: ServiceRequest, now: datetime) -> None:
    for action in (RequestAction.RESOLVE, RequestAction.CLOSE):
        with contextlib.suppress(TransitionRefused):
            apply_action(
                session, request, action, actor="system:reminder", note="set up by family", now=now, announce=False
            )


# --- the question waiting for its answer --------------------------------------------------------------------
def _to_json(command: SetReminder, refs: tuple[SeniorRef, ...], now: datetime) -> dict[str, Any]:
    return {
        "what": command.what.value,
        "by": command.by.value,
        "times": [f"{t:%H:%M}" for t in command.times],
        "appointment": command.appointment.isoformat() if command.appointment else None,
        "text": command.text,
        "choices": [r.id for r in refs],
        "asked_at": now.isoformat(),
    }


def _pending(conversation: Conversation | None, now: datetime) -> Pending | None:
    """The question asked of this sender, if it is still waiting (anything unreadable counts as none)."""
    data = (conversation.state or {}).get(PENDING_KEY) if conversation is not None else None
    if not data:
        return None
    try:
        if now - datetime.fromisoformat(data["asked_at"]) > PENDING_FOR:
            return None
        command = SetReminder(
            What(data["what"]),
            By(data["by"]),
            tuple(time.fromisoformat(t) for t in data["times"]),
            datetime.fromisoformat(data["appointment"]) if data["appointment"] else None,
            str(data["text"]),
        )
        return Pending(command, tuple(int(c) for c in data["choices"]))
    except (KeyError, TypeError, ValueError):
        return None


def _forget(conversation: Conversation | None) -> None:
    if conversation is not None and PENDING_KEY in (conversation.state or {}):
        conversation.state = {k: v for k, v in conversation.state.items() if k != PENDING_KEY}


def register_reminder_texts(hl: Hearthline) -> None:
    """The family's reminder commands, before the SMS conversation (create_app, after the ladder's "1" hooks)."""
    settings = hl.settings

    def hook(session: Session, phone: str, body: str) -> str | None:
        return reply_text(session, settings, phone, body)

    register_text_hook("reminder-setup", hook)
