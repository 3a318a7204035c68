"""The daily plan: days, windows on the centre's clock, holidays, quiet hours and the daily cap."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from outreach.schedule import Calendar, PlanView, allowed_window, calls_for_day, on_clock

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
THURSDAY = date(2026, 12, 3)


def plan(
    plan_id: int = 1,
    *,
    days: frozenset[int] = frozenset(range(7)),
    start: time = time(10),
    end: time = time(12),
    paused: bool = False,
    holidays: bool = False,
    senior: int | None = None,
) -> PlanView:
    return PlanView(plan_id, senior or plan_id, days, start, end, paused, holidays)


def test_a_call_falls_inside_its_window_on_the_centres_clock() -> None:
    calendar = Calendar(SEOUL)
    [call] = calls_for_day([plan()], THURSDAY, calendar)
    local = on_clock(call.due_at, SEOUL)
    assert local.date() == THURSDAY
    # Room is left for two retries ten minutes apart before the window closes at noon.
    assert time(10) <= local.time() <= time(11, 40)
    assert call.due_at.tzinfo is None  # stored as naive UTC, 9 hours behind Seoul
    assert call.due_at == local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    assert (local.replace(tzinfo=None) - call.due_at) == timedelta(hours=9)


def test_days_paused_plans_and_holidays_are_respected() -> None:
    plans = [
        plan(1, days=frozenset({3})),  # Thursdays
        plan(2, days=frozenset({0})),  # Mondays only
        plan(3, paused=True),
        plan(4, holidays=True),
    ]
    assert [c.plan_id for c in calls_for_day(plans, THURSDAY, Calendar(SEOUL))] in ([1, 4], [4, 1])
    on_holiday = Calendar(SEOUL, holidays=frozenset({THURSDAY}))
    assert [c.plan_id for c in calls_for_day(plans, THURSDAY, on_holiday)] == [4]


def test_quiet_hours_clip_the_window_and_a_wholly_quiet_window_gets_no_call() -> None:
    calendar = Calendar(NEW_YORK, quiet_start=time(21), quiet_end=time(8))
    assert allowed_window(time(7), time(9), calendar) == (time(8), time(9))
    assert allowed_window(time(21, 30), time(23), calendar) is None
    [early] = calls_for_day([plan(1, start=time(6), end=time(9))], THURSDAY, calendar)
    assert time(8) <= on_clock(early.due_at, NEW_YORK).time() < time(9)
    assert calls_for_day([plan(2, start=time(21, 30), end=time(23))], THURSDAY, calendar) == []
    assert calendar.is_quiet(time(22)) and calendar.is_quiet(time(7, 59)) and not calendar.is_quiet(time(8))


def test_a_senior_at_the_daily_cap_gets_no_new_check_in() -> None:
    calendar = Calendar(SEOUL, max_calls_per_day=3)
    plans = [plan(1, senior=10), plan(2, senior=20)]
    calls = calls_for_day(plans, THURSDAY, calendar, calls_today={10: 3, 20: 2})
    assert [c.senior_id for c in calls] == [20]


def test_calls_spread_over_the_window_the_same_way_every_day() -> None:
    plans = [plan(i) for i in range(1, 201)]
    calendar = Calendar(SEOUL)
    first = calls_for_day(plans, THURSDAY, calendar)
    minutes = {on_clock(c.due_at, SEOUL).time() for c in first}
    assert len(minutes) > 40  # not all at 10:00
    friday = calls_for_day(plans, THURSDAY + timedelta(days=1), calendar)
    assert [on_clock(c.due_at, SEOUL).time() for c in sorted(first, key=lambda c: c.plan_id)] == [
        on_clock(c.due_at, SEOUL).time() for c in sorted(friday, key=lambda c: c.plan_id)
    ]
    assert [c.due_at for c in first] == sorted(c.due_at for c in first)


def test_the_window_keeps_its_local_time_across_a_clock_change() -> None:
    calendar = Calendar(NEW_YORK)
    summer = calls_for_day([plan()], date(2026, 10, 30), calendar)[0]
    winter = calls_for_day([plan()], date(2026, 11, 2), calendar)[0]
    assert on_clock(summer.due_at, NEW_YORK).time() == on_clock(winter.due_at, NEW_YORK).time()
    assert summer.due_at.time() != winter.due_at.time()  # UTC moved by the hour the clocks went back
    assert isinstance(summer.due_at, datetime)
