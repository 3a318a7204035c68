"""Calls over Twilio Media Streams: the app serves the WebSocket on a real local server, the stand-in of Twilio's
side (simulator.media_stream) plays the caller's line at real-time pace, and webhooks go to the same app."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from care.models import CallState, RequestEvent, ServiceRequest
from simulator.media_stream import TwilioMediaStream
from simulator.phone import PhoneCall, Progress
from simulator.twiml_follow import WaitKind
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.voice.conftest import CALLER
from tests.voice.test_routes import ALWAYS_OPEN, add_senior
from voice import mulaw
from web.context import EXTENSION_KEY, Hearthline

STREAMING = {**ALWAYS_OPEN, "voice_path": "stream"}


class Served:
    """An app on a real local server (threads, as `make run` serves it), for the WebSocket."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.server.server_port}/voice/stream"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], Served]]:
    started: list[Served] = []

    def start(app: Flask) -> Served:
        served = Served(app)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def open_stream(served: Served, call: PhoneCall, progress: Progress) -> TwilioMediaStream:
    assert progress.wait is not None and progress.wait.kind is WaitKind.STREAM, progress
    stream = TwilioMediaStream(
        served.ws_url, progress.wait.url, AUTH_TOKEN, ACCOUNT_SID, call.sid, dict(progress.wait.parameters)
    )
    stream.open()
    return stream


def state_of(app: Flask, call_sid: str) -> dict:
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    with hl.db.sessions() as session:
        row = session.get(CallState, call_sid)
        assert row is not None
        return {**row.state, "turns": row.turns}


def requests_of(app: Flask) -> list[ServiceRequest]:
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    with hl.db.sessions() as session:
        return list(session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))


def wait_turn(stream: TwilioMediaStream, app: Flask, call_sid: str, turns: int, timeout: float = 30) -> dict:
    assert stream.wait_for(lambda: state_of(app, call_sid)["turns"] >= turns, timeout), state_of(app, call_sid)
    return state_of(app, call_sid)


def test_the_stream_refuses_a_forged_upgrade_and_a_forged_token(
    make_app: Callable[..., Flask], serve: Callable[[Flask], Served]
) -> None:
    app = make_app(**STREAMING)
    served = serve(app)
    call = PhoneCall(app, CALLER)
    progress = call.start()
    assert progress.wait is not None and progress.wait.kind is WaitKind.STREAM
    # The upgrade signed with another token is refused before any WebSocket exists.
    forged = TwilioMediaStream(served.ws_url, progress.wait.url, "0" * 32, ACCOUNT_SID, call.sid, {})
    with pytest.raises(Exception):  # noqa: B017  (simple_websocket raises ConnectionError on the 403)
        forged.open()
    # A signed upgrade whose start carries no valid token is closed without a word played.
    stream = TwilioMediaStream(served.ws_url, progress.wait.url, AUTH_TOKEN, ACCOUNT_SID, call.sid, {"token": "1.x"})
    stream.open()
    assert stream.wait_for(lambda: stream.closed_at is not None, 5)
    assert stream.media_times == []
    stream.close()


@pytest.mark.slow
def test_full_korean_call_by_stream_keys_over_prompts_details_by_free_speech_and_goodbye(
    voice_app: Callable[..., Flask], serve: Callable[[Flask], Served], say: Callable[[str, str], bytes]
) -> None:
    """A Korean senior: the greeting streams as μ-law, speech is heard while spoken, keys over prompts stop
    them (clear), the request is made and read, details are transcribed live onto it, and silence ends the call."""
    app = voice_app(**STREAMING)
    add_senior(app, locale="ko")
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    try:
        assert stream.wait_for(lambda: len(stream.media_times) > 10, 10)  # the greeting plays
        first = stream.media_times[0]
        stream.say(say("도시락 배달해 주세요", "ko"))  # barged in over the greeting, or after it
        state = wait_turn(stream, app, call.sid, 2)
        assert state["last"]["heard"]["source"] == "speech" and state["last"]["heard"]["text"]
        assert requests_of(app) == []  # espeak-ng Korean is never acted on unconfirmed
        if state["dialog"]["phase"] == "confirm":
            stream.say(say("아니요", "ko"))
            state = wait_turn(stream, app, call.sid, state["turns"] + 1)
        turns = state["turns"]
        for digit in ("1", "2", "1"):  # the menu, daily help, meals: each key pressed while its prompt plays
            assert stream.wait_for(lambda: stream.playing, 10)
            stream.press(digit)
            turns += 1
            state = wait_turn(stream, app, call.sid, turns)
        (request,) = requests_of(app)
        assert (request.intent, request.understood_by, request.locale) == ("meals", "keypad", "ko")
        assert state["dialog"]["phase"] == "details"
        assert stream.clears, "a key over a prompt clears Twilio's buffer"
        # Wait for the reference and the details question to play out, then speak the details.
        assert stream.wait_for(lambda: not stream.playing and any(m.played for m in stream.marks[-1:]), 60)
        assert "voice.reference_intro" in stream.played_keys()
        stream.say(say("내일 점심에 와 주세요", "ko"))
        state = wait_turn(stream, app, call.sid, turns + 1)
        assert state["dialog"]["phase"] == "anything_else"
        (request,) = requests_of(app)
        assert request.details.strip() and not request.details.startswith("(")  # heard freely, at once
        # Silence after "anything else?": goodbye, which the stream cannot end itself -> TwiML hangs up.
        assert stream.wait_for(lambda: stream.closed_at is not None, 40)
        progress = call.stream_ended()
        assert progress.ended and call.log[-1].event.value == "ended"
        assert first > 0 and bytes(stream.heard).count(b"\xff") < len(stream.heard)  # real audio was heard
    finally:
        stream.close()


