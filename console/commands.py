"""Staff commands: `flask people`, `flask requests`, `flask worker` (the job queue), `flask sweep-call-audio`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from care import directory
from care.lifecycle import RequestAction, TransitionRefused
from care.models import FamilyLink, FamilyMember, RequestStatus, Senior, ServiceRequest, StaffMember
from care.phones import BadPhoneNumber, to_e164
from care.requests import RequestNotFound, add_note, apply_action, find_by_reference
from care.urgency import describe as describe_reasons
from i18n.clock import local
from web.context import SCHEMA_KEY, current

F = TypeVar("F", bound=Callable[..., Any])

people = AppGroup("people", help="Seniors, family members (with consent) and staff.")
requests_cli = AppGroup("requests", help="Work service requests through their life cycle.")


def _region() -> str:
    return current().settings.default_region


def _stamp(moment: datetime) -> str:
    """A stored UTC time on the centre's clock, sortable and with its zone, for an operator's terminal."""
    return f"{local(moment, current().settings.zone):%Y-%m-%d %H:%M %Z}"


def _phone(raw: str) -> str:
    try:
        return to_e164(raw, _region())
    except BadPhoneNumber as exc:
        raise click.ClickException(str(exc)) from None


def _senior(session: Session, phone: str) -> Senior:
    senior = session.scalar(select(Senior).where(Senior.phone == _phone(phone)))
    if senior is None:
        raise click.ClickException(f"no senior with the number {phone}")
    return senior


def _family(session: Session, phone: str) -> FamilyMember:
    member = session.scalar(select(FamilyMember).where(FamilyMember.phone == _phone(phone)))
    if member is None:
        raise click.ClickException(f"no family member with the number {phone}")
    return member


# --- people ------------------------------------------------------------------------------------------------
@people.command("add-senior")
@click.option("--phone", required=True)
@click.option("--name", required=True)
@click.option("--language", "locale", default="en", show_default=True, help="en, zh, ko or es")
@click.option("--address", default="")
@click.option("--area", default="", help="Team or area that serves them.")
@click.option("--lives-alone", is_flag=True, help="Their requests are urgent and due in half the time.")
def add_senior(phone: str, name: str, locale: str, address: str, area: str, lives_alone: bool) -> None:
    """Put a senior on file (their phone is how the hotline knows them)."""
    try:
        with current().db.transaction() as session:
            senior = directory.add_senior(
                session,
                phone=phone,
                name=name,
                locale=locale,
                address=address,
                area=area,
                region=_region(),
                lives_alone=lives_alone,
            )
            click.echo(f"senior {senior.id}: {senior.name} {senior.phone} ({senior.locale})")
    except directory.DirectoryError as exc:
        raise click.ClickException(str(exc)) from None


@people.command("add-family")
@click.option("--phone", required=True)
@click.option("--name", required=True)
@click.option("--language", "locale", default="en", show_default=True, help="en, zh, ko or es")
def add_family(phone: str, name: str, locale: str) -> None:
    """Put a family member on file (they act for a senior only once linked with consent)."""
    try:
        with current().db.transaction() as session:
            member = directory.add_family_member(session, phone=phone, name=name, locale=locale, region=_region())
            click.echo(f"family member {member.id}: {member.name} {member.phone} ({member.locale})")
    except directory.DirectoryError as exc:
        raise click.ClickException(str(exc)) from None


@people.command("link")
@click.option("--senior", "senior_phone", required=True, help="The senior's phone.")
@click.option("--family", "family_phone", required=True, help="The family member's phone.")
@click.option("--consent-by", required=True, help="Who gave consent (the senior, or their legal representative).")
@click.option("--relationship", default="", help='e.g. "daughter".')
def link(senior_phone: str, family_phone: str, consent_by: str, relationship: str) -> None:
    """Let a family member act for a senior; the consent (who, when) is recorded."""
    try:
        with current().db.transaction() as session:
            made = directory.link_family(
                session,
                senior=_senior(session, senior_phone),
                family=_family(session, family_phone),
                consent_given_by=consent_by,
                relationship_label=relationship,
            )
            click.echo(
                f"linked {made.family_member.name} to {made.senior.name}; consent by {made.consent_given_by} "
                f"at {_stamp(made.consent_at)}"
            )
    except directory.DirectoryError as exc:
        raise click.ClickException(str(exc)) from None


@people.command("unlink")
@click.option("--senior", "senior_phone", required=True)
@click.option("--family", "family_phone", required=True)
def unlink(senior_phone: str, family_phone: str) -> None:
    """End a link (consent withdrawn); the record of it stays."""
    with current().db.transaction() as session:
        senior, member = _senior(session, senior_phone), _family(session, family_phone)
        row = session.scalar(
            select(FamilyLink).where(
                FamilyLink.senior_id == senior.id, FamilyLink.family_member_id == member.id, FamilyLink.active
            )
        )
        if row is None:
            raise click.ClickException(f"{member.name} is not linked to {senior.name}")
        directory.end_link(row)
        click.echo(f"unlinked {member.name} from {senior.name}")


@people.command("add-staff")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--phone", default="", help="For alerts and the staff line.")
@click.option("--role", type=click.Choice(["staff", "admin"]), default="staff", show_default=True)
@click.option("--team", default="")
@click.option("--password", default="", help="Console password (prompted for when --ask-password).")
@click.option("--ask-password", is_flag=True, help="Prompt for the password without echoing it.")
@click.option("--pin", default="", help="Keypad PIN for the staff line (4-8 digits).")
def add_staff(
    username: str, name: str, phone: str, role: str, team: str, password: str, ask_password: bool, pin: str
) -> None:
    """Add a staff member; passwords and PINs are stored only as salted hashes."""
    if ask_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with current().db.transaction() as session:
            member = directory.add_staff(
                session,
                username=username,
                name=name,
                password=password,
                role=role,
                team=team,
                phone=phone,
                region=_region(),
            )
            if pin:
                directory.set_pin(member, pin)
            click.echo(f"staff {member.username}: {member.name} ({member.role}, team {member.team or '-'})")
    except directory.DirectoryError as exc:
        raise click.ClickException(str(exc)) from None


@people.command("unlock")
@click.argument("username")
def unlock_staff(username: str) -> None:
    """Clear a staff member's login and PIN locks (for a centre whose only admin is locked out)."""
    with current().db.transaction() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.username == username.strip().lower()))
        if member is None:
            raise click.ClickException(f"no staff member named {username.strip().lower()}")
        directory.unlock(member)
        click.echo(f"{member.username} can log in again")


