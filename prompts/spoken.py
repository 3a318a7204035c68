"""Dates, times, numbers and reference numbers written the way espeak-ng and Twilio <Say> read them well aloud.

Pure (Babel only). Choices, each checked against espeak-ng's phonemes in tests/prompts/test_spoken.py:
- English "2:05 PM" is read "two zero five" by espeak-ng; "2 oh 5 PM" is read "two oh five PM" by espeak-ng and
  by Twilio's voices alike. Whole hours are "2 PM", other minutes "2:30 PM" ("two thirty").
- Korean counts hours with native numerals (두 시, "two o'clock") and minutes with Sino-Korean ones (5분);
  espeak-ng reads "2시" as "이 시", which no Korean says, so the hour is written out in Hangul.
- Chinese "下午2点5分", Spanish "a las 2 y 5 de la tarde" (never "14:05", read as a number by both engines).
- A reference is read digit by digit with a comma between digits: both engines pause at a comma, and a
  listener can write each digit down.
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

# Native Korean numerals for hours 1-12 (세는 말: 한 시, 두 시 ... 열두 시).
_KO_HOURS = ("열두", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두")
_DATE_PATTERNS = {"en": "EEEE, MMMM d", "ko": "M월 d일 EEEE", "zh": "M月d日EEEE", "es": "EEEE d 'de' MMMM"}
_DIGIT_SEPARATORS = {"en": ", ", "es": ", ", "ko": ", ", "zh": "，"}


class UnsupportedLocale(ValueError):
    """No spoken formats for this locale."""


def _check(locale: str) -> str:
    if locale not in _DATE_PATTERNS:
        raise UnsupportedLocale(f"no spoken formats for locale {locale!r}")
    return locale


def _moment(value: time | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(date(2000, 1, 1), value)


def spoken_time(value: time | datetime, locale: str) -> str:
    """A clock time as said aloud: "2 oh 5 PM", "오후 두 시 5분", "下午2点5分", "2 y 5 de la tarde"."""
    moment = _moment(value)
    hour12 = moment.hour % 12 or 12
    minute = moment.minute
    if _check(locale) == "en":
        ampm = "AM" if moment.hour < 12 else "PM"
        if minute == 0:
            return f"{hour12} {ampm}"
        return f"{hour12} oh {minute} {ampm}" if minute < 10 else f"{hour12}:{minute:02d} {ampm}"
    period = format_datetime(moment, "B", locale=locale)  # 오후, 下午, de la tarde: Babel's day periods (CLDR)
    if locale == "ko":
        return f"{period} {_KO_HOURS[hour12]} 시" + (f" {minute}분" if minute else "")
    if locale == "zh":
        return f"{period}{hour12}点" + (f"{minute}分" if minute else "")
    return f"{hour12}" + (f" y {minute}" if minute else "") + f" {period}"


def spoken_date(value: date | datetime, locale: str) -> str:
    """A date with its weekday: "Tuesday, March 4", "3월 4일 화요일", "3月4日星期二", "martes 4 de marzo"."""
    return format_date(value, _DATE_PATTERNS[_check(locale)], locale=locale)


def spoken_datetime(value: datetime, locale: str) -> str:
    """Date and time in one phrase: "Tuesday, March 4 at 2 oh 5 PM", "martes 4 de marzo a las 2 y 5 ..."."""
    day, clock = spoken_date(value, locale), spoken_time(value, locale)
    if locale == "en":
        return f"{day} at {clock}"
    if locale == "es":
        article = "a la" if value.hour % 12 == 1 else "a las"  # "a la una", "a las dos"
        return f"{day} {article} {clock}"
    if locale == "zh":
        return f"{day}{clock}"
    return f"{day} {clock}"


def spoken_digits(reference: str, locale: str) -> str:
    """A reference number read digit by digit: "4, 8, 2, 1" ("4，8，2，1" in Chinese); other characters dropped."""
    digits = [char for char in reference if char.isdigit()]
    return _DIGIT_SEPARATORS[_check(locale)].join(digits)


def spoken_number(value: int | float, locale: str) -> str:
    """A quantity in the locale's digits and grouping (Babel), which both engines read as one number."""
    return format_decimal(value, locale=_check(locale))
