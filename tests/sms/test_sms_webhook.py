"""The SMS webhook driven as Twilio drives it: signed posts, TwiML answers, requests and outbox rows stored."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy import text as sql_text

from care.models import Conversation, InboundMessage, RequestEvent, ServiceRequest, SmsOptOut
from care.segments import Encoding, segment_info
from tests.sms.people import (
    ANN,
    CARMEN,
    JIN,
    KIM,
    LI,
    MARY,
    PAT,
    ROSA,
    SAM,
    STAFF_ON_CALL,
    STRANGER,
    WANG,
    add_people,
    inbound_count,
    outbox,
    requests_of,
    text,
)
from tests.twiml import parse_twiml, signed_post
from web.context import Hearthline


@pytest.fixture
def people(hearthline: Hearthline) -> Hearthline:
    add_people(hearthline)
    return hearthline


def _senior_id(hl: Hearthline, phone: str) -> int:
    from care.models import Senior

    with hl.db.sessions() as s:
        found = s.scalar(select(Senior.id).where(Senior.phone == phone))
        assert found is not None
        return found


# --- family and seniors ask for help --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "body", "intent", "senior_phone", "reply_word"),
    [
        (ANN, "Mum's heating is broken", "home_repair", MARY, "Reference"),
        (LI, "请帮我爸爸订午饭", "meals", WANG, "编号"),
        (JIN, "엄마 병원 예약 부탁해요", "medical", KIM, "번호"),
        (CARMEN, "Mi mamá necesita comida a domicilio", "meals", ROSA, "Referencia"),
    ],
)
def test_linked_family_text_creates_a_request_for_their_senior_in_their_language(
    client: FlaskClient, people: Hearthline, sender: str, body: str, intent: str, senior_phone: str, reply_word: str
) -> None:
    answer = text(client, people, sender, body)

    [request] = requests_of(people)
    assert request.intent == intent
    assert request.senior_id == _senior_id(people, senior_phone)
    assert request.requester_phone == sender
    assert request.requester_kind == "family"
    assert request.channel == "sms"
    assert request.transcript == body
    assert request.source_key == f"sms:{answer.sid}"
    assert request.reference in answer.reply
    assert reply_word in answer.reply
    assert segment_info(answer.reply).segments == 1


def test_a_senior_texting_is_served_for_themselves(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, MARY, "Could someone give me a ride to the clinic on Tuesday")

    [request] = requests_of(people)
    assert (request.intent, request.senior_id, request.requester_kind) == (
        "transport",
        _senior_id(people, MARY),
        "senior",
    )
    assert request.reference in answer.reply
    # Mary's linked family (Ann, Sam) hear about it through the outbox, in their language.
    family_rows = [n for n in outbox(people) if n.kind == "family"]
    assert sorted(n.to_phone for n in family_rows) == [ANN, SAM]
    assert all(request.reference in n.body for n in family_rows)


def test_a_text_in_korean_from_a_senior_gets_a_korean_reply(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, KIM, "병원 예약하고 싶어요")
    [request] = requests_of(people)
    assert request.intent == "medical" and request.locale == "ko"
    assert "번호" in answer.reply and request.reference in answer.reply
    info = segment_info(answer.reply)
    assert info.encoding is Encoding.UCS2 and info.segments == 1


def test_linked_to_several_seniors_the_reply_asks_which_and_the_next_text_answers(
    client: FlaskClient, people: Hearthline
) -> None:
    first = text(client, people, SAM, "They need a plumber, the sink is leaking")
    assert requests_of(people) == []
    assert "Mary Jones" in first.reply and "王伟" in first.reply
    with people.db.sessions() as s:
        conversation = s.get(Conversation, SAM)
        assert conversation is not None and conversation.state["pending"]["intent"] == "home_repair"

    # The list is in name order: 1 Mary Jones, 2 王伟.
    second = text(client, people, SAM, "2")
    [request] = requests_of(people)
    assert request.senior_id == _senior_id(people, WANG)
    assert request.intent == "home_repair"
    assert request.transcript == "They need a plumber, the sink is leaking"
    assert request.reference in second.reply
    with people.db.sessions() as s:
        conversation = s.get(Conversation, SAM)
        assert conversation is not None and conversation.state == {}


def test_naming_the_senior_in_the_text_skips_the_question(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, SAM, "Mary needs a meal delivered please")
    [request] = requests_of(people)
    assert request.senior_id == _senior_id(people, MARY) and request.intent == "meals"
    assert request.reference in answer.reply


@pytest.mark.parametrize("sender", [STRANGER, PAT])
def test_not_linked_gets_a_polite_reply_on_how_to_get_linked_and_nothing_is_created(
    client: FlaskClient, people: Hearthline, sender: str
) -> None:
    answer = text(client, people, sender, "My mother needs meals delivered")
    assert requests_of(people) == []
    assert outbox(people) == []
    assert "link" in answer.reply and people.settings.hotline_number in answer.reply


def test_unknown_sender_in_spanish_is_answered_in_spanish(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, STRANGER, "Necesito ayuda con la comida de mi madre")
    assert requests_of(people) == []
    assert "Hearthline" in answer.reply and "familiar" in answer.reply


# --- status, help, stop / start ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "keyword", "heading"),
    [
        (ANN, "STATUS", "Your requests"),
        (LI, "状态", "您的请求"),
        (JIN, "상태", "요청 현황"),
        (CARMEN, "estado", "Sus pedidos"),
    ],
)
def test_status_lists_open_requests_and_their_state(
    client: FlaskClient, people: Hearthline, sender: str, keyword: str, heading: str
) -> None:
    text(client, people, sender, "I need a ride to the doctor" if sender == ANN else "help with pension paperwork")
    created = text(client, people, sender, "my heating is broken please send a repair")
    assert len(requests_of(people)) == 2, created.reply
    answer = text(client, people, sender, keyword)
    assert answer.reply.startswith(heading)
    for request in requests_of(people):
        assert request.reference in answer.reply
    assert segment_info(answer.reply).segments <= 3


def test_status_with_a_reference_shows_that_request_only_if_it_is_theirs(
    client: FlaskClient, people: Hearthline
) -> None:
    text(client, people, ANN, "Mum needs a doctor visit")
    [request] = requests_of(people)
    mine = text(client, people, ANN, f"status {request.reference}")
    assert request.reference in mine.reply and "received" in mine.reply
    # Li is not linked to Mary: he learns nothing about her request.
    other = text(client, people, LI, f"状态 {request.reference}")
    assert "没有找到" in other.reply
    assert "doctor" not in other.reply


def test_status_with_nothing_open(client: FlaskClient, people: Hearthline) -> None:
    assert "no open requests" in text(client, people, ANN, "status").reply


@pytest.mark.parametrize(
    ("word", "expected"), [("HELP", "STATUS"), ("帮助", "状态"), ("도움말", "상태"), ("AYUDA", "ESTADO")]
)
def test_help_explains_in_one_message_what_can_be_texted(
    client: FlaskClient, people: Hearthline, word: str, expected: str
) -> None:
    answer = text(client, people, STRANGER, word)
    assert expected in answer.reply
    assert people.settings.emergency_number in answer.reply
    assert segment_info(answer.reply).segments == 1
    assert requests_of(people) == []


def test_stop_means_no_messages_until_start(client: FlaskClient, people: Hearthline) -> None:
    stop = text(client, people, ANN, "STOP")
    # Twilio confirms its own STOP keywords and blocks the number; a reply from us would be refused.
    assert stop.verbs == []
    with people.db.sessions() as s:
        row = s.get(SmsOptOut, ANN)
        assert row is not None and row.opted_out

    # She still texts a request: it is acted on (staff see it), but we text nothing back...
    quiet = text(client, people, ANN, "Mum needs a ride to the hospital")
    assert quiet.verbs == []
    assert len(requests_of(people)) == 1
    # ... and a notification for her is kept, suppressed, never sent.
    text(client, people, MARY, "I need a meal delivered")
    to_ann = [n for n in outbox(people) if n.to_phone == ANN]
    assert to_ann and all(n.status == "suppressed" for n in to_ann)

    start = text(client, people, ANN, "START")
    assert "on again" in start.reply
    with people.db.sessions() as s:
        row = s.get(SmsOptOut, ANN)
        assert row is not None and not row.opted_out
    assert text(client, people, ANN, "status").reply.startswith("Your requests")


@pytest.mark.parametrize(
    ("word", "confirmation"), [("退订", "不再收到"), ("중지", "보내지 않습니다"), ("PARAR", "deja de")]
)
def test_stop_words_in_other_languages_are_honoured_and_confirmed(
    client: FlaskClient, people: Hearthline, word: str, confirmation: str
) -> None:
    sender = {"退订": LI, "중지": JIN, "PARAR": CARMEN}[word]
    answer = text(client, people, sender, word)
    assert confirmation in answer.reply  # Twilio does not act on these words, so we confirm them ourselves
    with people.db.sessions() as s:
        row = s.get(SmsOptOut, sender)
        assert row is not None and row.opted_out


def test_yes_is_not_an_opt_in_for_someone_who_never_stopped(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, ANN, "YES")
    with people.db.sessions() as s:
        assert s.get(SmsOptOut, ANN) is None
    assert "did not understand" in answer.reply


# --- emergencies --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "body", "marker"),
    [
        (ANN, "Mum has fallen and can't get up", "call"),
        (LI, "我爸爸摔倒了起不来", "拨打"),
        (JIN, "엄마가 쓰러졌어요 숨을 못 쉬어요", "전화"),
        (CARMEN, "Mi madre se cayó y no puede respirar", "llame"),
    ],
)
def test_emergency_words_say_call_now_and_alert_staff_and_other_contacts(
    client: FlaskClient, people: Hearthline, sender: str, body: str, marker: str
) -> None:
    answer = text(client, people, sender, body)
    assert people.settings.emergency_number in answer.reply and marker in answer.reply
    [request] = requests_of(people)
    assert request.intent == "emergency" and request.urgent
    rows = outbox(people)
    staff = [n for n in rows if n.kind == "staff"]
    assert [n.to_phone for n in staff] == [STAFF_ON_CALL]
    assert request.reference in staff[0].body and "URGENT" in staff[0].body
    assert all(n.status == "pending" for n in rows)


@pytest.mark.parametrize(
    ("sender", "maybe", "yes"),
    [(ANN, "Please help my mum", "yes"), (LI, "请帮帮我爸爸", "是"), (JIN, "도와주세요", "네")],
)
def test_a_possible_emergency_is_asked_about_and_yes_alerts_staff(
    client: FlaskClient, people: Hearthline, sender: str, maybe: str, yes: str
) -> None:
    asked = text(client, people, sender, maybe)
    assert people.settings.emergency_number in asked.reply
    assert requests_of(people) == [] and outbox(people) == []
    text(client, people, sender, yes)
    [request] = requests_of(people)
    assert request.intent == "emergency" and request.transcript == f"{maybe}\n{yes}"
    assert [n.to_phone for n in outbox(people) if n.kind == "staff"] == [STAFF_ON_CALL]


def test_senior_emergency_alerts_their_family(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, MARY, "Help I fell and I can't get up")
    family = sorted(n.to_phone for n in outbox(people) if n.kind == "family")
    assert family == [ANN, SAM]
    assert all("URGENT" in n.body for n in outbox(people) if n.kind == "family")


# --- every reply fits the segment rules ------------------------------------------------------------------------------
def test_a_1600_character_text_is_stored_whole_and_answered_within_three_segments(
    client: FlaskClient, people: Hearthline
) -> None:
    body = ("My mother's roof is leaking into the kitchen and the heating is broken again. " * 21)[:1600]
    assert len(body) == 1600
    answer = text(client, people, ANN, body)
    [request] = requests_of(people)
    assert request.transcript == body and request.intent == "home_repair"
    assert segment_info(answer.reply).segments <= 3


def test_emoji_and_mixed_text_are_understood_and_the_reply_fits(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, ANN, "🙏 Mum needs a doctor please 🏥❤️")
    [request] = requests_of(people)
    assert request.intent == "medical" and request.transcript.startswith("🙏")
    assert segment_info(answer.reply).segments == 1


def test_emoji_only_gets_a_short_help_reply(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, ANN, "👍")
    assert requests_of(people) == []
    assert "did not understand" in answer.reply


def test_an_unclassified_longer_text_goes_to_a_person_rather_than_nowhere(
    client: FlaskClient, people: Hearthline
) -> None:
    answer = text(client, people, ANN, "Could somebody phone me about the letter from the council")
    [request] = requests_of(people)
    assert request.intent in {"operator", "benefits"}
    assert request.reference in answer.reply


# --- duplicates and bad input -------------------------------------------------------------------------------------
def test_duplicate_delivery_of_the_same_message_sid_creates_one_request_and_repeats_the_reply(
    client: FlaskClient, people: Hearthline
) -> None:
    first = text(client, people, ANN, "Mum needs a meal delivered", sid="SM" + "d" * 32)
    again = text(client, people, ANN, "Mum needs a meal delivered", sid="SM" + "d" * 32)
    assert len(requests_of(people)) == 1
    assert again.reply == first.reply
    assert inbound_count(people) == 1
    assert len([n for n in outbox(people) if n.kind == "family"]) == 1  # Sam, told once


def test_unsigned_post_is_refused_and_nothing_is_stored(client: FlaskClient, people: Hearthline) -> None:
    params = {"MessageSid": "SM" + "u" * 32, "From": ANN, "To": "+15550100000", "Body": "Mum needs a meal"}
    assert client.post("/sms/incoming", data=params).status_code == 403
    forged = signed_post(client, people, "/sms/incoming", params, signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    # Signed for a different body: tampering in transit is caught too.
    from web.webhooks import sign

    other = sign(people.settings, "/sms/incoming", {**params, "Body": "something else"})
    assert signed_post(client, people, "/sms/incoming", params, signature=other).status_code == 403
    assert requests_of(people) == [] and inbound_count(people) == 0


@pytest.mark.parametrize(
    "params",
    [
        {"From": ANN, "Body": "Mum needs a meal"},  # no MessageSid
        {"MessageSid": "SM" + "m" * 32, "Body": "Mum needs a meal"},  # no From
        {"MessageSid": "SM" + "m" * 32, "From": ANN},  # no Body
        {"MessageSid": "SM" + "m" * 32, "From": "not-a-number", "Body": "Mum needs a meal"},
        {"MessageSid": "SM" + "m" * 32, "From": ANN, "Body": "x" * 5000},  # Twilio never sends more than 1600
    ],
)
def test_malformed_posts_get_400_and_nothing_is_stored(
    client: FlaskClient, people: Hearthline, params: dict[str, str]
) -> None:
    response = signed_post(client, people, "/sms/incoming", params)
    assert response.status_code == 400
    assert requests_of(people) == [] and inbound_count(people) == 0


def test_a_database_failure_gets_a_plain_apology_and_stores_nothing(client: FlaskClient, people: Hearthline) -> None:
    # A real failure of the real database (SQLite or PostgreSQL): the table this webhook writes is gone.
    with people.db.engine.begin() as conn:
        conn.execute(sql_text("ALTER TABLE sms_conversations RENAME TO sms_conversations_gone"))
    response = signed_post(
        client, people, "/sms/incoming", {"MessageSid": "SM" + "e" * 32, "From": ANN, "Body": "Mum needs a meal"}
    )
    [verb] = parse_twiml(response)
    assert verb.tag == "Message" and "went wrong" in verb.text
    assert requests_of(people) == [] and inbound_count(people) == 0


# --- resolved: confirm, reopen, rate ---------------------------------------------------------------------------------
def _resolve(hl: Hearthline, reference: str) -> None:
    from care.lifecycle import RequestAction
    from care.requests import apply_action, find_by_reference

    with hl.db.transaction() as s:
        apply_action(s, find_by_reference(s, reference), RequestAction.RESOLVE, actor="staff:rae", note="boiler fixed")


def test_reply_1_confirms_and_closes_then_a_rating_is_recorded(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Mum's heating is broken")
    [request] = requests_of(people)
    _resolve(people, request.reference)
    confirm = [n for n in outbox(people) if n.kind == "confirm"]
    assert [n.to_phone for n in confirm] == [ANN] and "Reply 1" in confirm[0].body

    closed = text(client, people, ANN, "1")
    assert request.reference in closed.reply and "Reply 1 (poor) to 5" in closed.reply
    rated = text(client, people, ANN, "5")
    assert request.reference in rated.reply

    with people.db.sessions() as s:
        row = s.get(ServiceRequest, request.id)
        assert row is not None and row.status == "closed" and row.rating == 5
        history = [(e.actor, e.kind, e.to_status) for e in s.scalars(select(RequestEvent).order_by(RequestEvent.id))]
    assert history == [
        (f"family:{ANN}", "created", "new"),
        ("system", "urgency", None),  # no heating (care.urgency)
        ("staff:rae", "status", "resolved"),
        (f"family:{ANN}", "status", "closed"),
        (f"family:{ANN}", "rating", None),
    ]
    # Ann had her answer in the reply; the outbox tells Sam and Mary... not Ann a second time.
    closed_rows = [n for n in outbox(people) if "is closed" in n.body]
    assert ANN not in {n.to_phone for n in closed_rows}
    assert SAM in {n.to_phone for n in closed_rows}


def test_reply_2_reopens(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, LI, "爸爸家的水管坏了，请派人修理")
    [request] = requests_of(people)
    _resolve(people, request.reference)
    answer = text(client, people, LI, "2")
    assert request.reference in answer.reply and "重新打开" in answer.reply
    with people.db.sessions() as s:
        row = s.get(ServiceRequest, request.id)
        assert row is not None and row.status == "reopened"


def test_with_two_requests_waiting_a_bare_1_asks_which_and_1_with_reference_answers(
    client: FlaskClient, people: Hearthline
) -> None:
    text(client, people, ANN, "Mum's heating is broken")
    text(client, people, ANN, "Mum needs a ride to the clinic")
    first, second = requests_of(people)
    _resolve(people, first.reference)
    _resolve(people, second.reference)
    ask = text(client, people, ANN, "1")
    assert "Which request" in ask.reply
    with people.db.sessions() as s:
        assert {r.status for r in s.scalars(select(ServiceRequest))} == {"resolved"}
    text(client, people, ANN, f"1 {first.reference}")
    with people.db.sessions() as s:
        statuses = {r.reference: r.status for r in s.scalars(select(ServiceRequest))}
    assert statuses == {first.reference: "closed", second.reference: "resolved"}


def test_a_bare_digit_with_nothing_waiting_is_not_an_action(client: FlaskClient, people: Hearthline) -> None:
    text(client, people, ANN, "Mum's heating is broken")
    answer = text(client, people, ANN, "1")
    with people.db.sessions() as s:
        assert [r.status for r in s.scalars(select(ServiceRequest))] == ["new"]
    assert "did not understand" in answer.reply


def test_every_message_is_kept_with_its_reply(client: FlaskClient, people: Hearthline) -> None:
    answer = text(client, people, ANN, "Mum's heating is broken")
    with people.db.sessions() as s:
        stored = s.get(InboundMessage, answer.sid)
        assert stored is not None and stored.reply == answer.reply and stored.from_phone == ANN


def test_the_same_message_delivered_twice_at_once_creates_one_request(app: Any, people: Hearthline) -> None:
    import threading

    answers: list[str] = []
    barrier = threading.Barrier(2)

    def deliver() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(text(client, people, ANN, "Mum needs a meal delivered", sid="SM" + "c" * 32).reply)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(answers) == 2 and answers[0] == answers[1]
    [request] = requests_of(people)
    assert request.reference in answers[0]
    assert inbound_count(people) == 1