@pytest.mark.slow
def test_barge_in_speech_over_a_prompt_clears_it_and_is_heard(
    voice_app: Callable[..., Flask], serve: Callable[[Flask], Served], say: Callable[[str, str], bytes]
) -> None:
    app = voice_app(**STREAMING)
    add_senior(app, locale="ko")
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    try:
        assert stream.wait_for(lambda: len(stream.heard) > mulaw.RATE // 2, 10)  # half a second of greeting
        assert stream.playing
        stream.say(say("담당자 연결해 주세요", "ko"))
        assert stream.wait_for(lambda: bool(stream.clears), 5)
        reaction = stream.clears[0] - stream.speech_started[0]
        assert reaction < 1.5  # the bench measures it; here: it stopped while the caller was still speaking
        assert stream.speaking or stream.clears[0] < stream.speech_ended[0]
        dropped = [m for m in stream.marks if not m.played]
        assert dropped and dropped[0].key == "voice.greeting"
        state = wait_turn(stream, app, call.sid, 2)
        assert state["last"]["heard"]["source"] == "speech"
    finally:
        stream.close()


@pytest.mark.slow
def test_our_own_prompt_echoed_by_the_line_is_not_a_barge_in_but_a_caller_over_it_is(
    voice_app: Callable[..., Flask], serve: Callable[[Flask], Served], say: Callable[[str, str], bytes]
) -> None:
    """A landline echoes part of our prompt back into the caller's audio (here 20 dB down, 40 ms late): with the
    caller silent, the prompt plays to its end; a caller who speaks over it (echo still on) still interrupts it."""
    app = voice_app(**STREAMING)
    add_senior(app, locale="ko")
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    try:
        stream.echo(-20, 0.04)
        assert stream.wait_for(lambda: bool(stream.marks) and not stream.playing, 60)  # played or cleared
        time.sleep(0.5)  # the echo's tail
        assert stream.clears == [], "the echo of our own greeting stopped it"
        assert all(m.played for m in stream.marks)
        assert state_of(app, call.sid)["turns"] == 1  # nothing was taken for an answer
    finally:
        stream.close()
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    try:
        stream.echo(-20, 0.04)
        assert stream.wait_for(lambda: len(stream.heard) > mulaw.RATE // 2, 10)
        assert stream.playing
        stream.say(say("담당자 연결해 주세요", "ko"))
        assert stream.wait_for(lambda: bool(stream.clears), 5), "a caller speaking over the prompt did not stop it"
        assert stream.clears[0] < stream.speech_ended[0] if stream.speech_ended else stream.speaking
        state = wait_turn(stream, app, call.sid, 2)
        assert state["last"]["heard"]["source"] == "speech"
    finally:
        stream.close()


def test_a_key_during_a_prompt_stops_it_and_answers(
    make_app: Callable[..., Flask], serve: Callable[[Flask], Served]
) -> None:
    """No speech model (English): the keypad menu over the stream; 2 pressed while the menu is read."""
    app = make_app(**STREAMING)
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    try:
        assert stream.wait_for(lambda: stream.playing, 10)
        stream.press("1")  # English, during the language menu
        state = wait_turn(stream, app, call.sid, 2)
        assert state["dialog"]["locale"] == "en" and state["dialog"]["phase"] == "menu"
        assert stream.clears and not stream.marks[0].played
        assert stream.wait_for(lambda: stream.playing, 10)
        stream.press("2")  # daily help, while the main menu plays
        state = wait_turn(stream, app, call.sid, 3)
        assert state["dialog"]["menu"] != "main"
        assert len(stream.clears) == 2
    finally:
        stream.close()


def test_stream_dropping_mid_call_carries_on_by_record(
    make_app: Callable[..., Flask], serve: Callable[[Flask], Served]
) -> None:
    app = make_app(**STREAMING)
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    assert stream.wait_for(lambda: stream.playing, 10)
    stream.press("1")
    wait_turn(stream, app, call.sid, 2)
    stream.drop()  # the network breaks during the main menu
    progress = call.stream_ended()  # Twilio requests <Connect action>
    assert progress.wait is not None and progress.wait.kind is WaitKind.KEYS  # the same question, by TwiML
    assert progress.prompts and state_of(app, call.sid)["path"] == "record"
    progress = call.press("2")  # answered on the <Record>/<Gather> path, and it stays there
    assert progress.wait is not None and progress.wait.kind is WaitKind.KEYS
    assert state_of(app, call.sid)["dialog"]["menu"] != "main"


def test_emergency_by_stream_key_9_over_the_prompt_dials_at_once(
    make_app: Callable[..., Flask], serve: Callable[[Flask], Served]
) -> None:
    app = make_app(**STREAMING)
    add_senior(app, locale="en", with_family=True)
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    assert stream.wait_for(lambda: stream.playing, 10)
    stream.press("9")
    # The dial is TwiML: the stream ends and Twilio fetches the turn from <Connect action>.
    assert stream.wait_for(lambda: stream.closed_at is not None, 10)
    progress = call.stream_ended()
    assert progress.wait is not None and progress.wait.kind is WaitKind.DIAL
    assert progress.wait.number == app.extensions[EXTENSION_KEY].settings.emergency_number
    (request,) = requests_of(app)
    assert request.intent == "emergency" and request.urgent and request.understood_by == "keypad"
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    with hl.db.sessions() as session:  # in the request's history, as on the <Record> path
        assert session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)).first() is not None
    stream.close()


