"""Texts get the same understanding as calls: the semantic second opinion and its emergency safety net (issue 10)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.sms.people import ANN, CARMEN, JIN, LI, STAFF_ON_CALL, add_people, outbox, requests_of, text
from web.context import Hearthline


@pytest.fixture
def people(hearthline: Hearthline) -> Hearthline:
    assert hearthline.understanding is not None, "create_app builds the semantic second opinion"
    add_people(hearthline)
    return hearthline


@pytest.mark.parametrize(
    ("sender", "body", "yes"),
    [
        (CARMEN, "mi esposo no despierta", "sí"),
        (ANN, "Mum says she can't feel the left side of her body", "yes"),
        # A relative texting that someone wants to die or end their life: rejected before the self-harm patterns.
        (ANN, "Mum keeps saying she wants to die, she's been giving her things away", "yes"),
        (LI, "我爸说他不想活了，今天就了结", "是"),
        (JIN, "엄마가 자꾸 죽고 싶다고 하세요", "네"),
        (CARMEN, "Mi padre dice que se quiere morir", "sí"),
    ],
)
def test_an_emergency_in_plain_words_is_asked_about_and_yes_alerts_staff(
    client: FlaskClient, people: Hearthline, sender: str, body: str, yes: str
) -> None:
    asked = text(client, people, sender, body)
    assert people.settings.emergency_number in asked.reply  # "if anyone is in danger, call ... now"
    assert requests_of(people) == []
    text(client, people, sender, yes)
    [request] = requests_of(people)
    assert request.intent == "emergency" and request.urgent
    assert [n.to_phone for n in outbox(people) if n.kind == "staff"] == [STAFF_ON_CALL]


def test_booking_a_plane_ticket_is_not_an_emergency_question(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, LI, "帮我订个飞机票")
    assert people.settings.emergency_number not in answer.reply
    assert all(r.intent != "emergency" for r in requests_of(people))


@pytest.mark.parametrize(
    ("sender", "body", "intent"),
    [
        (LI, "我想跟真人说话", "operator"),
        (ANN, "Mum's fridge has been empty since Tuesday and she can't carry bags any more", "meals"),
        (JIN, "엄마가 하루 종일 아무하고도 말 한마디 못 했대요", "companionship"),
    ],
)
def test_indirect_texts_reach_the_right_service(
    client: FlaskClient, people: Hearthline, sender: str, body: str, intent: str
) -> None:
    text(client, people, sender, body)
    [request] = requests_of(people)
    assert request.intent == intent and request.transcript == body


@pytest.mark.parametrize(
    ("sender", "body", "no"),
    [
        (ANN, "Mum keeps saying she wants to die, she's been giving her things away", "no"),
        (LI, "我爸说他不想活了", "不是"),
        (JIN, "엄마가 자꾸 죽고 싶다고 하세요", "아니요"),
        (CARMEN, "Mi padre dice que se quiere morir", "no"),
    ],
)
def test_a_no_after_a_text_about_wanting_to_die_still_brings_a_person(
    client: FlaskClient, people: Hearthline, sender: str, body: str, no: str
) -> None:
    """Not an emergency right now, the relative says; a person at the front desk calls back all the same, within
    the hour (a NO to any other emergency question makes nothing)."""
    text(client, people, sender, body)
    answer = text(client, people, sender, no)
    [request] = requests_of(people)
    assert request.intent == "operator" and request.transcript == body
    assert request.urgent and request.urgent_because == "self_harm"
    assert request.due_at is not None and request.due_at - request.created_at <= timedelta(hours=1)
    assert people.settings.emergency_number not in answer.reply
    # The staff who take call-backs hear of it at once (here the admin), the request at the top of their queue.
    assert [n.request_id for n in outbox(people) if n.kind == "staff"] == [request.id]


def test_a_no_after_an_ordinary_emergency_question_makes_nothing(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Mum says she can't feel the left side of her body")
    text(client, people, ANN, "no")
    assert requests_of(people) == []


@pytest.mark.parametrize(
    ("sender", "no", "number", "offered"),
    [(ANN, "no", "116 123", "talk to someone at 116 123"), (JIN, "아니요", "109", "109번으로 전화하셔도")],
)
def test_where_there_is_a_crisis_line_the_reply_to_no_offers_it(
    make_app: Callable[..., Flask], sender: str, no: str, number: str, offered: str
) -> None:
    app = make_app(crisis_line_number=number)
    hl: Hearthline = app.extensions["hearthline"]
    add_people(hl)
    client = app.test_client()
    text(client, hl, sender, "Mum keeps saying she wants to die" if sender == ANN else "엄마가 자꾸 죽고 싶다고 하세요")
    answer = text(client, hl, sender, no)
    [request] = requests_of(hl)
    assert offered in answer.reply and request.reference in answer.reply and request.intent == "operator"


def test_without_a_crisis_line_the_reply_is_the_call_back_alone(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Mum keeps saying she wants to die")
    answer = text(client, people, ANN, "no")
    assert "call you back" in answer.reply and "Day or night" not in answer.reply
