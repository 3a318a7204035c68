"""When the staff line is answered and when a callback is promised: one clock for calls and texts (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from care.settings import Settings

# Opening days are a week long at most; after this many days without an opening the hours are misconfigured
# (settings validation keeps opening_time < closing_time, but opening_days may be empty).
DAYS_TO_LOOK_AHEAD = 8


@dataclass(frozen=True)
class ServiceHours:
    """The staff line's opening days and hours in the centre's time zone, and the callback promise."""

    zone: ZoneInfo
    opens: time
    closes: time
    days: frozenset[int]  # Monday is 0
    callback_within: timedelta  # of staffed time: a callback asked for at 4:30 p.m. is not due at 8:30 p.m.

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceHours:
        return cls(
            zone=settings.zone,
            opens=settings.opening_time,
            closes=settings.closing_time,
            days=frozenset(settings.opening_days),
            callback_within=timedelta(hours=settings.callback_within_hours),
        )

    def _local(self, now: datetime) -> datetime:
        # Naive values in storage are UTC (care.models.utcnow); an aware value is taken as it is.
        return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(self.zone)

    def _open_spells(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """The staffed spells from `now` on (the current one cut at now), for the next days, in local time."""
        local = self._local(now)
        spells = []
        for days in range(DAYS_TO_LOOK_AHEAD):
            day = (local + timedelta(days=days)).date()
            if day.weekday() not in self.days:
                continue
            opening = datetime.combine(day, self.opens, tzinfo=self.zone)
            closing = datetime.combine(day, self.closes, tzinfo=self.zone)
            if closing > local:
                spells.append((max(opening, local), closing))
        return spells

    def is_open(self, now: datetime) -> bool:
        """Whether somebody answers the staff line at `now`."""
        local = self._local(now)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the staff line is answered (`now` itself when it is open), in the centre's zone."""
        spells = self._open_spells(now)
        return spells[0][0] if spells else self._local(now)

    def callback_due(self, now: datetime) -> datetime:
        """When a callback asked for at `now` is promised: after `callback_within` of staffed time.

        Staff can only call while the line is staffed, so the promise counts opening hours only: at 3 a.m. on
        a Saturday it runs from Monday's opening, at 4 p.m. it carries over to the next morning.
        """
        left = self.callback_within
        for start, end in self._open_spells(now):
            if end - start >= left:
                return start + left
            left -= end - start
        # No opening in sight (no opening days configured): promise the plain span rather than nothing.
        return self._local(now) + left

    def callback_due_utc(self, now: datetime) -> datetime:
        """callback_due as a naive UTC value, the way times are stored."""
        return self.callback_due(now).astimezone(UTC).replace(tzinfo=None)
