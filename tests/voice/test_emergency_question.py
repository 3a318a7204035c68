"""Issue #10 by real calls: forced words never dial for help; the fail-safe emergency question, yes to hang-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask

from care.models import CallState
from prompts.tts import EspeakSynthesizer
from simulator.twilio_standin import TwilioStandIn
from tests.twiml import flatten, signed_post
from tests.voice.conftest import Call
from tests.voice.test_routes import ALWAYS_OPEN, NEVER_OPEN, add_senior
from voice.twiml import EMERGENCY_CHECK_MAX_SECONDS, KEY_WINDOW_SECONDS

FAMILY_AND_ON_CALL = {"+15550107777", "+15550109999"}
# The two requests: a meal delivery and a ride to the hospital, heard through the phrase list as
# "나요 끼니 어지러워 불이 났어요" (fire) and "넣고 나요 연기 있나요" (smoke).
MEAL = "식사 배달 신청하고 싶어요"
RIDE = "병원 가는 차편이 필요해요"


def emergency_dialled(call: Call) -> bool:
    return any(v.tag == "Number" and v.text == call.hl.settings.emergency_number for v in flatten(call.verbs))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["phrases", "free"])
@pytest.mark.parametrize("request_text", [MEAL, RIDE], ids=["meal", "ride"])
def test_korean_meal_and_ride_requests_never_dial_the_emergency_number(
    voice_app: Callable[..., Flask],
    standin: TwilioStandIn,
    say: Callable[[str, str], bytes],
    mode: str,
    request_text: str,
) -> None:
    """As `simulate-call --locale ko "say:<request>" "say:네"`: whatever is asked next, "네" must not dial."""
    app = voice_app(open_answers_recognition=mode, **ALWAYS_OPEN)
    add_senior(app, locale="ko", with_family=True)
    call = Call(app)
    # The free check reaches the end of the audio, so every reading it has (best and next best) is compared.
    call.hl.recognizer.check_seconds = 600  # type: ignore[attr-defined]  # the Vosk adapter's own knob
    call.start()
    call.record(standin.add_recording(say(request_text, "ko")))
    assert not emergency_dialled(call) and call.phase() != "emergency_check", call.spoken()
    if call.has("Record"):
        call.record(standin.add_recording(say("네", "ko")))
    assert not emergency_dialled(call)
    requests = call.requests()
    assert all(r.intent != "emergency" and not r.urgent for r in requests)
    # No alert to anyone. Where the request is understood and confirmed ("식사 배달이 필요하다고 하셨나요?" "네"),
    # the family is told of it as of any new request; nobody hears of an emergency.
    assert all(r.intent == ("meals" if request_text == MEAL else "transport") for r in requests)
    alerts = [n for n in call.notifications() if n.to_phone in FAMILY_AND_ON_CALL]
    assert all(n.kind == "family" and n.request_id in {r.id for r in requests} for n in alerts)


def asked(app: Flask, transcript: str = "넘어져 나요", *, person: bool = False) -> Call:
    """A Korean call whose last answer was a weakly heard emergency, now at "do you need emergency help?";
    `person`: it was about wanting to die (a clear no goes to a person)."""
    add_senior(app, locale="ko", with_family=True)
    call = Call(app)
    call.start()
    with call.hl.db.transaction() as session:
        row = session.get(CallState, call.call_sid)
        assert row is not None
        dialog = dict(row.state["dialog"])
        dialog.update(phase="emergency_check", pending_intent="emergency", pending_transcript=transcript)
        dialog.update(pending_by="speech", pending_person=person, last_ask={"listen": "emergency_check", "prompts": []})
        row.state = {**row.state, "dialog": dialog}
    return call


def _help_called(call: Call, *, dialled: bool = True) -> None:
    assert emergency_dialled(call) is dialled
    (request,) = call.requests()
    assert request.intent == "emergency" and request.urgent and request.transcript == "넘어져 나요"
    assert {n.to_phone for n in call.notifications()} >= FAMILY_AND_ON_CALL


def _answer(call: Call, via: str, **form: str) -> None:
    with call.hl.db.sessions() as session:
        row = session.get(CallState, call.call_sid)
        assert row is not None
        turn = row.turns
    call.post(f"/voice/answer?t={turn}&via={via}", **form)


@pytest.mark.slow
def test_a_weakly_heard_korean_fall_is_asked_about_in_one_short_turn_and_silence_dials(
    voice_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    """espeak-ng "넘어져서 못 일어나요" said slowly: the phrase list hears 넘어져, a free decoding only "넘어".

    The free check is given all the time it needs: on a busy test machine it would otherwise run out, and an
    unchecked emergency word is not trusted (that path has its own test)."""
    app = voice_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko", with_family=True)
    call = Call(app)
    call.hl.recognizer.check_seconds = 600  # type: ignore[attr-defined]  # the Vosk adapter's own knob
    call.start()
    call.record(standin.add_recording(EspeakSynthesizer().synthesize("넘어져서 못 일어나요", "ko", 110)))
    assert call.phase() == "emergency_check" and not emergency_dialled(call) and call.requests() == []
    assert call.spoken() == [
        "지금 바로 응급 도움이 필요하세요? 필요하면 '네'라고 하시거나 9번, 아니면 '아니요'라고 하시거나 2번을 누르세요."
    ]
    gather, record = call.find("Gather"), call.find("Record")
    window = int(gather.attrs["timeout"]) + int(record.attrs["maxLength"])
    assert window <= 8 and int(record.attrs["maxLength"]) == EMERGENCY_CHECK_MAX_SECONDS
    assert int(gather.attrs["timeout"]) == KEY_WINDOW_SECONDS and int(record.attrs["timeout"]) <= 2
    call.silence()
    assert emergency_dialled(call)
    (request,) = call.requests()
    assert request.intent == "emergency" and request.urgent and "넘어져" in request.transcript
    assert {n.to_phone for n in call.notifications()} >= FAMILY_AND_ON_CALL


@pytest.mark.slow
def test_a_fall_only_a_next_best_free_reading_supports_is_asked_about_never_dropped(
    voice_app: Callable[..., Flask], standin: TwilioStandIn, say: Callable[[str, str], bytes]
) -> None:
    """espeak-ng "넘어져서 못 일어나요" at the hotline's own rate: the phrase list hears 넘어져, the free decoding's
    best reading is "널어 역 어머 리라 하여" and only a next-best one has "넘어". It was dropped as a forced word
    (speech bench: 0 of 3 heard emergencies caught); now it gets the quick emergency question, and "네" dials."""
    app = voice_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko", with_family=True)
    call = Call(app)
    call.hl.recognizer.check_seconds = 600  # type: ignore[attr-defined]  # the Vosk adapter's own knob
    call.start()
    call.record(standin.add_recording(say("넘어져서 못 일어나요", "ko")))
    assert call.phase() == "emergency_check" and not emergency_dialled(call) and call.requests() == []
    call.record(standin.add_recording(say("네", "ko")))
    assert emergency_dialled(call)
    (request,) = call.requests()
    assert request.intent == "emergency" and request.urgent and "넘어져" in request.transcript


def test_yes_by_key_9_calls_for_help(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    _answer(call, "keys", Digits="9")
    _help_called(call)


def test_silence_calls_for_help(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    _answer(call, "silence")
    _help_called(call)


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["네", "오늘 날씨 좋네요"], ids=["yes", "unclear"])
def test_a_spoken_yes_or_an_unclear_answer_calls_for_help(
    voice_app: Callable[..., Flask], standin: TwilioStandIn, say: Callable[[str, str], bytes], answer: str
) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    url = standin.add_recording(say(answer, "ko"))
    _answer(call, "speech", RecordingUrl=url, RecordingSid=url.rsplit("/", 1)[-1])
    _help_called(call)


def test_a_recording_that_cannot_be_fetched_counts_as_yes(
    voice_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    url = standin.add_recording(b"RIFF", not_ready_fetches=100)
    _answer(call, "speech", RecordingUrl=url, RecordingSid=url.rsplit("/", 1)[-1])
    _help_called(call)


def test_hanging_up_on_the_question_alerts_staff_and_family(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    unsigned = call.client.post("/voice/status", data=call.params(CallStatus="completed"))
    assert unsigned.status_code == 403 and call.requests() == []  # signed like every webhook
    response = signed_post(call.client, call.hl, "/voice/status", call.params(CallStatus="completed"))
    assert response.status_code == 204
    _help_called(call, dialled=False)
    assert call.phase() == "ended"
    # Twilio may tell us twice (the <Record> action with Digits=hangup, then the status callback): one request.
    signed_post(call.client, call.hl, "/voice/status", call.params(CallStatus="completed"))
    assert len(call.requests()) == 1


def test_hanging_up_during_the_recording_alerts_staff_and_family(
    voice_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    url = standin.add_recording(b"RIFF")
    _answer(call, "speech", Digits="hangup", RecordingUrl=url, RecordingSid=url.rsplit("/", 1)[-1])
    _help_called(call, dialled=False)


def test_a_call_ending_elsewhere_creates_nothing(voice_app: Callable[..., Flask]) -> None:
    app = voice_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")
    call = Call(app)
    call.start()
    response = signed_post(call.client, call.hl, "/voice/status", call.params(CallStatus="completed"))
    assert response.status_code == 204 and call.requests() == [] and call.phase() == "open"


def test_a_clear_no_by_key_2_goes_back_without_a_request(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**ALWAYS_OPEN))
    _answer(call, "keys", Digits="2")
    assert call.phase() == "open" and call.requests() == [] and not emergency_dialled(call)
    assert call.has("Record")  # asked again what they need


WANTS_TO_DIE = "더 살고 싶지가 않아요"


def test_a_clear_no_after_saying_one_wants_to_die_goes_to_the_staff_line(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**ALWAYS_OPEN), WANTS_TO_DIE, person=True)
    _answer(call, "keys", Digits="2")
    assert call.phase() == "transfer" and not emergency_dialled(call)
    assert call.find("Number").text == call.hl.settings.staff_line_number


def test_out_of_hours_it_is_an_urgent_call_back_within_the_hour(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(**NEVER_OPEN), WANTS_TO_DIE, person=True)
    _answer(call, "keys", Digits="2")
    (request,) = call.requests()
    assert request.intent == "operator" and request.transcript == WANTS_TO_DIE
    assert request.urgent and request.urgent_because == "self_harm"
    assert request.due_at - request.created_at <= timedelta(hours=1)
    assert not emergency_dialled(call) and call.phase() == "ended"


def test_out_of_hours_the_crisis_line_is_offered_after_the_call_back_promise(voice_app: Callable[..., Flask]) -> None:
    call = asked(voice_app(crisis_line_number="109", **NEVER_OPEN), WANTS_TO_DIE, person=True)
    _answer(call, "keys", Digits="2")
    spoken = " ".join(call.spoken())
    # Korean, digit by digit: "밤이든 낮이든 이야기할 사람이 필요하시면 1 0 9번으로 전화하세요."
    assert "1 0 9번으로 전화하세요" in spoken, spoken
    assert spoken.index("1 0 9번") > spoken.index("전화를 드리겠습니다"), spoken
    assert call.has("Hangup") and not emergency_dialled(call)
