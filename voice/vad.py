"""Where a caller's speech starts and ends in a live call, from 20 ms frames (WebRTC's voice activity detector)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import webrtcvad

# WebRTC's detector takes 10, 20 or 30 ms of 16-bit mono PCM at 8, 16, 32 or 48 kHz (webrtcvad README); Twilio
# sends 20 ms of 8 kHz μ-law a message, so one message is one frame.
FRAME_SECONDS = 0.02
FRAME_RATE = 8000
FRAME_PCM_BYTES = int(FRAME_RATE * FRAME_SECONDS) * 2
# Speech counts as started when most of the frames of the confirmation window are voiced: one cough or click
# is not a caller starting to speak.
START_VOICED_SHARE = 0.8


def frame_energy(pcm: bytes) -> float:
    """Mean square of 16-bit PCM samples (0 for no samples): the loudness a frame is compared by."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    return float(np.mean(samples * samples)) if samples.size else 0.0


class VadEvent(StrEnum):
    STARTED = "started"  # speech began (confirmed): barge in over a prompt, start recognising
    ENDED = "ended"  # the pause allowance passed in silence after speech
    TOO_LONG = "too_long"  # the answer reached its longest allowed length


@dataclass(frozen=True)
class VadTiming:
    """How speech is told apart from pauses, in seconds (settings.stream_*; see care/settings.py for sources)."""

    start_seconds: float = 0.2
    pause_seconds: float = 1.5
    max_seconds: float = 30.0
    aggressiveness: int = 2

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds / FRAME_SECONDS))


class SpeechDetector:
    """Fed every inbound frame; says when speech starts, when it has ended, and keeps a little audio before the
    start (the confirmation window) so the recogniser hears the first syllable too."""

    def __init__(self, timing: VadTiming) -> None:
        self.timing = timing
        self._vad = webrtcvad.Vad(timing.aggressiveness)
        self._start = timing.frames(timing.start_seconds)
        self._pause = timing.frames(timing.pause_seconds)
        self._max = timing.frames(timing.max_seconds)
        self._recent: deque[bool] = deque(maxlen=self._start)
        self.preroll: deque[bytes] = deque(maxlen=self._start + timing.frames(0.1))
        self.speaking = False
        self._silent = 0
        self._length = 0

    @property
    def trailing_silence_seconds(self) -> float:
        """How long the caller has been silent within the current answer."""
        return self._silent * FRAME_SECONDS

    def reset(self) -> None:
        self._recent.clear()
        self.preroll.clear()
        self.speaking = False
        self._silent = 0
        self._length = 0

    def feed(self, pcm: bytes, floor: float = 0.0) -> VadEvent | None:
        """One 20 ms frame of 16-bit PCM at 8 kHz; returns what changed, if anything. A frame quieter than
        `floor` (an energy, voice.echo: the echo of what we are playing) is not speech, whatever the VAD says."""
        voiced = len(pcm) == FRAME_PCM_BYTES and self._vad.is_speech(pcm, FRAME_RATE)
        if voiced and floor > 0 and frame_energy(pcm) < floor:
            voiced = False
        if not self.speaking:
            self.preroll.append(pcm)
            self._recent.append(voiced)
            if len(self._recent) == self._start and sum(self._recent) >= START_VOICED_SHARE * self._start:
                self.speaking, self._silent, self._length = True, 0, len(self._recent)
                return VadEvent.STARTED
            return None
        self._length += 1
        self._silent = 0 if voiced else self._silent + 1
        if self._silent >= self._pause:
            self.speaking = False
            self._recent.clear()
            return VadEvent.ENDED
        if self._length >= self._max:
            self.speaking = False
            self._recent.clear()
            return VadEvent.TOO_LONG
        return None
