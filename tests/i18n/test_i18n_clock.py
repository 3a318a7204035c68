"""Dates and times as people read and hear them: the centre's clock, each locale's words, what espeak-ng says."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from i18n import clock

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
# 19:05 UTC, stored naive as the database keeps it: 2:05 PM in New York (EST, UTC-5, in early March).
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 19, 5)


def phonemes(text: str, voice: str) -> str:
    """espeak-ng's phoneme transcription: what a caller will actually hear."""
    done = subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, text], capture_output=True, check=True, timeout=30)
    return done.stdout.decode()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Tuesday, March 3 at 2 oh 5 PM"),
        ("ko", "3월 3일 화요일 오후 두 시 5분"),
        ("zh", "3月3日星期二下午2点5分"),
        ("es", "martes 3 de marzo a las 2 y 5 de la tarde"),
    ],
)
def test_date_and_time_read_as_people_say_them(locale: str, expected: str) -> None:
    assert clock.spoken_datetime(TUESDAY_AFTERNOON, locale, NEW_YORK) == expected


@pytest.mark.parametrize(
    ("moment", "locale", "expected"),
    [
        (time(13, 0), "en", "1 PM"),
        (time(9, 30), "en", "9:30 AM"),
        (time(0, 15), "en", "12:15 AM"),
        (time(13, 0), "ko", "오후 한 시"),
        (time(9, 30), "ko", "오전 아홉 시 30분"),
        (time(12, 40), "ko", "오후 열두 시 40분"),
        (time(4, 0), "ko", "새벽 네 시"),
        (time(0, 15), "ko", "밤 열두 시 15분"),
        (time(19, 0), "ko", "저녁 일곱 시"),
        (time(4, 0), "zh", "凌晨4点"),
        (time(4, 0), "es", "4 de la madrugada"),
        (time(9, 30), "zh", "上午9点30分"),
        (time(13, 0), "zh", "下午1点"),
        (time(21, 10), "es", "9 y 10 de la noche"),
    ],
)
def test_clock_times(moment: time, locale: str, expected: str) -> None:
    assert clock.spoken_time(moment, locale) == expected


def test_spanish_says_a_la_una_but_a_las_dos() -> None:
    assert " a la 1 " in clock.spoken_datetime(datetime(2026, 3, 3, 13, 0, tzinfo=NEW_YORK), "es", NEW_YORK)
    assert " a las 2 " in clock.spoken_datetime(datetime(2026, 3, 3, 14, 0, tzinfo=NEW_YORK), "es", NEW_YORK)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Friday, March 6"), ("ko", "3월 6일 금요일"), ("zh", "3月6日星期五"), ("es", "viernes 6 de marzo")],
)
def test_dates_carry_the_weekday(locale: str, expected: str) -> None:
    assert clock.spoken_date(date(2026, 3, 6), locale) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Tue, Mar 3, 2:05 PM"),
        ("zh", "3月3日周二 14:05"),
        ("ko", "3월 3일 (화) 오후 2:05"),
        ("es", "mar, 3 mar, 14:05"),
    ],
)
def test_written_moments_are_on_the_centres_clock_in_the_readers_words(locale: str, expected: str) -> None:
    assert clock.written_datetime(TUESDAY_AFTERNOON, locale, NEW_YORK) == expected


def test_the_centres_zone_decides_the_day_and_hour() -> None:
    assert clock.written_datetime(TUESDAY_AFTERNOON, "ko", SEOUL) == "3월 4일 (수) 오전 4:05"  # already Wednesday
    assert clock.local(TUESDAY_AFTERNOON, NEW_YORK) == clock.local(TUESDAY_AFTERNOON.replace(tzinfo=UTC), NEW_YORK)
    assert clock.spoken_datetime(TUESDAY_AFTERNOON, "en", SEOUL) == "Wednesday, March 4 at 4 oh 5 AM"


@pytest.mark.parametrize(
    ("locale", "short", "long"),
    [
        ("en", "Fri, Mar 6", "Friday, March 6, 2026"),
        ("zh", "3月6日周五", "2026年3月6日星期五"),
        ("ko", "3월 6일 (금)", "2026년 3월 6일 금요일"),
        ("es", "vie, 6 mar", "viernes, 6 de marzo de 2026"),
    ],
)
def test_written_days_name_weekday_and_month_in_the_readers_language(locale: str, short: str, long: str) -> None:
    assert clock.written_day(date(2026, 3, 6), locale) == short
    assert clock.written_day(date(2026, 3, 6), locale, long=True) == long


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(clock.UnsupportedLocale):
        clock.spoken_time(time(9, 0), "fr")


# --- what espeak-ng makes of it -------------------------------------------------------------------------------------
def test_espeak_reads_english_minutes_as_oh_five_not_zero_five() -> None:
    said = phonemes(clock.spoken_time(time(14, 5), "en"), "en-us")
    assert "z'i@roU" not in said  # "zero", which is what "2:05" gives
    assert "'oU" in said and "f'aIv" in said
    assert "z'i@roU" in phonemes("2:05 PM", "en-us")  # the reason for the choice


def test_espeak_reads_korean_hours_with_native_numerals() -> None:
    said = phonemes(clock.spoken_time(time(14, 5), "ko"), "ko")
    assert "d'u s'i" in said  # 두 시, "two o'clock"
    assert "'i_! s'i" in phonemes("오후 2시", "ko")  # 이 시: what the digit would give


def test_written_english_times_stay_in_the_gsm7_alphabet_of_a_160_character_text() -> None:
    from care.segments import Encoding, encoding_of

    assert encoding_of(clock.written_datetime(TUESDAY_AFTERNOON, "en", NEW_YORK)) is Encoding.GSM7