@people.command("list")
def list_people() -> None:
    """Everyone on file, with family links and who consented."""
    with current().db.sessions() as session:
        click.echo("Seniors:")
        for senior in session.scalars(select(Senior).order_by(Senior.name)):
            click.echo(f"  {senior.phone}  {senior.name}  [{senior.locale}] {senior.area}".rstrip())
            for made in senior.links:
                state = "" if made.active else " (ended)"
                click.echo(
                    f"    family {made.family_member.phone} {made.family_member.name} {made.relationship_label}"
                    f" - consent by {made.consent_given_by} {_stamp(made.consent_at)}{state}"
                )
        click.echo("Family members:")
        for member in session.scalars(select(FamilyMember).order_by(FamilyMember.name)):
            click.echo(f"  {member.phone}  {member.name}  [{member.locale}]")
        click.echo("Staff:")
        for staff in session.scalars(select(StaffMember).order_by(StaffMember.username)):
            active = "" if staff.active else " (inactive)"
            click.echo(f"  {staff.username}  {staff.name}  {staff.role} {staff.team} {staff.phone or ''}{active}")


# --- requests ----------------------------------------------------------------------------------------------
def _request(session: Session, reference: str) -> ServiceRequest:
    try:
        return find_by_reference(session, reference)
    except RequestNotFound as exc:
        raise click.ClickException(str(exc)) from None


