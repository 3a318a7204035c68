"""One voice turn as a pipeline: lost state stepped once, Twilio hanging within the budget, details on the queue."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from sqlalchemy import delete

from care.models import CallState, RequestEvent
from prompts.messages import translate
from simulator.twilio_standin import TwilioStandIn
from tests.voice.conftest import Call
from tests.voice.test_routes import ALWAYS_OPEN, add_senior

# Twilio waits at most 15 s for a webhook's answer
# (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
TWILIO_WEBHOOK_TIMEOUT_SECONDS = 15


def test_a_call_whose_state_was_lost_takes_the_answer_once_in_the_callers_language(
    make_app: Callable[..., Flask],
) -> None:
    """A Spanish senior (no Spanish speech model: the keypad menu) whose call state is gone presses 2, then 1."""
    keypad_app = make_app(**ALWAYS_OPEN)
    add_senior(keypad_app, locale="es")
    call = Call(keypad_app)
    call.start()
    assert call.phase() == "menu"
    with call.hl.db.transaction() as session:
        session.execute(delete(CallState).where(CallState.call_sid == call.call_sid))
    call.press("2")  # daily help, on the menu the caller heard (not Chinese at a language menu)
    assert call.phase() == "menu"
    assert translate("voice", "voice.menu.daily", "es") in call.spoken()
    call.press("1")  # meals
    (request,) = call.requests()
    assert (request.intent, request.locale, request.understood_by) == ("meals", "es", "keypad")


def test_a_hanging_twilio_api_gets_an_apology_and_a_person_inside_twilios_wait(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    app = make_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")
    call = Call(app)
    call.start()
    url = standin.add_recording(b"RIFF" + b"\x00" * 64)
    standin.hang_seconds = 60  # every request to the API waits a minute
    started = time.monotonic()
    try:
        call.record(url)
    finally:
        standin.hang_seconds = 0
    waited = time.monotonic() - started
    assert waited < TWILIO_WEBHOOK_TIMEOUT_SECONDS - 3, waited  # room for the network both ways
    dial = call.find("Dial")
    assert dial.children[0].tag == "Number" and dial.children[0].text == call.hl.settings.staff_line_number
    assert [v.tag for v in call.verbs][:2] in (["Say", "Dial"], ["Play", "Dial"])  # an apology, then a person
    # The recording stays at Twilio only until the worker deletes it (privacy): the turn queued that.
    assert url.rsplit("/", 1)[-1] not in standin.deleted_recordings
    assert call.hl.queue.run_pending_jobs() == 1
    assert url.rsplit("/", 1)[-1] in standin.deleted_recordings


def test_details_are_transcribed_by_the_job_queue_after_the_answer(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    app = make_app(**ALWAYS_OPEN)
    add_senior(app, locale="es")
    call = Call(app)
    call.start()
    call.press("2")
    call.press("1")  # meals; then "anything to add?" records details
    url = standin.add_recording(b"RIFF" + b"\x00" * 64)
    call.record(url)
    assert call.phase() == "anything_else"
    (request,) = call.requests()
    with call.hl.db.sessions() as session:
        kinds = [e.kind for e in session.query(RequestEvent).filter_by(request_id=request.id)]
    assert "detail" not in kinds  # the answer did not wait for the transcription
    assert call.hl.queue.run_pending_jobs() == 1
    assert call.hl.queue.run_pending_jobs() == 0  # the queue is empty afterwards: nothing piles up
    with call.hl.db.sessions() as session:
        kinds = [e.kind for e in session.query(RequestEvent).filter_by(request_id=request.id)]
    assert kinds.count("detail") == 1
    assert url.rsplit("/", 1)[-1] in standin.deleted_recordings
