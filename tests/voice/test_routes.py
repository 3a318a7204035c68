"""The voice webhooks driven as Twilio drives them: signed posts, TwiML parsed and checked verb by verb."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import time
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select, text

from care.models import CallState, CallTurn, FamilyLink, FamilyMember, RequestEvent, Senior, StaffMember
from i18n import clock
from simulator.twilio_standin import TwilioStandIn
from tests.twiml import flatten, parse_twiml, signed_post
from tests.voice.conftest import CALLER, Call

ALWAYS_OPEN = {"opening_time": time(0, 0), "closing_time": time(23, 59, 59), "opening_days": (0, 1, 2, 3, 4, 5, 6)}
NEVER_OPEN = {"opening_time": time(0, 0), "closing_time": time(0, 0, 1), "opening_days": (0, 1, 2, 3, 4, 5, 6)}


@pytest.fixture
def keypad_app(make_app: Callable[..., Flask]) -> Flask:
    """No speech models in the model folder; Korean still has the packaged one, English has none."""
    return make_app(**ALWAYS_OPEN)


def add_senior(app: Flask, locale: str = "en", phone: str = CALLER, with_family: bool = False) -> None:
    call = Call(app)
    with call.hl.db.transaction() as session:
        senior = Senior(phone=phone, name="Ada Park", locale=locale)
        session.add(senior)
        session.add(StaffMember(username="oncall", name="On Call", phone="+15550109999", team="on_call"))
        if with_family:
            daughter = FamilyMember(phone="+15550107777", name="June Park", locale="ko")
            session.add(daughter)
            session.flush()
            session.add(FamilyLink(senior_id=senior.id, family_member_id=daughter.id, consent_given_by="Ada Park"))


def test_unknown_caller_hears_the_language_menu_in_four_languages(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    verbs = call.start()
    gather = call.find("Gather")
    assert gather.attrs["input"] == "dtmf" and gather.attrs["numDigits"] == "1"
    assert gather.attrs["timeout"] == str(call.hl.settings.silence_timeout_seconds)
    assert gather.attrs["action"].startswith("/voice/answer?t=1")
    spoken = call.spoken()
    assert any("English" in s for s in spoken) and any("中文" in s for s in spoken)
    assert any("한국어" in s for s in spoken) and any("español" in s for s in spoken)
    assert verbs[-1].tag == "Redirect" and "via=silence" in verbs[-1].text  # no key: the default language


def test_known_senior_is_greeted_in_their_language_with_the_open_question(keypad_app: Flask) -> None:
    add_senior(keypad_app, locale="ko")
    call = Call(keypad_app)
    call.start()
    assert call.spoken()[0].startswith("안녕하세요")
    gather, record = call.find("Gather"), call.find("Record")
    assert gather.attrs["timeout"] == "1"  # a key during the prompt, then the beep
    assert record.attrs["timeout"] == str(call.hl.settings.end_of_speech_seconds)
    assert record.attrs["playBeep"] == "true" and record.attrs["trim"] == "trim-silence"
    assert "0" in record.attrs["finishOnKey"] and "9" in record.attrs["finishOnKey"]
    assert call.verbs[-1].tag == "Redirect"  # an empty recording skips the action and runs this


def test_prompts_are_spoken_at_the_configured_rate(make_app: Callable[..., Flask]) -> None:
    app = make_app(speaking_rate_wpm=119, **ALWAYS_OPEN)
    call = Call(app)
    call.start()
    assert call.press("*") and call.phase() == "language"  # star repeats the language menu
    call.press("1")
    call.press("*")  # repeat: slower, always <Say> so it can be slowed
    says = [v for v in flatten(call.verbs) if v.tag == "Say"]
    rates = {p.attrs["rate"] for s in says for p in s.children if p.tag == "prosody"}
    assert rates == {f"{round(119 / 170 * 0.85 * 100)}%"}


def test_keypad_meal_request_is_created_routed_and_its_reference_read_digit_by_digit(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    call.press("1")  # English (no model: keypad menu at once)
    assert call.phase() == "menu"
    call.press("2")
    call.press("1")
    (request,) = call.requests()
    assert (request.intent, request.team, request.channel, request.understood_by) == (
        "meals",
        "meals",
        "voice",
        "keypad",
    )
    assert request.source_key == f"call:{call.call_sid}:4"  # the fourth webhook of the call
    digits = [v for v in flatten(call.verbs) if v.tag == "say-as"]
    assert "".join(d.text for d in digits) == request.reference * 2  # read, then repeated
    breaks = [v for v in flatten(call.verbs) if v.tag == "break"]
    assert len(breaks) == 2 * len(request.reference)
    assert call.find("Record").attrs["action"].startswith("/voice/answer?t=4")  # details may follow
    with call.hl.db.sessions() as session:
        events = list(session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)))
    assert [(e.kind, e.actor) for e in events] == [("created", f"caller:{CALLER}")]


def test_duplicate_delivery_replays_the_answer_and_creates_nothing_twice(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    call.press("1")
    call.press("2")
    action = call.find("Gather").attrs["action"]
    first = signed_post(call.client, call.hl, action, call.params(Digits="1"))
    second = signed_post(call.client, call.hl, action, call.params(Digits="1"))
    assert first.get_data() == second.get_data()
    assert len(call.requests()) == 1
    # A late copy of an older turn's webhook changes nothing either.
    stale = signed_post(call.client, call.hl, "/voice/answer?t=2&via=keys", call.params(Digits="3"))
    assert parse_twiml(stale)
    assert len(call.requests()) == 1 and call.phase() == "details"


def test_emergency_by_keypad_dials_alerts_family_and_staff_and_logs_urgent(keypad_app: Flask) -> None:
    add_senior(keypad_app, with_family=True)
    call = Call(keypad_app)
    call.start()
    call.press("9")
    dial = call.find("Dial")
    assert call.find("Number").text == call.hl.settings.emergency_number
    assert dial.attrs["action"].startswith("/voice/dial")
    assert not call.has("Gather")  # no menu
    (request,) = call.requests()
    assert request.intent == "emergency" and request.urgent and request.team == "on_call"
    recipients = {n.to_phone for n in call.notifications()}
    assert {"+15550107777", "+15550109999"} <= recipients


def test_failed_emergency_dial_falls_back_to_staff_then_to_dialling_yourself(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    call.press("9")
    call.dial_status("failed")
    assert call.find("Number").text == call.hl.settings.staff_line_number
    call.dial_status("no-answer")
    assert call.verbs[-1].tag == "Hangup"
    assert "9 1 1" in call.spoken()[0]


def test_zero_reaches_the_staff_line_and_no_answer_leaves_a_callback(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    call.press("0")
    assert call.find("Number").text == call.hl.settings.staff_line_number
    call.dial_status("no-answer")
    (request,) = call.requests()
    assert request.intent == "operator" and request.team == "front_desk"
    assert call.verbs[-1].tag == "Hangup"
    assert any(request.reference[0] in s for s in call.spoken())


def test_person_outside_opening_hours_is_a_callback_with_a_time(make_app: Callable[..., Flask]) -> None:
    call = Call(make_app(**NEVER_OPEN))
    call.start()
    call.press("0")
    assert not call.has("Dial")
    (request,) = call.requests()
    assert request.intent == "operator"
    assert "closed" in call.spoken()[0]


@pytest.mark.parametrize(
    ("locale", "sentence_start", "clock_words"),
    [
        ("en", "Our office is closed now", " at 4 AM."),
        ("ko", "지금은 업무 시간이 아니라서", " 새벽 네 시까지"),
        ("zh", "我们现在下班了", "凌晨4点之前"),
        ("es", "Nuestra oficina está cerrada", " a las 4 de la madrugada."),
    ],
)
def test_a_callback_time_is_said_as_people_say_it_on_the_centres_clock(
    make_app: Callable[..., Flask], locale: str, sentence_start: str, clock_words: str
) -> None:
    """Closed all day: the callback is due 4 hours after tomorrow's opening at midnight, 4 AM in New York."""
    app = make_app(**NEVER_OPEN)
    add_senior(app, locale=locale)
    call = Call(app)
    call.start()
    call.press("0")
    (request,) = call.requests()
    due = clock.local(request.due_at, ZoneInfo("America/New_York"))
    assert (due.hour, due.minute) == (4, 0)
    said = call.spoken()[0]
    assert said.startswith(sentence_start)
    assert f"{clock.spoken_date(due.date(), locale)}" in said and clock_words in said, said
    assert not re.search(r"\d:\d\d", said)  # never "4:00", which espeak-ng reads as a number