@requests_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in RequestStatus] + ["open", "all"]), default="open")
@click.option("--team", default="")
def list_requests(status: str, team: str) -> None:
    """Requests, most urgent first (due soonest)."""
    with current().db.sessions() as session:
        query = select(ServiceRequest)
        if status == "open":
            query = query.where(ServiceRequest.status != RequestStatus.CLOSED)
        elif status != "all":
            query = query.where(ServiceRequest.status == status)
        if team:
            query = query.where(ServiceRequest.team == team)
        rows = list(session.scalars(query.order_by(ServiceRequest.urgent.desc(), ServiceRequest.due_at)))
        if not rows:
            click.echo("no requests")
        for row in rows:
            who = row.senior.name if row.senior else row.requester_phone
            flag = "URGENT " if row.urgent else ""
            click.echo(
                f"{row.reference}  {flag}{row.intent:<13} {row.status:<11} {row.team:<11} "
                f"due {_stamp(row.due_at)}  {who}  {row.assignee or ''}".rstrip()
            )


@requests_cli.command("show")
@click.argument("reference")
def show(reference: str) -> None:
    """One request with its transcript and its whole history."""
    with current().db.sessions() as session:
        row = _request(session, reference)
        who = f"{row.senior.name} ({row.senior.phone})" if row.senior else "not on file"
        click.echo(f"Request {row.reference}: {row.intent} - {row.status}{' URGENT' if row.urgent else ''}")
        if row.urgent_because:
            click.echo(f"  urgent because: {describe_reasons(row.urgent_because, 'en')}")
        click.echo(f"  senior: {who}; requester {row.requester_kind} {row.requester_phone} by {row.channel}")
        click.echo(f"  team {row.team}, assignee {row.assignee or '-'}, due {_stamp(row.due_at)}")
        click.echo(f"  said: {row.transcript or '-'}")
        if row.details:
            click.echo(f"  details: {row.details}")
        if row.rating is not None:
            click.echo(f"  rating: {row.rating}/5")
        click.echo("History:")
        for event in row.events:
            change = f" {event.from_status or ''}->{event.to_status}" if event.to_status else ""
            click.echo(f"  {_stamp(event.at)}  {event.actor:<24} {event.kind}{change}  {event.note}")


def _staff_actor(session: Session, username: str) -> str:
    """The history names who acted, so it must be someone on file, not a typo."""
    login = username.strip().lower()
    found = session.scalar(select(StaffMember.id).where(StaffMember.username == login, StaffMember.active))
    if found is None:
        raise click.ClickException(f"no active staff member {username!r} (see flask people list)")
    return f"staff:{login}"


def _act(reference: str, action: RequestAction, by: str, note: str, assignee: str | None = None) -> None:
    try:
        with current().db.transaction() as session:
            row = _request(session, reference)
            before = row.status
            apply_action(session, row, action, actor=_staff_actor(session, by), note=note, assignee=assignee)
            click.echo(f"{row.reference}: {before} -> {row.status}")
    except TransitionRefused as exc:
        raise click.ClickException(str(exc)) from None


def _by_option(func: F) -> F:
    return click.option("--by", required=True, help="Your staff username (recorded in the history).")(func)


@requests_cli.command("assign")
@click.argument("reference")
@click.option("--to", "assignee", required=True, help="Username of who will handle it.")
@_by_option
@click.option("--note", default="")
def assign(reference: str, assignee: str, by: str, note: str) -> None:
    """Give a request to a staff member."""
    _act(reference, RequestAction.ASSIGN, by, note, assignee)


@requests_cli.command("start")
@click.argument("reference")
@_by_option
@click.option("--note", default="")
def start(reference: str, by: str, note: str) -> None:
    """Work has started."""
    _act(reference, RequestAction.START, by, note)


@requests_cli.command("resolve")
@click.argument("reference")
@_by_option
@click.option("--note", default="")
def resolve(reference: str, by: str, note: str) -> None:
    """Done: the requester is asked to confirm (reply 1) or reopen (reply 2)."""
    _act(reference, RequestAction.RESOLVE, by, note)


