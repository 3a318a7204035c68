"""espeak-ng synthesis: phone-ready WAV in every locale, reliable from many threads, clear failures."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from i18n import messages
from prompts.tts import EspeakSynthesizer, SynthesisFailed


def _decode(wav: bytes) -> tuple[np.ndarray, sf._SoundFileInfo]:
    info = sf.info(io.BytesIO(wav))
    samples, _ = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, info


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_each_locale_is_spoken_as_8khz_mono_16bit_of_plausible_length(locale: str) -> None:
    text = messages.translate("staffline", "staffline.record_after_beep", locale)
    wav = EspeakSynthesizer().synthesize(text, locale, 140)
    samples, info = _decode(wav)
    assert (info.samplerate, info.channels, info.subtype, info.format) == (8000, 1, "PCM_16", "WAV")
    seconds = info.frames / info.samplerate
    # Two short sentences at a slow rate: a few seconds, never a blip or a minute.
    assert 1.5 < seconds < 15, seconds
    assert float(np.sqrt(np.mean(samples**2))) > 0.01  # speech, not silence


def test_a_slower_rate_gives_longer_speech() -> None:
    synth = EspeakSynthesizer()
    text = messages.translate("staffline", "staffline.keep_or_redo", "en")
    slow = sf.info(io.BytesIO(synth.synthesize(text, "en", 110))).frames
    fast = sf.info(io.BytesIO(synth.synthesize(text, "en", 200))).frames
    assert slow > fast * 1.4


def test_text_is_never_taken_for_an_option() -> None:
    wav = EspeakSynthesizer().synthesize("-w /tmp/owned.wav --version", "en", 140)
    assert sf.info(io.BytesIO(wav)).frames > 8000
    assert not Path("/tmp/owned.wav").exists()


def test_concurrent_synthesis_from_many_threads_gives_identical_complete_files() -> None:
    synth = EspeakSynthesizer()
    text = messages.translate("staffline", "staffline.welcome", "es")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: synth.synthesize(text, "es", 140), range(12)))
    assert len(set(results)) == 1
    assert sf.info(io.BytesIO(results[0])).frames > 8000


def test_a_missing_espeak_is_a_clear_failure() -> None:
    with pytest.raises(SynthesisFailed, match="not installed"):
        EspeakSynthesizer(executable="espeak-ng-not-here").synthesize("hello", "en", 140)


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000])
def test_empty_or_absurd_text_is_refused(text: str) -> None:
    with pytest.raises(SynthesisFailed):
        EspeakSynthesizer().synthesize(text, "en", 140)


def test_the_version_names_espeak_ng() -> None:
    assert EspeakSynthesizer().version.startswith("eSpeak NG")


@pytest.mark.parametrize("control", ["\x01400S ", "\x0120S ", "\x0180A "])
def test_a_control_character_in_the_text_never_changes_the_rate_or_voice(control: str) -> None:
    """espeak-ng reads Ctrl-A + number + letter as a command (400 words a minute, 80 % amplitude); a name or note with
    one in it is spoken at the rate the settings ask for, the command's characters as plain text."""
    synth = EspeakSynthesizer()
    text = messages.translate("staffline", "staffline.keep_or_redo", "en")
    plain = sf.info(io.BytesIO(synth.synthesize(control.replace("\x01", "") + text, "en", 140))).frames
    injected = sf.info(io.BytesIO(synth.synthesize(control + text, "en", 140))).frames
    assert abs(injected - plain) < 0.05 * plain, (injected, plain)
