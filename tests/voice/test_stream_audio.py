"""The stream's audio pieces: G.711 μ-law both ways, and where speech starts and ends (WebRTC VAD)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import webrtcvad

from care.settings import SettingsError, load_settings
from prompts.tts import EspeakSynthesizer
from voice import mulaw
from voice.recognizer import to_pcm16_mono
from voice.vad import FRAME_PCM_BYTES, SpeechDetector, VadEvent, VadTiming


def test_mulaw_matches_the_g711_reference_codes() -> None:
    # Codes of the reference encoder (Sun g711.c, as Python's audioop computed them) for these samples.
    samples = np.array([0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32767, -32768], dtype="<i2")
    assert list(mulaw.encode(samples.tobytes())) == [255, 255, 126, 242, 114, 206, 78, 160, 32, 128, 0]
    decoded = np.frombuffer(mulaw.decode(bytes([0x00, 0x7F, 0x80, 0xFF, 0x0F, 0x8F])), dtype="<i2")
    assert list(decoded) == [-32124, 0, 32124, 0, -16764, 16764]


def test_mulaw_round_trip_keeps_speech_within_a_quantisation_step() -> None:
    t = np.arange(8000) / 8000
    tone = (np.sin(2 * np.pi * 440 * t) * 12000).astype("<i2")
    back = np.frombuffer(mulaw.decode(mulaw.encode(tone.tobytes())), dtype="<i2").astype(float)
    # μ-law's step at ±12000 is 1024 (segment 6: 2**(6+4)); the error is at most half of it.
    assert np.max(np.abs(back - tone)) <= 512
    assert mulaw.silence(0.02) == b"\xff" * mulaw.FRAME_BYTES


def frames(pcm: bytes) -> list[bytes]:
    return [pcm[i : i + FRAME_PCM_BYTES] for i in range(0, len(pcm) - FRAME_PCM_BYTES + 1, FRAME_PCM_BYTES)]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_speech_starts_after_the_confirmation_window_and_ends_after_the_pause_allowance() -> None:
    speech = to_pcm16_mono(EspeakSynthesizer().synthesize("식사 배달 신청하고 싶어요", "ko", 140), 8000)
    silence = b"\x00\x00" * 8000  # a second of line silence
    timing = VadTiming(start_seconds=0.2, pause_seconds=1.5, max_seconds=30.0)
    detector = SpeechDetector(timing)
    events = [(n, detector.feed(f)) for n, f in enumerate(frames(silence + speech + silence * 3))]
    happened = [(n, e) for n, e in events if e is not None]
    assert [e for _, e in happened] == [VadEvent.STARTED, VadEvent.ENDED]
    started, ended = happened[0][0], happened[1][0]
    assert 50 + 8 <= started <= 50 + 25  # confirmed 0.16-0.5 s after the speech begins (espeak's lead-in)
    vad = webrtcvad.Vad(timing.aggressiveness)
    all_frames = frames(silence + speech + silence * 3)
    last_voiced = max(n for n, f in enumerate(all_frames) if vad.is_speech(f, 8000))
    # It ends 1.5 s (75 frames) after the last voiced frame, not at the first short gap.
    assert ended == last_voiced + 75
    # A short pause mid-sentence (0.8 s) does not end the answer.
    detector = SpeechDetector(timing)
    halting = silence + speech + b"\x00\x00" * 6400 + speech + silence * 3
    assert [e for e in map(detector.feed, frames(halting)) if e is not None] == [VadEvent.STARTED, VadEvent.ENDED]


def test_an_answer_is_cut_at_its_longest() -> None:
    rng = np.random.default_rng(3)
    noise_speech = (rng.normal(0, 6000, 8000 * 3)).astype("<i2").tobytes()  # loud broadband sound
    detector = SpeechDetector(VadTiming(max_seconds=1.0, aggressiveness=0))
    events = [e for e in map(detector.feed, frames(noise_speech)) if e is not None]
    assert events[:2] == [VadEvent.STARTED, VadEvent.TOO_LONG]


def test_the_voice_path_setting_is_validated() -> None:
    assert load_settings({"voice_path": "stream"}, environ={}).voice_path == "stream"
    with pytest.raises(SettingsError, match="VOICE_PATH"):
        load_settings({"voice_path": "websocket"}, environ={})
    with pytest.raises(SettingsError, match="STREAM_PAUSE_SECONDS"):
        load_settings({"stream_pause_seconds": 0.1}, environ={})


def test_the_stream_bench_times_the_caller_stopping_at_the_last_voiced_frame_not_the_end_of_the_file() -> None:
    """The bench's "caller stops" moment: counting espeak-ng's trailing silence (0.3 s, and a padded clip's
    more) as speech made the stream's work after the pause allowance negative (p50 -301 ms)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from bench.stream_bench import voiced_seconds
    from bench.voice_bench import fit

    wav = EspeakSynthesizer().synthesize("식사 배달 신청하고 싶어요", "ko", 140)
    seconds = len(to_pcm16_mono(wav, 8000)) / 2 / 8000
    voiced = voiced_seconds(wav, 2)
    assert 1.0 < voiced < seconds - 0.1  # the speech ends before the file does
    assert voiced_seconds(fit(wav, 4.0), 2) == voiced  # padding with silence does not move it
