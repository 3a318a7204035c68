"""The Media Streams edge: one call's audio over a WebSocket, heard while the caller speaks, prompts interruptible.

Twilio's side sends `connected`, `start`, then a `media` message every 20 ms (8 kHz μ-law), `dtmf` for keys,
`mark` when audio we sent before a mark has played (or was cleared), and `stop` when the call or stream ends
(https://www.twilio.com/docs/voice/media-streams/websocket-messages). We send `media` (the prompts), `mark`
after each prompt, and `clear` to stop playback at once when the caller speaks or presses a key over a prompt.

A turn reads as on the <Record> path: the stream hears speech (VAD + a streaming Vosk decoder) or a key or the
silence, then the same `calls.take_turn` matches, steps the pure dialogue, carries out and saves; what it
decided is played back as audio. A turn the stream cannot play (a dial, a hang-up) ends the stream: Twilio
then requests <Connect action> (/voice/resume) and the call goes on by TwiML from its state in the database.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from simple_websocket import ConnectionClosed, Server

from care.ports import Transcript
from voice import mulaw
from voice.calls import Hook, Playable, TurnResult, Webhook, phrases_for, streamed_call, take_turn
from voice.dialogue import ListenKind
from voice.echo import EchoGuard
from voice.playback import Clip, NoAudio, Question, render
from voice.stream_auth import token_is_valid
from voice.vad import FRAME_SECONDS, SpeechDetector, VadEvent, VadTiming
from web.context import Hearthline

log = logging.getLogger(__name__)

# Twilio sends a media message every 20 ms for the whole call; this long without any message is a dead stream.
RECEIVE_TIMEOUT_SECONDS = 10.0
# Silence after the last word still fed to the decoder: Kaldi's own endpointing calls 0.5 s of trailing silence
# the end of an utterance (the Korean model's conf/model.conf, endpoint.rule2.min-trailing-silence).
DECODE_TRAILING_SECONDS = 0.5
# Prompts go out in Twilio's own frame size; Twilio buffers what we send and plays it in order.
SEND_FRAME_BYTES = mulaw.FRAME_BYTES


class StreamRefused(RuntimeError):
    """The stream's start did not prove it is Twilio's, for a call of ours."""


@dataclass
class Listening:
    """The question being asked now: what it waits for, and how the caller's answer is being heard."""

    question: Question
    detector: SpeechDetector
    phrases: list[str] | None
    outstanding: set[str] = field(default_factory=set)  # marks of prompts still playing
    idle_frames: int = 0  # frames of no input since the prompts ended
    speech: Any = None  # the LiveSpeech of the answer being spoken