def test_silence_three_times_leads_to_the_keypad_and_then_a_person(keypad_app: Flask) -> None:
    add_senior(keypad_app, locale="ko")  # Korean has a model: the open question takes speech
    call = Call(keypad_app)
    call.start()
    call.silence()
    assert call.has("Record") and call.phase() == "open"  # rephrased, slower
    call.silence()
    assert call.phase() == "menu" and not call.has("Record")
    call.silence()
    assert call.phase() == "menu"
    call.silence()
    assert call.find("Number").text == call.hl.settings.staff_line_number


def test_status_reads_open_requests_with_their_state(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    for digit in ("1", "2", "1"):
        call.press(digit)
    (request,) = call.requests()
    other = Call(keypad_app, call_sid="CA" + "b" * 32)
    other.start()
    for digit in ("1", "3", "3", "2"):
        other.press(digit)
    spoken = " ".join(other.spoken())
    assert "Open requests: 1." in spoken and "meal delivery" in spoken
    assert " ".join(request.reference) in spoken


def test_staff_number_is_sent_to_prompt_recording(keypad_app: Flask) -> None:
    with Call(keypad_app).hl.db.transaction() as session:
        session.add(StaffMember(username="amy", name="Amy", phone=CALLER, team="meals"))
    call = Call(keypad_app)
    verbs = call.start()
    assert [(v.tag, v.text) for v in verbs] == [("Redirect", "/prompts/phone/start")]


def test_hash_at_the_language_menu_is_sent_to_prompt_recording(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    verbs = call.press("#")
    assert [(v.tag, v.text) for v in verbs] == [("Redirect", "/prompts/phone/start")]


def test_bad_signature_is_refused_and_nothing_stored(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    response = signed_post(call.client, call.hl, "/voice/incoming", call.params(), signature="bm9wZQ==")
    assert response.status_code == 403
    unsigned = call.client.post("/voice/incoming", data=call.params())
    assert unsigned.status_code == 403
    with call.hl.db.sessions() as session:
        assert session.scalar(select(CallState)) is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/voice/incoming", {"From": CALLER}),
        ("/voice/answer?via=keys", {"CallSid": "CA1", "From": CALLER, "Digits": "1"}),
        ("/voice/answer?t=1&via=bogus", {"CallSid": "CA1", "From": CALLER}),
        # Found by the webhook fuzzer: "²".isdigit() is true and int("²") raised inside the turn.
        ("/voice/answer?t=%C2%B2&via=keys", {"CallSid": "CA1", "From": CALLER, "Digits": "1"}),
        # Found by the webhook fuzzer: the hotline took a 3,000-character CallSid the staff line refuses.
        ("/voice/incoming", {"CallSid": "0" * 3000, "From": CALLER}),
        ("/voice/incoming", {"CallSid": "CA\u00e9" + "0" * 31, "From": CALLER}),
    ],
)
def test_malformed_webhook_is_a_400_and_stores_nothing(keypad_app: Flask, path: str, params: dict[str, str]) -> None:
    call = Call(keypad_app)
    response = signed_post(call.client, call.hl, path, params)
    assert response.status_code == 400
    with call.hl.db.sessions() as session:
        assert session.scalar(select(CallState)) is None and session.scalar(select(CallTurn)) is None


def test_database_failure_still_apologises_and_offers_a_person(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    with call.hl.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE call_turns"))
    verbs = call.press("1")
    assert [v.tag for v in verbs][:2] in (["Play", "Dial"], ["Say", "Dial"])
    assert call.find("Number").text == call.hl.settings.staff_line_number
    assert verbs[-1].tag == "Hangup"


def test_fallback_url_apologises_and_connects_to_a_person(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    verbs = call.post("/voice/fallback", ErrorCode="11200")
    assert call.find("Number").text == call.hl.settings.staff_line_number
    assert verbs[-1].tag == "Hangup"


def test_garbled_recording_is_not_understood_and_deleted_at_twilio(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    app = make_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")
    call = Call(app)
    call.start()
    url = standin.add_recording(b"RIFF\x00\x00not really a wave file at all", not_ready_fetches=1)
    call.record(url)
    assert call.phase() == "open" and call.has("Record")  # asked again, more slowly
    assert url.rsplit("/", 1)[-1] in standin.deleted_recordings
    assert call.requests() == []


def test_recording_that_never_arrives_is_not_understood(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    app = make_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")
    call = Call(app)
    call.start()
    missing = standin.base_url + f"/2010-04-01/Accounts/{app.extensions['hearthline'].settings.twilio_account_sid}"
    call.record(missing + "/Recordings/RE" + "0" * 32)
    assert call.phase() == "open" and call.requests() == []


def test_simultaneous_duplicate_deliveries_create_one_request(keypad_app: Flask) -> None:
    call = Call(keypad_app)
    call.start()
    call.press("1")
    call.press("2")
    action = call.find("Gather").attrs["action"]
    answers: list[bytes] = []

    def deliver() -> None:
        client = keypad_app.test_client()
        answers.append(signed_post(client, call.hl, action, call.params(Digits="1")).get_data())

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(call.requests()) == 1
    assert len(set(answers)) == 1 and b"<Record" in answers[0]


def test_a_call_on_postgresql(make_app: Callable[..., Flask], postgres_url: str) -> None:
    """Call state and requests on PostgreSQL (row lock per CallSid), as a multi-worker deployment runs."""
    app = make_app(database_url=postgres_url, **ALWAYS_OPEN)
    call = Call(app, call_sid=f"CA{uuid.uuid4().hex}", phone=f"+1555{uuid.uuid4().int % 10**7:07d}")
    call.start()
    for digit in ("1", "2", "3"):
        call.press(digit)
    mine = [r for r in call.requests() if r.source_key.startswith(f"call:{call.call_sid}:")]
    assert [(r.intent, r.team) for r in mine] == [("home_repair", "repairs")]