def test_simulate_call_stream_plays_the_call_over_a_media_stream(make_app: Callable[..., Flask]) -> None:
    """`flask simulate-call --stream`: keys over the streamed prompts, then the dial as TwiML after the stream;
    nobody answers, so a callback is promised."""
    app = make_app(**ALWAYS_OPEN)
    result = app.test_cli_runner().invoke(
        args=["simulate-call", "--stream", "--locale", "es", "--from", "+15559876543", "press:0", "dial:no-answer"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert lines[0]["verbs"] == ["Connect"]  # the call's audio goes to the stream
    assert lines[1]["verbs"] == ["Stream"] and lines[1]["heard"] == "4" and lines[1]["prompt"].startswith("Hola")
    assert lines[1]["cleared"] >= 1  # the key stopped the language menu
    dial = next(line for line in lines if "Dial" in line.get("verbs", []))
    assert dial["phase"] == "transfer"
    assert lines[-1]["requests"], result.output
    assert lines[-1]["requests"][0]["intent"] == "operator"


def test_simulate_call_stream_hangs_up_on_the_stream_when_the_steps_run_out(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    """The caller hangs up during a streamed question: the call ends there. Before, the simulator then requested
    <Connect action> as if the stream had dropped, and printed the question again by <Record> on a dead line."""
    app = make_app(**ALWAYS_OPEN)
    with caplog.at_level("WARNING"):
        result = app.test_cli_runner().invoke(
            args=["simulate-call", "--stream", "--locale", "en", "--from", "+15559876543", "press:2"]
        )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [line.get("verbs") for line in lines[:-1]] == [["Connect"], ["Stream"], ["Stream"]], lines
    assert "carrying on by <Record>" not in caplog.text


def test_a_stream_closed_by_twilio_ends_cleanly(
    make_app: Callable[..., Flask], serve: Callable[[Flask], Served], caplog: pytest.LogCaptureFixture
) -> None:
    """Twilio closes the stream (a hang-up or a fault): the session ends without an error answer on the dead socket."""
    app = make_app(**STREAMING)
    served = serve(app)
    call = PhoneCall(app, CALLER)
    stream = open_stream(served, call, call.start())
    assert stream.wait_for(lambda: stream.playing, 10)
    with caplog.at_level("ERROR"):
        stream.drop()
        time.sleep(1.0)
    # Before, closing a socket Twilio had closed raised, and the app answered 500 onto the dead socket. Only that
    # counts: a "400 Bad request version" of binary bytes once reached Werkzeug's logger in this window during CI,
    # most likely from another pass's client on a reused local port (the passes run side by side): not this stream.
    failed = [
        r
        for r in caplog.records
        if r.levelname == "ERROR"
        and (
            r.name == app.logger.name or r.exc_info is not None or (r.name == "werkzeug" and " 500 " in r.getMessage())
        )
    ]
    assert not failed, caplog.text
