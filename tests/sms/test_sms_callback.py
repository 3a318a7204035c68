"""A callback asked for by text is promised on the centre's opening hours, as a call's is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

from i18n.clock import written_datetime
from tests.sms.people import MARY, add_people, requests_of, text
from web.context import EXTENSION_KEY, Hearthline


def _zone_where_it_is_3_am() -> ZoneInfo:
    """A fixed-offset zone whose clock reads 3 a.m. now (the Etc/GMT signs are inverted, by POSIX)."""
    offset = (3 - datetime.now(UTC).hour + 12) % 24 - 12
    return ZoneInfo(f"Etc/GMT{-offset:+d}")


def test_a_callback_asked_for_by_text_at_3_am_on_a_saturday_is_promised_for_the_next_opening(
    make_app: Callable[..., Flask],
) -> None:
    zone = _zone_where_it_is_3_am()
    now = datetime.now(zone)
    assert now.hour in (2, 3, 4)
    # Today is the centre's Saturday: it and the next day are closed; the line opens at 9 the day after.
    weekend = {now.weekday(), (now.weekday() + 1) % 7}
    app = make_app(
        timezone=zone.key,
        opening_time=time(9, 0),
        closing_time=time(17, 0),
        opening_days=tuple(d for d in range(7) if d not in weekend),
        callback_within_hours=4,
    )
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    add_people(hl)
    answer = text(app.test_client(), hl, MARY, "I want to talk to a person")
    (request,) = requests_of(hl)
    assert request.intent == "operator"
    monday = now.date() + timedelta(days=2)
    promised = datetime.combine(monday, time(13, 0), tzinfo=zone)  # Monday's opening + 4 hours
    assert request.due_at == promised.astimezone(UTC).replace(tzinfo=None)
    assert written_datetime(request.due_at, "en", zone) in answer.reply
