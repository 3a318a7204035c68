"""The small Protocols each outside system is reached through; app.py picks the concrete adapters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from intents.types import Hearing


class SendFailed(RuntimeError):
    """A message could not be handed to the SMS provider; `transient` says whether to try again later."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class RecordingUnavailable(RuntimeError):
    """A caller's recording could not be downloaded (still not ready after retries, or refused)."""


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard, with its confidence from 0 to 1 (0 when it heard nothing)."""

    text: str
    confidence: float
    hearing: Hearing | None = None  # the words with their confidences and support (speech recognisers)


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> str:
        """Hand one message to the provider; return its id; raise SendFailed."""
        ...


class RecordingSource(Protocol):
    def download(self, recording_url: str) -> bytes:
        """Fetch a call recording as WAV bytes, retrying briefly while it is not ready yet."""
        ...

    def delete(self, recording_url: str) -> None:
        """Delete the recording at the provider (privacy: we keep only what the settings allow)."""
        ...


class Recognizer(Protocol):
    def has_model(self, locale: str) -> bool: ...

    def transcribe(
        self,
        wav: bytes,
        locale: str,
        phrases: Sequence[str] | None = None,
        verify: Callable[[str], bool] | None = None,
    ) -> Transcript:
        """Recognise speech in a WAV; `phrases` narrows recognition for short answers; when `verify` says a
        phrase-list result matters, a free decoding of the same audio checks which of its words it supports."""
        ...


class Synthesizer(Protocol):
    def synthesize(self, text: str, locale: str, rate_wpm: int) -> bytes:
        """Speak text into an 8 kHz mono 16-bit WAV, as a phone line carries it."""
        ...


class PromptVoice(Protocol):
    def audio_url(self, key: str, locale: str, text: str) -> str | None:
        """A URL Twilio can <Play> for this prompt (staff recording, else synthesis); None means use <Say>."""
        ...


class JobQueue(Protocol):
    def wake_outbox(self) -> None:
        """Ask a worker to deliver pending outbox messages now."""
        ...