class StreamSession:
    """One call's Media Stream, run on the thread that accepted the WebSocket."""

    def __init__(self, hl: Hearthline, ws: Server) -> None:
        self.hl = hl
        self.ws = ws
        self.stream_sid = ""
        self.call_sid = ""
        self.from_phone = ""
        self.locale = hl.settings.default_locale
        self.turn = 0
        self.now: Listening | None = None
        self.marks = 0
        self.handed_off = False
        self.echo = EchoGuard(hl.settings.stream_echo_margin_db, hl.settings.stream_echo_window_seconds)

    # --- sending ------------------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps({**message, "streamSid": self.stream_sid}))

    def _play(self, clips: list[Clip]) -> set[str]:
        names = set()
        for clip in clips:
            self.echo.sent(clip.ulaw, time.monotonic())
            for start in range(0, len(clip.ulaw), SEND_FRAME_BYTES):
                payload = base64.b64encode(clip.ulaw[start : start + SEND_FRAME_BYTES]).decode("ascii")
                self._send({"event": "media", "media": {"payload": payload}})
            self.marks += 1
            name = f"{self.turn}:{self.marks}:{clip.key}"
            self._send({"event": "mark", "mark": {"name": name}})
            names.add(name)
        return names

    def _clear(self) -> None:
        """Stop playback at once (barge-in); Twilio sends back the marks of what it dropped."""
        if self.now is not None and self.now.outstanding:
            self._send({"event": "clear"})
            self.echo.cleared(time.monotonic())
            self.now.outstanding.clear()
            self.now.idle_frames = 0

    # --- the call -----------------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            self._start()
            while True:
                raw = self.ws.receive(timeout=RECEIVE_TIMEOUT_SECONDS)
                if raw is None:
                    log.warning("call %s: the media stream went quiet; closing it", self.call_sid)
                    return
                message = json.loads(raw)
                event = message.get("event")
                if event == "media":
                    self._on_media(message.get("media", {}))
                elif event == "dtmf":
                    self._on_key(str(message.get("dtmf", {}).get("digit", "")))
                elif event == "mark":
                    self._on_mark(str(message.get("mark", {}).get("name", "")))
                elif event == "stop":
                    return
                if self.handed_off:
                    return
        except StreamRefused as exc:
            log.warning("media stream refused: %s", exc)
        except ConnectionClosed:
            log.info("call %s: media stream closed by Twilio", self.call_sid)
        except (ValueError, binascii.Error) as exc:
            log.warning("call %s: bad media stream message: %s", self.call_sid, exc)
        finally:
            with contextlib.suppress(ConnectionClosed):  # Twilio may have closed it first (a hang-up)
                self.ws.close()

    def _start(self) -> None:
        """`connected` then `start`: check the token Twilio hands back, then play the current turn."""
        while True:
            raw = self.ws.receive(timeout=RECEIVE_TIMEOUT_SECONDS)
            if raw is None:
                raise StreamRefused("no start message")
            message = json.loads(raw)
            if message.get("event") == "connected":
                continue
            if message.get("event") != "start":
                raise StreamRefused(f"expected start, got {message.get('event')!r}")
            break
        start = message.get("start", {})
        self.call_sid = str(start.get("callSid", ""))
        self.stream_sid = str(start.get("streamSid") or message.get("streamSid", ""))
        token = str((start.get("customParameters") or {}).get("token", ""))
        if start.get("accountSid") != self.hl.settings.twilio_account_sid:
            raise StreamRefused("another account's stream")
        if not self.call_sid or not token_is_valid(self.hl.settings, self.call_sid, token):
            raise StreamRefused(f"bad token for call {self.call_sid!r}")
        media = start.get("mediaFormat") or {}
        if media and (media.get("encoding") != "audio/x-mulaw" or int(media.get("sampleRate", 0)) != mulaw.RATE):
            raise StreamRefused(f"unexpected media format {media}")
        call = streamed_call(self.hl, self.call_sid)
        if call is None:
            raise StreamRefused(f"no call {self.call_sid}")
        self.from_phone, self.locale, self.turn = call.from_phone, call.locale, call.turn
        self._begin(call.play)

    def _begin(self, play: Playable | None) -> None:
        """Play a turn's prompts and listen; a turn the stream cannot play ends the stream (TwiML takes over)."""
        if play is None:
            self._hand_off()
            return
        try:
            clips, question = render(self.hl, play)
        except NoAudio as exc:
            log.warning("call %s: %s; carrying on by TwiML", self.call_sid, exc)
            self._hand_off()
            return
        self.locale = play.render.locale
        pause = question.pause_seconds
        timing = VadTiming(
            start_seconds=self.hl.settings.stream_speech_start_seconds,
            pause_seconds=min(pause, self.hl.settings.stream_pause_seconds),
            max_seconds=question.max_speech_seconds or 1.0,
            aggressiveness=self.hl.settings.stream_vad_aggressiveness,
        )
        phrases = None
        if question.listen is not None:
            # Free recognition, except the phrase list for yes/no answers (checked against the free decoding).
            phrases = phrases_for(question.listen, self.locale, free_open_answers=True)
        self.now = Listening(question, SpeechDetector(timing), phrases)
        self.now.outstanding = self._play(clips)

    def _hand_off(self) -> None:
        self.handed_off = True
        self.now = None

    def _take(self, hook: Webhook) -> None:
        self.now = None
        started = time.monotonic()
        try:
            result: TurnResult = take_turn(self.hl, hook)
        except Exception:  # the caller must not meet silence: TwiML (resume) apologises or carries on
            log.exception("call %s: stream turn failed; carrying on by TwiML", self.call_sid)
            self._hand_off()
            return
        log.info("call %s: stream turn %s in %.0f ms", self.call_sid, result.turn, (time.monotonic() - started) * 1e3)
        if result.turn is None:
            self._hand_off()
            return
        self.turn = result.turn
        self._begin(result.play)

    def _hook(self, via: str, digits: str = "", **speech: Any) -> Webhook:
        return Webhook(
            Hook.ANSWER,
            self.call_sid,
            self.from_phone,
            f"stream:{self.turn}:{via}:{digits}",
            turn=self.turn,
            via=via,
            digits=digits,
            on_stream=True,
            **speech,
        )

    # --- what the caller does -------------------------------------------------------------------------------
    def _on_media(self, media: dict[str, Any]) -> None:
        now = self.now
        if now is None:
            return
        pcm = mulaw.decode(base64.b64decode(media.get("payload", "")))
        # While our prompt plays (and its echo may come back), only a caller louder than that echo is speech.
        event = now.detector.feed(pcm, self.echo.floor(time.monotonic()))
        if now.question.listen is None:  # keys only: speech is not an answer here
            self._count_idle(now)
            return
        if event is VadEvent.STARTED:
            self._clear()  # barge-in: the caller speaks over the prompt
            now.speech = self._open_speech(now.question.listen)
            for frame in now.detector.preroll:
                if now.speech is not None:
                    now.speech.feed(frame)
            return
        if now.detector.speaking:
            # The decoder needs a little silence after the last word, not the whole pause allowance: the rest
            # would cost decoding time while the caller is silent (and delay the transcript on a busy machine).
            if now.speech is not None and now.detector.trailing_silence_seconds <= DECODE_TRAILING_SECONDS:
                now.speech.feed(pcm)
            return
        if event in (VadEvent.ENDED, VadEvent.TOO_LONG):
            self._answer(now)
            return
        self._count_idle(now)

    def _count_idle(self, now: Listening) -> None:
        if now.outstanding:
            return
        now.idle_frames += 1
        if now.idle_frames * FRAME_SECONDS >= now.question.no_input_seconds:
            self._take(self._hook("silence"))

    def _open_speech(self, kind: ListenKind) -> Any:
        if not self.hl.recognizer.has_model(self.locale):
            return None
        return self.hl.recognizer.stream(self.locale, self.now.phrases if self.now is not None else None)

    def _answer(self, now: Listening) -> None:
        if now.speech is None:  # no model for this language: heard, not understood (as on the <Record> path)
            self._take(self._hook("stream", streamed=Transcript("", 0.0)))
            return
        transcript = now.speech.finish()
        self._take(self._hook("stream", streamed=transcript, streamed_wav=now.speech.wav()))

    def _on_key(self, digit: str) -> None:
        now = self.now
        if now is None or len(digit) != 1 or not (digit.isdigit() or digit in "*#"):
            return
        self._clear()  # a key over a prompt stops it, as <Gather> does
        self._take(self._hook("keys", digit))

    def _on_mark(self, name: str) -> None:
        if self.now is not None and name in self.now.outstanding:
            self.now.outstanding.discard(name)
            if not self.now.outstanding:
                self.now.idle_frames = 0  # the prompts have played: the wait for an answer starts now
