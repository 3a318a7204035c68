"""When the staff line is answered and when a callback is promised: one clock for calls and texts (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from care.settings import Settings

# Opening days are a week long at most; after this many days without an opening the hours are misconfigured
# (settings validation keeps opening_time < closing_time, but opening_days may be empty). Holidays can close a
# run of working days (Christmas to New Year, Lunar New Year, Chuseok): three weeks covers them.
DAYS_TO_LOOK_AHEAD = 22


@dataclass(frozen=True)
class ServiceHours:
    """The staff line's opening days and hours in the centre's time zone, and the callback promise."""

    zone: ZoneInfo
    opens: time
    closes: time
    days: frozenset[int]  # Monday is 0
    callback_within: timedelta  # counted from now while the line is open, else from the next opening
    holidays: frozenset[date] = frozenset()  # the line is closed all day

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceHours:
        return cls(
            zone=settings.zone,
            opens=settings.opening_time,
            closes=settings.closing_time,
            days=frozenset(settings.opening_days),
            callback_within=timedelta(hours=settings.callback_within_hours),
            holidays=frozenset(settings.holidays),
        )

    def _local(self, now: datetime) -> datetime:
        # Naive values in storage are UTC (care.models.utcnow); an aware value is taken as it is.
        return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(self.zone)

    def is_open(self, now: datetime) -> bool:
        """Whether somebody answers the staff line at `now`."""
        local = self._local(now)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the staff line is answered (`now` itself when it is open), in the centre's zone."""
        local = self._local(now)
        for days in range(DAYS_TO_LOOK_AHEAD):
            day = (local + timedelta(days=days)).date()
            closing = datetime.combine(day, self.closes, tzinfo=self.zone)
            if self.is_working_day(day) and local < closing:
                return max(datetime.combine(day, self.opens, tzinfo=self.zone), local)
        return local  # no opening day configured: promise from now rather than never

    def callback_due(self, now: datetime) -> datetime:
        """When a callback asked for at `now` is promised: `callback_within` after now, or after the next opening.

        Staff can only call while the line is staffed: at 3 a.m. on a Saturday the promise runs from Monday's
        opening, not from the middle of the night.
        """
        return self.next_opening(now) + self.callback_within

    def callback_due_utc(self, now: datetime) -> datetime:
        """callback_due as a naive UTC value, the way times are stored."""
        return self.callback_due(now).astimezone(UTC).replace(tzinfo=None)
