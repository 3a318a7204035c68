"""Crisis calls with a message staff recorded (issue 13: "type or record a short message"): uploaded on the
console's crisis page, converted for the phone line as prompts are, played by every call (<Play>) before the
question in each senior's language; a file that is no usable recording is refused with the reason."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from i18n.messages import translate
from outreach.crisis_tables import Broadcast
from outreach.models import CallAttempt
from simulator.twilio_standin import TwilioStandIn
from tests.console.support import STAFF, login
from tests.outreach.helpers import said, served, wait_for
from tests.outreach.test_crisis import (
    AREA,
    HELP,
    MACHINE,
    NO_ANSWER,
    SAFE,
    _dialer,
    _handled,
    _people,
    _plan,
    _settings,
)
from web.context import EXTENSION_KEY, Hearthline


def spoken_like(seconds: float = 2.0, rate: int = 44_100) -> bytes:
    """A WAV a computer would record: a voice-like tone with syllable-like swells, 44.1 kHz stereo."""
    t = np.arange(int(seconds * rate)) / rate
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    out = io.BytesIO()
    sf.write(out, np.stack([voice, voice], axis=1), rate, format="WAV", subtype="PCM_16")
    return out.getvalue()


def _post(client: FlaskClient, token: str, audio: bytes, filename: str = "message.wav", message: str = "") -> str:
    form = {
        "csrf_token": token,
        "message": message,
        "area": AREA,
        "action": "start",
        "audio": (io.BytesIO(audio), filename),
    }
    response = client.post("/console/broadcasts", data=form, content_type="multipart/form-data")
    return response.headers.get("Location", "") if response.status_code == 303 else response.get_data(as_text=True)


def broadcasts(hl: Hearthline) -> list[Broadcast]:
    with hl.db.sessions() as db:
        found = list(db.scalars(select(Broadcast)))
        db.expunge_all()
        return found


def test_a_recorded_message_is_played_then_the_question_in_each_seniors_language(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    _plan(standin)
    app = make_app(**_settings())
    with served(app, standin) as hl:
        _people(hl)
        client = app.test_client()
        token = login(client, *STAFF)
        page = client.get("/console/broadcasts").get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in page and 'name="audio"' in page
        assert "up to 60 seconds and 10 MB" in page
        location = _post(client, token, spoken_like(), message="Heat wave: drink water, stay indoors.")
        found = re.search(r"/console/broadcasts/(\d+)$", location)
        assert found is not None, location
        broadcast_id = int(found.group(1))
        [broadcast] = broadcasts(hl)
        url = broadcast.audio_url
        assert url.startswith(f"{hl.settings.public_base_url}/prompts/audio/") and url.endswith(".wav")
        # Twilio fetches it: an 8 kHz mono WAV, as every prompt is.
        served_audio = client.get(url.removeprefix(hl.settings.public_base_url))
        assert served_audio.status_code == 200 and served_audio.mimetype == "audio/wav"
        info = sf.info(io.BytesIO(served_audio.get_data()))
        assert (info.samplerate, info.channels) == (8000, 1) and 1.5 < info.duration < 2.5
        board = client.get(f"/console/broadcasts/{broadcast_id}").get_data(as_text=True)
        path = url.removeprefix(hl.settings.public_base_url)  # staff's browser fetches it from the console's site
        assert f'<audio controls preload="none" src="{path}">' in board
        assert _dialer(hl).run_pass().dialled == 4
        wait_for(lambda: _handled(hl, broadcast_id) == 4, "the four calls to end")
        with hl.db.sessions() as db:
            answers = {a.to_phone: a.answer for a in db.scalars(select(CallAttempt))}
    assert answers[SAFE] == "safe" and answers[HELP] == "help"
    for phone, locale in ((SAFE, "en"), (HELP, "ko")):
        [call] = standin.calls.calls_to(phone)
        # The intro (a synthesised prompt), then staff's recording itself, then the question (synthesised).
        assert call.heard[1] == f"[play {url}]", call.heard
        assert call.heard[0] != call.heard[2] and url not in call.heard[0] + call.heard[2]
        words = said(hl, call.sid)
        intro = translate("voice", "voice.outreach.crisis.intro", locale)
        question = translate("voice", "voice.outreach.crisis.question", locale)
        assert words.index(intro) < words.index("Heat wave") < words.index(question), words
    # A voicemail still gets the short message with no personal details, not the recording.
    [machine] = standin.calls.calls_to(MACHINE)
    assert f"[play {url}]" not in machine.heard
    assert standin.calls.calls_to(NO_ANSWER)


def test_a_recording_alone_is_enough_and_bad_files_are_refused_with_the_reason(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(**_settings())
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    _people(hl)
    client = app.test_client()
    token = login(client, *STAFF)
    refused = {
        "notes.txt": (b"this is not a recording at all", "the file is damaged or is not a sound recording."),
        "silence.wav": (b"", "the file is empty (0 bytes)."),
        "big.wav": (b"\0" * (10 * 1024 * 1024 + 1), "the file is 10 MB; a prompt file can be at most 10 MB."),
    }
    quiet = io.BytesIO()
    sf.write(quiet, np.zeros(16_000), 16_000, format="WAV", subtype="PCM_16")
    refused["quiet.wav"] = (quiet.getvalue(), "the recording is silent: nothing was heard.")
    for filename, (audio, reason) in refused.items():
        page = _post(client, token, audio, filename)
        assert f"Nothing was started: {reason}" in page, (filename, page[:400])
    with hl.db.sessions() as db:
        assert db.scalar(select(CallAttempt)) is None and db.scalar(select(Broadcast)) is None
    # No words typed, a good recording: the broadcast starts, and the list names it as recorded.
    assert re.search(r"/console/broadcasts/\d+$", _post(client, token, spoken_like(1.0)))
    [broadcast] = broadcasts(hl)
    assert broadcast.message == "" and broadcast.audio_url
    assert "Recorded message" in client.get("/console/broadcasts").get_data(as_text=True)


def test_the_cli_starts_a_broadcast_from_a_recording_file(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    app = make_app(**_settings())
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    _people(hl)
    runner = app.test_cli_runner()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a recording")
    refused = runner.invoke(args=["broadcasts", "start", "--recording", str(text_file), "--area", AREA])
    assert refused.exit_code != 0 and "nothing was started: the file is damaged" in refused.output
    good = tmp_path / "message.wav"
    good.write_bytes(spoken_like(1.0))
    started = runner.invoke(args=["broadcasts", "start", "--recording", str(good), "--area", AREA])
    assert started.exit_code == 0 and "calling 4 seniors" in started.output, started.output
    [broadcast] = broadcasts(hl)
    assert broadcast.audio_url.endswith(".wav")
    with hl.db.sessions() as db:
        contexts = [a.context for a in db.scalars(select(CallAttempt))]
    assert len(contexts) == 4 and all(c["audio_url"] == broadcast.audio_url for c in contexts)
