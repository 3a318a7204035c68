"""The one call emulator: Twilio's side of a phone call to the hotline, for simulate-call, the page and tests.

A `PhoneCall` posts signed webhooks to the real voice routes of an app (through Flask's test client), reads
each answer with the TwiML follower as Twilio would (prompts, then a wait, a redirect, a dial or the end),
and takes the caller's actions: keys, speech, silence, how a transfer went, hanging up. Speech is stored as a
WAV at the Twilio stand-in the app is configured with, so the voice webhook downloads it exactly as it
downloads a real caller's recording.
"""

from __future__ import annotations

import io
import logging
import secrets
import socket
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import soundfile
from flask import Flask
from sqlalchemy import select

from care.models import CallState, ServiceRequest
from care.settings import Settings
from prompts import audio_processing
from simulator.twilio_standin import CONTROL_PAGE_CALLS, CONTROL_RECORDINGS, CONTROL_RINGING, TwilioStandIn
from simulator.twiml_follow import BadTwiml, ForeignUrl, Prompt, Step, Wait, WaitKind, local_path, parse, step
from web.context import EXTENSION_KEY, Hearthline
from web.webhooks import sign

log = logging.getLogger(__name__)

API_VERSION = "2010-04-01"
PHONE_RATE = 8000  # Twilio <Record> gives 8 kHz 16-bit mono WAV
# A call that keeps redirecting without ever asking the caller anything is a bug; stop it rather than spin.
MAX_HOPS = 10
# What a <Record> holds when the caller presses a key straight away: a moment of line silence.
KEY_RECORDING_SECONDS = 0.3
STANDIN_TIMEOUT_SECONDS = 5
DIAL_STATUSES = frozenset({"completed", "no-answer", "busy", "failed"})


class NotWaiting(RuntimeError):
    """The call is not waiting for that input now (ended, ringing someone, or not listening for speech)."""


class NoStandIn(RuntimeError):
    """Speech needs a local Twilio stand-in at twilio_api_base, and that is not a local address."""


class StandInDown(NoStandIn):
    """The local Twilio stand-in did not take the recording (the message says why)."""


class Event(StrEnum):
    """What happened on the call, in order (the page shows each as a line of its call log)."""

    CALLING = "calling"
    ANSWERED = "answered"  # the person answered a call the hotline placed to them
    HEARD = "heard"
    HTTP_ERROR = "http_error"
    DIALLING = "dialling"
    ENDED = "ended"
    PRESSED = "pressed"
    SAID = "said"
    RECORDED = "recorded"
    SILENCE = "silence"
    DIAL_RESULT = "dial_result"
    HUNG_UP = "hung_up"


class Failure(StrEnum):
    """Why the emulator had to end a call itself."""

    WEBHOOK_FAILED = "webhook_failed"
    BAD_TWIML = "bad_twiml"
    FOREIGN_URL = "foreign_url"
    TOO_MANY_REDIRECTS = "too_many_redirects"


# (path, form, method) -> (HTTP status, body): one signed webhook delivered to the app.
Transport = Callable[[str, dict[str, str], str], tuple[int, str]]


@dataclass(frozen=True)
class LogLine:
    event: Event
    params: tuple[tuple[str, str], ...] = ()
    by_caller: bool = False


@dataclass(frozen=True)
class Answer:
    """One webhook answer: where it was posted, its TwiML, and the turn as the voice routes recorded it."""

    path: str
    twiml: str
    last: dict[str, Any]  # CallState.state["last"]: what was spoken and heard in this turn
    phase: str | None  # the dialogue's phase after it


@dataclass(frozen=True)
class Progress:
    """What one action of the caller led to: the answers, the prompts they play, and what the call waits for."""

    answers: tuple[Answer, ...]
    prompts: tuple[Prompt, ...]
    wait: Wait | None
    ended: bool
    failure: Failure | None = None
    detail: str = ""  # the status code, or the follower's complaint, behind `failure`


