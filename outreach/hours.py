"""When an automated call may ring (pure): not at night on the centre's clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

# Automated calls ring between these hours on the centre's clock: the US Telephone Consumer Protection Act
# allows 8:00-21:00 at the called party's location (47 CFR 64.1200(c)(1)); a senior's morning starts later
# and evenings end earlier, so confirmation calls keep well inside it.
CALLING_FROM = time(9, 0)
CALLING_UNTIL = time(20, 0)


def next_calling_time(at: datetime, zone: tzinfo, start: time = CALLING_FROM, end: time = CALLING_UNTIL) -> datetime:
    """`at` (UTC, naive) if it falls inside the calling hours on the centre's clock, else the next start of them."""
    local = at.replace(tzinfo=UTC).astimezone(zone)
    if start <= local.time() < end:
        return at
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    opening = datetime.combine(day, start, tzinfo=zone)
    return opening.astimezone(UTC).replace(tzinfo=None)
