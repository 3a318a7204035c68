"""The request queue and one request's page: transcript, audio, caller, senior, history, and the staff actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import abort, flash, render_template, request, send_file
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.wrappers import Response

from care.lifecycle import OPEN_STATUSES, RequestAction, TransitionRefused, allowed_actions
from care.models import (
    FamilyLink,
    Notification,
    RequestStatus,
    Senior,
    ServiceRequest,
    StaffMember,
    utcnow,
)
from care.people import identify
from care.phones import try_e164
from care.requests import REFERENCE_DIGITS, RequestNotFound, add_note, apply_action, find_by_reference
from care.retention import kept_audio
from care.routing import TEAMS
from console.calls_page import confirm_calls
from console.web import actor, back_to, bp, phone_display, staff, t
from opendata.models import RequestProvider
from web.context import current

# How often an open queue page fetches itself again: a new emergency shows within this, without a reload.
REFRESH_SECONDS = 10
QUEUE_LIMIT = 300  # a page staff can scan; filters narrow it further
NOTE_MAX_CHARS = 2000
# Statuses in which the clock is still running for staff (a resolved request waits on the requester).
WAITING_ON_STAFF = frozenset(
    {RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS, RequestStatus.REOPENED}
)
STATUS_FILTERS = ("open", "waiting", "resolved", "closed", "all")


# Enough of the request for staff to tell rows apart at a glance; the page holds the rest.
FIRST_WORDS_CHARS = 60


@dataclass(frozen=True)
class QueueRow:
    request: ServiceRequest
    who: str
    overdue: bool

    @property
    def first_words(self) -> str:
        """The start of what the requester said or wrote, cut at a word ("My mother cannot cook…")."""
        text = " ".join((self.request.transcript or self.request.details or "").split())
        if len(text) <= FIRST_WORDS_CHARS:
            return text
        cut = (
            text[:FIRST_WORDS_CHARS].rsplit(" ", 1)[0] if " " in text[:FIRST_WORDS_CHARS] else text[:FIRST_WORDS_CHARS]
        )
        return cut.rstrip(",.;:") + "…"


def is_overdue(req: ServiceRequest, now: datetime) -> bool:
    return RequestStatus(req.status) in WAITING_ON_STAFF and req.due_at < now


def _status_clause(choice: str) -> list[str]:
    if choice == "waiting":
        return [s.value for s in WAITING_ON_STAFF]
    if choice == "resolved":
        return [RequestStatus.RESOLVED.value]
    if choice == "closed":
        return [RequestStatus.CLOSED.value]
    if choice == "all":
        return [s.value for s in RequestStatus]
    return [s.value for s in OPEN_STATUSES]


def search_clause(query: str, region: str) -> ColumnElement[bool] | None:
    """What a search box entry means: a reference, or a phone number written any way staff write it.

    A number matches the requester's phone and the phone of the senior the request is for. None: no match.
    """
    text = query.strip()
    if text.isdecimal() and len(text) <= REFERENCE_DIGITS:
        return ServiceRequest.reference == text
    phone = try_e164(text, region)
    if phone is None:
        return None
    return or_(ServiceRequest.requester_phone == phone, ServiceRequest.senior.has(Senior.phone == phone))


def queue_rows(
    db: Session, *, team: str, status: str, mine: str | None, now: datetime, search: str = "", region: str = "US"
) -> list[QueueRow]:
    """Requests to work, most pressing first: urgent, then overdue, then by due time.

    A search looks through every status (a caller asking about an old request has its number, not its state).
    """
    query = select(ServiceRequest).options(selectinload(ServiceRequest.senior))
    if search:
        clause = search_clause(search, region)
        if clause is None:
            return []
        query = query.where(clause)
    else:
        query = query.where(ServiceRequest.status.in_(_status_clause(status)))
    if team:
        query = query.where(ServiceRequest.team == team)
    if mine:
        query = query.where(ServiceRequest.assignee == mine)
    # Urgent first, then by due time (the overdue are the earliest due), so the limit never hides an emergency.
    found = list(db.scalars(query.order_by(ServiceRequest.urgent.desc(), ServiceRequest.due_at).limit(QUEUE_LIMIT)))
    rows = [
        QueueRow(
            req, req.senior.name if req.senior is not None else phone_display(req.requester_phone), is_overdue(req, now)
        )
        for req in found
    ]
    rows.sort(key=lambda row: (not row.request.urgent, not row.overdue, row.request.due_at))
    return rows


@bp.get("/")
def queue() -> str:
    team = request.args.get("team", "")
    team = team if team in TEAMS else ""
    status = request.args.get("status", "open")
    status = status if status in STATUS_FILTERS else "open"
    mine = request.args.get("mine") == "1"
    search = request.args.get("q", "").strip()[:40]
    now = utcnow()
    with current().db.sessions() as db:
        rows = queue_rows(
            db,
            team=team,
            status=status,
            mine=staff().username if mine else None,
            now=now,
            search=search,
            region=current().settings.default_region,
        )
        counts = {
            "total": len(rows),
            "urgent": sum(1 for r in rows if r.request.urgent),
            "overdue": sum(1 for r in rows if r.overdue),
        }
        return render_template(
            "console/queue.html",
            rows=rows,
            teams=TEAMS,
            team=team,
            status=status,
            statuses=STATUS_FILTERS,
            mine=mine,
            search=search,
            refresh_seconds=REFRESH_SECONDS,
            counts=counts,
            limit=QUEUE_LIMIT,
        )


def actor_names(db: Session, actors: set[str]) -> dict[str, str]:
    """The people behind history entries ("staff:sam", "caller:+1202…") by name, where we know them."""
    names: dict[str, str] = {}
    usernames = {who for kind, _, who in (a.partition(":") for a in actors) if kind == "staff" and who}
    if usernames:
        for username, name in db.execute(
            select(StaffMember.username, StaffMember.name).where(StaffMember.username.in_(usernames))
        ):
            names[f"staff:{username}"] = name
    for entry in actors:
        who = entry.partition(":")[2]
        if entry in names or not who.startswith("+"):
            continue
        person = identify(db, who)
        known = person.senior or person.family or person.staff
        if known is not None:
            names[entry] = known.name
    return names


def _load(db: Session, reference: str) -> ServiceRequest:
    try:
        return find_by_reference(db, reference)
    except RequestNotFound:
        abort(404)


@bp.get("/requests/<reference>")
def request_page(reference: str) -> str:
    now = utcnow()
    with current().db.sessions() as db:
        req = _load(db, reference)
        caller = identify(db, req.requester_phone)
        links = (
            list(
                db.scalars(
                    select(FamilyLink)
                    .options(selectinload(FamilyLink.family_member))
                    .where(FamilyLink.senior_id == req.senior_id)
                    .order_by(FamilyLink.id)
                )
            )
            if req.senior_id is not None
            else []
        )
        messages = list(
            db.scalars(select(Notification).where(Notification.request_id == req.id).order_by(Notification.id))
        )
        staff_list = list(
            db.scalars(select(StaffMember).where(StaffMember.active).order_by(StaffMember.team, StaffMember.name))
        )
        events = list(req.events)
        return render_template(
            "console/request.html",
            req=req,
            provider=db.get(RequestProvider, req.id),
            events=events,
            names=actor_names(db, {event.actor for event in events}),
            caller=caller,
            links=links,
            messages=messages,
            staff_list=staff_list,
            actions=allowed_actions(RequestStatus(req.status)),
            overdue=is_overdue(req, now),
            has_audio=_audio_file(req, now) is not None,
            note_max=NOTE_MAX_CHARS,
            confirm=confirm_calls(db, req),
            now=now,
        )


@bp.post("/requests/<reference>/action")
def request_action(reference: str) -> Response:
    try:
        action = RequestAction(request.form.get("action", ""))
    except ValueError:
        abort(400, description=t("error.bad_request"))
    note = request.form.get("note", "").strip()[:NOTE_MAX_CHARS]
    assignee = request.form.get("assignee", "").strip() or None
    seen_status = request.form.get("seen_status", "")
    if action is RequestAction.CLOSE and not note:
        # Staff may only record a confirmation the requester gave them; say how it was given.
        flash(t("request.close_needs_note"), "error")
        return back_to("console.request_page", reference=reference)
    with current().db.transaction() as db:
        req = _load(db, reference)
        if seen_status and seen_status != req.status:
            # Someone else moved it since this page was loaded: show them the current state instead.
            flash(t("request.changed_meanwhile", status=t(f"status.{req.status}")), "error")
            return back_to("console.request_page", reference=reference)
        if action is RequestAction.ASSIGN and not _is_staff(db, assignee):
            flash(t("request.pick_assignee"), "error")
            return back_to("console.request_page", reference=reference)
        if action is RequestAction.CLOSE:
            note = t("request.confirmed_by_phone_note", note=note)
        try:
            apply_action(db, req, action, actor=actor(), note=note, assignee=assignee)
        except TransitionRefused:
            flash(t("request.action_refused", status=t(f"status.{req.status}")), "error")
            return back_to("console.request_page", reference=reference)
        flash(t("request.done", status=t(f"status.{req.status}")), "ok")
    return back_to("console.request_page", reference=reference)


def _is_staff(db: Session, username: str | None) -> bool:
    if not username:
        return False
    return db.scalar(select(StaffMember.id).where(StaffMember.username == username, StaffMember.active)) is not None


@bp.post("/requests/<reference>/note")
def request_note(reference: str) -> Response:
    note = request.form.get("note", "").strip()
    if not note:
        flash(t("request.note_empty"), "error")
        return back_to("console.request_page", reference=reference)
    with current().db.transaction() as db:
        req = _load(db, reference)
        add_note(db, req, actor=actor(), note=note[:NOTE_MAX_CHARS])
    flash(t("request.note_added"), "ok")
    return back_to("console.request_page", reference=reference)


def _audio_file(req: ServiceRequest, now: datetime) -> Path | None:
    """The caller's recording, if kept and not past its retention date, and only inside our data folder."""
    if not req.audio_path or (req.audio_expires_at is not None and req.audio_expires_at <= now):
        return None
    return kept_audio(current().settings.data_dir, req.audio_path)


@bp.get("/requests/<reference>/audio")
def request_audio(reference: str) -> Response:
    with current().db.sessions() as db:
        path = _audio_file(_load(db, reference), utcnow())
    if path is None:
        abort(404)
    return send_file(path, mimetype="audio/wav", max_age=0)
