"""pyttsx3 synthesis (driving espeak-ng here): real speech at 8 kHz, one engine process, clear failures."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf
from flask import Flask

from care.settings import SettingsError, TtsEngine, load_settings
from i18n import messages
from prompts.audio_processing import trim_silence
from prompts.pyttsx3_tts import Pyttsx3Synthesizer, VoiceInfo, choose_voice
from prompts.tts import EspeakSynthesizer, SynthesisFailed
from web.context import EXTENSION_KEY

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def synth() -> Iterator[Pyttsx3Synthesizer]:
    engine = Pyttsx3Synthesizer()
    yield engine
    engine.close()


def _speech(wav: bytes) -> tuple[np.ndarray, float]:
    """The samples and the seconds of sound between the first and last loud frame."""
    info = sf.info(io.BytesIO(wav))
    assert (info.samplerate, info.channels, info.subtype, info.format) == (8000, 1, "PCM_16", "WAV")
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, len(trim_silence(samples, rate)) / rate


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_each_locale_is_real_speech_at_8khz_as_long_as_espeak_says_it(synth: Pyttsx3Synthesizer, locale: str) -> None:
    text = messages.translate("staffline", "staffline.record_after_beep", locale)
    samples, seconds = _speech(synth.synthesize(text, locale, 140))
    assert 1.5 < seconds < 15, seconds  # two short sentences at a slow rate
    assert float(np.sqrt(np.mean(samples**2))) > 0.01  # not silence
    # Speech comes and goes (syllables, pauses between words): a tone or noise would not vary like this.
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    loudness = np.sqrt(np.mean(frames**2, axis=1))
    assert np.percentile(loudness, 90) > 8 * max(np.percentile(loudness, 10), 1e-4)
    # The same voice at the same rate as espeak-ng run directly: the same length within a tenth.
    _, direct = _speech(EspeakSynthesizer().synthesize(text, locale, 140))
    assert abs(seconds - direct) < 0.1 * direct, (seconds, direct)


def test_the_first_save_after_start_is_complete() -> None:
    """pyttsx3's first save after init() can return before the file exists; a fresh engine's first prompt is whole."""
    text = messages.translate("staffline", "staffline.keep_or_redo", "en")
    fresh = Pyttsx3Synthesizer()
    try:
        _, first = _speech(fresh.synthesize(text, "en", 140))
    finally:
        fresh.close()
    _, direct = _speech(EspeakSynthesizer().synthesize(text, "en", 140))
    assert abs(first - direct) < 0.05 * direct, (first, direct)


def test_each_prompt_is_spoken_at_the_rate_it_asks_for(synth: Pyttsx3Synthesizer) -> None:
    """The espeak driver applies a new rate one save late; the adapter makes every prompt use its own rate."""
    text = messages.translate("staffline", "staffline.keep_or_redo", "en")
    lengths = {rate: _speech(synth.synthesize(text, "en", rate))[1] for rate in (110, 200, 140)}
    assert lengths[110] > lengths[140] > lengths[200] and lengths[110] > lengths[200] * 1.4
    again = _speech(synth.synthesize(text, "en", 110))[1]
    assert abs(again - lengths[110]) < 0.03 * lengths[110]  # a voice change leaves ~1-2 % behind (espeak-ng state)


def test_many_threads_share_the_one_engine_and_each_gets_the_whole_sentence(synth: Pyttsx3Synthesizer) -> None:
    text = messages.translate("staffline", "staffline.welcome", "es")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: synth.synthesize(text, "es", 140), range(12)))
    # The driver drops a varying block of trailing silence, so files differ by a few bytes; the speech does not.
    lengths = {_speech(wav)[1] for wav in results}
    assert len(lengths) == 1 and lengths.pop() > 1.0


def test_an_engine_process_that_died_is_replaced_on_the_next_prompt(synth: Pyttsx3Synthesizer) -> None:
    synth.synthesize("one", "en", 140)
    child = synth._child
    assert child is not None and child.is_alive()
    child.kill()
    child.join(timeout=5)
    assert _speech(synth.synthesize("two", "en", 140))[1] > 0.2
    assert synth._child is not None and synth._child.pid != child.pid


def test_a_locale_no_voice_speaks_and_absurd_text_are_refused(synth: Pyttsx3Synthesizer) -> None:
    with pytest.raises(SynthesisFailed, match="no pyttsx3 voice"):
        synth.synthesize("hello", "xx", 140)
    for text in ("", "   ", "x" * 5000):
        with pytest.raises(SynthesisFailed):
            synth.synthesize(text, "en", 140)
    assert _speech(synth.synthesize("still here", "en", 140))[1] > 0.2  # the engine survived the bad request


def test_voices_are_chosen_by_language_tag_or_by_name() -> None:
    espeak = [VoiceInfo("gmw/en", "English", ("en",)), VoiceInfo("gmw/en-us", "English (America)", ("en-us",))]
    assert choose_voice(espeak, "en") == "gmw/en-us"  # the espeak-ng adapter's own voice first
    macos = [
        VoiceInfo("com.apple.voice.Yuna", "Yuna", ("ko_KR",)),
        VoiceInfo("com.apple.Tingting", "Tingting", ("zh_CN",)),
    ]
    assert choose_voice(macos, "ko") == "com.apple.voice.Yuna" and choose_voice(macos, "zh") == "com.apple.Tingting"
    windows = [
        VoiceInfo(r"HKEY_LOCAL_MACHINE\...\TTS_MS_ES-MX_SABINA_11.0", "Microsoft Sabina Desktop - Spanish (Mexico)", ())
    ]
    assert choose_voice(windows, "es") == windows[0].id and choose_voice(windows, "ko") is None


def test_the_setting_chooses_the_engine_and_refuses_others(make_app: object) -> None:
    assert load_settings(environ={}).tts_engine is TtsEngine.ESPEAK
    assert load_settings(environ={"HEARTHLINE_TTS_ENGINE": "pyttsx3"}).tts_engine is TtsEngine.PYTTSX3
    with pytest.raises(SettingsError, match="HEARTHLINE_TTS_ENGINE: expected espeak or pyttsx3, got 'festival'"):
        load_settings(environ={"HEARTHLINE_TTS_ENGINE": "festival"})
    app: Flask = make_app(tts_engine="pyttsx3")  # type: ignore[operator]
    hl = app.extensions[EXTENSION_KEY]
    assert isinstance(hl.synthesizer, Pyttsx3Synthesizer)
    try:
        assert hl.prompt_voice.audio_url("voice.goodbye", "ko", messages.translate("voice", "voice.goodbye", "ko"))
        assert hl.prompt_voice.engine().startswith("Pyttsx3Synthesizer:pyttsx3 ")
    finally:
        hl.synthesizer.close()


def test_the_rate_travels_with_the_words_and_a_control_character_in_the_text_is_no_command(
    synth: Pyttsx3Synthesizer,
) -> None:
    """espeak-ng reads Ctrl-A + number + letter as a command: "\\x01400S" in a prompt's text would speed it up. The
    adapter leads every prompt with its own rate and speaks any Ctrl-A in the text as a space."""
    text = messages.translate("staffline", "staffline.keep_or_redo", "en")
    _, injected = _speech(synth.synthesize("\x01400S " + text, "en", 140))
    _, direct = _speech(EspeakSynthesizer().synthesize("400S " + text, "en", 140))
    assert abs(injected - direct) < 0.1 * direct, (injected, direct)
