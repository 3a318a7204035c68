"""Staff recordings and uploads: validation with clear messages, trimming, levels, 8 kHz conversion."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from prompts import audio_processing as ap
from tests.prompts.conftest import espeak_speech, tone, wav_bytes, with_silence


def _read(wav: bytes) -> tuple[np.ndarray, int]:
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


def test_a_text_file_is_not_audio() -> None:
    with pytest.raises(ap.NotAudio, match="not a sound file"):
        ap.prepare_recording(b"Hello, this is a text file, not a recording.\n" * 20)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    ten_mb = wav_bytes(tone(1.0, 8000), 8000) + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(ap.TooLarge, match=r"10\.0 MB"):
        ap.prepare_recording(ten_mb)


def test_a_five_minute_recording_is_too_long() -> None:
    five_minutes = wav_bytes(tone(300.0, 8000, level=0.2), 8000)
    assert len(five_minutes) < ap.MAX_UPLOAD_BYTES  # refused for its length, not its size
    with pytest.raises(ap.TooLong, match="300 seconds"):
        ap.prepare_recording(five_minutes)


def test_a_rate_below_the_phone_line_is_refused() -> None:
    with pytest.raises(ap.UnsupportedSampleRate, match="6000 Hz"):
        ap.prepare_recording(wav_bytes(tone(2.0, 6000), 6000))


def test_a_clipped_shout_is_brought_under_the_peak_ceiling() -> None:
    speech, rate = espeak_speech("Help me please.")
    ready = ap.prepare_recording(wav_bytes(np.clip(speech * 4.0, -1, 1), rate))
    samples, _ = _read(ready.wav)
    assert float(np.max(np.abs(samples))) <= 10 ** (ap.PEAK_CEILING_DBFS / 20) + 0.01


def test_silence_is_refused() -> None:
    hiss = (np.random.default_rng(1).normal(0, 0.0005, 8000 * 3)).astype(np.float32)  # ~-66 dBFS line noise
    with pytest.raises(ap.NoSpeech):
        ap.prepare_recording(wav_bytes(hiss, 8000))


@pytest.mark.parametrize(
    ("rate", "channels", "subtype"), [(44100, 2, "PCM_16"), (48000, 1, "PCM_24"), (8000, 1, "PCM_16")]
)
def test_a_computer_or_phone_recording_is_converted_to_8khz_mono_16bit(rate: int, channels: int, subtype: str) -> None:
    speech, native = espeak_speech("Welcome to Hearthline. How can we help you today?")
    import soxr

    speech = soxr.resample(speech, native, rate).astype(np.float32)
    if channels == 2:
        speech = np.stack([speech, speech], axis=1)
    ready = ap.prepare_recording(wav_bytes(speech, rate, subtype))
    info = sf.info(io.BytesIO(ready.wav))
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
    assert abs(info.frames / 8000 - ready.seconds) < 0.01


def test_silence_around_speech_is_trimmed_to_a_short_pad() -> None:
    speech, rate = espeak_speech("Please hold the line.")
    core = ap.trim_silence(speech, rate)  # espeak's own output has a little silence at the ends
    padded = with_silence(core, rate, before=2.0, after=3.0)
    ready = ap.prepare_recording(wav_bytes(padded, rate))
    assert ready.seconds == pytest.approx(len(core) / rate, abs=2 * ap.TRIM_PAD_SECONDS + 0.05)
    assert ready.seconds < len(padded) / rate - 4.5


def test_quiet_and_loud_recordings_come_out_at_the_same_level_without_clipping() -> None:
    speech, rate = espeak_speech("Your request has been received.")
    speech = speech / float(np.max(np.abs(speech)))
    quiet = ap.prepare_recording(wav_bytes(speech * 0.05, rate))
    loud = ap.prepare_recording(wav_bytes(speech * 0.99, rate))
    levels = []
    for ready in (quiet, loud):
        samples, _ = _read(ready.wav)
        assert float(np.max(np.abs(samples))) <= 10 ** (ap.PEAK_CEILING_DBFS / 20) + 0.01
        levels.append(20 * np.log10(np.sqrt(np.mean(samples**2))))
    assert abs(levels[0] - levels[1]) < 1.0
    quiet_in = 20 * np.log10(np.sqrt(np.mean((speech * 0.05) ** 2)))
    assert levels[0] > quiet_in + 10  # the quiet one was brought up


def test_the_conversion_keeps_the_speech_band() -> None:
    """A 1 kHz tone recorded at 48 kHz is still a 1 kHz tone at 8 kHz (soxr, no aliasing into the band)."""
    ready = ap.prepare_recording(wav_bytes(tone(1.0, 48000, frequency=1000.0), 48000))
    samples, rate = _read(ready.wav)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * rate / len(samples)
    assert abs(peak_hz - 1000) < 10
