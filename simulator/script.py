"""Play a whole phone call against the real voice routes, as Twilio would, without a phone."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soundfile
from flask import Flask
from sqlalchemy import select

from care.context import EXTENSION_KEY, Hearthline
from care.models import CallState, ServiceRequest
from care.webhooks import sign
from prompts import audio_processing
from simulator.twilio_standin import TwilioStandIn
from simulator.twiml_follow import Step, Wait, WaitKind, local_path, parse, step
from voice.keypad import LANGUAGE_KEYS

PHONE_RATE = 8000  # Twilio <Record> gives 8 kHz 16-bit mono WAV
STEP_KINDS = ("say", "wav", "press", "silence", "hangup", "dial")


class BadStep(ValueError):
    """A simulator step that is not say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence or hangup."""


@dataclass(frozen=True)
class SimStep:
    kind: str
    value: str = ""


def parse_step(raw: str) -> SimStep:
    kind, _, value = raw.partition(":")
    kind = kind.strip().lower()
    if kind not in STEP_KINDS:
        raise BadStep(f"unknown step {raw!r}: use say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence, hangup")
    if kind in ("say", "wav", "press", "dial") and not value:
        raise BadStep(f"step {raw!r} needs a value after the colon")
    return SimStep(kind, value)


def to_phone_wav(wav: bytes) -> bytes:
    """Any WAV as a phone line carries it: 8 kHz, mono, 16-bit (the same conversion staff uploads get)."""
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    return audio_processing.to_phone_wav(data.mean(axis=1), rate)


class CallSimulator:
    """Drives the app with signed webhooks; recordings are served by the Twilio stand-in over HTTP."""

    def __init__(
        self,
        app: Flask,
        standin: TwilioStandIn,
        from_phone: str,
        *,
        locale: str | None = None,
        call_sid: str | None = None,
        synthesize: Callable[[str, str], bytes] | None = None,
    ) -> None:
        self.app = app
        self.hl: Hearthline = app.extensions[EXTENSION_KEY]
        self.standin = standin
        self.client = app.test_client()
        self.from_phone = from_phone
        self.locale = locale
        self.call_sid = call_sid or f"CA{uuid.uuid4().hex}"
        # The app's own synthesiser adapter (espeak-ng, 8 kHz), as the browser simulator uses.
        self.synthesize = synthesize or (
            lambda text, loc: self.hl.synthesizer.synthesize(text, loc, self.hl.settings.speaking_rate_wpm)
        )
        self.turn = 0
        self.document = ""  # the URL of the last answer: relative actions and redirects resolve against it

    def _post(self, path: str, extra: dict[str, str]) -> str:
        params = {
            "CallSid": self.call_sid,
            "AccountSid": self.hl.settings.twilio_account_sid,
            "From": self.from_phone,
            "To": self.hl.settings.hotline_number,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **extra,
        }
        signature = sign(self.hl.settings, path, params)
        response = self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}")
        self.document = self.hl.settings.public_base_url.rstrip("/") + path
        return response.get_data(as_text=True)

    def _line(self, twiml: str) -> dict[str, Any]:
        self.turn += 1
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call_sid)
            last = dict(row.state.get("last", {})) if row is not None else {}
        heard = last.get("heard") or {}
        return {
            "turn": self.turn,
            "prompt": " ".join(last.get("spoken", [])),
            "heard": heard.get("text", ""),
            "intent": heard.get("intent"),
            "decision": heard.get("decision"),
            "phase": last.get("phase"),
            "verbs": [verb.tag for verb in parse(twiml)],
            "twiml": twiml,
        }

    def _phase(self) -> str | None:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call_sid)
            return None if row is None else str(row.state.get("dialog", {}).get("phase"))

    def run(self, steps: list[SimStep]) -> Iterator[dict[str, Any]]:
        """Yield one line per turn, then a final line with the requests this call created."""
        queue = list(steps)
        twiml = self._post("/voice/incoming", {})
        yield self._line(twiml)
        if self.locale and self._phase() == "language":
            digit = next(d for d, loc in LANGUAGE_KEYS.items() if loc == self.locale)
            queue.insert(0, SimStep("press", digit))
        while (webhook := self._next(step(parse(twiml)), queue)) is not None:
            twiml = self._post(*webhook)
            yield self._line(twiml)
        self.hl.queue.run_pending_jobs()
        yield {"requests": self.requests()}

    def _next(self, current: Step, queue: list[SimStep]) -> tuple[str, dict[str, str]] | None:
        """Follow one answer as Twilio would, taking the caller's steps, to the next webhook (None: the call ends)."""
        held: SimStep | None = None  # the caller's step, carried past the waits that ignore it to one that takes it
        while current.end is None:
            if current.redirect is not None:
                path = self._path(current.redirect)
                # Only the voice routes are simulated: a redirect elsewhere (the staff prompt line) ends the call here.
                return (path, {}) if path.startswith("/voice/") else None
            wait = current.wait
            assert wait is not None  # a Step ends, redirects or waits
            if wait.kind is WaitKind.DIAL:
                status = queue.pop(0).value if queue and queue[0].kind == "dial" else "completed"
                if wait.action is not None:
                    return self._path(wait.action), {"DialCallStatus": status}
            else:
                if held is None:
                    if not queue or queue[0].kind == "hangup":
                        return None
                    held = queue.pop(0)
                params = self._input(held, wait)
                if params is not None:
                    return self._path(wait.action), params
            # No input (or a <Dial> without an action): Twilio runs the verbs after the wait.
            current = step(parse(current.rest))
        return None

    def _input(self, held: SimStep, wait: Wait) -> dict[str, str] | None:
        """What Twilio posts to the action when the caller does `held` during `wait`; None when it is no input."""
        if held.kind == "press" and (wait.kind is WaitKind.KEYS or held.value[0] in wait.finish_on_key):
            return {"Digits": held.value}
        if held.kind in ("say", "wav") and wait.kind is WaitKind.RECORD:
            return self._recording(held)
        if wait.kind is WaitKind.KEYS and wait.action_on_empty_result:
            return {"Digits": ""}
        return None  # silence, or speech while only keys are listened for (a dtmf <Gather> ignores it)

    def _recording(self, held: SimStep) -> dict[str, str]:
        """Store the caller's speech at the Twilio stand-in, as Twilio stores a <Record>ing, and describe it."""
        if held.kind == "wav":
            wav = to_phone_wav(Path(held.value).read_bytes())
        else:
            wav = self.synthesize(held.value, self.locale or self.hl.settings.default_locale)
        url = self.standin.add_recording(wav)
        duration = max(1, round(len(wav) / (2 * PHONE_RATE)))
        return {"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1], "RecordingDuration": str(duration)}

    def _path(self, target: str | None) -> str:
        """An action or redirect as a path on our app, resolved against the last answer (never another address)."""
        return local_path(self.hl.settings.public_base_url, self.document, target)

    def requests(self) -> list[dict[str, Any]]:
        with self.hl.db.sessions() as session:
            rows = session.scalars(
                select(ServiceRequest)
                .where(ServiceRequest.source_key.like(f"call:{self.call_sid}:%"))
                .order_by(ServiceRequest.id)
            )
            return [
                {
                    "reference": r.reference,
                    "intent": r.intent,
                    "team": r.team,
                    "status": r.status,
                    "urgent": r.urgent,
                    "understood_by": r.understood_by,
                    "transcript": r.transcript,
                    "details": r.details,
                }
                for r in rows
            ]


def print_lines(lines: Iterator[dict[str, Any]], echo: Callable[[str], None], *, show_twiml: bool = False) -> None:
    for line in lines:
        if not show_twiml:
            line = {k: v for k, v in line.items() if k != "twiml"}
        echo(json.dumps(line, ensure_ascii=False))