@dataclass
class PhoneCall:
    """A call as Twilio would place it: what Twilio remembers between webhooks, and the caller's actions.

    `only_under`: a redirect to a path outside it ends the emulated call there (simulate-call stays on the
    caller's line; the page follows any of our own addresses, the staff recording line included).
    """

    app: Flask
    caller: str
    sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    only_under: str = "/"
    called: str = ""
    document: str = ""  # URL of the TwiML being run (relative actions resolve against it)
    wait: Wait | None = None
    rest: str = ""  # the verbs after the wait: what Twilio runs on no input
    ended: bool = False
    log: list[LogLine] = field(default_factory=list)
    # How a webhook reaches the app: Flask's test client by default; the load bench posts over HTTP to servers
    # in other processes instead, and then reads nothing of the call's state from the database (`read_state`).
    transport: Transport | None = None
    read_state: bool = True
    # A call the hotline placed to `caller` (the dialer's calls.create, rung at the browser page): the path of
    # its answer URL. The stand-in that placed it posts its status callbacks; the hang-up is reported to it.
    answer_path: str = ""
    _reported_end: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.hl: Hearthline = self.app.extensions[EXTENSION_KEY]
        self.called = self.called or self.hl.settings.hotline_number

    @property
    def settings(self) -> Settings:
        return self.hl.settings

    # --- the caller's actions -------------------------------------------------------------------------------
    @property
    def outbound(self) -> bool:
        return bool(self.answer_path)

    def start(self) -> Progress:
        """Ring the hotline, or (outbound) answer the hotline's call: Twilio fetches the answer URL."""
        if self.outbound:
            self._note(Event.ANSWERED, by_caller=True, number=self.called)
            return self._run(None, self.answer_path, {"AnsweredBy": "human"})
        self._note(Event.CALLING, number=self.called)
        return self._run(None, "/voice/incoming", {"CallStatus": "ringing"})

    def press(self, digits: str) -> Progress:
        """Keys while the call waits for keys, or a key that ends a recording."""
        wait = self._waiting()
        if not digits:
            raise ValueError("no digits")
        if wait.kind is WaitKind.DIAL or (wait.kind is WaitKind.RECORD and digits[0] not in wait.finish_on_key):
            raise NotWaiting("keys go nowhere now")
        path = self._action(wait)
        self._note(Event.PRESSED, by_caller=True, digits=digits)
        self.wait = None
        if wait.kind is WaitKind.KEYS:
            finish = wait.finish_on_key
            params = {"Digits": digits.rstrip(finish) if finish else digits}
            if finish and digits.endswith(finish):
                params["FinishedOnKey"] = finish
            return self._run(None, path, params)
        # A key ends a <Record> at once; Twilio posts the action with the key (and the near-empty recording).
        params = {"Digits": digits[0], "RecordingDuration": "0"}
        try:
            url = store_recording(self.settings, silent_wav(KEY_RECORDING_SECONDS))
            params.update({"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1]})
        except NoStandIn:
            pass
        return self._run(None, path, params)

    @property
    def listening(self) -> bool:
        """Whether speech is taken now: a <Record>, or one that follows a key window the caller lets pass."""
        wait = self.wait
        return not self.ended and wait is not None and (wait.kind is WaitKind.RECORD or self._record_next() is not None)

    def speak(self, wav: bytes, *, text: str = "") -> Progress:
        """The caller speaks `wav` (8 kHz mono 16-bit); where only keys are listened for, it is no input."""
        self._waiting()
        if not self.listening:
            self._note(Event.SAID if text else Event.RECORDED, by_caller=True, **({"text": text} if text else {}))
            return self._no_input()
        following = self._record_next()
        if following is not None:
            # The caller let the key window pass in silence and spoke after the beep.
            self.wait, self.rest = following.wait, following.rest
        assert self.wait is not None
        url = store_recording(self.settings, wav)
        path = self._action(self.wait)
        self._note(Event.SAID if text else Event.RECORDED, by_caller=True, **({"text": text} if text else {}))
        self.wait = None
        params = {"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1], "RecordingDuration": str(seconds(wav))}
        return self._run(None, path, params)

    def silence(self) -> Progress:
        """The caller gives no input: Twilio runs the verbs after the wait, or posts an empty result."""
        wait = self._waiting()
        if wait.kind is WaitKind.DIAL:
            return self.dial("no-answer")
        if wait.kind is WaitKind.KEYS and wait.action_on_empty_result:
            path = self._action(wait)
            self.wait = None
            return self._run(None, path, {"Digits": ""})
        self._note(Event.SILENCE, by_caller=True)
        return self._no_input()

    def dial(self, status: str) -> Progress:
        """How the transfer went (the person at the simulator plays the staff member who answers, or not)."""
        wait = self._waiting()
        if wait.kind is not WaitKind.DIAL:
            raise NotWaiting("nobody is being dialled")
        status = status if status in DIAL_STATUSES else "no-answer"
        self._note(Event.DIAL_RESULT, status=status)
        self.wait = None
        if wait.action is None:
            return self._run(step(parse(self.rest)), None, {})
        duration = "60" if status == "completed" else "0"
        return self._run(None, self._action(wait), {"DialCallStatus": status, "DialCallDuration": duration})

    def stream_ended(self) -> Progress:
        """The <Connect><Stream> ended (the app closed it, or it dropped): Twilio requests Connect's action, or
        runs the verbs after it."""
        wait = self._waiting()
        if wait.kind is not WaitKind.STREAM:
            raise NotWaiting("no media stream is open")
        self.wait = None
        if wait.action is None:
            return self._run(step(parse(self.rest)), None, {})
        return self._run(None, self._action(wait), {})

    def hang_up(self) -> Progress:
        self.ended, self.wait = True, None
        self._note(Event.HUNG_UP, by_caller=True)
        if self.outbound:
            self._report_end()
            return Progress((), (), None, True)
        # Twilio's call status callback (the number's "call status changes" URL): the hotline acts on a hang-up.
        deliver(self.app, "/voice/status", {**self._params("completed"), "CallDuration": "30"}, "POST")
        return Progress((), (), None, True)

    def requests(self) -> list[dict[str, Any]]:
        """The service requests this call created, as simulate-call prints them."""
        with self.hl.db.sessions() as session:
            rows = session.scalars(
                select(ServiceRequest)
                .where(ServiceRequest.source_key.like(f"call:{self.sid}:%"))
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
                    "audio_kept": r.audio_path is not None,
                }
                for r in rows
            ]

    # --- following the call ----------------------------------------------------------------------------------
    def _waiting(self) -> Wait:
        if self.ended or self.wait is None:
            raise NotWaiting("the call is not waiting for the caller")
        return self.wait

    def _note(self, event: Event, *, by_caller: bool = False, **params: object) -> None:
        self.log.append(LogLine(event, tuple((k, str(v)) for k, v in params.items()), by_caller))

    def _action(self, wait: Wait) -> str:
        try:
            return local_path(self.settings.public_base_url, self.document, wait.action)
        except ForeignUrl as exc:
            raise NotWaiting(str(exc)) from exc

    def _no_input(self) -> Progress:
        self.wait = None
        return self._run(step(parse(self.rest)), None, {})

    def _record_next(self) -> Step | None:
        """The <Record> that runs when a key-only <Gather> gets no key (a Listen turn), if that is what is next."""
        wait = self.wait
        if wait is None or wait.kind is not WaitKind.KEYS or wait.action_on_empty_result or not self.rest:
            return None
        following = step(parse(self.rest))
        if following.prompts or following.wait is None or following.wait.kind is not WaitKind.RECORD:
            return None
        return following

    def _report_end(self) -> None:
        """The hotline's call to this page ended: the stand-in that placed it posts the completed callback."""
        if self._reported_end:
            return
        self._reported_end = True
        try:
            page_call(self.settings, self.sid, "hangup")
        except NoStandIn as exc:  # the call's status is then settled by the dialer's lookup
            log.warning("could not report the end of call %s: %s", self.sid, exc)

    def _params(self, status: str = "in-progress") -> dict[str, str]:
        if self.outbound:  # Twilio's webhooks of a call we placed: from the hotline to the callee
            sender, to, direction = self.called, self.caller, "outbound-api"
        else:
            sender, to, direction = self.caller, self.called, "inbound"
        return {
            "AccountSid": self.settings.twilio_account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": self.sid,
            "CallStatus": status,
            "Direction": direction,
            "From": sender,
            "To": to,
            "Caller": sender,
            "Called": to,
        }

    def _answer(self, path: str, twiml: str) -> Answer:
        if not self.read_state:
            return Answer(path, twiml, {}, None)
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.sid)
            state = row.state if row is not None and isinstance(row.state, dict) else {}
        last = state.get("last", {})
        dialog = state.get("dialog", {})
        phase = dialog.get("phase") if isinstance(dialog, dict) else None
        return Answer(path, twiml, dict(last) if isinstance(last, dict) else {}, None if phase is None else str(phase))

    def _run(self, first: Step | None, path: str | None, params: dict[str, str]) -> Progress:
        """Follow the call from a webhook (or from the verbs left after a wait) until it waits or ends."""
        answers: list[Answer] = []
        prompts: list[Prompt] = []
        current = first
        method = "POST"

        def ended(failure: Failure | None = None, detail: str = "") -> Progress:
            self.ended, self.wait = True, None
            if self.outbound:
                self._report_end()
            return Progress(tuple(answers), tuple(prompts), None, True, failure, detail)

        for _ in range(MAX_HOPS):
            if current is None:
                assert path is not None
                send = self.transport or (lambda *webhook: deliver(self.app, *webhook))
                status, body = send(path, {**self._params(), **params}, method)
                self.document = self.settings.public_base_url.rstrip("/") + path
                if status != 200:
                    self._note(Event.HTTP_ERROR, status=status, path=path.split("?")[0])
                    return ended(Failure.WEBHOOK_FAILED, str(status))
                try:
                    current = step(parse(body))
                except BadTwiml as exc:
                    return ended(Failure.BAD_TWIML, str(exc))
                answers.append(self._answer(path, body))
                heard = answers[-1].last.get("heard") or {}
                if isinstance(heard, dict) and heard.get("source") == "speech" and heard.get("text"):
                    self._note(Event.HEARD, text=heard["text"])
            prompts.extend(current.prompts)
            if current.redirect is not None:
                try:
                    path = local_path(self.settings.public_base_url, self.document, current.redirect)
                except ForeignUrl as exc:
                    return ended(Failure.FOREIGN_URL, str(exc))
                if not path.startswith(self.only_under):
                    return ended()
                method, params, current = current.redirect_method, {}, None
                continue
            if current.wait is not None:
                self.wait, self.rest = current.wait, current.rest
                if current.wait.kind is WaitKind.DIAL:
                    self._note(Event.DIALLING, number=current.wait.number)
                return Progress(tuple(answers), tuple(prompts), self.wait, False)
            self._note(Event.ENDED)
            return ended()
        return ended(Failure.TOO_MANY_REDIRECTS)


def deliver(app: Flask, path: str, params: dict[str, str], method: str = "POST") -> tuple[int, str]:
    """Send a signed webhook to `app`, as Twilio would; return (status, body)."""
    settings: Settings = app.extensions[EXTENSION_KEY].settings
    client = app.test_client()
    if method == "GET":
        full = path + ("&" if "?" in path else "?") + urlencode(params)
        response = client.get(full, headers={"X-Twilio-Signature": sign(settings, full, {})})
    else:
        response = client.post(path, data=params, headers={"X-Twilio-Signature": sign(settings, path, params)})
    return response.status_code, response.get_data(as_text=True)


# --- audio ------------------------------------------------------------------------------------------------------
def to_phone_wav(wav: bytes) -> bytes:
    """Any WAV as a phone line carries it: 8 kHz, mono, 16-bit (the same conversion staff uploads get)."""
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    return audio_processing.to_phone_wav(data.mean(axis=1), rate)


def silent_wav(length: float) -> bytes:
    """A WAV of silence at the phone line's 8 kHz, 16-bit mono."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PHONE_RATE)
        wav.writeframes(b"\x00\x00" * int(PHONE_RATE * length))
    return out.getvalue()


def seconds(wav: bytes) -> int:
    """A recording's length in whole seconds, as Twilio reports RecordingDuration (at least 1)."""
    try:
        with wave.open(io.BytesIO(wav)) as reader:
            return max(1, round(reader.getnframes() / reader.getframerate()))
    except (wave.Error, EOFError, ZeroDivisionError):
        return 1


# --- the Twilio stand-in that holds recordings -------------------------------------------------------------------
_standins: dict[str, TwilioStandIn] = {}
_lock = threading.Lock()


def local_port(settings: Settings) -> int | None:
    """The port of twilio_api_base when it is a local stand-in address (http on this machine), else None."""
    parts = urlsplit(settings.twilio_api_base)
    if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "localhost"} or parts.port is None:
        return None
    return parts.port


