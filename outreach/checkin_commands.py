"""`flask checkins add|list|pause|resume|remove|confirm|run`: staff manage seniors' daily check-in calls."""

from __future__ import annotations

from datetime import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import Senior
from care.phones import BadPhoneNumber, to_e164
from i18n.clock import local
from outreach import checkins
from outreach.checkin_tables import CheckinPlan, CheckinRound, ConsentHow, PlanStatus
from outreach.ladder import Status
from outreach.plans import PlanError, PlanRequest, add_plan, all_plans, parse_days, plan_of
from web.context import current

checkins_cli = AppGroup("checkins", help="Daily check-in calls: plans, consent, and the day's calls.")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _senior(session: Session, phone: str) -> Senior:
    try:
        e164 = to_e164(phone, current().settings.default_region)
    except BadPhoneNumber as exc:
        raise click.ClickException(str(exc)) from None
    senior = session.scalar(select(Senior).where(Senior.phone == e164))
    if senior is None:
        raise click.ClickException(f"no senior with the number {phone}")
    return senior


def _time(raw: str) -> time:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise click.ClickException(f"{raw!r} is not a time (use 24-hour HH:MM, e.g. 09:30)") from None


def describe(plan: CheckinPlan) -> str:
    """One line about a plan, as staff read it in a terminal."""
    zone = current().settings.zone
    days = ",".join(DAY_NAMES[d] for d in sorted(plan.weekdays))
    consent = f"consent {plan.consent_by} ({plan.consent_how}) {local(plan.consent_at, zone):%Y-%m-%d}"
    return (
        f"{plan.senior.name} {plan.senior.phone}: {plan.status}, {days} {plan.window_start:%H:%M}-"
        f"{plan.window_end:%H:%M} ({plan.locale}), team {plan.team}; {consent}"
        + (f"; {plan.status_note}" if plan.status != PlanStatus.ACTIVE else "")
    )


@checkins_cli.command("add")
@click.option("--senior", "phone", required=True, help="The senior's phone.")
@click.option("--days", default="daily", show_default=True, help="mon,wed,fri / 0,2,4 / weekdays / daily")
@click.option("--from", "start", default="10:00", show_default=True, help="Window start, centre's clock.")
@click.option("--to", "end", default="12:00", show_default=True, help="Window end, centre's clock.")
@click.option("--language", "locale", default=None, help="en, zh, ko or es (default: the senior's).")
@click.option("--team", default=None, help="Who is told when nobody can be reached (default: the senior's area).")
@click.option("--consent-by", required=True, help="Who agreed to the calls (the senior, or their representative).")
@click.option("--consent-how", type=click.Choice([c.value for c in ConsentHow]), required=True, help="How they agreed.")
@click.option("--holidays/--no-holidays", default=False, help="Call on the centre's holidays too.")
@click.option(
    "--weekly-summary/--no-weekly-summary", default=False, help="The senior agreed the family gets a weekly text."
)
def add(
    phone: str,
    days: str,
    start: str,
    end: str,
    locale: str | None,
    team: str | None,
    consent_by: str,
    consent_how: str,
    holidays: bool,
    weekly_summary: bool,
) -> None:
    """Put a senior on daily check-in calls, recording their consent."""
    hl = current()
    try:
        with hl.db.transaction() as session:
            request = PlanRequest(
                days=parse_days(days),
                window_start=_time(start),
                window_end=_time(end),
                consent_by=consent_by,
                consent_how=ConsentHow(consent_how),
                locale=locale,
                team=team,
                call_on_holidays=holidays,
                weekly_summary=weekly_summary,
            )
            plan = add_plan(session, _senior(session, phone), request, actor="staff:cli", settings=hl.settings)
            click.echo(f"plan {plan.id}: {describe(plan)}")
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None


@checkins_cli.command("list")
@click.option("--all", "include_removed", is_flag=True, help="Include removed plans.")
def list_plans(include_removed: bool) -> None:
    """Every plan with its last answer."""
    with current().db.sessions() as session:
        plans = all_plans(session, include_removed=include_removed)
        if not plans:
            click.echo("no check-in plans")
        for plan in plans:
            last = session.scalar(
                select(CheckinRound).where(CheckinRound.plan_id == plan.id).order_by(CheckinRound.day.desc()).limit(1)
            )
            tail = f"; last {last.day} {last.status}/{last.answer or '-'}" if last else ""
            click.echo(f"plan {plan.id}: {describe(plan)}{tail}")


def _change(phone: str, status: PlanStatus, note: str) -> None:
    try:
        with current().db.transaction() as session:
            plan = plan_of(session, _senior(session, phone))
            checkins.set_status(session, plan, status, actor="staff:cli", note=note)
            click.echo(f"plan {plan.id}: {describe(plan)}")
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None


@checkins_cli.command("pause")
@click.option("--senior", "phone", required=True)
@click.option("--note", default="", help="Why (kept on the plan).")
def pause(phone: str, note: str) -> None:
    """Stop calling for now (today's calls not yet placed are withdrawn)."""
    _change(phone, PlanStatus.PAUSED, note)


@checkins_cli.command("resume")
@click.option("--senior", "phone", required=True)
@click.option("--note", default="")
def resume(phone: str, note: str) -> None:
    """Start calling again from the next window."""
    _change(phone, PlanStatus.ACTIVE, note)


@checkins_cli.command("remove")
@click.option("--senior", "phone", required=True)
@click.option("--note", default="", help="Why (consent withdrawn, moved away); the record stays.")
def remove(phone: str, note: str) -> None:
    """End a plan; its history stays."""
    _change(phone, PlanStatus.REMOVED, note)


@checkins_cli.command("confirm")
@click.option("--senior", "phone", required=True)
@click.option("--by", "who", required=True, help="Who found them all right (e.g. 'neighbour, by phone').")
def confirm(phone: str, who: str) -> None:
    """Record that a senior not reached today is all right: the ladder stops."""
    hl = current()
    with hl.db.transaction() as session:
        senior = _senior(session, phone)
        rounds = session.scalars(
            select(CheckinRound).where(
                CheckinRound.senior_id == senior.id,
                CheckinRound.status.in_([Status.CALLING, Status.FAMILY, Status.STAFF]),
            )
        )
        stopped = [r for r in rounds if checkins.confirm(session, hl.settings, r, who=f"staff:cli ({who})")]
    if not stopped:
        raise click.ClickException(f"no open check-in for {senior.name}")
    click.echo(f"{senior.name}: ladder stopped ({len(stopped)} round(s))")


@checkins_cli.command("run")
def run() -> None:
    """Plan today's calls, hand silent family waits to staff, send weekly texts (the worker runs it each minute)."""
    planned, moved, weekly = checkins.tick(current())
    click.echo(f"{planned} call(s) planned, {moved} round(s) to staff, {weekly} weekly text(s)")


def register_commands(app: Flask) -> None:
    app.cli.add_command(checkins_cli)
