"""The stand-in's outbound calls: Twilio's side of a call we place, driven over signed HTTP by a number plan.

After `calls.create` the stand-in plays the phone network and the callee: it posts the status callbacks
(initiated, ringing, answered, completed) and, when the plan says someone picks up, fetches our answer URL
with AnsweredBy and follows the TwiML (simulator.twiml_follow) as Twilio would: keys pressed into a
<Gather>, a recording posted after <Record>, silence running the no-input path, a <Dial> answered.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from twilio.request_validator import RequestValidator

from simulator.twiml_follow import PromptKind, Step, WaitKind, local_path, parse, step

log = logging.getLogger(__name__)

# Twilio's AnsweredBy when a machine's greeting ended at its beep (MachineDetection=DetectMessageEnd).
MACHINE_ANSWERED_BY = "machine_end_beep"
# A followed call never takes more turns than this (a loop in our TwiML must not spin forever).
MAX_TURNS = 30
HTTP_TIMEOUT_SECONDS = 20
# Twilio's default Timeout of calls.create (seconds it lets a number ring); the dialer sends its own.
DEFAULT_RING_SECONDS = 60
# A browser simulator page that asked about its number this recently is "at the phone": calls to that number
# ring there instead of following the number plan (the page asks every second or two).
PAGE_LISTENS_SECONDS = 10.0
# An answered page call left open (a closed tab) ends after this long, as Twilio's time limit would end it.
PAGE_CALL_LIMIT_SECONDS = 1800


class Pickup(StrEnum):
    """What happens at the callee's end."""

    ANSWER = "answer"  # a person answers and gives `answers` in turn
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    MACHINE = "machine"  # voicemail: our answer URL hears AnsweredBy=machine_end_beep
    FAIL = "failed"  # the carrier could not place it
    HANG_UP = "hang-up"  # a person answers and hangs up while the message plays


@dataclass(frozen=True)
class Callee:
    """One number's behaviour. `answers`: one per question asked, in order: a string is keys pressed, bytes a
    WAV said after the beep; once they run out the callee stays silent."""

    pickup: Pickup = Pickup.ANSWER
    answers: tuple[str | bytes, ...] = ()


@dataclass
class PlacedCall:
    """A call as the stand-in knows it (what GET Calls returns) and what happened on it."""

    sid: str
    to: str
    from_: str
    url: str
    status_callback: str
    events: tuple[str, ...]
    machine_detection: str
    created: datetime
    ring_seconds: int = DEFAULT_RING_SECONDS
    status: str = "queued"
    answered_by: str = ""
    heard: list[str] = field(default_factory=list)  # every sentence the callee heard
    posts: list[tuple[str, int]] = field(default_factory=list)  # (path, HTTP status) of every webhook posted
    done: threading.Event = field(default_factory=threading.Event)
    # A call to a number a simulator page is at: the page's answer (True), decline (False), its hang-up.
    picked: threading.Event = field(default_factory=threading.Event)
    page_answer: bool | None = None
    hung_up: threading.Event = field(default_factory=threading.Event)
    at_page: bool = False

    def resource(self, account_sid: str) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "direction": "outbound-api",
            "answered_by": self.answered_by or None,
            "date_created": format_datetime(self.created, True),
        }


