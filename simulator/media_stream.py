"""A local stand-in of Twilio's side of a bidirectional Media Stream, over a real WebSocket.

It opens the stream as Twilio does (a signed upgrade, `connected`, `start` with the <Parameter>s), sends the
caller's line every 20 ms at real-time pace (a WAV when the caller speaks, line silence otherwise), sends
`dtmf` for keys, plays what the app sends back at real-time pace, returns each `mark` once the audio before it
has played, honours `clear` (drops what was not played yet and returns its marks), and records it all with
times, for the tests, `python -m bench stream` and simulate-call. Like a landline it can echo what it plays back
into the caller's line (`echo()`), quieter and a little later.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from simple_websocket import Client, ConnectionClosed
from twilio.request_validator import RequestValidator

from voice import mulaw
from voice.playback import wav_ulaw

FRAME_SECONDS = 0.02
SILENCE_FRAME = b"\xff" * mulaw.FRAME_BYTES


@dataclass(frozen=True)
class Mark:
    """A mark the app sent, and whether its audio played to the end (False: a `clear` dropped it)."""

    name: str
    played: bool
    at: float

    @property
    def key(self) -> str:
        """The catalog key the app named the prompt by (turn:number:key)."""
        return self.name.split(":", 2)[-1]


@dataclass
class TwilioMediaStream:
    """One call's Media Stream from Twilio's side; `open()` connects to `connect_url` (a local server), signing
    `public_url` (the wss:// address in the TwiML) as Twilio signs the upgrade."""

    connect_url: str
    public_url: str
    auth_token: str
    account_sid: str
    call_sid: str
    parameters: dict[str, str] = field(default_factory=dict)
    stream_sid: str = field(default_factory=lambda: "MZ" + secrets.token_hex(16))
    # What was observed, with time.monotonic() stamps.
    media_times: list[float] = field(default_factory=list)  # each media message the app sent
    marks: list[Mark] = field(default_factory=list)
    clears: list[float] = field(default_factory=list)
    heard: bytearray = field(default_factory=bytearray)  # the app's audio as the caller heard it (μ-law)
    speech_started: list[float] = field(default_factory=list)  # the first frame of each utterance sent
    speech_ended: list[float] = field(default_factory=list)  # the last frame of each utterance sent
    closed_at: float | None = None  # the app closed the stream
    _ws: Client | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _mic: deque[bytes] = field(default_factory=deque)
    _utterance_frames: int = 0
    _out: deque[bytes | str] = field(default_factory=deque)  # audio to play, and mark names between it
    _stopped: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _sequence: int = 0
    _chunk: int = 0
    _echo_gain: float = 0.0  # how loud our own audio comes back on the caller's line (0: no echo)
    _echo_frames: int = 1  # ...and how many 20 ms frames later
    _played: deque[bytes] = field(default_factory=lambda: deque(maxlen=64))  # the last frames played, μ-law

    # --- the connection -------------------------------------------------------------------------------------
    def open(self) -> None:
        signature = RequestValidator(self.auth_token).compute_signature(self.public_url, {})
        self._ws = Client.connect(self.connect_url, headers={"X-Twilio-Signature": signature})
        self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self._send(
            {
                "event": "start",
                "start": {
                    "streamSid": self.stream_sid,
                    "accountSid": self.account_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": dict(self.parameters),
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": mulaw.RATE, "channels": 1},
                },
            }
        )
        for target, name in ((self._receive, "stream-receive"), (self._tick, "stream-line")):
            thread = threading.Thread(target=target, daemon=True, name=name)
            thread.start()
            self._threads.append(thread)

    def _send(self, message: dict[str, object]) -> None:
        assert self._ws is not None
        with self._lock:
            self._sequence += 1
            message = {**message, "sequenceNumber": str(self._sequence)}
            if message["event"] != "connected":
                message["streamSid"] = self.stream_sid
        try:
            self._ws.send(json.dumps(message))
        except Exception:  # closed by either side (simple_websocket or wsproto says so in its own way)
            self._stopped.set()

    @property
    def open_now(self) -> bool:
        return not self._stopped.is_set()

    # --- the caller -----------------------------------------------------------------------------------------
    def say(self, wav: bytes) -> None:
        """Speak a WAV into the line from the next frame on, at real-time pace."""
        ulaw = wav_ulaw(wav)
        frames = [ulaw[i : i + mulaw.FRAME_BYTES] for i in range(0, len(ulaw), mulaw.FRAME_BYTES)]
        frames[-1] = frames[-1].ljust(mulaw.FRAME_BYTES, b"\xff")
        with self._lock:
            self._mic.extend(frames)

    def echo(self, db: float, delay_seconds: float) -> None:
        """From now on the line echoes what it plays back into the caller's audio, `db` decibels down (-20: a
        tenth of the amplitude) and `delay_seconds` later (rounded to whole 20 ms frames, at least one)."""
        with self._lock:
            self._echo_gain = 10 ** (db / 20)
            self._echo_frames = max(1, min(self._played.maxlen or 1, round(delay_seconds / FRAME_SECONDS)))

    def press(self, digit: str) -> None:
        self._send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": digit}})

    def hang_up(self) -> None:
        """The call ends: Twilio sends `stop` and closes the stream."""
        self._send({"event": "stop", "stop": {"accountSid": self.account_sid, "callSid": self.call_sid}})
        self.close()

    def drop(self) -> None:
        """The stream breaks without a `stop` (a network fault)."""
        self.close()

    def close(self) -> None:
        self._stopped.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):  # already closed by the other side
                self._ws.close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    # --- observing ------------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        with self._lock:
            return any(isinstance(item, bytes) for item in self._out)

    @property
    def speaking(self) -> bool:
        with self._lock:
            return bool(self._mic)

    def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` holds (True) or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.01)
        return condition()

    def media_after(self, moment: float) -> float | None:
        """When the first audio the app sent after `moment` arrived."""
        with self._lock:
            return next((t for t in self.media_times if t > moment), None)

    def played_keys(self) -> list[str]:
        return [m.key for m in self.marks if m.played]

    # --- threads --------------------------------------------------------------------------------------------
    def _receive(self) -> None:
        assert self._ws is not None
        while not self._stopped.is_set():
            try:
                raw = self._ws.receive(timeout=0.5)
            except ConnectionClosed:
                break
            if raw is None:
                continue
            message = json.loads(raw)
            event, now = message.get("event"), time.monotonic()
            with self._lock:
                if event == "media":
                    self.media_times.append(now)
                    self._out.append(base64.b64decode(message["media"]["payload"]))
                elif event == "mark":
                    self._out.append(str(message["mark"]["name"]))
                elif event == "clear":
                    self.clears.append(now)
                    dropped = [item for item in self._out if isinstance(item, str)]
                    self._out.clear()
            if event == "clear":
                for name in dropped:  # Twilio returns the marks of what a clear dropped
                    self.marks.append(Mark(name, False, now))
                    self._send({"event": "mark", "mark": {"name": name}})
        if self.closed_at is None:
            self.closed_at = time.monotonic()
        self._stopped.set()

    def _tick(self) -> None:
        started = time.monotonic()
        frames = 0
        while not self._stopped.is_set():
            frames += 1
            delay = started + frames * FRAME_SECONDS - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._line_frame()
            self._play_frame()

    def _line_frame(self) -> None:
        now = time.monotonic()
        with self._lock:
            frame = self._mic.popleft() if self._mic else None
            if frame is not None:
                if self._utterance_frames == 0:
                    self.speech_started.append(now)
                self._utterance_frames += 1
                if not self._mic:
                    self.speech_ended.append(now + FRAME_SECONDS)
                    self._utterance_frames = 0
            self._chunk += 1
            chunk = self._chunk
            if self._echo_gain and len(self._played) >= self._echo_frames:
                frame = _mix(frame or SILENCE_FRAME, self._played[-self._echo_frames], self._echo_gain)
        payload = base64.b64encode(frame or SILENCE_FRAME).decode("ascii")
        timestamp = str(int(chunk * FRAME_SECONDS * 1000))
        self._send(
            {
                "event": "media",
                "media": {"track": "inbound", "chunk": str(chunk), "timestamp": timestamp, "payload": payload},
            }
        )

    def _play_frame(self) -> None:
        """Play 20 ms of what the app sent; return each mark whose audio has all played."""
        done: list[str] = []
        with self._lock:
            need = mulaw.FRAME_BYTES
            while self._out and (need > 0 or isinstance(self._out[0], str)):
                head = self._out[0]
                if isinstance(head, str):
                    done.append(head)
                    self._out.popleft()
                    continue
                take = head[:need]
                self.heard.extend(take)
                need -= len(take)
                if len(take) == len(head):
                    self._out.popleft()
                else:
                    self._out[0] = head[len(take) :]
            taken = mulaw.FRAME_BYTES - need  # what this frame played (the rest of it is line silence)
            played = bytes(self.heard[len(self.heard) - taken :]) if taken else b""
            self._played.append(played.ljust(mulaw.FRAME_BYTES, b"\xff"))
        now = time.monotonic()
        for name in done:
            self.marks.append(Mark(name, True, now))
            self._send({"event": "mark", "mark": {"name": name}})


def _mix(line: bytes, echoed: bytes, gain: float) -> bytes:
    """The caller's line with our own audio `echoed` onto it at `gain` (μ-law in, μ-law out)."""
    caller = np.frombuffer(mulaw.decode(line), dtype="<i2").astype(np.float64)
    echo = np.frombuffer(mulaw.decode(echoed), dtype="<i2").astype(np.float64) * gain
    return mulaw.encode(np.clip(caller + echo, -32768, 32767).astype("<i2").tobytes())
