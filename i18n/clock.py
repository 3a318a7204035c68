"""Every date and time a person reads or hears, in the centre's time zone and the reader's locale (Babel).

Pure (Babel only). Stored times are UTC; a naive datetime is UTC (that is how the database keeps them), and
each function that takes a moment converts it to the centre's zone before it is written or said.

Written (console pages, texts, staff alerts) follows CLDR through Babel: "Tue, Mar 3, 2:05 PM",
"3月3日周二 14:05", "3월 3일 (화) 오후 2:05", "mar, 3 mar, 14:05".

Spoken (calls, through espeak-ng or Twilio <Say>) is written out as people say it; each choice is checked
against espeak-ng's phonemes in tests/i18n/test_i18n_clock.py:
- English "2:05 PM" is read "two zero five" by espeak-ng; "2 oh 5 PM" is read "two oh five PM" by espeak-ng and
  by Twilio's voices alike. Whole hours are "2 PM", other minutes "2:30 PM" ("two thirty").
- Korean counts hours with native numerals (두 시, "two o'clock") and minutes with Sino-Korean ones (5분);
  espeak-ng reads "2시" as "이 시", which no Korean says, so the hour is written out in Hangul.
- Chinese "下午2点5分", Spanish "a las 2 y 5 de la tarde" (never "14:05", read as a number by both engines).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time

# Native Korean numerals for hours 1-12 (세는 말: 한 시, 두 시 ... 열두 시).
_KO_HOURS = ("열두", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두")
# Korean parts of the day as said with a clock time. CLDR's (through Babel) give "아침 네 시" at 4 AM and
# "자정 열두 시" at midnight; people say "새벽 네 시", "밤 열두 시", "저녁 일곱 시".
_KO_PERIODS = ((0, "밤"), (1, "새벽"), (6, "오전"), (12, "오후"), (18, "저녁"), (21, "밤"))
_SPOKEN_DATES = {"en": "EEEE, MMMM d", "ko": "M월 d일 EEEE", "zh": "M月d日EEEE", "es": "EEEE d 'de' MMMM"}
# CLDR skeletons: Babel picks each locale's own order and words for "weekday, month, day".
_SHORT_DAY = "MMMEd"  # Tue, Mar 3 · 3월 3일 (화)
# CLDR 42+ puts a narrow no-break space before "PM" (and Babel a no-break space in some dates); neither is in
# the GSM-7 alphabet (3GPP TS 23.038), so one would make an English text UCS-2 and cut it from 160 to 70
# characters. Written forms use a plain space.
_PLAIN_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


class UnsupportedLocale(ValueError):
    """No spoken formats for this locale."""


def _check(locale: str) -> str:
    if locale not in _SPOKEN_DATES:
        raise UnsupportedLocale(f"no spoken formats for locale {locale!r}")
    return locale


def local(moment: datetime, zone: tzinfo) -> datetime:
    """A moment on the centre's clock; a naive datetime is UTC, as stored."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


# --- written: pages, texts, alerts ----------------------------------------------------------------------
def written_datetime(moment: datetime, locale: str, zone: tzinfo) -> str:
    """Weekday, day, month and clock time: "Tue, Mar 3, 2:05 PM", "3월 3일 (화) 오후 2:05"."""
    on_clock = local(moment, zone)
    glue = Locale.parse(locale).datetime_formats["short"]  # "{1}, {0}" (en, es) or "{1} {0}" (zh, ko)
    day = format_skeleton(_SHORT_DAY, on_clock, locale=locale)
    written = str(glue).replace("{1}", day).replace("{0}", format_time(on_clock, "short", locale=locale))
    return written.translate(_PLAIN_SPACES)


def written_time(value: time, locale: str) -> str:
    """A wall-clock time as written: "8:00 PM", "20:00", "오후 8:00" (no zone: it is on the centre's clock)."""
    return format_time(value, "short", locale=locale).translate(_PLAIN_SPACES)


def written_day(day: date, locale: str, *, long: bool = False) -> str:
    """A calendar day with its weekday: "Tue, Mar 3" or, long, "Tuesday, March 3, 2026" ("2026년 3월 3일 화요일")."""
    written = format_date(day, "full", locale=locale) if long else format_skeleton(_SHORT_DAY, day, locale=locale)
    return written.translate(_PLAIN_SPACES)


# --- spoken: calls --------------------------------------------------------------------------------------
def spoken_time(value: time | datetime, locale: str) -> str:
    """A wall-clock time as said aloud: "2 oh 5 PM", "오후 두 시 5분", "下午2点5分", "2 y 5 de la tarde"."""
    moment = value if isinstance(value, datetime) else datetime.combine(date(2000, 1, 1), value)
    hour12 = moment.hour % 12 or 12
    minute = moment.minute
    if _check(locale) == "en":
        ampm = "AM" if moment.hour < 12 else "PM"
        if minute == 0:
            return f"{hour12} {ampm}"
        return f"{hour12} oh {minute} {ampm}" if minute < 10 else f"{hour12}:{minute:02d} {ampm}"
    if locale == "ko":
        period = [name for start, name in _KO_PERIODS if moment.hour >= start][-1]
        return f"{period} {_KO_HOURS[hour12]} 시" + (f" {minute}분" if minute else "")
    period = format_datetime(moment, "B", locale=locale)  # 下午, de la tarde: Babel's day periods (CLDR)
    if locale == "zh":
        return f"{period}{hour12}点" + (f"{minute}分" if minute else "")
    return f"{hour12}" + (f" y {minute}" if minute else "") + f" {period}"


def spoken_date(value: date, locale: str) -> str:
    """A calendar day with its weekday: "Tuesday, March 4", "3월 4일 화요일", "3月4日星期二", "martes 4 de marzo"."""
    return format_date(value, _SPOKEN_DATES[_check(locale)], locale=locale)


def spoken_datetime(moment: datetime, locale: str, zone: tzinfo) -> str:
    """A moment on the centre's clock in one phrase: "Tuesday, March 4 at 2 oh 5 PM", "martes 4 de marzo a las ..."."""
    on_clock = local(moment, zone)
    day, clock = spoken_date(on_clock.date(), locale), spoken_time(on_clock, locale)
    if locale == "en":
        return f"{day} at {clock}"
    if locale == "es":
        article = "a la" if on_clock.hour % 12 == 1 else "a las"  # "a la una", "a las dos"
        return f"{day} {article} {clock}"
    if locale == "zh":
        return f"{day}{clock}"
    return f"{day} {clock}"
