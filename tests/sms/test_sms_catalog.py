"""The sms message catalog: every key in every locale, the same placeholders, and each reply fits one segment."""

from __future__ import annotations

import string
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from babel.lists import format_list

from care.segments import fit, segment_info
from i18n.clock import written_datetime, written_time
from i18n.messages import LOCALES, keys, translate

SAMPLE = {
    "hotline": "+15550100000",
    "emergency": "+15550100911",
    "crisis": "116 123",  # a crisis line as people dial it (settings.crisis_line_number)
    "reference": "482100",
    "who": "Mary Jones",
    "service": "help with pension or paperwork",
    "choices": "1 Mary Jones, 2 Wang Wei",
    "digit": 1,
    "items": "482100 a ride - received",
    "status": "received",
    "asked": "501451",
    "asked_service": "help with pension or paperwork",
    "number": 4821,  # a reminder's number (outreach.reminder_texts)
}
# A senior's name as their family's texts would show it.
NAMES = {"en": "Mary Jones", "zh": "王伟", "ko": "김영희", "es": "Rosa Díaz"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_locale_with_the_same_placeholders() -> None:
    english = keys("sms", "en")
    assert len(english) >= 18
    for locale in LOCALES:
        assert keys("sms", locale) == english, locale
        for key in english:
            assert _fields(translate("sms", key, locale)) == _fields(translate("sms", key, "en")), (locale, key)


@pytest.mark.parametrize("locale", LOCALES)
def test_each_reply_is_one_segment_with_typical_values(locale: str) -> None:
    for key in keys("sms", locale):
        if key in {"sms.status.list", "sms.reminder.list"}:
            continue  # its length depends on how many requests are listed (fitted to three segments)
        service = translate("common", "service.benefits", locale)
        # A callback promised for the longest weekday and month names, as texts write it.
        when = written_datetime(datetime(2026, 9, 30, 22, 45), locale, ZoneInfo("America/New_York"))
        # A reminder twice a day, an appointment at 3 p.m.
        times = format_list([written_time(time(8), locale), written_time(time(20), locale)], locale=locale)
        reminder = {"name": NAMES[locale], "times": times, "time": written_time(time(15), locale), "by": "-"}
        values = {**SAMPLE, **reminder, "service": service, "asked_service": service, "when": when}
        reply = fit(translate("sms", key, locale, **values))
        assert segment_info(reply).segments == 1, (locale, key, reply)
