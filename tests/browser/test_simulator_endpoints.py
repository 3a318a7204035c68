"""The simulator's server side: signed webhooks into the real voice and SMS routes, answers as JSON."""

from __future__ import annotations

import re
import socket
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from care.delivery import deliver_due
from care.lifecycle import RequestAction
from care.models import CallState, InboundMessage, ServiceRequest, utcnow
from care.notices import STATUS_SETTLE, service_name
from care.requests import apply_action, find_by_reference
from i18n.messages import translate
from simulator.phone import stop_standins, store_recording
from simulator.twilio_standin import TwilioStandIn
from tests.console.html import parse_html
from tests.console.support import FAMILY_PHONE, SENIOR_PHONE, STAFF, Seeded, login, seed_people
from voice.recordings import TwilioRecordings
from web.context import Hearthline


def _token(client: FlaskClient) -> dict[str, str]:
    page = client.get("/simulator/")
    assert page.status_code == 200
    match = re.search(r'data-token="([^"]+)"', page.get_data(as_text=True))
    assert match
    return {"X-Simulator-Token": match.group(1)}


def _post(client: FlaskClient, headers: dict[str, str], path: str, **form: str) -> dict[str, Any]:
    response = client.post(path, data=form, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()  # type: ignore[no-any-return]


def test_the_simulator_is_not_there_when_disabled(make_app: Any) -> None:
    app: Flask = make_app(simulator_enabled=False)
    client = app.test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/call", data={"from": SENIOR_PHONE}).status_code == 404
    assert client.post("/simulator/sms", data={"from": FAMILY_PHONE, "body": "hi"}).status_code == 404
    # Nor is its command: the development tools are not even registered.
    result = app.test_cli_runner().invoke(args=["simulate-call", "--from", SENIOR_PHONE, "press:1"])
    assert result.exit_code != 0 and "No such command 'simulate-call'" in result.output
    assert "simulator" not in app.blueprints


def test_posts_without_the_pages_token_are_refused(client: FlaskClient, hearthline: Hearthline) -> None:
    _token(client)
    assert client.post("/simulator/call", data={"from": SENIOR_PHONE}).status_code == 400
    with hearthline.db.sessions() as db:
        assert db.query(CallState).count() == 0


def test_a_keypad_call_reaches_the_real_voice_webhooks_and_makes_a_request(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    seeded: Seeded = seed_people(hearthline)
    headers = _token(client)
    first = _post(client, headers, "/simulator/call", **{"from": "(202) 555-0111"})
    assert first["ended"] is False and first["wait"]["kind"] == "keys"
    assert first["prompts"] and all(p["url"].startswith("/") for p in first["prompts"])  # playable from this page
    assert client.get(first["prompts"][0]["url"]).data[:4] == b"RIFF"
    sid = first["call_sid"]
    with hearthline.db.sessions() as db:
        call = db.get(CallState, sid)
        assert call is not None and call.from_phone == SENIOR_PHONE  # the webhook saw the caller's number
    # No speech model for English here: the call is keypad-only. 2 = meals, rides, repairs; 1 = meals.
    _post(client, headers, f"/simulator/call/{sid}/keys", digits="2")
    after = _post(client, headers, f"/simulator/call/{sid}/keys", digits="1")
    with hearthline.db.sessions() as db:
        made = db.query(ServiceRequest).one()
        assert (made.intent, made.understood_by, made.senior_id) == ("meals", "keypad", seeded.senior_id)
    spoken = " ".join(p.get("text", "") for p in after["prompts"])
    assert " ".join(made.reference) in spoken  # the reference is read out digit by digit
    assert after["log"][-2:] == ["Pressed 2", "Pressed 1"]
    ended = _post(client, headers, f"/simulator/call/{sid}/hangup")
    assert ended["ended"] is True and ended["wait"] is None
    assert client.post(f"/simulator/call/{sid}/keys", data={"digits": "1"}, headers=headers).status_code == 409
    assert client.post("/simulator/call/CAnope/keys", data={"digits": "1"}, headers=headers).status_code == 404


def test_no_input_runs_what_twilio_runs_after_the_question(client: FlaskClient, hearthline: Hearthline) -> None:
    seed_people(hearthline)
    headers = _token(client)
    first = _post(client, headers, "/simulator/call", **{"from": SENIOR_PHONE})
    again = _post(client, headers, f"/simulator/call/{first['call_sid']}/silence")
    assert again["log"][-1] == "Said nothing" and again["ended"] is False and again["wait"]["kind"] == "keys"
    with hearthline.db.sessions() as db:
        call = db.get(CallState, first["call_sid"])
        assert call is not None and call.turns >= 2  # the silence went to the voice webhook as a new turn


def test_a_bad_caller_number_is_refused_before_any_webhook(client: FlaskClient, hearthline: Hearthline) -> None:
    headers = _token(client)
    response = client.post("/simulator/call", data={"from": "anonymous"}, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "That is not a phone number."
    with hearthline.db.sessions() as db:
        assert db.query(CallState).count() == 0


def test_a_spoken_answer_is_stored_at_the_stand_in_where_the_voice_adapter_downloads_it(
    hearthline: Hearthline, standin: TwilioStandIn
) -> None:
    wav = hearthline.synthesizer.synthesize("I need a ride", "en", 140)
    url = store_recording(hearthline.settings, wav)
    assert url.startswith(standin.base_url)
    assert TwilioRecordings(hearthline.settings).download(url) == wav


def test_a_family_text_goes_to_the_sms_webhook_and_later_notifications_show_in_the_inbox(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    seed_people(hearthline)
    headers = _token(client)
    answer = _post(client, headers, "/simulator/sms", **{"from": FAMILY_PHONE, "body": "Mum needs meals please"})
    assert len(answer["replies"]) == 1 and answer["replies"][0]
    with hearthline.db.sessions() as db:
        assert db.query(InboundMessage).filter_by(from_phone=FAMILY_PHONE).count() == 1
        made = db.query(ServiceRequest).one()
    assert made.requester_phone == FAMILY_PHONE
    assert made.reference in answer["replies"][0]
    # Staff start work on it; the outbox texts the requester, and the simulator's inbox shows that text.
    with hearthline.db.transaction() as db:
        apply_action(db, find_by_reference(db, made.reference), RequestAction.START, actor="staff:sam")
    # "Work has started" waits a few minutes in case a later step replaces it; then it goes.
    deliver_due(hearthline.db, hearthline.sender, None, now=lambda: utcnow() + STATUS_SETTLE)
    inbox = client.get(f"/simulator/sms/inbox?phone={FAMILY_PHONE}").get_json()
    expected = translate(
        "notify", "notify.status.in_progress", "en", reference=made.reference, service=service_name(made.intent, "en")
    )
    assert inbox["messages"][0]["body"] == expected  # newest first, as Twilio lists them
    assert client.get("/simulator/sms/inbox?phone=nope").status_code == 400
    bad = client.post("/simulator/sms", data={"from": FAMILY_PHONE, "body": " "}, headers=headers)
    assert bad.status_code == 400


def test_the_page_labels_every_control(client: FlaskClient) -> None:
    page = parse_html(client.get("/simulator/").get_data(as_text=True))
    labelled = {label.attrs["for"] for label in page.find_all("label")}
    controls = [e for e in page.iter() if e.tag in {"input", "select", "textarea"} and e.attrs.get("type") != "hidden"]
    assert controls and all(c.attrs["id"] in labelled for c in controls)
    keys = page.find_all("button", class_="key")
    assert [k.attrs["data-key"] for k in keys] == list("123456789*0#")
    assert all(k.attrs["aria-label"].startswith("Key ") for k in keys)
    assert translate("web", "sim.title", "en") == page.find("h1").text


def test_a_transfer_waits_for_the_person_at_the_simulator_to_say_whether_anyone_answered(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    seed_people(hearthline)
    headers = _token(client)
    sid = _post(client, headers, "/simulator/call", **{"from": SENIOR_PHONE})["call_sid"]
    emergency = _post(client, headers, f"/simulator/call/{sid}/keys", digits="9")
    assert emergency["wait"]["kind"] == "dial"
    assert emergency["wait"]["number"] == hearthline.settings.emergency_number
    assert emergency["log"][-1] == f"Putting the call through to {hearthline.settings.emergency_number}"
    # Keys are not for the hotline while the call is being put through.
    assert client.post(f"/simulator/call/{sid}/keys", data={"digits": "1"}, headers=headers).status_code == 409
    backup = _post(client, headers, f"/simulator/call/{sid}/dial", result="no-answer")
    assert backup["log"][-2] == "Transfer: no-answer"
    # Nobody at the emergency number: the hotline tries the staff line next (never a dead end).
    assert backup["wait"]["kind"] == "dial" and backup["wait"]["number"] == hearthline.settings.staff_line_number


def test_logging_in_to_the_console_in_the_same_browser_keeps_the_simulator_working(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    seed_people(hearthline)
    headers = _token(client)
    login(client, *STAFF)  # a fresh console session; the simulator's own cookie is untouched
    assert _post(client, headers, "/simulator/call", **{"from": SENIOR_PHONE})["ended"] is False
    forged = {"X-Simulator-Token": "a" * 43}
    assert client.post("/simulator/call", data={"from": SENIOR_PHONE}, headers=forged).status_code == 400


def test_against_real_twilio_the_simulator_never_polls_it(make_app: Any) -> None:
    app: Flask = make_app(twilio_api_base="https://api.twilio.com")
    client = app.test_client()
    page = parse_html(client.get("/simulator/").get_data(as_text=True))
    assert page.find("main").attrs["data-speech"] == "no"
    assert page.by_id("no-speech").text.startswith("Spoken answers need the local Twilio stand-in")
    assert client.get(f"/simulator/sms/inbox?phone={FAMILY_PHONE}").status_code == 409


def test_in_development_the_simulator_starts_the_stand_in_at_the_configured_local_address(make_app: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app: Flask = make_app(twilio_api_base=f"http://127.0.0.1:{port}")
    hl: Hearthline = app.extensions["hearthline"]
    try:
        page = parse_html(app.test_client().get("/simulator/").get_data(as_text=True))
        assert page.find("main").attrs["data-speech"] == "yes"
        wav = hl.synthesizer.synthesize("hello", "en", 140)
        url = store_recording(hl.settings, wav)
        assert url.startswith(f"http://127.0.0.1:{port}/2010-04-01/Accounts/")
        assert TwilioRecordings(hl.settings).download(url) == wav  # the voice adapter fetches it as from Twilio
    finally:
        stop_standins()


def test_a_wav_file_from_the_browser_reaches_the_hotline_as_phone_line_audio(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    import io

    import numpy as np
    import soundfile

    seed_people(hearthline)
    headers = _token(client)
    sid = _post(client, headers, "/simulator/call", **{"from": SENIOR_PHONE})["call_sid"]
    _post(client, headers, f"/simulator/call/{sid}/keys", digits="2")
    asked = _post(client, headers, f"/simulator/call/{sid}/keys", digits="1")  # meals; "anything to add?"
    assert asked["wait"]["speech"] is True
    garbage = client.post(
        f"/simulator/call/{sid}/speech", data={"audio": (io.BytesIO(b"RIFF" + b"\1" * 99), "x.wav")}, headers=headers
    )
    assert garbage.status_code == 400 and garbage.get_json()["error"].startswith("That is not a WAV file")
    # Two seconds of a 48 kHz stereo recording, as a laptop browser makes it.
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(96_000) / 48_000)
    upload = io.BytesIO()
    soundfile.write(upload, np.stack([tone, tone], axis=1), 48_000, format="WAV", subtype="PCM_16")
    upload.seek(0)
    response = client.post(f"/simulator/call/{sid}/speech", data={"audio": (upload, "speech.wav")}, headers=headers)
    assert response.status_code == 200 and response.get_json()["log"][-1] == "Spoke (recording sent)"
    hearthline.queue.run_pending_jobs()
    with hearthline.db.sessions() as db:
        kept = db.query(ServiceRequest).one().audio_path
    assert kept is not None
    info = soundfile.info(hearthline.settings.data_dir / kept)  # stored relative to the data folder
    assert (info.samplerate, info.channels) == (8000, 1) and 1.9 < info.duration < 2.1
