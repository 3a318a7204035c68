"""`flask reminders add|list|remove`: staff set up seniors' medication and appointment reminders."""

from __future__ import annotations

from datetime import datetime, time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from care.models import Senior
from care.phones import BadPhoneNumber, to_e164
from i18n.clock import local
from outreach.reminder_tables import Reminder, ReminderChannel, ReminderKind
from outreach.reminders import ReminderError, ReminderRequest, add_reminder, remove_reminder
from outreach.schedule import to_stored
from web.context import current

reminders_cli = AppGroup("reminders", help="Medication and appointment reminders by call or text.")


def _times(raw: str) -> tuple[time, ...]:
    try:
        return tuple(time.fromisoformat(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError:
        raise click.ClickException(f"{raw!r} is not a list of times (use 24-hour HH:MM, e.g. 08:00,20:00)") from None


def describe(reminder: Reminder) -> str:
    zone = current().settings.zone
    when = (
        f"daily at {reminder.times}"
        if reminder.kind == ReminderKind.MEDICATION
        else f"{local(reminder.appointment_at, zone):%Y-%m-%d %H:%M}, {reminder.lead_minutes} min before"
        if reminder.appointment_at
        else "-"
    )
    state = "active" if reminder.active else reminder.note
    return (
        f"#{reminder.id} {reminder.senior.name} {reminder.senior.phone}: {reminder.kind} by {reminder.channel}, "
        f"{when} ({reminder.locale}), team {reminder.team}; {state}"
    )


@reminders_cli.command("add")
@click.option("--senior", "phone", required=True, help="The senior's phone.")
@click.option("--kind", type=click.Choice([k.value for k in ReminderKind]), required=True)
@click.option(
    "--by", "channel", type=click.Choice([c.value for c in ReminderChannel]), default="call", show_default=True
)
@click.option("--times", default="", help="Medication: daily times on the centre's clock, e.g. 08:00,20:00.")
@click.option("--at", "at", default="", help="Appointment: YYYY-MM-DD HH:MM on the centre's clock.")
@click.option("--lead", "lead", default=60, show_default=True, help="Appointment: minutes before it to remind.")
@click.option("--language", "locale", default=None, help="en, zh, ko or es (default: the senior's).")
@click.option("--team", default=None, help="Who is told when nobody acknowledges (default: the senior's area).")
def add(
    phone: str, kind: str, channel: str, times: str, at: str, lead: int, locale: str | None, team: str | None
) -> None:
    """Set up a reminder for a senior."""
    hl = current()
    try:
        e164 = to_e164(phone, hl.settings.default_region)
    except BadPhoneNumber as exc:
        raise click.ClickException(str(exc)) from None
    appointment = None
    if at:
        try:
            appointment = to_stored(datetime.fromisoformat(at).replace(tzinfo=hl.settings.zone))
        except ValueError:
            raise click.ClickException(f"{at!r} is not a date and time (use YYYY-MM-DD HH:MM)") from None
    request = ReminderRequest(
        ReminderKind(kind), ReminderChannel(channel), _times(times), appointment, lead, locale, team
    )
    with hl.db.transaction() as session:
        senior = session.scalar(select(Senior).where(Senior.phone == e164))
        if senior is None:
            raise click.ClickException(f"no senior with the number {phone}")
        try:
            reminder = add_reminder(session, senior, request, actor="cli")
        except ReminderError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(describe(reminder))


@reminders_cli.command("list")
@click.option("--all", "everything", is_flag=True, help="Removed reminders too.")
def list_(everything: bool) -> None:
    """Every reminder, one a line."""
    with current().db.sessions() as session:
        query = select(Reminder).order_by(Reminder.id)
        if not everything:
            query = query.where(Reminder.active)
        for reminder in session.scalars(query):
            click.echo(describe(reminder))


@reminders_cli.command("remove")
@click.argument("reminder_id", type=int)
def remove(reminder_id: int) -> None:
    """Stop a reminder (kept, with its history)."""
    with current().db.transaction() as session:
        reminder = session.get(Reminder, reminder_id)
        if reminder is None:
            raise click.ClickException(f"no reminder #{reminder_id}")
        remove_reminder(session, reminder, actor="cli")
        click.echo(describe(reminder))


def register_commands(app: Flask) -> None:
    app.cli.add_command(reminders_cli)
