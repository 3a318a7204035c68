"""Reading a family member's reminder text (pure): times, kinds, call or text, days; anything unclear is None."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from outreach.reminder_words import By, CancelReminder, ListReminders, SetReminder, What, read_command

NOW = datetime(2026, 12, 4, 10, 0)  # Friday morning on the centre's clock


@pytest.mark.parametrize(
    ("body", "times", "by"),
    [
        ("remind mum pills 20:00 daily", (time(20),), By.CALL),
        ("Remind Mum her pills at 8am and 8pm by text", (time(8), time(20)), By.SMS),
        ("reminder for dad: tablets 8.30 in the evening", (time(20, 30),), By.CALL),
        ("remind mum meds at noon", (time(12),), By.CALL),
        ("提醒 妈妈 吃药 晚上8点", (time(20),), By.CALL),
        ("提醒妈妈晚上八点半吃药，发短信", (time(20, 30),), By.SMS),
        ("提醒爸爸早上7点和中午12点吃药", (time(7), time(12)), By.CALL),
        ("提醒奶奶晚上12点吃药", (time(0),), By.CALL),
        ("엄마 약 알림 저녁 8시", (time(20),), By.CALL),
        ("엄마한테 저녁 여덟 시 반에 약 드시라고 문자로 알려 주세요", (time(20, 30),), By.SMS),
        ("아빠 혈압약 알림 아침 7시, 밤 9시", (time(7), time(21)), By.CALL),
        ("recordar mamá pastillas 20:00", (time(20),), By.CALL),
        ("recuérdale a mamá las pastillas a las 8 de la noche por mensaje", (time(20),), By.SMS),
        ("recordar papá medicinas 8 y media de la mañana", (time(8, 30),), By.CALL),
        ("recordar abuela pastillas 20h", (time(20),), By.CALL),
    ],
)
def test_daily_medicine_in_every_language(body: str, times: tuple[time, ...], by: By) -> None:
    assert read_command(body, NOW) == SetReminder(What.MEDICATION, by, times=times, text=body)


@pytest.mark.parametrize(
    ("body", "when"),
    [
        ("remind dad doctor tomorrow 2:30pm", datetime(2026, 12, 5, 14, 30)),
        ("remind mum dentist 9 dec 3pm", datetime(2026, 12, 9, 15)),
        ("remind mum appointment on December 9th at 9am", datetime(2026, 12, 9, 9)),
        ("remind mum clinic 2027-01-05 10:15", datetime(2027, 1, 5, 10, 15)),
        ("remind mum appointment friday 9am", datetime(2026, 12, 11, 9)),  # this Friday's 9am has passed
        ("remind mum appointment friday 3pm", datetime(2026, 12, 4, 15)),
        ("提醒爸爸明天上午10点去医院复诊", datetime(2026, 12, 5, 10)),
        ("提醒妈妈12月9日下午3点看医生", datetime(2026, 12, 9, 15)),
        ("提醒妈妈周一下午两点半看牙医", datetime(2026, 12, 7, 14, 30)),
        ("아빠 내일 오후 2시 병원 예약 알림", datetime(2026, 12, 5, 14)),
        ("엄마 12월 9일 오전 10시 치과 예약 알려 주세요", datetime(2026, 12, 9, 10)),
        ("recordar papá cita médico mañana a las 10 de la mañana", datetime(2026, 12, 5, 10)),
        ("recordar mamá cita 9 de diciembre 16:00", datetime(2026, 12, 9, 16)),
        ("recordar mamá consulta pasado mañana 9:00", datetime(2026, 12, 6, 9)),
    ],
)
def test_appointments_need_a_day_and_a_time(body: str, when: datetime) -> None:
    assert read_command(body, NOW) == SetReminder(What.APPOINTMENT, By.CALL, appointment=when, text=body)


@pytest.mark.parametrize(
    ("body", "command"),
    [
        ("reminders", ListReminders()),
        ("My reminders?", ListReminders()),
        ("我的提醒", ListReminders()),
        ("알림 목록", ListReminders()),
        ("Recordatorios", ListReminders()),
        ("cancel reminder 12", CancelReminder(12)),
        ("STOP REMINDER #12", CancelReminder(12)),
        ("取消提醒12", CancelReminder(12)),
        ("알림 취소 12", CancelReminder(12)),
        ("12번 알림 취소", CancelReminder(12)),
        ("cancelar recordatorio 12", CancelReminder(12)),
        ("Stop reminder", CancelReminder(None)),  # the only one there is (else the list, to pick its number)
        ("取消提醒", CancelReminder(None)),
        ("알림 취소", CancelReminder(None)),
        ("Cancelar recordatorio", CancelReminder(None)),
    ],
)
def test_listing_and_cancelling(body: str, command: object) -> None:
    assert read_command(body, NOW) == command


@pytest.mark.parametrize(
    "body",
    [
        "remind mum pills at 8",  # morning or evening: not guessed
        "remind mum every morning about her pills",  # no time
        "remind mum to call me at 8pm",  # no kind
        "remind me pills 8pm",  # for the sender
        "提醒我晚上8点吃药",
        "recuérdame las pastillas a las 20:00",
        "don't remind mum pills 8pm any more",
        "remind mum doctor 3pm",  # an appointment needs its day
        "remind mum doctor today 9am",  # already past
        "엄마 병원 예약 부탁해요",  # a request, not a reminder
        "Mum's heating is broken",
        "STOP",
        "stop reminding",
    ],
)
def test_anything_unclear_is_left_to_the_conversation(body: str) -> None:
    assert read_command(body, NOW) is None
