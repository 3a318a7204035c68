"""Family set up, list and cancel a linked senior's reminders by text, through the signed SMS webhook (issue 13):
the reply says what was set in the family member's language, the reminder then goes out as staff's do, every
change is in a request's history, and any other text (or sender) gets the SMS conversation as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from care.models import Conversation, Notification, RequesterKind, RequestEvent, RequestStatus
from outreach import reminders
from outreach.reminder_tables import Reminder, ReminderRound
from outreach.schedule import on_clock
from tests.sms.people import ANN, CARMEN, JIN, LI, MARY, PAT, SAM, STRANGER, WANG, add_people, requests_of, text
from web.context import Hearthline


@pytest.fixture
def people(hearthline: Hearthline) -> Hearthline:
    add_people(hearthline)
    return hearthline


def reminders_of(hl: Hearthline) -> list[Reminder]:
    with hl.db.sessions() as session:
        found = list(session.scalars(select(Reminder).order_by(Reminder.id)))
        for row in found:
            session.expunge(row)
        return found


def history(hl: Hearthline, request_id: int) -> list[tuple[str, str, str]]:
    with hl.db.sessions() as session:
        events = session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
        )
        return [(e.actor, e.kind, e.note) for e in events]


@pytest.mark.parametrize(
    ("sender", "body", "reply"),
    [
        (
            ANN,
            "remind mum pills 8pm",
            "Set: a call to Mary Jones every day at 8:00 PM for their medicine (reminder 1). "
            "CANCEL REMINDER 1 stops it; REMINDERS lists all.",
        ),
        (
            LI,
            "提醒 爸爸 吃药 晚上8点",
            "已设置：每天20:00打电话提醒王伟吃药（编号1）。回复“取消提醒1”取消，“我的提醒”查看全部。",
        ),
        (
            JIN,
            "엄마 약 알림 저녁 8시",
            "매일 오후 8:00에 김영희님께 전화로 약 알림을 드립니다(1번). 취소: ‘알림 취소 1’",
        ),
        (
            CARMEN,
            "recordar mamá pastillas 20:00",
            # Without accents the text fits GSM-7's 160 characters a segment instead of 67 (care.segments.fit).
            "Llamaremos a Rosa Diaz cada dia a las 20:00 por sus medicinas (recordatorio 1). "
            "Para quitarlo: CANCELAR RECORDATORIO 1. Ver: RECORDATORIOS",
        ),
    ],
)
def test_family_set_a_daily_reminder_by_text_in_their_language(
    client: FlaskClient, people: Hearthline, sender: str, body: str, reply: str
) -> None:
    answer = text(client, people, sender, body)
    assert answer.reply == reply
    [made] = reminders_of(people)
    assert (made.kind, made.channel, made.times, made.created_by) == ("medication", "call", "20:00", f"family:{sender}")
    # The change is in a request's history (Hearthline's own, closed: nothing for anyone to confirm or rate).
    [request] = requests_of(people)
    assert (request.requester_kind, request.status, request.transcript) == (RequesterKind.SYSTEM, "closed", body)
    assert (f"family:{sender}", "reminder", "reminder 1 set up by text: medication by call, daily at 20:00") in history(
        people, request.id
    )


def test_a_text_reminder_for_an_appointment_is_set_and_then_sent_to_the_senior(
    client: FlaskClient, people: Hearthline
) -> None:
    answer = text(client, people, ANN, "Please remind Mum about her doctor's appointment tomorrow at 3pm by text")
    [made] = reminders_of(people)
    zone = people.settings.zone
    assert (made.kind, made.channel, made.lead_minutes) == ("appointment", "sms", 60)
    assert made.appointment_at is not None
    local = on_clock(made.appointment_at, zone)
    assert (local.date(), local.hour, local.minute) == (
        on_clock(made.created_at, zone).date() + timedelta(days=1),
        15,
        0,
    )
    assert answer.reply.startswith("Set: a text to Mary Jones on ")
    assert "2:00 PM for the 3:00 PM appointment (reminder 1)." in answer.reply  # reminded an hour before
    # At 2 p.m. tomorrow the senior gets the reminder text, as for one staff set up.
    with people.db.transaction() as session:
        assert reminders.send_due(session, people.settings, made.appointment_at - timedelta(minutes=59)) == 1
    with people.db.sessions() as session:
        [sent] = session.scalars(select(Notification).where(Notification.to_phone == MARY)).all()
        assert sent.body.startswith("Hearthline reminder: you have an appointment on ")


def test_family_of_two_seniors_are_asked_which_and_the_answer_sets_it(client: FlaskClient, people: Hearthline) -> None:
    asked = text(client, people, SAM, "remind pills 9am")
    assert asked.reply == "Who is the reminder for: 1 Mary Jones, 2 王伟? Reply with the number or the name."
    assert reminders_of(people) == []
    answer = text(client, people, SAM, "2")
    assert answer.reply.startswith("Set: a call to 王伟 every day at 9:00 AM")
    [made] = reminders_of(people)
    with people.db.sessions() as session:
        assert made.senior_id == session.scalar(select(Reminder.senior_id))
        conversation = session.get(Conversation, SAM)
        assert conversation is not None and "reminder_setup" not in conversation.state
    # Naming the senior in the text needs no question.
    named = text(client, people, SAM, "remind Mary pills 9pm by text")
    assert named.reply.startswith("Set: a text to Mary Jones every day at 9:00 PM")
    # A question nobody answers is dropped by the next text, which the conversation takes as usual.
    text(client, people, SAM, "remind pills 7am")
    other = text(client, people, SAM, "Mary's heating is broken")
    assert other.reply.startswith("Thank you.") or "Reference" in other.reply
    assert len(reminders_of(people)) == 2


def test_family_list_and_cancel_reminders_by_text(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, CARMEN, "recordar mamá pastillas 8 de la mañana y 8 de la noche")
    listed = text(client, people, CARMEN, "recordatorios")
    assert listed.reply == (
        "Recordatorios: 1 Rosa Diaz: medicinas cada dia a las 8:00 y 20:00, por llamada. "
        "Para quitar uno, envie CANCELAR RECORDATORIO y su numero."
    )
    # Another family's reminder is not theirs to see or stop.
    text(client, people, ANN, "remind mum pills 8pm")
    refused = text(client, people, CARMEN, "cancelar recordatorio 2")
    assert refused.reply == "No encontramos el recordatorio 2 entre los suyos. Envie RECORDATORIOS para verlos."
    stopped = text(client, people, CARMEN, "Cancelar recordatorio 1")
    assert stopped.reply == "Hemos quitado el recordatorio 1 de Rosa Díaz. No se enviará más."
    assert [r.active for r in reminders_of(people)] == [False, True]
    assert reminders_of(people)[0].note == f"removed by family:{CARMEN}"
    request = next(r for r in requests_of(people) if r.requester_phone == CARMEN)
    assert history(people, request.id)[-1] == (f"family:{CARMEN}", "reminder", "reminder 1 stopped by text")
    assert text(client, people, CARMEN, "recordatorios").reply.startswith("No hay recordatorios.")
    # "STOP REMINDER" alone stops the only one there is (Twilio's STOP is the whole text "STOP" only).
    only = text(client, people, ANN, "STOP REMINDER")
    assert only.reply == "Stopped: reminder 2 for Mary Jones. Nothing more will be sent for it."
    assert [r.active for r in reminders_of(people)] == [False, False]
    with people.db.transaction() as session:  # nothing is sent for a stopped reminder
        reminders.send_due(session, people.settings)
        assert session.scalars(select(ReminderRound).where(ReminderRound.reminder_id == 1)).all() == []


@pytest.mark.parametrize(
    ("sender", "body", "reply_start"),
    [
        (PAT, "remind mum pills 8pm", "Hello from Hearthline. This number is not on our list."),  # linked to nobody
        (STRANGER, "remind mum pills 8pm", "Hello from Hearthline. This number is not on our list."),
        (MARY, "remind me pills 8pm", None),  # a senior, for themselves: the conversation, as before
        (ANN, "remind mum pills at 8", None),  # morning or evening? not guessed: a person reads it
        (WANG, "提醒我晚上8点吃药", None),
    ],
)
def test_anything_else_goes_to_the_sms_conversation_and_nothing_is_set(
    client: FlaskClient, people: Hearthline, sender: str, body: str, reply_start: str | None
) -> None:
    answer = text(client, people, sender, body)
    assert reminders_of(people) == []
    if reply_start is not None:
        assert answer.reply.startswith(reply_start), answer.reply
    else:
        # The conversation makes it a request a person works (here: about medicines): nothing is lost.
        [request] = requests_of(people)
        assert (request.transcript, request.status) == (body, RequestStatus.NEW)
    assert all(r.requester_kind != RequesterKind.SYSTEM for r in requests_of(people))


def test_an_appointment_already_past_is_not_set(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "remind mum doctor today 12:00am")  # midnight this morning
    assert reminders_of(people) == []