class CallNetwork:
    """Places calls and drives them; the stand-in's HTTP handlers call `create`, `list` and `get`."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.plan: dict[str, Callee] = {}
        self.default = Callee()
        self.calls: list[PlacedCall] = []
        # Our public base URL -> where the app really listens (tests serve it on 127.0.0.1).
        self.routes: dict[str, str] = {}
        self.drive = True  # False: calls are only recorded (a test drives nothing)
        self.record_wav: Callable[[bytes], str] | None = None  # stores a said WAV; returns its RecordingUrl
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pages: dict[str, float] = {}  # number -> when a simulator page last asked about it (monotonic)

    # --- REST side ---------------------------------------------------------------------------------------------
    def create(self, form: dict[str, Any], events: list[str]) -> PlacedCall:
        call = PlacedCall(
            sid=f"CA{next(self._ids):032x}",
            to=form.get("To", ""),
            from_=form.get("From", ""),
            url=form.get("Url", ""),
            status_callback=form.get("StatusCallback", ""),
            events=tuple(events),
            machine_detection=form.get("MachineDetection", ""),
            created=datetime.now(UTC),
            ring_seconds=_seconds(form.get("Timeout"), DEFAULT_RING_SECONDS),
        )
        with self._lock:
            self.calls.append(call)
        if self.drive:
            threading.Thread(target=self._run, args=(call,), daemon=True, name=f"standin-{call.sid[:10]}").start()
        else:
            call.done.set()
        return call

    def find(self, to: str | None, from_: str | None) -> list[PlacedCall]:
        with self._lock:
            return [
                c for c in reversed(self.calls) if (to is None or c.to == to) and (from_ is None or c.from_ == from_)
            ]

    def get(self, sid: str) -> PlacedCall | None:
        with self._lock:
            return next((c for c in self.calls if c.sid == sid), None)

    def calls_to(self, to: str) -> list[PlacedCall]:
        with self._lock:
            return [c for c in self.calls if c.to == to]

    def wait_all(self, timeout: float = 20.0) -> bool:
        """Wait until every call placed so far has ended (tests)."""
        with self._lock:
            pending = list(self.calls)
        return all(call.done.wait(timeout) for call in pending)

    # --- a simulator page as the callee ---------------------------------------------------------------------------
    def ringing_at(self, phone: str) -> list[PlacedCall]:
        """A simulator page is at `phone` (and stays so while it keeps asking): the calls ringing it now."""
        with self._lock:
            self._pages[phone] = time.monotonic()
            return [c for c in self.calls if c.to == phone and c.at_page and not c.picked.is_set()]

    def page_listens(self, phone: str) -> bool:
        with self._lock:
            seen = self._pages.get(phone)
        return seen is not None and time.monotonic() - seen < PAGE_LISTENS_SECONDS

    def pick_up(self, sid: str, *, answer: bool) -> PlacedCall | None:
        """The page answers or declines a ringing call. Answered: the "answered" status callback is posted
        before this returns, so the page fetches the answer URL after it, as Twilio does. None: not ringing."""
        with self._lock:
            call = next((c for c in self.calls if c.sid == sid and c.at_page and not c.picked.is_set()), None)
            if call is None:
                return None
            call.page_answer = answer
            if answer:
                call.answered_by = "human"
            call.picked.set()
        if answer:
            self._status(call, "in-progress", "answered")
        return call

    def hang_up(self, sid: str) -> PlacedCall | None:
        """The page's call ended (either side hung up): the completed status callback, once."""
        with self._lock:
            call = next((c for c in self.calls if c.sid == sid and c.at_page and c.page_answer), None)
            if call is None or call.hung_up.is_set():
                return call
            call.hung_up.set()
        self._status(call, "completed", "completed", CallDuration="30")
        call.done.set()
        return call

    def _ring_page(self, call: PlacedCall) -> None:
        """Ring the page: answered, declined (no-answer, as a phone that rejects a call reports it here), or
        not picked up within the call's Timeout (no-answer)."""
        if not call.picked.wait(call.ring_seconds):
            with self._lock:
                if not call.picked.is_set():
                    call.picked.set()
                    call.page_answer = None
        if not call.page_answer:
            self._status(call, "no-answer", "completed")
            return
        if not call.hung_up.wait(PAGE_CALL_LIMIT_SECONDS):
            self.hang_up(call.sid)

    # --- the network and the callee ----------------------------------------------------------------------------
    def _post(self, call: PlacedCall, url: str, params: dict[str, str]) -> requests.Response | None:
        """POST a webhook to our app, signed for its public URL, as Twilio does."""
        target = url
        for public, local in self.routes.items():
            if url.startswith(public):
                target = local + url[len(public) :]
                break
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        try:
            response = requests.post(
                target, data=params, headers={"X-Twilio-Signature": signature}, timeout=HTTP_TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            log.warning("stand-in could not post %s: %s", url, exc)
            with self._lock:
                call.posts.append((urlsplit(url).path, 0))
            return None
        with self._lock:
            call.posts.append((urlsplit(url).path, response.status_code))
        return response

    def _params(self, call: PlacedCall, status: str, **extra: str) -> dict[str, str]:
        params = {
            "AccountSid": self.account_sid,
            "CallSid": call.sid,
            "From": call.from_,
            "To": call.to,
            "CallStatus": status,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
        }
        if call.machine_detection and call.answered_by:
            params["AnsweredBy"] = call.answered_by
        params.update(extra)
        return params

    def _status(self, call: PlacedCall, status: str, event: str, **extra: str) -> None:
        call.status = status
        if call.status_callback and (event in call.events or event == "completed"):
            self._post(
                call, call.status_callback, self._params(call, status, CallbackSource="call-progress-events", **extra)
            )

    def _run(self, call: PlacedCall) -> None:
        try:
            self._drive(call)
        except Exception:
            log.exception("stand-in call %s failed", call.sid)
        finally:
            call.done.set()

    def _drive(self, call: PlacedCall) -> None:
        callee = self.plan.get(call.to, self.default)
        self._status(call, "initiated", "initiated")
        if callee.pickup is Pickup.FAIL:
            self._status(call, "failed", "completed")
            return
        if self.page_listens(call.to):
            self._status(call, "ringing", "ringing")
            call.at_page = True  # the page sees it once the ringing callback is in
            self._ring_page(call)
            return
        self._status(call, "ringing", "ringing")
        if callee.pickup in (Pickup.NO_ANSWER, Pickup.BUSY):
            self._status(call, callee.pickup.value, "completed")
            return
        call.answered_by = MACHINE_ANSWERED_BY if callee.pickup is Pickup.MACHINE else "human"
        self._status(call, "in-progress", "answered")
        self._follow(call, callee)
        self._status(call, "completed", "completed", CallDuration="30")

    def _follow(self, call: PlacedCall, callee: Callee) -> None:
        """Fetch the answer URL and follow the TwiML until the call ends."""
        public = "{0.scheme}://{0.netloc}".format(urlsplit(call.url))
        answers = list(callee.answers)
        url: str | None = call.url
        params = self._params(call, "in-progress")
        for _ in range(MAX_TURNS):
            assert url is not None
            response = self._post(call, url, params)
            if response is None or response.status_code != 200:
                return
            current = step(parse(response.content))
            self._hear(call, current)
            if callee.pickup is Pickup.HANG_UP:
                return
            url, params = self._next(call, public, url, current, answers)
            if url is None:
                return

    def _hear(self, call: PlacedCall, current: Step) -> None:
        for prompt in current.prompts:
            if prompt.kind is PromptKind.SAY:
                call.heard.append(prompt.text)
            elif prompt.kind is PromptKind.PLAY:
                call.heard.append(f"[play {prompt.url}]")

    def _next(
        self, call: PlacedCall, public: str, url: str, current: Step, answers: list[str | bytes]
    ) -> tuple[str | None, dict[str, str]]:
        """Where the call goes after this document, and what is posted there."""
        base = self._params(call, "in-progress")
        if current.end is not None:
            return None, base
        if current.redirect is not None:
            return public + local_path(public, url, current.redirect), base
        wait = current.wait
        assert wait is not None
        action = public + local_path(public, url, wait.action)
        if wait.kind is WaitKind.DIAL:
            return action, {**base, "DialCallStatus": "completed", "DialCallDuration": "20"}
        answer = answers[0] if answers else None
        if wait.kind is WaitKind.KEYS:
            if isinstance(answer, str):
                answers.pop(0)
                return action, {**base, "Digits": answer}
            return self._no_input(call, public, url, current, answers)
        # <Record>: a said answer is stored and posted; keys end the recording and are posted as Digits.
        if isinstance(answer, bytes) and self.record_wav is not None:
            answers.pop(0)
            return action, {**base, "RecordingUrl": self.record_wav(answer), "RecordingDuration": "2"}
        if isinstance(answer, str):
            answers.pop(0)
            return action, {**base, "Digits": answer}
        return self._no_input(call, public, url, current, answers)

    def _no_input(
        self, call: PlacedCall, public: str, url: str, current: Step, answers: list[str | bytes]
    ) -> tuple[str | None, dict[str, str]]:
        """Nothing pressed or said: Twilio runs the verbs after the <Gather> or <Record>."""
        rest = step(parse(current.rest))
        self._hear(call, rest)
        return self._next(call, public, url, rest, answers)


def _seconds(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdecimal() else default
