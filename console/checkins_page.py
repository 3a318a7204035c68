"""Daily check-in calls in the console: who is on a plan (with their consent), today's calls, add, pause, remove."""

from __future__ import annotations

from datetime import time

from babel.dates import get_day_names
from flask import flash, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from care.models import Senior, ServiceRequest, utcnow
from care.routing import TEAMS
from care.settings import LOCALES
from console.web import actor, back_to, bp, local_time, page_locale, stored_id, t
from outreach import checkins
from outreach.checkin_tables import CheckinPlan, CheckinRound, ConsentHow, PlanStatus
from outreach.plans import PlanError, PlanRequest, add_plan, all_plans
from outreach.reminder_tables import Reminder
from outreach.reminders import remove_reminder
from outreach.schedule import on_clock
from web.context import current

# Texts the template picks by a reminder's kind and channel, and the history's label for a reminder's rungs.
REMINDER_TEXTS = (
    "reminders.kind.medication",
    "reminders.kind.appointment",
    "reminders.by.call",
    "reminders.by.sms",
    "history.kind.reminder",
)
CHANGES = {"pause": PlanStatus.PAUSED, "resume": PlanStatus.ACTIVE, "remove": PlanStatus.REMOVED}


def _time(raw: str) -> time:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise PlanError(t("checkins.bad_time", value=raw)) from None


@bp.get("/checkins")
def checkins_page() -> str:
    hl = current()
    today = on_clock(utcnow(), hl.settings.zone).date()
    with hl.db.sessions() as db:
        plans = all_plans(db)
        rounds = {r.plan_id: r for r in db.scalars(select(CheckinRound).where(CheckinRound.day == today))}
        # The link to a round's history names its request by reference (console.request_page).
        asked = [r.request_id for r in rounds.values() if r.request_id is not None]
        found = db.execute(select(ServiceRequest.id, ServiceRequest.reference).where(ServiceRequest.id.in_(asked)))
        references = {request_id: reference for request_id, reference in found}
        planned = {p.senior_id for p in db.scalars(select(CheckinPlan))}
        seniors = [s for s in db.scalars(select(Senior).order_by(Senior.name)) if s.id not in planned]
        reminders = list(db.scalars(select(Reminder).where(Reminder.active).order_by(Reminder.id)))
        return render_template(
            "console/checkins.html",
            plans=plans,
            rounds=rounds,
            references=references,
            seniors=seniors,
            day_names=get_day_names("abbreviated", locale=page_locale()),
            consent_ways=[c.value for c in ConsentHow],
            teams=TEAMS,
            locales=LOCALES,
            reminders=reminders,
        )


@bp.post("/checkins")
def add_checkin() -> Response:
    hl = current()
    senior_id = stored_id(request.form.get("senior", ""))
    try:
        days = frozenset(int(d) for d in request.form.getlist("days") if d.isdecimal() and int(d) < 7)
        if not days:
            raise PlanError(t("checkins.no_days"))
        how = request.form.get("consent_how", "")
        if how not in {c.value for c in ConsentHow}:
            raise PlanError(t("checkins.no_consent"))
        plan_request = PlanRequest(
            days=days,
            window_start=_time(request.form.get("start", "")),
            window_end=_time(request.form.get("end", "")),
            consent_by=request.form.get("consent_by", ""),
            consent_how=ConsentHow(how),
            locale=request.form.get("locale") or None,
            team=request.form.get("team") if request.form.get("team") in TEAMS else None,
            call_on_holidays=request.form.get("holidays") == "1",
            weekly_summary=request.form.get("weekly") == "1",
        )
        with hl.db.transaction() as db:
            senior = db.get(Senior, senior_id) if senior_id is not None else None
            if senior is None:
                raise PlanError(t("checkins.no_senior"))
            add_plan(db, senior, plan_request, actor=actor(), settings=hl.settings)
    except PlanError as exc:
        flash(t("checkins.not_saved", reason=str(exc)), "error")
        return back_to("console.checkins_page")
    flash(t("checkins.added"), "ok")
    return back_to("console.checkins_page")


@bp.post("/checkins/<int:plan_id>/<what>")
def change_checkin(plan_id: int, what: str) -> Response:
    status = CHANGES.get(what)
    hl = current()
    try:
        with hl.db.transaction() as db:
            plan = db.get(CheckinPlan, plan_id)
            if plan is None or status is None:
                raise PlanError(t("checkins.no_plan"))
            checkins.set_status(db, plan, status, actor=actor(), note=request.form.get("note", "")[:200])
    except PlanError as exc:
        flash(t("checkins.not_saved", reason=str(exc)), "error")
        return back_to("console.checkins_page")
    flash(t("checkins.changed"), "ok")
    return back_to("console.checkins_page")


@bp.post("/checkins/<int:plan_id>/call-now")
def call_checkin_now(plan_id: int) -> Response:
    """Ring the senior now: today's check-in call brought forward, through the dialer (try it on the simulator)."""
    hl = current()
    try:
        with hl.db.transaction() as db:
            plan = db.get(CheckinPlan, plan_id)
            if plan is None:
                raise PlanError(t("checkins.no_plan"))
            name = plan.senior.name
            checkins.call_now(db, hl.settings, plan, actor=actor())
    except checkins.CallNowRefused as exc:
        flash(t(f"checkins.call_now.{exc.why}", time=local_time(exc.until)), "error")
        return back_to("console.checkins_page")
    except PlanError as exc:
        flash(t("checkins.not_saved", reason=str(exc)), "error")
        return back_to("console.checkins_page")
    flash(t("checkins.call_now.calling", name=name), "ok")
    return back_to("console.checkins_page")


@bp.post("/reminders/<int:reminder_id>/remove")
def remove_reminder_page(reminder_id: int) -> Response:
    """Staff stop a reminder from the check-ins page (kept, with its history; `flask reminders` does the rest)."""
    with current().db.transaction() as db:
        reminder = db.get(Reminder, reminder_id)
        if reminder is None or not reminder.active:
            flash(t("reminders.no_reminder"), "error")
            return back_to("console.checkins_page")
        remove_reminder(db, reminder, actor=actor())
    flash(t("reminders.removed"), "ok")
    return back_to("console.checkins_page")
