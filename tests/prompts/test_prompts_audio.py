"""The fallback chain (recording > synthesis > <Say>), the synthesis cache, and the audio URLs Twilio fetches."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import soundfile as sf
from flask.testing import FlaskClient

from i18n import messages
from prompts.audio import PromptAudio, audio_token
from prompts.models import RecordingSource
from tests.conftest import PUBLIC_BASE_URL
from tests.prompts.conftest import espeak_speech, wav_bytes

KEY = "staffline.welcome"


def _path(url: str) -> str:
    assert url.startswith(PUBLIC_BASE_URL + "/prompts/audio/"), url
    return url.removeprefix(PUBLIC_BASE_URL)


def fetch(client: FlaskClient, url: str) -> bytes:
    response = client.get(_path(url))
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    info = sf.info(io.BytesIO(response.data))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    return response.data


def _upload(voice: PromptAudio, locale: str = "en", *, approve: bool = True, text: str | None = None) -> int:
    speech, rate = espeak_speech("Welcome to the recording line, this is a person speaking.")
    version = voice.store.add(
        KEY,
        locale,
        text if text is not None else messages.translate("staffline", KEY, locale),
        wav_bytes(speech, rate),
        source=RecordingSource.UPLOAD,
        by="tester",
        approve=approve,
    )
    return version.version


def test_synthesis_is_served_when_nobody_recorded_the_prompt(voice: PromptAudio, client: FlaskClient) -> None:
    text = messages.translate("staffline", KEY, "ko")
    url = voice.audio_url(KEY, "ko", text)
    assert url is not None
    served = fetch(client, url)
    assert served == voice.render(KEY, "ko", text).path.read_bytes()


def test_an_approved_recording_beats_synthesis_and_rollback_returns_to_synthesis(
    voice: PromptAudio, client: FlaskClient
) -> None:
    text = messages.translate("staffline", KEY, "en")
    synthesised = voice.audio_url(KEY, "en", text)
    _upload(voice)
    recorded = voice.audio_url(KEY, "en", text)
    assert recorded is not None and recorded != synthesised
    live = voice.store.live(KEY, "en")
    assert live is not None
    assert fetch(client, recorded) == voice.store.path(live.audio_id).read_bytes()
    assert voice.audio_url(KEY, "es", messages.translate("staffline", KEY, "es")) != recorded  # other locales
    voice.store.rollback(KEY, "en", by="tester")
    assert voice.audio_url(KEY, "en", text) == synthesised


def test_a_draft_is_not_heard_by_callers(voice: PromptAudio) -> None:
    text = messages.translate("staffline", KEY, "en")
    synthesised = voice.audio_url(KEY, "en", text)
    _upload(voice, approve=False)
    assert voice.audio_url(KEY, "en", text) == synthesised


def test_a_recording_of_older_wording_is_not_played(voice: PromptAudio) -> None:
    text = messages.translate("staffline", KEY, "en")
    synthesised = voice.audio_url(KEY, "en", text)
    _upload(voice, text="Welcome to the old recording line.")
    assert voice.audio_url(KEY, "en", text) == synthesised


def test_without_espeak_the_caller_hears_say_but_recordings_still_play(
    voice: PromptAudio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    text = messages.translate("staffline", KEY, "zh")
    assert voice.audio_url(KEY, "zh", text) is None
    monkeypatch.setenv("PATH", os.defpath)
    _upload(voice, "zh")
    monkeypatch.setenv("PATH", str(empty))
    assert voice.audio_url(KEY, "zh", text) is not None


def test_a_cache_hit_does_not_synthesise_again(
    voice: PromptAudio, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = messages.translate("staffline", "staffline.keep_or_redo", "es")
    first = voice.render("staffline.keep_or_redo", "es", text)
    assert not first.cached
    stamp = first.path.stat().st_mtime_ns
    # With espeak-ng gone from PATH, only the cache can answer.
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    again = voice.render("staffline.keep_or_redo", "es", text)
    assert again.cached and again.path == first.path
    assert first.path.stat().st_mtime_ns == stamp
    url = voice.audio_url("staffline.keep_or_redo", "es", text)
    assert url is not None
    assert fetch(client, url) == first.path.read_bytes()


def test_the_cache_key_is_text_voice_and_rate(make_app) -> None:  # type: ignore[no-untyped-def]
    slow = make_app(speaking_rate_wpm=120).extensions["hearthline"].prompt_voice
    fast = make_app(speaking_rate_wpm=170).extensions["hearthline"].prompt_voice
    text = messages.translate("staffline", KEY, "en")
    slow_render, fast_render = slow.render(KEY, "en", text), fast.render(KEY, "en", text)
    assert slow_render.audio_id != fast_render.audio_id
    assert sf.info(slow_render.path).frames > sf.info(fast_render.path).frames
    assert slow.render(KEY, "en", text + " Thank you.").audio_id != slow_render.audio_id


def test_dynamic_prompts_are_kept_apart_private_and_pruned(voice: PromptAudio, client: FlaskClient) -> None:
    text = messages.translate("staffline", "staffline.current_text", "en", number=901)
    rendered = voice.render("staffline.current_text", "en", text)
    assert "dynamic" in rendered.path.parts
    url = voice.audio_url("staffline.current_text", "en", text)
    assert url is not None
    response = client.get(_path(url))
    assert response.headers["Cache-Control"].startswith("private")
    static = voice.audio_url(KEY, "en", messages.translate("staffline", KEY, "en"))
    assert static is not None
    assert client.get(_path(static)).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    os.utime(rendered.path, (0, 0))  # as if rendered long ago
    assert voice.prune() == 1
    assert client.get(_path(url)).status_code == 404
    assert client.get(_path(static)).status_code == 200


def test_unknown_and_forged_tokens_are_404(voice: PromptAudio, client: FlaskClient) -> None:
    url = voice.audio_url(KEY, "en", messages.translate("staffline", KEY, "en"))
    assert url is not None
    token = _path(url).removeprefix("/prompts/audio/").removesuffix(".wav")
    audio_id, mac = token.split("-")
    assert client.get(f"/prompts/audio/{audio_id}-{'0' * len(mac)}.wav").status_code == 404
    assert client.get(f"/prompts/audio/{audio_id}.wav").status_code == 404
    assert client.get("/prompts/audio/../../hearthline.db.wav").status_code == 404
    other_key = audio_token("another-secret-key-" + "y" * 32, audio_id)
    assert client.get(f"/prompts/audio/{other_key}.wav").status_code == 404
    missing = "ab" * 32
    assert client.get(f"/prompts/audio/{audio_token(voice.settings.secret_key, missing)}.wav").status_code == 404


def test_audio_is_revalidated_cheaply(voice: PromptAudio, client: FlaskClient) -> None:
    url = voice.audio_url(KEY, "en", messages.translate("staffline", KEY, "en"))
    assert url is not None
    first = client.get(_path(url))
    again = client.get(_path(url), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
