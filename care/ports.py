"""The small Protocols each outside system is reached through; app.py picks the concrete adapters."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from intents.types import Hearing


class SendFailed(RuntimeError):
    """A message could not be handed to the SMS provider; `transient` says whether to try again later.

    `outcome_unknown`: the request may have reached the provider (a timeout waiting for its answer), so the
    message may have gone; ask the provider before sending it again.
    """

    def __init__(self, message: str, *, transient: bool, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.outcome_unknown = outcome_unknown


class RecordingUnavailable(RuntimeError):
    """A caller's recording could not be downloaded (still not ready after retries, or refused)."""


class OutOfTime(RecordingUnavailable):
    """The outside system did not answer before the turn's deadline (it hangs, or is far too slow)."""


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock by which an outside call must have answered."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def timeout(self, cap: float) -> float:
        """A timeout for one wait: `cap`, or less when the deadline is nearer; OutOfTime when it has passed."""
        left = self.remaining()
        if left <= 0.0:
            raise OutOfTime("no time left before the deadline")
        return min(cap, left)


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
    def download(self, recording_url: str, deadline: Deadline | None = None) -> bytes:
        """Fetch a call recording as WAV bytes, retrying briefly while it is not ready yet (until `deadline`)."""
        ...

    def delete(self, recording_url: str, deadline: Deadline | None = None) -> None:
        """Delete the recording at the provider (privacy: we keep only what the settings allow)."""
        ...


class LiveSpeech(Protocol):
    """One answer decoded while the caller speaks (Media Streams)."""

    def feed(self, pcm: bytes) -> None:
        """16-bit PCM at 8 kHz as it arrives."""
        ...

    def finish(self) -> Transcript:
        """The transcript once the caller has stopped."""
        ...

    def wav(self) -> bytes:
        """What was fed, as an 8 kHz WAV (kept for staff as a recording is)."""
        ...


class Recognizer(Protocol):
    def has_model(self, locale: str) -> bool: ...

    def stream(self, locale: str, phrases: Sequence[str] | None = None) -> LiveSpeech:
        """A decoder for one answer fed frame by frame: free when `phrases` is None."""
        ...

    def transcribe(
        self,
        wav: bytes,
        locale: str,
        phrases: Sequence[str] | None = None,
        verify: Callable[[str], bool] | None = None,
        budget: float | None = None,
    ) -> Transcript:
        """Recognise speech in a WAV; `phrases` narrows recognition for short answers; when `verify` says a
        phrase-list result matters, a free decoding of the same audio checks which of its words it supports.
        `budget`: seconds a free decoding may take; past it the words heard so far come back marked partial."""
        ...


class Synthesizer(Protocol):
    def synthesize(self, text: str, locale: str, rate_wpm: int) -> bytes:
        """Speak text into an 8 kHz mono 16-bit WAV, as a phone line carries it."""
        ...


class PromptVoice(Protocol):
    def audio_url(self, key: str, locale: str, text: str) -> str | None:
        """A URL Twilio can <Play> for this prompt (staff recording, else synthesis); None means use <Say>."""
        ...

    def synthesis_url(self, key: str, locale: str, text: str) -> str | None:
        """Like audio_url, without looking for staff recordings: never touches the database."""
        ...

    def audio_file(self, key: str, locale: str, text: str, rate_wpm: int | None = None) -> Path | None:
        """The prompt's audio file for a Media Stream (as audio_url chooses), or synthesis at `rate_wpm`."""
        ...


class JobQueue(Protocol):
    def wake_outbox(self) -> None:
        """Ask a worker to deliver pending outbox messages now."""
        ...

    def register(self, job: str, handler: Callable[[dict[str, Any]], None]) -> None:
        """Name a job's handler; create_app registers every job, so the web process and the worker agree."""
        ...

    def enqueue(self, job: str, payload: dict[str, Any]) -> None:
        """Run a registered job (by name) on a worker, after this request; the payload is plain JSON data."""
        ...

    def schedule(self, job: str, payload: dict[str, Any], delay_seconds: float) -> None:
        """Run a registered job on a worker no sooner than `delay_seconds` from now."""
        ...

    def every_minute(self, name: str, task: Callable[[], None]) -> None:
        """Run `task` on the worker every minute (a safety net for lost wake-ups)."""
        ...

    def run_pending_jobs(self, until: datetime | None = None) -> int:
        """Run the queued jobs due by `until` (default now) in this process; return how many ran (the simulator
        and tests)."""
        ...


class DialFailed(RuntimeError):
    """calls.create did not give us a call.

    `transient`: try again later (429, 5xx, no connection). `outcome_unknown`: the request may have reached
    the provider (a timeout waiting for its answer), so a call may be ringing: ask before dialling again.
    """

    def __init__(self, message: str, *, transient: bool, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        self.outcome_unknown = outcome_unknown


class LookupFailed(RuntimeError):
    """The provider could not be asked about a call; try again later."""


@dataclass(frozen=True)
class PlaceCall:
    """One outbound call to place: who, and where the provider posts the answered call and its status changes."""

    to: str
    answer_url: str
    status_url: str
    ring_seconds: int
    time_limit_seconds: int


@dataclass(frozen=True)
class FoundCall:
    """A call as the provider reports it."""

    sid: str
    to: str
    status: str  # Twilio's CallStatus word
    created_at: datetime | None  # UTC, naive
    answered_by: str = ""


class CallPlacer(Protocol):
    def place(self, call: PlaceCall) -> str:
        """Ask the provider to place the call; return its CallSid; raise DialFailed."""
        ...

    def calls_to(self, to: str, since: datetime) -> list[FoundCall]:
        """Calls from our number to `to` created since `since` (UTC, naive); raise LookupFailed."""
        ...

    def fetch(self, sid: str) -> FoundCall | None:
        """One call by its sid (None: the provider has no such call); raise LookupFailed."""
        ...
