"""Fixtures for the prompts tests: real espeak-ng speech and tones as WAV bytes, the app's PromptAudio."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest
import soundfile as sf

from prompts.audio import PromptAudio
from web.context import Hearthline


def wav_bytes(samples: np.ndarray, rate: int, subtype: str = "PCM_16") -> bytes:
    out = io.BytesIO()
    sf.write(out, samples, rate, subtype=subtype, format="WAV")
    return out.getvalue()


def tone(seconds: float, rate: int, *, level: float = 0.3, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def espeak_speech(text: str, voice: str = "en-us") -> tuple[np.ndarray, int]:
    """Real speech from espeak-ng at its native rate (22.05 kHz), as a staff member's microphone might give."""
    done = subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout"], input=text.encode(), capture_output=True, check=True, timeout=30
    )
    samples, rate = sf.read(io.BytesIO(done.stdout), dtype="float32")
    return samples, rate


def with_silence(samples: np.ndarray, rate: int, before: float, after: float) -> np.ndarray:
    return np.concatenate(
        [np.zeros(int(before * rate), np.float32), samples, np.zeros(int(after * rate), np.float32)]
    ).astype(np.float32)


@pytest.fixture
def voice(hearthline: Hearthline) -> PromptAudio:
    assert isinstance(hearthline.prompt_voice, PromptAudio)
    return hearthline.prompt_voice
