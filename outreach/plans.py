"""Check-in plans: staff put a senior on daily calls (with their consent), pause, resume and remove them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import Senior, utcnow
from care.settings import LOCALES, Settings
from outreach.checkin_tables import CheckinPlan, CheckinRound, ConsentHow, PlanStatus
from outreach.schedule import Calendar, allowed_window

# Who works a check-in that needs staff when the senior has no team (area) on file.
DEFAULT_TEAM = "befriending"


class PlanError(ValueError):
    """A plan that cannot be made or changed as asked (said plainly to staff)."""


@dataclass(frozen=True)
class PlanRequest:
    """What staff give to put a senior on check-in calls."""

    days: frozenset[int]
    window_start: time
    window_end: time
    consent_by: str
    consent_how: ConsentHow
    locale: str | None = None  # default: the senior's language
    team: str | None = None  # default: the senior's team (area), else befriending
    call_on_holidays: bool = False
    weekly_summary: bool = False


def parse_days(raw: str) -> frozenset[int]:
    """ "mon,tue,fri", "0,1,4", "daily" or "weekdays" as weekday numbers (Monday is 0)."""
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    text = raw.strip().lower()
    if text in ("daily", "every day", "all"):
        return frozenset(range(7))
    if text == "weekdays":
        return frozenset(range(5))
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if part.isdigit() and 0 <= int(part) <= 6:
            days.add(int(part))
        elif part[:3] in names:
            days.add(names.index(part[:3]))
        else:
            raise PlanError(f"{part!r} is not a day (use mon..sun, 0..6, daily or weekdays)")
    if not days:
        raise PlanError("a plan needs at least one day")
    return frozenset(days)


def calendar_of(settings: Settings) -> Calendar:
    """The calendar every outbound call keeps, from the settings."""
    return Calendar(
        zone=settings.zone,
        holidays=frozenset(settings.holidays),
        quiet_start=settings.quiet_hours_start,
        quiet_end=settings.quiet_hours_end,
        max_calls_per_day=settings.outreach_max_calls_per_day,
        retries=settings.checkin_retries,
        retry_after=timedelta(minutes=settings.checkin_retry_minutes),
    )


def _check(request: PlanRequest, settings: Settings) -> None:
    if not request.consent_by.strip():
        raise PlanError("record who gave consent (the senior, or their legal representative)")
    if request.window_start >= request.window_end:
        raise PlanError("the window must start before it ends (on the centre's clock)")
    if allowed_window(request.window_start, request.window_end, calendar_of(settings)) is None:
        quiet = f"{settings.quiet_hours_start:%H:%M}-{settings.quiet_hours_end:%H:%M}"
        raise PlanError(f"the window lies wholly in quiet hours ({quiet}); nobody would be called")
    if request.locale is not None and request.locale not in LOCALES:
        raise PlanError(f"language must be one of {', '.join(LOCALES)}")


def add_plan(session: Session, senior: Senior, request: PlanRequest, *, actor: str, settings: Settings) -> CheckinPlan:
    """Put a senior on check-in calls; a senior with a removed plan gets it back with the new terms."""
    _check(request, settings)
    plan = session.scalar(select(CheckinPlan).where(CheckinPlan.senior_id == senior.id))
    if plan is not None and plan.status != PlanStatus.REMOVED:
        raise PlanError(f"{senior.name} already has a check-in plan ({plan.status}); pause, resume or remove it")
    if plan is None:
        plan = CheckinPlan(senior_id=senior.id, created_by=actor)
        session.add(plan)
    plan.days = ",".join(str(d) for d in sorted(request.days))
    plan.window_start, plan.window_end = request.window_start, request.window_end
    plan.locale = request.locale or senior.locale
    plan.team = request.team or senior.area or DEFAULT_TEAM
    plan.call_on_holidays = request.call_on_holidays
    plan.weekly_summary = request.weekly_summary
    plan.consent_by = request.consent_by.strip()
    plan.consent_how = request.consent_how.value
    plan.consent_at = utcnow()
    plan.status = PlanStatus.ACTIVE
    plan.status_note = f"added by {actor}"
    session.flush()
    return plan


def plan_of(session: Session, senior: Senior) -> CheckinPlan:
    plan = session.scalar(select(CheckinPlan).where(CheckinPlan.senior_id == senior.id))
    if plan is None:
        raise PlanError(f"{senior.name} has no check-in plan")
    return plan


def all_plans(session: Session, *, include_removed: bool = False) -> list[CheckinPlan]:
    query = select(CheckinPlan).join(Senior, Senior.id == CheckinPlan.senior_id).order_by(Senior.name)
    if not include_removed:
        query = query.where(CheckinPlan.status != PlanStatus.REMOVED)
    return list(session.scalars(query))


def last_rounds(session: Session, plan_id: int, limit: int) -> list[CheckinRound]:
    """A plan's newest rounds, oldest first."""
    rows = session.scalars(
        select(CheckinRound).where(CheckinRound.plan_id == plan_id).order_by(CheckinRound.day.desc()).limit(limit)
    )
    return list(reversed(list(rows)))
