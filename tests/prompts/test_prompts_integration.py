"""Prompts in the real call: every <Play> of the hotline's answer is served, staff recordings take over;
database trouble falls back to synthesis; the pure modules stay pure; PostgreSQL stores versions too."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text

from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.models import PromptChoice, PromptEvent, PromptRecording, RecordingSource
from tests.prompts.conftest import espeak_speech, wav_bytes
from tests.prompts.test_prompts_phone import assert_every_play_serves_audio
from tests.twiml import flatten, parse_twiml, signed_post
from web.context import EXTENSION_KEY, Hearthline


def _incoming(client: FlaskClient, hearthline: Hearthline, call: str) -> list[str]:
    form = {"CallSid": "CA" + call * 32, "From": "+15550109999", "To": hearthline.settings.hotline_number}
    verbs = parse_twiml(signed_post(client, hearthline, "/voice/incoming", form))
    assert_every_play_serves_audio(client, verbs)
    return [v.text for v in flatten(verbs) if v.tag == "Play"]


def test_the_hotline_greeting_is_served_audio_and_a_staff_recording_replaces_synthesis(
    client: FlaskClient, hearthline: Hearthline, voice: PromptAudio
) -> None:
    plays = _incoming(client, hearthline, "3")
    assert plays, "the greeting should be played audio, not <Say>, while espeak-ng works"
    by_url = {
        voice.audio_url(p.key, "en", messages.translate(p.domain, p.key, "en")): p
        for p in catalog.static_prompts()
        if p.domain == "voice"
    }
    first = by_url.get(plays[0])
    assert first is not None, "the first sentence a caller hears is a numbered static prompt"
    speech, rate = espeak_speech("Hello, you have reached the community line.")
    text = messages.translate(first.domain, first.key, "en")
    version = voice.store.add(
        first.key, "en", text, wav_bytes(speech, rate), source=RecordingSource.UPLOAD, by="amy", approve=True
    )
    again = _incoming(client, hearthline, "4")
    assert again[0] == voice.url_for(version.audio_id)
    assert again[1:] == plays[1:]


def test_a_database_failure_falls_back_to_synthesis(hearthline: Hearthline, voice: PromptAudio) -> None:
    text_en = messages.translate("staffline", "staffline.welcome", "en")
    expected = voice.url_for(voice.render("staffline.welcome", "en", text_en).audio_id)
    with hearthline.db.engine.begin() as connection:
        connection.execute(text("DROP TABLE prompt_choices"))
    assert voice.audio_url("staffline.welcome", "en", text_en) == expected


def test_prompt_selection_and_time_formats_stay_pure() -> None:
    code = (
        "import sys, prompts.catalog, i18n.clock, prompts.voices, prompts.cache;"
        "bad = {'flask', 'twilio', 'vosk', 'pyttsx3', 'sqlalchemy'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_static_prompt_can_be_spoken_in_every_locale(locale: str) -> None:
    for prompt in catalog.static_prompts():
        assert messages.translate(prompt.domain, prompt.key, locale).strip()


def test_recordings_and_rollback_on_postgresql(make_app, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    app: Flask = make_app(database_url=postgres_url)
    voice = app.extensions[EXTENSION_KEY].prompt_voice
    assert isinstance(voice, PromptAudio)
    key = f"staffline.pg_test_{uuid.uuid4().hex[:8]}"  # the shared database may hold other runs' rows
    speech, rate = espeak_speech("Testing the database.")
    try:
        for _ in range(2):
            voice.store.add(
                key, "es", "texto", wav_bytes(speech, rate), source=RecordingSource.UPLOAD, by="amy", approve=True
            )
        assert [v.version for v in voice.store.versions(key, "es")] == [1, 2]
        back = voice.store.rollback(key, "es", by="bob")
        assert back is not None and back.version == 1
        assert voice.store.live(key, "es") == back
    finally:
        with voice.store.db.transaction() as session:
            session.execute(delete(PromptChoice).where(PromptChoice.key == key))
            session.execute(delete(PromptEvent).where(PromptEvent.key == key))
            session.execute(delete(PromptRecording).where(PromptRecording.key == key))
