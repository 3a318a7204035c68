"""The Vosk adapter with the real Korean model: conversion, phrase lists, confidence, one model per process."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile

from intents import Intent, Locale, match, vocabulary
from voice.recognizer import (
    RecognitionFailed,
    TimedWord,
    VoskRecognizer,
    model_sample_rate,
    support,
    to_pcm16_mono,
)

pytestmark = pytest.mark.slow


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, samples, rate, subtype="PCM_16", format="WAV")
    return out.getvalue()


def test_any_wav_becomes_16_bit_mono_at_the_model_rate() -> None:
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    stereo = np.stack([tone, tone], axis=1)
    pcm = to_pcm16_mono(wav_bytes(stereo, 8000), 16000)
    assert len(pcm) == 2 * 16000  # one second, two bytes a sample, upsampled from 8 kHz
    peak = np.abs(np.frombuffer(pcm, dtype="<i2")).max()
    assert 15000 < peak < 17500  # amplitude kept (0.5 of full scale)


def test_not_a_wav_is_a_recognition_failure() -> None:
    with pytest.raises(RecognitionFailed):
        to_pcm16_mono(b"this is not audio", 16000)


def test_model_rate_is_read_from_its_config(ko_model_root: Path) -> None:
    assert model_sample_rate(ko_model_root / "ko") == 16000


def test_locale_without_a_model_is_reported_and_refused(tmp_path: Path) -> None:
    recognizer = VoskRecognizer(tmp_path)
    assert not recognizer.has_model("es")
    with pytest.raises(RecognitionFailed):
        recognizer.transcribe(b"", "es")


def test_model_is_loaded_once_and_shared_by_every_recogniser(ko_model_root: Path) -> None:
    first, second = VoskRecognizer(ko_model_root), VoskRecognizer(ko_model_root)
    assert first.model("ko") is second.model("ko")


def test_phrase_list_keeps_only_words_the_model_knows(ko_model_root: Path) -> None:
    recognizer = VoskRecognizer(ko_model_root)
    kept = recognizer.known_words("ko", ["네", "아니요", "맞아요", "도시락 배달", "도와주세요 빨리"])
    # 맞아요 and 도와주세요 are not in the Korean model's vocabulary: Vosk would drop them silently.
    assert kept[:3] == ["네", "아니요", "도시락 배달"]
    assert "맞아요" not in kept and "도와주세요" not in kept and "빨리" in kept


def test_the_open_answer_phrase_list_can_hear_someone_who_wants_to_die(ko_model_root: Path) -> None:
    """A phrase list hears only its own words: before the self-harm pattern's sayings joined it, "죽고 싶어요" could
    only be forced onto other words ("먹어야 돼요") and the pattern could never be heard by speech."""
    from voice.calls import phrases_for
    from voice.dialogue import ListenKind

    kept = VoskRecognizer(ko_model_root).known_words("ko", phrases_for(ListenKind.OPEN, "ko") or [])
    sayings = ["죽고 싶어요", "죽고 싶다", "더 살고 싶지 않아", "그만 살고 싶어요", "목숨을 끊고 싶어요"]
    assert all(s in kept for s in sayings), [s for s in sayings if s not in kept]
    for saying in sayings:
        heard = match(saying, Locale.KO)
        assert heard.intent is Intent.EMERGENCY and heard.person, (saying, heard)


def test_yes_with_a_phrase_list_is_heard_with_confidence(ko_model_root: Path, say: Callable[[str, str], bytes]) -> None:
    recognizer = VoskRecognizer(ko_model_root)
    heard = recognizer.transcribe(say("네", "ko"), "ko", ["네", "예", "아니요", "아니"])
    assert heard.text == "네" and heard.confidence > 0.8
    heard = recognizer.transcribe(say("아니요", "ko"), "ko", ["네", "예", "아니요", "아니"])
    assert heard.text == "아니요"


def test_silence_is_an_empty_transcript(ko_model_root: Path) -> None:
    recognizer = VoskRecognizer(ko_model_root)
    heard = recognizer.transcribe(wav_bytes(np.zeros(16000), 8000), "ko")
    assert heard.text == "" and heard.confidence == 0.0


def test_results_repeat_exactly_without_dither(ko_model_root: Path, say: Callable[[str, str], bytes]) -> None:
    recognizer = VoskRecognizer(ko_model_root)
    audio = say("넘어져서 못 일어나요", "ko")
    first = recognizer.transcribe(audio, "ko")
    # Words were heard (espeak-ng's Korean decodes to other words, DESIGN.md), so equal results are not two
    # empty ones; then the same audio gives the same words and confidence every time.
    assert len(first.text.split()) >= 3 and first.confidence > 0.3
    assert [recognizer.transcribe(audio, "ko") for _ in range(2)] == [first, first]


def test_a_free_decoding_past_its_budget_returns_what_it_heard_so_far_marked_partial(
    ko_model_root: Path, say: Callable[[str, str], bytes]
) -> None:
    """Free decoding under load took longer than Twilio waits (issue #10): with a budget it stops and says so."""
    recognizer = VoskRecognizer(ko_model_root)
    phrase = say("넘어져서 못 일어나요", "ko")
    data, rate = soundfile.read(io.BytesIO(phrase), dtype="float32")
    long_answer = wav_bytes(np.concatenate([data] * 12), rate)  # about 20 s of speech
    whole = recognizer.transcribe(long_answer, "ko")
    assert whole.hearing is not None and not whole.hearing.partial
    cut = recognizer.transcribe(long_answer, "ko", budget=0.3)
    # A 20 s answer does not decode in 0.3 s on any machine this runs on: what came back is the start only.
    assert cut.hearing is None or cut.hearing.partial
    assert len(cut.text.split()) < len(whole.text.split())
    generous = recognizer.transcribe(phrase, "ko", budget=60.0)
    assert generous.hearing is not None and not generous.hearing.partial


def test_a_word_only_a_next_best_free_reading_spells_is_marked_in_alternatives() -> None:
    words = [TimedWord("넘어져", 1.0, 0.0, 0.5), TimedWord("나요", 1.0, 1.0, 1.4)]
    best = [TimedWord("러너", 0.8, 0.0, 0.4), TimedWord("하여", 0.8, 1.0, 1.4)]
    next_best = [TimedWord("넘어", 0.0, 0.0, 0.4), TimedWord("하여", 0.0, 1.0, 1.4)]
    marked = support(words, best, [next_best])
    assert [(w.supported, w.in_alternatives) for w in marked] == [(False, True), (False, False)]
    assert [(w.supported, w.in_alternatives) for w in support(words, next_best)] == [(True, False), (False, False)]


def test_the_free_check_compares_its_next_best_readings_too(
    ko_model_root: Path, say: Callable[[str, str], bytes]
) -> None:
    """espeak-ng's fall at 140 wpm: the best free reading has no "넘어", a next-best one has (Vosk alternatives);
    the meal request's words find support in none that would make it an emergency."""
    recognizer = VoskRecognizer(ko_model_root, check_seconds=600)
    phrases = vocabulary(Locale.KO, set(Intent))
    fall = recognizer.transcribe(say("넘어져서 못 일어나요", "ko"), "ko", phrases, verify=lambda _: True)
    assert fall.hearing is not None and fall.hearing.checked
    assert [w.text for w in fall.hearing.words if w.in_alternatives] == ["넘어져"], fall.hearing
    meal = recognizer.transcribe(say("식사 배달 신청하고 싶어요", "ko"), "ko", phrases, verify=lambda _: True)
    assert meal.hearing is not None and meal.hearing.checked
    kept = " ".join(w.text for w in meal.hearing.words if w.supported or w.in_alternatives)
    assert match(kept, Locale.KO).intent is not Intent.EMERGENCY, meal.hearing
