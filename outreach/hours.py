"""When an automated call may ring (pure): never in the quiet hours on the centre's clock (one clock for all calls)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo


def is_quiet(moment: time, start: time, end: time) -> bool:
    """Whether a wall-clock time is inside the quiet hours start-end (they wrap midnight when start > end)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def next_allowed_time(at: datetime, zone: tzinfo, quiet_start: time, quiet_end: time) -> datetime:
    """`at` (UTC, naive) if it falls outside the quiet hours on the centre's clock, else the moment they end.

    Every outbound call (check-ins, confirmation calls, reminders) asks this one function, with the settings'
    quiet_hours_start/end, so there is one clock for when Hearthline may ring a senior.
    """
    local = at.replace(tzinfo=UTC).astimezone(zone)
    if not is_quiet(local.time(), quiet_start, quiet_end):
        return at
    # Inside quiet hours: they end today at quiet_end, unless it is already past it (the evening side of a
    # window that wraps midnight), when they end tomorrow.
    day = local.date() if local.time() < quiet_end else local.date() + timedelta(days=1)
    opening = datetime.combine(day, quiet_end, tzinfo=zone)
    return opening.astimezone(UTC).replace(tzinfo=None)
