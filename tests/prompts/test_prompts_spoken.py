"""Spoken dates, times and references: the words per locale, and how espeak-ng really pronounces them."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, time

import pytest

from prompts import spoken

TUESDAY_AFTERNOON = datetime(2026, 3, 3, 14, 5)


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
    assert spoken.spoken_datetime(TUESDAY_AFTERNOON, locale) == expected


@pytest.mark.parametrize(
    ("moment", "locale", "expected"),
    [
        (time(13, 0), "en", "1 PM"),
        (time(9, 30), "en", "9:30 AM"),
        (time(0, 15), "en", "12:15 AM"),
        (time(13, 0), "ko", "오후 한 시"),
        (time(9, 30), "ko", "오전 아홉 시 30분"),
        (time(12, 40), "ko", "오후 열두 시 40분"),
        (time(9, 30), "zh", "上午9点30分"),
        (time(13, 0), "zh", "下午1点"),
        (time(21, 10), "es", "9 y 10 de la noche"),
    ],
)
def test_clock_times(moment: time, locale: str, expected: str) -> None:
    assert spoken.spoken_time(moment, locale) == expected


def test_spanish_says_a_la_una_but_a_las_dos() -> None:
    assert " a la 1 " in spoken.spoken_datetime(datetime(2026, 3, 3, 13, 0), "es")
    assert " a las 2 " in spoken.spoken_datetime(datetime(2026, 3, 3, 14, 0), "es")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Friday, March 6"), ("ko", "3월 6일 금요일"), ("zh", "3月6日星期五"), ("es", "viernes 6 de marzo")],
)
def test_dates_carry_the_weekday(locale: str, expected: str) -> None:
    assert spoken.spoken_date(date(2026, 3, 6), locale) == expected


def test_references_are_read_digit_by_digit() -> None:
    assert spoken.spoken_digits("482193", "en") == "4, 8, 2, 1, 9, 3"
    assert spoken.spoken_digits("H-4821", "es") == "4, 8, 2, 1"
    assert spoken.spoken_digits("4821", "zh") == "4，8，2，1"


def test_numbers_use_the_locale_grouping() -> None:
    assert spoken.spoken_number(12345, "en") == "12,345"
    assert spoken.spoken_number(12345, "es") == "12.345"


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(spoken.UnsupportedLocale):
        spoken.spoken_time(time(9, 0), "fr")


# --- what espeak-ng makes of it -------------------------------------------------------------------------------------
def test_espeak_reads_english_minutes_as_oh_five_not_zero_five() -> None:
    said = phonemes(spoken.spoken_time(time(14, 5), "en"), "en-us")
    assert "z'i@roU" not in said  # "zero", which is what "2:05" gives
    assert "'oU" in said and "f'aIv" in said
    assert "z'i@roU" in phonemes("2:05 PM", "en-us")  # the reason for the choice


def test_espeak_reads_korean_hours_with_native_numerals() -> None:
    said = phonemes(spoken.spoken_time(time(14, 5), "ko"), "ko")
    assert "d'u s'i" in said  # 두 시, "two o'clock"
    assert "'i_! s'i" in phonemes("오후 2시", "ko")  # 이 시: what the digit would give


def test_espeak_reads_each_reference_digit_separately() -> None:
    english = phonemes(spoken.spoken_digits("4821", "en"), "en-us")
    assert [w for w in ("f'o@", "'eIt", "t'u:", "w'Vn") if w in english] == ["f'o@", "'eIt", "t'u:", "w'Vn"]
    assert "T'aUz" not in english  # not "four thousand ..."
    chinese = phonemes(spoken.spoken_digits("4821", "zh"), "cmn")
    assert chinese.count("_|") >= 4  # a pause after every digit
