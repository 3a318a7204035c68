"""Opening hours and callback promises: one clock for calls and texts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from care.hours import ServiceHours

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = ServiceHours(NEW_YORK, time(9), time(17), frozenset(range(5)), timedelta(hours=4))


def test_a_callback_asked_for_at_3_am_on_a_saturday_is_promised_from_mondays_opening() -> None:
    saturday_3am = datetime(2026, 12, 5, 3, 0, tzinfo=NEW_YORK)
    assert saturday_3am.weekday() == 5
    assert not WEEKDAYS_9_TO_5.is_open(saturday_3am)
    assert WEEKDAYS_9_TO_5.next_opening(saturday_3am) == datetime(2026, 12, 7, 9, 0, tzinfo=NEW_YORK)
    assert WEEKDAYS_9_TO_5.callback_due(saturday_3am) == datetime(2026, 12, 7, 13, 0, tzinfo=NEW_YORK)


def test_while_open_the_promise_runs_from_now() -> None:
    tuesday_10am = datetime(2026, 12, 8, 10, 30, tzinfo=NEW_YORK)
    assert WEEKDAYS_9_TO_5.is_open(tuesday_10am)
    assert WEEKDAYS_9_TO_5.callback_due(tuesday_10am) == datetime(2026, 12, 8, 14, 30, tzinfo=NEW_YORK)


def test_stored_times_are_utc_and_the_promise_is_stored_as_utc() -> None:
    # 08:00 UTC on Saturday is 3 a.m. in New York (EST, UTC-5).
    stored = datetime(2026, 12, 5, 8, 0)
    assert WEEKDAYS_9_TO_5.callback_due_utc(stored) == datetime(2026, 12, 7, 18, 0)
    assert WEEKDAYS_9_TO_5.callback_due(stored.replace(tzinfo=UTC)).tzinfo == NEW_YORK


def test_after_closing_on_friday_the_promise_waits_for_monday() -> None:
    friday_evening = datetime(2026, 12, 4, 17, 0, tzinfo=NEW_YORK)  # closing time itself is closed
    assert not WEEKDAYS_9_TO_5.is_open(friday_evening)
    assert WEEKDAYS_9_TO_5.callback_due(friday_evening) == datetime(2026, 12, 7, 13, 0, tzinfo=NEW_YORK)
