"""One voice turn as a pipeline: one match and its decision logged, lost state stepped once, Twilio hanging, details."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from huey import RedisHuey
from sqlalchemy import delete

from care.models import CallState, RequestEvent
from i18n.messages import translate
from intents import Decision, HeardWord, Hearing, InputSource, Intent, Locale, Utterance
from simulator.twilio_standin import TwilioStandIn
from tests.voice.conftest import Call
from tests.voice.test_routes import ALWAYS_OPEN, add_senior
from voice.dialogue import CallContext, CallDialogState, InputKind, Phase, TurnInput, decision_of, step, understand
from web.context import EXTENSION_KEY, Hearthline

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


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The job queue on its SQLite file (the default) or on Redis (production), a queue of this test's own."""
    if request.param == "sqlite":
        yield dict(ALWAYS_OPEN)
        return
    settings = {**ALWAYS_OPEN, "redis_url": request.getfixturevalue("redis_url"), "queue_name": f"turn-{uuid4().hex}"}
    yield settings
    RedisHuey(settings["queue_name"], url=settings["redis_url"]).storage.flush_all()


def test_details_are_transcribed_by_the_job_queue_after_the_answer(
    make_app: Callable[..., Flask], standin: TwilioStandIn, queue_settings: dict[str, Any]
) -> None:
    app = make_app(**queue_settings)
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
    assert not {"detail", "detail_audio"} & set(kinds)  # the answer did not wait for the transcription
    # The worker is another process: another app on the same database and queue runs the job.
    worker: Hearthline = make_app(**queue_settings).extensions[EXTENSION_KEY]
    assert worker.queue.run_pending_jobs() == 1
    assert call.hl.queue.run_pending_jobs() == 0  # the queue is empty afterwards: nothing piles up
    with call.hl.db.sessions() as session:
        kinds = [e.kind for e in session.query(RequestEvent).filter_by(request_id=request.id)]
    # No Spanish speech model here: the recording is kept for staff to hear, once.
    assert kinds.count("detail_audio") == 1
    assert url.rsplit("/", 1)[-1] in standin.deleted_recordings


@pytest.mark.parametrize(("forced", "decision"), [(True, Decision.CONFIRM), (False, Decision.ACCEPT)])
def test_the_decision_logged_is_the_one_the_dialogue_took_from_one_match(forced: bool, decision: Decision) -> None:
    """A service the words say clearly is still asked about when a phrase list may have forced them (nobody
    checked them against a free decoding): the one match says so, and so does the log."""
    ctx = CallContext(speech_locales=frozenset({"en"}))
    state, _greeting = step(CallDialogState(), TurnInput(InputKind.START, known_locale="en"), ctx)
    text = "I need meals delivered to my home"
    hearing = Hearing(tuple(HeardWord(w, 1.0) for w in text.split()), forced=forced)
    said = Utterance(text, InputSource.SPEECH, Locale.EN, 0.95, hearing=hearing)
    event = understand(state, TurnInput(InputKind.UTTERANCE, said))
    assert event.match is not None and (event.match.intent, event.match.decision) == (Intent.MEALS, decision)
    after, actions = step(state, event, ctx)
    assert decision_of(state, after, actions) is decision
    assert after.phase is (Phase.CONFIRM if forced else Phase.DETAILS)
