"""Play a whole phone call against the real voice routes, as Twilio would, without a phone."""

from __future__ import annotations

import io
import json
import subprocess
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import soundfile
import soxr
from flask import Flask
from sqlalchemy import select

from care.context import EXTENSION_KEY, Hearthline
from care.models import CallState, ServiceRequest
from care.webhooks import sign
from voice import calls
from voice.keypad import LANGUAGE_KEYS
from voice.twilio_standin import TwilioStandIn

# espeak-ng voice per locale (espeak-ng --voices): Mandarin is "cmn".
ESPEAK_VOICES = {"en": "en-us", "zh": "cmn", "ko": "ko", "es": "es"}
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
    """Any WAV as a phone line carries it: 8 kHz, mono, 16-bit."""
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != PHONE_RATE:
        mono = soxr.resample(mono, rate, PHONE_RATE)
    out = io.BytesIO()
    soundfile.write(out, np.clip(mono, -1.0, 1.0), PHONE_RATE, subtype="PCM_16", format="WAV")
    return out.getvalue()


def speak_wav(text: str, locale: str, wpm: int = 140) -> bytes:
    """Synthesise speech with espeak-ng and convert it to phone audio (so Vosk hears what a line would carry)."""
    voice = ESPEAK_VOICES.get(locale, "en-us")
    result = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", text],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return to_phone_wav(result.stdout)


@dataclass(frozen=True)
class _Verb:
    tag: str
    attrs: dict[str, str]
    text: str
    children: tuple[_Verb, ...]


def _verbs(twiml: str) -> list[_Verb]:
    def conv(el: ET.Element) -> _Verb:
        return _Verb(el.tag, dict(el.attrib), (el.text or "").strip(), tuple(conv(c) for c in el))

    return [conv(child) for child in ET.fromstring(twiml)]


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
        self.synthesize = synthesize or (lambda text, loc: speak_wav(text, loc, self.hl.settings.speaking_rate_wpm))
        self.turn = 0

    def _post(self, url: str, extra: dict[str, str]) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
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
            "verbs": [v.tag for v in _verbs(twiml)],
            "twiml": twiml,
        }

    def _phase(self) -> str | None:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call_sid)
            return None if row is None else str(row.state.get("dialog", {}).get("phase"))

    def _wav_for(self, step: SimStep) -> bytes:
        if step.kind == "wav":
            return to_phone_wav(Path(step.value).read_bytes())
        return self.synthesize(step.value, self.locale or self.hl.settings.default_locale)

    def run(self, steps: list[SimStep]) -> Iterator[dict[str, Any]]:
        """Yield one line per turn, then a final line with the requests this call created."""
        queue = list(steps)
        twiml = self._post("/voice/incoming", {})
        yield self._line(twiml)
        if self.locale and self._phase() == "language":
            digit = next(d for d, loc in LANGUAGE_KEYS.items() if loc == self.locale)
            queue.insert(0, SimStep("press", digit))
        while True:
            verbs = _verbs(twiml)
            tags = [v.tag for v in verbs]
            if "Hangup" in tags or not verbs:
                break
            dial = next((v for v in verbs if v.tag == "Dial"), None)
            gather = next((v for v in verbs if v.tag == "Gather"), None)
            record = next((v for v in verbs if v.tag == "Record"), None)
            redirect = next((v for v in reversed(verbs) if v.tag == "Redirect"), None)
            if dial is not None:
                status = queue.pop(0).value if queue and queue[0].kind == "dial" else "completed"
                twiml = self._post(dial.attrs["action"], {"DialCallStatus": status})
            elif gather is None and record is None:
                if redirect is None or not redirect.text.startswith("/voice/"):
                    break  # handed to another line (e.g. staff prompt recording): the simulation ends here
                twiml = self._post(redirect.text, {})
            elif not queue or queue[0].kind == "hangup":
                break
            else:
                step = queue.pop(0)
                twiml = self._answer(step, gather, record, redirect)
            yield self._line(twiml)
        calls.wait_for_details()
        yield {"requests": self.requests()}

    def _answer(self, step: SimStep, gather: _Verb | None, record: _Verb | None, redirect: _Verb | None) -> str:
        if step.kind == "press":
            target = gather or record
            assert target is not None
            return self._post(target.attrs["action"], {"Digits": step.value})
        if step.kind in ("say", "wav") and record is not None:
            wav = self._wav_for(step)
            url = self.standin.add_recording(wav)
            duration = max(1, round(len(wav) / (2 * PHONE_RATE)))
            params = {"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1], "RecordingDuration": str(duration)}
            return self._post(record.attrs["action"], params)
        # Silence, or speech on a keypad-only question (a dtmf <Gather> ignores it): the next verb runs.
        if redirect is None:
            raise RuntimeError("the question has no no-input path")
        return self._post(redirect.text, {})

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
