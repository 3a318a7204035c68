"""The daily plan (pure): which check-in calls are due today, and when, on the centre's clock.

Respects each plan's days and time window, the centre's holidays and time zone, quiet hours and a cap on
calls a day per senior. Pure (standard library only), so the whole day of 20,000 plans is one fast function
(`python -m bench outreach`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from outreach.hours import is_quiet, next_allowed_time


@dataclass(frozen=True)
class PlanView:
    """What the scheduler needs of one check-in plan."""

    plan_id: int
    senior_id: int
    days: frozenset[int]  # Monday is 0
    window_start: time  # on the centre's clock
    window_end: time
    paused: bool = False
    call_on_holidays: bool = False


@dataclass(frozen=True)
class Calendar:
    """The centre's clock and the rules every outbound call keeps."""

    zone: tzinfo
    holidays: frozenset[date] = frozenset()
    quiet_start: time = time(21, 0)  # no calls from here ...
    quiet_end: time = time(8, 0)  # ... until here (the window wraps midnight when start > end)
    max_calls_per_day: int = 6
    retries: int = 2  # calls after the first, kept inside the window when it is long enough
    retry_after: timedelta = timedelta(minutes=10)

    def is_quiet(self, moment: time) -> bool:
        """Whether a wall-clock time on the centre's clock is inside quiet hours."""
        return is_quiet(moment, self.quiet_start, self.quiet_end)

    def quiet_at(self, moment: datetime) -> bool:
        """Whether a stored moment (naive UTC) falls in quiet hours on the centre's clock."""
        return self.is_quiet(on_clock(moment, self.zone).time())

    def next_allowed(self, moment: datetime) -> datetime:
        """The first moment (naive UTC) at or after `moment` outside quiet hours (outreach.hours)."""
        return next_allowed_time(moment, self.zone, self.quiet_start, self.quiet_end)


@dataclass(frozen=True)
class PlannedCall:
    """One check-in call due today: stored moments are naive UTC, as the database keeps them."""

    plan_id: int
    senior_id: int
    day: date  # the centre's calendar day the call belongs to
    due_at: datetime


def on_clock(moment: datetime, zone: tzinfo) -> datetime:
    """A stored moment (naive UTC) on the centre's clock."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def to_stored(local_moment: datetime) -> datetime:
    """An aware moment as the database keeps it (naive UTC)."""
    return local_moment.astimezone(UTC).replace(tzinfo=None)


def allowed_window(start: time, end: time, calendar: Calendar) -> tuple[time, time] | None:
    """The part of a plan's window outside quiet hours (None when nothing is left).

    Quiet hours normally wrap midnight (21:00-08:00), so what is left of a same-day window is one span.
    """
    if start >= end:
        return None
    lo, hi = start, end
    q0, q1 = calendar.quiet_start, calendar.quiet_end
    if q0 == q1:
        return lo, hi
    if q0 > q1:  # wraps midnight: the day is open from q1 to q0
        lo, hi = max(lo, q1), min(hi, q0)
    else:  # quiet in the middle of the day: keep the longer open part of the window
        before = (lo, min(hi, q0))
        after = (max(lo, q1), hi)
        lo, hi = max((before, after), key=lambda span: _minutes(span[1]) - _minutes(span[0]))
    return (lo, hi) if lo < hi else None


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _spread(plan_id: int, span_minutes: int) -> int:
    """A stable minute offset for a plan inside its window, so 20,000 calls do not all start at 9:00.

    crc32 rather than hash(): the same plan gets the same minute in every process and every day.
    """
    if span_minutes <= 0:
        return 0
    return zlib.crc32(plan_id.to_bytes(8, "little")) % (span_minutes + 1)


def calls_for_day(
    plans: Iterable[PlanView],
    day: date,
    calendar: Calendar,
    calls_today: Mapping[int, int] | None = None,
) -> list[PlannedCall]:
    """Every check-in call due on `day` (the centre's calendar), earliest first.

    `calls_today` counts outbound calls already placed to each senior today; a senior at the cap gets no new
    check-in (the cap bounds every call we make them, retries and reminders included).
    """
    placed = calls_today or {}
    weekday = day.weekday()
    holiday = day in calendar.holidays
    # The first call leaves room for its retries inside the window when the window is long enough.
    ladder_minutes = int(calendar.retries * calendar.retry_after.total_seconds() // 60)
    planned: list[PlannedCall] = []
    for plan in plans:
        if plan.paused or weekday not in plan.days or (holiday and not plan.call_on_holidays):
            continue
        if placed.get(plan.senior_id, 0) >= calendar.max_calls_per_day:
            continue
        window = allowed_window(plan.window_start, plan.window_end, calendar)
        if window is None:
            continue
        span = _minutes(window[1]) - _minutes(window[0])
        usable = span - ladder_minutes if span > ladder_minutes else 0
        offset = _spread(plan.plan_id, max(usable - 1, 0))
        local = datetime.combine(day, window[0], tzinfo=calendar.zone) + timedelta(minutes=offset)
        planned.append(PlannedCall(plan.plan_id, plan.senior_id, day, to_stored(local)))
    planned.sort(key=lambda call: (call.due_at, call.plan_id))
    return planned
