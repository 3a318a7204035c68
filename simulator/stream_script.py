"""`flask simulate-call --stream`: the same steps played over a Media Stream, against the app served locally."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from care.models import CallState
from simulator.media_stream import TwilioMediaStream
from simulator.phone import Progress, to_phone_wav
from simulator.script import CallSimulator, SimStep, StepKind
from simulator.twiml_follow import WaitKind
from voice.keypad import LANGUAGE_KEYS
from voice.stream_auth import STREAM_PATH

# A turn on the stream ends with the reply's prompts; the longest wait is a silent caller's no-input timeout.
TURN_TIMEOUT_SECONDS = 60


class StreamCallSimulator(CallSimulator):
    """Plays steps on a call whose questions go over a Media Stream (the app's voice_path is "stream")."""

    def __init__(self, app: Flask, from_phone: str, **kw: Any) -> None:
        super().__init__(app, from_phone, **kw)
        self.app = app
        self.hung_up = False
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="simulate-stream"
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _turns(self) -> tuple[int, dict[str, Any]]:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call.sid)
            return (0, {}) if row is None else (row.turns, dict(row.state))

    def _stream_line(self, stream: TwilioMediaStream) -> dict[str, Any]:
        _turns, state = self._turns()
        last = state.get("last", {})
        heard = last.get("heard") or {}
        self.turn += 1
        return {
            "turn": self.turn,
            "prompt": " ".join(last.get("spoken", [])),
            "heard": heard.get("text", ""),
            "intent": heard.get("intent"),
            "decision": heard.get("decision"),
            "phase": last.get("phase"),
            "verbs": ["Stream"],
            "cleared": len(stream.clears),
        }

    def run(self, steps: list[SimStep]) -> Iterator[dict[str, Any]]:
        queue = list(steps)
        progress = self.call.start()
        yield from self._lines(progress)
        while not self.call.ended and self.call.wait is not None:
            if self.call.wait.kind is WaitKind.STREAM:
                yield from self._on_stream(progress, queue)
                if self.hung_up:
                    # The caller hung up on the stream: Twilio sends `stop` and the call is over; it does not
                    # request <Connect action> (that would ask the question again by <Record> on a dead line).
                    self.call.hang_up()
                    break
                progress = self.call.stream_ended()
                yield from self._lines(progress)
            elif self.call.wait.kind is WaitKind.DIAL:
                status = queue.pop(0).value if queue and queue[0].kind is StepKind.DIAL else "completed"
                progress = self.call.dial(status)
                yield from self._lines(progress)
            elif not queue or queue[0].kind is StepKind.HANGUP:
                break
            else:
                progress = self._take(queue.pop(0))
                yield from self._lines(progress)
        self.hl.queue.run_pending_jobs()
        yield {"requests": self.call.requests()}

    def _on_stream(self, progress: Progress, queue: list[SimStep]) -> Iterator[dict[str, Any]]:
        wait = progress.wait
        assert wait is not None
        port = self.server.server_port
        stream = TwilioMediaStream(
            f"ws://127.0.0.1:{port}{STREAM_PATH}",
            wait.url,
            self.hl.settings.twilio_auth_token,
            self.hl.settings.twilio_account_sid,
            self.call.sid,
            dict(wait.parameters),
        )
        stream.open()
        try:
            if self.locale and self._turns()[1].get("dialog", {}).get("phase") == "language":
                digit = next(d for d, loc in LANGUAGE_KEYS.items() if loc == self.locale)
                queue.insert(0, SimStep(StepKind.PRESS, digit))
            while stream.open_now and stream.closed_at is None:
                if not queue or queue[0].kind is StepKind.HANGUP:
                    stream.hang_up()
                    self.hung_up = True
                    return
                if queue[0].kind is StepKind.DIAL:
                    # The dial's outcome answers the TwiML turn after the stream: leave it for that turn, however
                    # long the app takes to end the stream (taken here, it was lost and the dial "completed").
                    stream.wait_for(lambda: stream.closed_at is not None, TURN_TIMEOUT_SECONDS)
                    break
                turns = self._turns()[0]
                self._act(stream, queue.pop(0))
                stream.wait_for(partial(self._moved, stream, turns), TURN_TIMEOUT_SECONDS)
                # A turn the stream cannot play ends it; the answer /voice/resume gives is that turn's line.
                if self._turns()[0] > turns and stream.closed_at is None:
                    yield self._stream_line(stream)
        finally:
            stream.close()

    def _moved(self, stream: TwilioMediaStream, turns: int) -> bool:
        return self._turns()[0] > turns or stream.closed_at is not None

    def _act(self, stream: TwilioMediaStream, held: SimStep) -> None:
        # The caller acts once the prompt has begun: keys and speech over it stop it, as on a real line.
        stream.wait_for(lambda: bool(stream.media_times), 10)
        time.sleep(0.5)
        if held.kind is StepKind.PRESS:
            for digit in held.value:
                stream.press(digit)
        elif held.kind is StepKind.SAY:
            stream.say(self.synthesize(held.value, self.locale or self.hl.settings.default_locale))
        elif held.kind is StepKind.WAV:
            stream.say(to_phone_wav(Path(held.value).read_bytes()))
        # Silence: nothing; the stream's no-input timeout answers.
