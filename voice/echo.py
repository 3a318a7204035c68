"""The echo guard: how loud the caller must be to count as speaking while a landline may echo our prompt back."""

from __future__ import annotations

from collections import deque

from voice import mulaw
from voice.vad import FRAME_PCM_BYTES, FRAME_SECONDS, frame_energy


class EchoGuard:
    """Follows when each frame we send plays (Twilio plays what it is sent in order, in real time) and its
    energy; `floor(now)` is the energy inbound audio must reach to be the caller rather than our own echo."""

    def __init__(self, margin_db: float, window_seconds: float) -> None:
        self._ratio = 10 ** (-margin_db / 10)  # an energy ratio (dB of power)
        self._window = window_seconds
        self._frames: deque[tuple[float, float]] = deque()  # (when it plays, its energy)
        self._until = 0.0  # when the audio sent so far has all played

    def sent(self, ulaw: bytes, now: float) -> None:
        """Audio sent to Twilio now: it plays after what was sent before it."""
        pcm = mulaw.decode(ulaw)
        start = max(now, self._until)
        for index, n in enumerate(range(0, len(pcm), FRAME_PCM_BYTES)):
            self._frames.append((start + index * FRAME_SECONDS, frame_energy(pcm[n : n + FRAME_PCM_BYTES])))
        self._until = start + len(pcm) // 2 / mulaw.RATE

    def cleared(self, now: float) -> None:
        """`clear` sent: nothing after now plays."""
        while self._frames and self._frames[-1][0] > now:
            self._frames.pop()
        self._until = min(self._until, now)

    def floor(self, now: float) -> float:
        """The energy a frame heard now must reach: the loudest frame of ours within the echo window, less the
        margin (0 when nothing of ours played within it). The loudest, not the mean: the echo of a loud syllable
        arrives we do not know exactly when, and a mean taken over a pause would let it through."""
        while self._frames and self._frames[0][0] < now - self._window:
            self._frames.popleft()
        loudest = max((energy for at, energy in self._frames if at <= now), default=0.0)
        return self._ratio * loudest
