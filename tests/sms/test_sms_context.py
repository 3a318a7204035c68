"""Texts understood in context (issue 12): answers in words to "is it sorted?", ratings only as a direct answer,
an unanswered emergency question reaches staff, a text sent twice is one request, a callback is a callback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from care.lifecycle import RequestAction
from care.models import RequestEvent, ServiceRequest, utcnow
from care.requests import apply_action, find_by_reference
from i18n.messages import LOCALES, translate
from tests.sms.people import ANN, CARMEN, JIN, LI, SAM, STAFF_ON_CALL, add_people, outbox, requests_of, text
from web.context import Hearthline


@pytest.fixture
def people(hearthline: Hearthline) -> Hearthline:
    add_people(hearthline)
    return hearthline


def _resolve(hl: Hearthline, reference: str) -> None:
    with hl.db.transaction() as s:
        apply_action(s, find_by_reference(s, reference), RequestAction.RESOLVE, actor="staff:rae")


def _row(hl: Hearthline, request_id: int) -> ServiceRequest:
    with hl.db.sessions() as s:
        row = s.get(ServiceRequest, request_id)
        assert row is not None
        return row


def _history(hl: Hearthline, request_id: int) -> list[tuple[str, str]]:
    with hl.db.sessions() as s:
        events = s.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id))
        return [(e.kind, e.note) for e in events]


def _requested(client: FlaskClient, hl: Hearthline, sender: str, body: str, intent: str) -> ServiceRequest:
    text(client, hl, sender, body)
    request = requests_of(hl)[-1]
    assert request.intent == intent and request.transcript == body
    return request


# --- "is it sorted?" answered in words --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "need", "intent", "answer", "status", "reply_word"),
    [
        (
            ANN,
            "Mum needs meals delivered, she can't cook",
            "meals",
            "yes thank you, the meals arrived",
            "closed",
            "closed",
        ),
        (ANN, "Mum's heating is broken", "home_repair", "fixed", "closed", "closed"),
        (JIN, "엄마 집 보일러가 고장났어요 수리 부탁해요", "home_repair", "네 해결됐어요", "closed", "만족도"),
        (LI, "爸爸家的水管坏了，请派人修理", "home_repair", "是的，修好了", "closed", "关闭"),
        (CARMEN, "Mi mamá necesita comida a domicilio", "meals", "sí, ya vinieron", "closed", "cerrado"),
        (ANN, "Mum's heating is broken", "home_repair", "yes", "closed", "closed"),
        (JIN, "엄마 집 보일러가 고장났어요 수리 부탁해요", "home_repair", "네", "closed", "만족도"),
        (LI, "爸爸家的水管坏了，请派人修理", "home_repair", "是", "closed", "关闭"),
        (CARMEN, "Mi mamá necesita comida a domicilio", "meals", "sí", "closed", "cerrado"),
        (ANN, "Mum needs meals delivered, she can't cook", "meals", "no, still nothing", "reopened", "open again"),
        (LI, "爸爸家的水管坏了，请派人修理", "home_repair", "还没修好", "reopened", "重新打开"),
        (
            JIN,
            "엄마 집 보일러가 고장났어요 수리 부탁해요",
            "home_repair",
            "아직 안 고쳐졌어요",
            "reopened",
            "다시 열었",
        ),
        (CARMEN, "Mi mamá necesita comida a domicilio", "meals", "todavía no, no vino nadie", "reopened", "abierto"),
    ],
)
def test_a_reply_in_words_closes_or_reopens_the_request_waiting_for_it(
    client: FlaskClient,
    people: Hearthline,
    sender: str,
    need: str,
    intent: str,
    answer: str,
    status: str,
    reply_word: str,
) -> None:
    request = _requested(client, people, sender, need, intent)
    _resolve(people, request.reference)
    replied = text(client, people, sender, answer)
    assert request.reference in replied.reply and reply_word in replied.reply
    assert _row(people, request.id).status == status
    assert len(requests_of(people)) == 1  # no new request made of the answer
    # The words it was answered in are in the history, beside the status change.
    assert any(kind == "status" and answer in note for kind, note in _history(people, request.id))


def test_an_answer_that_also_asks_for_something_else_is_asked_about_and_the_new_need_is_kept(
    client: FlaskClient, people: Hearthline
) -> None:
    meals = _requested(client, people, ANN, "Mum needs meals delivered, she can't cook", "meals")
    _resolve(people, meals.reference)
    asked = text(client, people, ANN, "yes, and I also need a ride")
    # Not guessed: the meal request still waits for its answer, and the reply asks about it by reference.
    assert _row(people, meals.id).status == "resolved"
    assert f"About request {meals.reference}" not in asked.reply  # the new request comes first ...
    assert f"request {meals.reference}" in asked.reply and "Reply 1" in asked.reply
    [_, ride] = requests_of(people)
    assert ride.intent == "transport" and ride.transcript == "yes, and I also need a ride"
    assert ride.reference in asked.reply  # ... with its reference
    text(client, people, ANN, "1")
    assert _row(people, meals.id).status == "closed"


def test_a_bare_yes_with_nothing_waiting_is_still_not_an_action(client: FlaskClient, people: Hearthline) -> None:
    _requested(client, people, ANN, "Mum's heating is broken", "home_repair")
    answer = text(client, people, ANN, "yes")
    assert "did not understand" in answer.reply and [r.status for r in requests_of(people)] == ["new"]


# --- ratings: only the direct answer to "how did we do?" -----------------------------------------------------------
def test_a_digit_after_other_texts_is_not_a_rating(client: FlaskClient, people: Hearthline) -> None:
    request = _requested(client, people, ANN, "Mum's heating is broken", "home_repair")
    _resolve(people, request.reference)
    text(client, people, ANN, "1")  # fixed: closed, and asked "how did we do?"
    assert _row(people, request.id).status == "closed"
    text(client, people, ANN, "Mum needs a ride to the clinic on Friday")
    later = text(client, people, ANN, "1")
    assert _row(people, request.id).rating is None
    assert "Thank you for rating" not in later.reply


def test_a_digit_long_after_the_rating_question_is_not_a_rating(client: FlaskClient, people: Hearthline) -> None:
    request = _requested(client, people, ANN, "Mum's heating is broken", "home_repair")
    _resolve(people, request.reference)
    text(client, people, ANN, "1")
    window = timedelta(minutes=people.settings.sms_rating_reply_minutes)
    with people.db.transaction() as s:
        s.execute(
            update(ServiceRequest)
            .where(ServiceRequest.id == request.id)
            .values(closed_at=utcnow() - window - timedelta(minutes=1))
        )
    text(client, people, ANN, "4")
    assert _row(people, request.id).rating is None


def test_the_direct_answer_to_the_rating_question_is_a_rating_even_with_another_request_waiting(
    client: FlaskClient, people: Hearthline
) -> None:
    first = _requested(client, people, ANN, "Mum's heating is broken", "home_repair")
    second = _requested(client, people, ANN, "Mum needs a ride to the clinic on Friday", "transport")
    _resolve(people, second.reference)
    _resolve(people, first.reference)
    text(client, people, ANN, f"1 {first.reference}")
    rated = text(client, people, ANN, "1")  # "how did we do?" was the last question: 1 is poor, not "fixed"
    assert "Thank you for rating" in rated.reply
    assert _row(people, first.id).rating == 1 and _row(people, second.id).status == "resolved"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("domain", "key"), [("sms", "sms.confirmed"), ("notify", "notify.status.closed")])
def test_the_rating_question_says_which_end_of_the_scale_is_good(domain: str, key: str, locale: str) -> None:
    asked = translate(domain, key, locale, reference="501451")
    ends = re.search(r"1\s?[(（]([^)）]+)[)）].*5\s?[(（]([^)）]+)[)）]", asked)
    assert ends is not None, asked  # "1 (poor) to 5 (very good)", "1（差）到5（很好）"
    assert ends.group(1) != ends.group(2)


# --- "is this an emergency?" never drops the text it asked about ----------------------------------------------------
def test_a_text_about_something_else_brings_the_emergency_question_to_staff_with_both_texts(
    client: FlaskClient, people: Hearthline
) -> None:
    asked = text(client, people, ANN, "Please help my mum")
    assert people.settings.emergency_number in asked.reply and requests_of(people) == []
    then = text(client, people, ANN, "Can you book her a ride to the clinic on Friday")
    urgent, ride = requests_of(people)
    assert urgent.urgent and urgent.transcript == "Please help my mum\nCan you book her a ride to the clinic on Friday"
    assert ride.intent == "transport" and ride.transcript == "Can you book her a ride to the clinic on Friday"
    assert "both your messages" in then.reply
    # The need the second text named is a request of its own, and the sender is told its reference.
    assert ride.reference in then.reply and urgent.reference not in then.reply and "Also noted: a ride" in then.reply
    assert STAFF_ON_CALL in {n.to_phone for n in outbox(people) if n.kind == "staff"}


def test_a_reply_naming_nothing_to_the_emergency_question_gives_no_reference(
    client: FlaskClient, people: Hearthline
) -> None:
    text(client, people, ANN, "Please help my mum")
    then = text(client, people, ANN, "hmm")
    [urgent] = requests_of(people)
    assert urgent.urgent and "both your messages" in then.reply and urgent.reference not in then.reply


def test_a_need_asked_again_after_the_emergency_question_keeps_its_reference(
    client: FlaskClient, people: Hearthline
) -> None:
    first = text(client, people, ANN, "Can you book her a ride to the clinic on Friday")
    [ride] = requests_of(people)
    assert ride.reference in first.reply
    text(client, people, ANN, "Please help my mum")
    then = text(client, people, ANN, "Can you book her a ride to the clinic on Friday")
    assert len(requests_of(people)) == 2 and ride.reference in then.reply and "both your messages" in then.reply


def test_an_unanswered_emergency_question_goes_to_staff_after_the_timeout(
    client: FlaskClient, people: Hearthline
) -> None:
    text(client, people, SAM, "Please help, something is wrong with Mary")
    assert people.queue.run_pending_jobs() == 0  # not yet: the sender has time to answer
    assert requests_of(people) == []
    later = utcnow() + timedelta(seconds=people.settings.sms_emergency_answer_seconds + 1)
    assert people.queue.run_pending_jobs(until=later) == 1
    [urgent] = requests_of(people)
    assert urgent.urgent and urgent.transcript == "Please help, something is wrong with Mary"
    assert urgent.senior_id is not None  # "Mary" named: Sam's Mary, not Wang
    assert STAFF_ON_CALL in {n.to_phone for n in outbox(people) if n.kind == "staff"}
    told = [n for n in outbox(people) if n.to_phone == SAM and n.kind == "sms_reply"]
    assert len(told) == 1 and people.settings.emergency_number in told[0].body
    # Answered meanwhile (or brought in by the next text), the job finds nothing left to do.
    text(client, people, SAM, "Please help, something is wrong with Mary")
    text(client, people, SAM, "yes")
    assert people.queue.run_pending_jobs(until=later + timedelta(minutes=10)) == 1
    assert len(requests_of(people)) == 2


def test_a_keyword_in_between_keeps_the_emergency_question_waiting(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Please help my mum")
    text(client, people, ANN, "STATUS")
    later = utcnow() + timedelta(seconds=people.settings.sms_emergency_answer_seconds + 1)
    people.queue.run_pending_jobs(until=later)
    [urgent] = requests_of(people)
    assert urgent.urgent and urgent.transcript == "Please help my mum"


# --- the same text twice is one request --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "first", "again", "reply_word"),
    [
        (ANN, "Mum's heating is broken", "mums heating is broken!!", "already asked"),
        (LI, "请帮我爸爸订午饭", "请帮我爸爸订午饭。", "已经提过"),
        (JIN, "엄마 병원 예약 부탁해요", "엄마 병원 예약 부탁해요!", "이미 접수"),
        (CARMEN, "Mi mamá necesita comida a domicilio", "mi mama necesita comida a domicilio", "Ya nos lo"),
    ],
)
def test_the_same_text_again_is_the_same_request(
    client: FlaskClient, people: Hearthline, sender: str, first: str, again: str, reply_word: str
) -> None:
    text(client, people, sender, first)
    [request] = requests_of(people)
    repeated = text(client, people, sender, again)
    assert [r.id for r in requests_of(people)] == [request.id]
    assert reply_word in repeated.reply and request.reference in repeated.reply
    assert ("repeat", again) in _history(people, request.id)


def test_a_different_text_or_the_same_one_hours_later_is_a_new_request(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Mum needs a ride to the clinic on Monday")
    text(client, people, ANN, "Mum needs a ride to the clinic on Tuesday")
    assert len(requests_of(people)) == 2
    window = timedelta(hours=people.settings.sms_repeat_window_hours)
    with people.db.transaction() as s:
        s.execute(update(ServiceRequest).values(created_at=utcnow() - window - timedelta(minutes=1)))
    text(client, people, ANN, "Mum needs a ride to the clinic on Monday")
    assert len(requests_of(people)) == 3


# --- a callback is a callback --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "body"),
    [
        (ANN, "Please have someone call me back"),
        (CARMEN, "Que alguien me llame, por favor"),
        (LI, "请让人给我回个电话"),
        (JIN, "다시 전화 주세요"),
    ],
)
def test_asking_to_be_called_back_is_a_callback_request(
    client: FlaskClient, people: Hearthline, sender: str, body: str
) -> None:
    answer = text(client, people, sender, body)
    [request] = requests_of(people)
    assert request.intent == "operator" and request.transcript == body
    assert request.reference in answer.reply