@requests_cli.command("close")
@click.argument("reference")
@_by_option
@click.option("--note", required=True, help="How the requester confirmed (only their confirmation closes).")
def close(reference: str, by: str, note: str) -> None:
    """Record the requester's confirmation given another way (a call, a visit)."""
    _act(reference, RequestAction.CLOSE, by, note)


@requests_cli.command("reopen")
@click.argument("reference")
@_by_option
@click.option("--note", default="")
def reopen(reference: str, by: str, note: str) -> None:
    """The problem is back or was not fixed."""
    _act(reference, RequestAction.REOPEN, by, note)


@requests_cli.command("note")
@click.argument("reference")
@_by_option
@click.argument("text")
def note(reference: str, by: str, text: str) -> None:
    """Add a note to the history."""
    try:
        with current().db.transaction() as session:
            add_note(session, _request(session, reference), actor=_staff_actor(session, by), note=text)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{reference}: note added")


# --- worker ------------------------------------------------------------------------------------------------
@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Delivery threads.")
def worker(workers: int) -> None:
    """Run the job queue consumer that delivers the notifications outbox (retries, backoff, periodic sweep)."""
    from care.jobs import HueyQueue

    hl = current()
    queue = hl.queue
    if not isinstance(queue, HueyQueue):
        raise click.ClickException("this app's job queue is not Huey; nothing to run")
    # Every job needs the database: a worker started while it is away waits for it (saying so) instead of
    # failing each task, or dying and being restarted in a loop.
    hl.db.wait_until_reachable(who="flask worker")
    current_app.extensions[SCHEMA_KEY].attempt()
    # Texts kept while the database was away (a crash may have left them), then whatever waited while no worker
    # ran (and claims of a worker that died), at once.
    queue.run_minutely()
    queue.wake_outbox()
    queue.consumer(workers=workers).run()


@click.command("sweep-call-audio")
@with_appcontext
def sweep_audio_command() -> None:
    """Delete callers' recordings past their retention date and old call states (the worker does it hourly)."""
    from care.retention import sweep_audio, sweep_call_states

    click.echo(f"deleted {sweep_audio(current().db, current().settings.data_dir)} recordings")
    click.echo(f"deleted {sweep_call_states(current().db)} finished call states")


# --- audit -------------------------------------------------------------------------------------------------
audit = AppGroup("audit", help="Check that no request history was changed behind the app's back.")


@audit.command("verify")
@click.option("--anchor", default="", help="A digest printed by an earlier run, kept outside the database.")
def audit_verify(anchor: str) -> None:
    """Recompute every request's history chain; exit 1 naming each entry that was edited, removed or inserted."""
    from care.audit import verify

    with current().db.transaction() as session:
        report = verify(session)
    for problem in report.problems:
        click.echo(f"TAMPERED {problem}")
    click.echo(f"checked {report.requests} requests, {report.events} history entries; anchor {report.anchor}")
    if anchor and anchor != report.anchor:
        click.echo("the anchor differs from the one given: requests were added, removed or rewritten since then")
    if report.problems or (anchor and anchor != report.anchor):
        raise SystemExit(1)
    click.echo("history intact")


# --- db ----------------------------------------------------------------------------------------------------
db_cli = AppGroup("db", help="The database schema: migrate at deploy, show the revision.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the schema migrations (run once at each deploy, before the new code serves)."""
    from care import schema
    from care.db import Base

    after = schema.upgrade(current().db.engine, Base.metadata, revision)
    click.echo(f"schema at {after.current} (code's head {after.head})")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's schema revision; exit 1 when it is behind the code."""
    from care import schema
    from care.db import Base

    now = schema.state(current().db.engine, Base.metadata)
    click.echo(f"schema at {now.current} (code's head {now.head})")
    if not now.up_to_date:
        raise SystemExit(1)


def register_commands(app: Flask) -> None:
    app.cli.add_command(audit)
    app.cli.add_command(db_cli)
    app.cli.add_command(sweep_audio_command)
    app.cli.add_command(people)
    app.cli.add_command(requests_cli)
    app.cli.add_command(worker)