def speech_available(settings: Settings) -> bool:
    """Spoken answers need a stand-in at twilio_api_base (never real Twilio: it cannot take our uploads).

    When none answers at a local address, one is started there (the development server's first page load).
    """
    port = local_port(settings)
    if port is None:
        return False
    with _lock:
        if settings.twilio_api_base in _standins:
            return True
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True  # one is running already (the tests', or one started by another worker)
        except OSError:
            pass
        standin = TwilioStandIn(settings.twilio_account_sid, settings.twilio_auth_token)
        try:
            standin.start(port)
        except OSError as exc:
            log.warning("cannot start the Twilio stand-in on port %s: %s", port, exc)
            return False
        _standins[settings.twilio_api_base] = standin
        log.info("simulator: Twilio stand-in serving on %s", settings.twilio_api_base)
        return True


def stop_standins() -> None:
    """Stop the stand-ins this process started (tests do; a development server simply exits)."""
    with _lock:
        for standin in _standins.values():
            standin.stop()
        _standins.clear()


def store_recording(settings: Settings, wav: bytes) -> str:
    """Store a caller's WAV at the stand-in, as Twilio stores a <Record>ing; return its RecordingUrl."""
    if not speech_available(settings):
        raise NoStandIn("no local Twilio stand-in at twilio_api_base")
    try:
        response = requests.post(
            settings.twilio_api_base.rstrip("/") + CONTROL_RECORDINGS,
            data=wav,
            auth=(settings.twilio_account_sid, settings.twilio_auth_token),
            timeout=STANDIN_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise StandInDown(str(exc)) from exc
    if response.status_code != 201:
        raise StandInDown(f"HTTP {response.status_code}")
    return str(response.json()["recording_url"])


# --- a call the hotline places to a browser page ----------------------------------------------------------------
def _control(settings: Settings, method: str, path: str, **kwargs: Any) -> requests.Response:
    if local_port(settings) is None:
        raise NoStandIn("no local Twilio stand-in at twilio_api_base")
    try:
        return requests.request(
            method,
            settings.twilio_api_base.rstrip("/") + path,
            auth=(settings.twilio_account_sid, settings.twilio_auth_token),
            timeout=STANDIN_TIMEOUT_SECONDS,
            **kwargs,
        )
    except requests.RequestException as exc:
        raise StandInDown(str(exc)) from exc


def ringing_calls(settings: Settings, phone: str) -> list[dict[str, str]]:
    """The hotline's calls ringing `phone` now (sid, from, url); asking also puts the page at that number."""
    if not speech_available(settings):
        raise NoStandIn("no local Twilio stand-in at twilio_api_base")
    response = _control(settings, "GET", CONTROL_RINGING, params={"To": phone})
    if response.status_code != 200:
        raise StandInDown(f"HTTP {response.status_code}")
    return [dict(c) for c in response.json()["calls"]]


def page_call(settings: Settings, sid: str, action: str) -> dict[str, str] | None:
    """Answer, decline or hang up (`action`) a call to the page; None when it is not ringing (or not ours)."""
    response = _control(settings, "POST", f"{CONTROL_PAGE_CALLS}{sid}/{action}")
    if response.status_code == 409:
        return None
    if response.status_code != 200:
        raise StandInDown(f"HTTP {response.status_code}")
    return dict(response.json())
