"""`flask simulate-call`'s script: play a whole call from steps (say:TEXT, press:1, ...) on the call emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from flask import Flask

from simulator.phone import Answer, PhoneCall, Progress, to_phone_wav
from simulator.twiml_follow import WaitKind, parse
from voice.keypad import LANGUAGE_KEYS
from web.context import EXTENSION_KEY, Hearthline


class StepKind(StrEnum):
    SAY = "say"
    WAV = "wav"
    PRESS = "press"
    SILENCE = "silence"
    HANGUP = "hangup"
    DIAL = "dial"


NEEDS_VALUE = frozenset({StepKind.SAY, StepKind.WAV, StepKind.PRESS, StepKind.DIAL})


class CallFailed(RuntimeError):
    """The hotline answered with an error or with TwiML a call cannot follow."""


class BadStep(ValueError):
    """A simulator step that is not say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence or hangup."""


@dataclass(frozen=True)
class SimStep:
    kind: StepKind
    value: str = ""


def parse_step(raw: str) -> SimStep:
    kind, _, value = raw.partition(":")
    try:
        parsed = StepKind(kind.strip().lower())
    except ValueError:
        raise BadStep(
            f"unknown step {raw!r}: use say:TEXT, wav:PATH, press:DIGITS, dial:STATUS, silence, hangup"
        ) from None
    if parsed in NEEDS_VALUE and not value:
        raise BadStep(f"step {raw!r} needs a value after the colon")
    return SimStep(parsed, value)


class CallSimulator:
    """Plays steps on one emulated call to `app`; the caller stays on the hotline's own line (/voice/)."""

    def __init__(
        self,
        app: Flask,
        from_phone: str,
        *,
        locale: str | None = None,
        call_sid: str | None = None,
        synthesize: Callable[[str, str], bytes] | None = None,
    ) -> None:
        self.hl: Hearthline = app.extensions[EXTENSION_KEY]
        self.call = PhoneCall(app, from_phone, only_under="/voice/")
        if call_sid is not None:
            self.call.sid = call_sid
        self.locale = locale
        # The app's own synthesiser adapter (espeak-ng, 8 kHz), as the browser simulator uses.
        self.synthesize = synthesize or (
            lambda text, loc: self.hl.synthesizer.synthesize(text, loc, self.hl.settings.speaking_rate_wpm)
        )
        self.turn = 0

    @property
    def call_sid(self) -> str:
        return self.call.sid

    def run(self, steps: list[SimStep]) -> Iterator[dict[str, Any]]:
        """Yield one line per webhook answer, then a final line with the requests this call created."""
        queue = list(steps)
        progress = self.call.start()
        yield from self._lines(progress)
        if self.locale and progress.answers and progress.answers[-1].phase == "language":
            digit = next(d for d, loc in LANGUAGE_KEYS.items() if loc == self.locale)
            queue.insert(0, SimStep(StepKind.PRESS, digit))
        while not self.call.ended and self.call.wait is not None:
            if self.call.wait.kind is WaitKind.DIAL:
                # Who answers a transfer is the next dial: step, or the staff member picks up.
                status = queue.pop(0).value if queue and queue[0].kind is StepKind.DIAL else "completed"
                progress = self.call.dial(status)
            elif not queue or queue[0].kind is StepKind.HANGUP:
                break
            else:
                progress = self._take(queue.pop(0))
            yield from self._lines(progress)
        self.hl.queue.run_pending_jobs()
        yield {"requests": self.call.requests()}

    def _take(self, held: SimStep) -> Progress:
        if held.kind is StepKind.PRESS:
            return self.call.press(held.value)
        if held.kind is StepKind.SAY:
            wav = self.synthesize(held.value, self.locale or self.hl.settings.default_locale)
            return self.call.speak(wav, text=held.value)
        if held.kind is StepKind.WAV:
            return self.call.speak(to_phone_wav(Path(held.value).read_bytes()))
        # Silence (or a dial: step while nobody is dialled) lasts the whole turn: through a Listen turn's key
        # window and then its <Record>, until Twilio posts something (the page instead times each wait itself).
        progress = self.call.silence()
        while not progress.answers and self.call.wait is not None and self.call.wait.kind is not WaitKind.DIAL:
            progress = self.call.silence()
        return progress

    def _lines(self, progress: Progress) -> Iterator[dict[str, Any]]:
        for answer in progress.answers:
            self.turn += 1
            yield line(self.turn, answer)
        if progress.failure is not None:
            raise CallFailed(f"the call failed: {progress.failure} {progress.detail}")


def line(turn: int, answer: Answer) -> dict[str, Any]:
    """One turn as simulate-call prints it: what the caller heard, what the hotline heard and decided."""
    heard = answer.last.get("heard") or {}
    return {
        "turn": turn,
        "prompt": " ".join(answer.last.get("spoken", [])),
        "heard": heard.get("text", ""),
        "intent": heard.get("intent"),
        "decision": heard.get("decision"),
        "phase": answer.last.get("phase"),
        "verbs": [verb.tag for verb in parse(answer.twiml)],
        "twiml": answer.twiml,
    }


def print_lines(lines: Iterator[dict[str, Any]], echo: Callable[[str], None], *, show_twiml: bool = False) -> None:
    for each in lines:
        if not show_twiml:
            each = {k: v for k, v in each.items() if k != "twiml"}
        echo(json.dumps(each, ensure_ascii=False))
