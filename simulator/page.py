"""The browser phone simulator (/simulator, development only): ring the hotline or text it without Twilio.

The page's script posts here; each endpoint builds the form Twilio would send, signs it with our auth token,
and delivers it to the real voice and SMS webhooks inside this app, then returns what the caller would hear
(the TwiML read by simulator.twiml_follow) as JSON. Speech is a WAV stored at the Twilio stand-in, so the voice
webhook downloads it exactly as it downloads a real caller's recording.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import socket
import threading
import wave
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import soundfile
from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select

from care.context import current
from care.models import CallState, FamilyMember, Senior
from care.phones import try_e164
from care.settings import Settings
from care.webhooks import sign
from prompts.messages import translate
from simulator.script import to_phone_wav
from simulator.twilio_standin import CONTROL_RECORDINGS, TwilioStandIn
from simulator.twiml_follow import (
    BadTwiml,
    ForeignUrl,
    Prompt,
    PromptKind,
    Step,
    Wait,
    WaitKind,
    local_path,
    parse,
    play_path,
    step,
)
from sms.sender import twilio_client

log = logging.getLogger(__name__)

bp = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

API_VERSION = "2010-04-01"
TOKEN_COOKIE = "hearthline_simulator"
# A call that keeps redirecting without ever asking the caller anything is a bug; stop it rather than spin.
MAX_HOPS = 10
# Calls left open in the page (a closed tab never hangs up); the oldest are forgotten first.
MAX_CALLS = 200
MAX_SAY_CLIPS = 500
# Twilio's own limit on an SMS body is 1600 characters (Messages resource, Body parameter).
MAX_SMS_CHARS = 1600
# An answer recorded in the browser: Twilio stops at <Record maxLength>, at most 120 s here (settings bound);
# 16-bit mono at 48 kHz for 2 minutes is 11.5 MB, under the app's 12 MB request limit.
MAX_SPEECH_BYTES = 12 * 1024 * 1024
SAY_LOCALES = {"en": "en", "cmn": "zh", "zh": "zh", "ko": "ko", "es": "es"}
STANDIN_TIMEOUT_SECONDS = 5


# What a <Record> holds when the caller presses a key straight away: a moment of line silence.
KEY_RECORDING_SECONDS = 0.3
PHONE_RATE = 8000


def silent_wav(seconds: float) -> bytes:
    """A WAV of silence at the phone line's 8 kHz, 16-bit mono."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PHONE_RATE)
        wav.writeframes(b"\x00\x00" * int(PHONE_RATE * seconds))
    return out.getvalue()


class SimulatorProblem(RuntimeError):
    """Something the person at the simulator should be told (in the page's status line)."""


@dataclass
class SimCall:
    """A simulated call: what Twilio would remember between webhooks (only the simulator keeps this)."""

    sid: str
    caller: str
    called: str
    document: str  # URL of the TwiML being run (relative actions resolve against it)
    wait: Wait | None = None
    rest: str = ""
    ended: bool = False
    log: list[str] = field(default_factory=list)
    said: set[int] = field(default_factory=set)  # which log lines are the caller's own (shown in bold)

    def caller_did(self, line: str) -> None:
        self.said.add(len(self.log))
        self.log.append(line)


_calls: OrderedDict[str, SimCall] = OrderedDict()
_clips: OrderedDict[str, tuple[str, str]] = OrderedDict()
_standins: dict[str, TwilioStandIn] = {}
_lock = threading.Lock()


# --- page ----------------------------------------------------------------------------------------------
@bp.before_request
def _only_when_enabled() -> None:
    if not current().settings.simulator_enabled:
        abort(404)
    if request.method == "POST":
        # Double-submit: the page's own cookie must match the header its script sends (another site can do
        # neither). A cookie of its own, so logging in or out of the console never expires an open simulator.
        expected = request.cookies.get(TOKEN_COOKIE)
        sent = request.headers.get("X-Simulator-Token", "")
        if not isinstance(expected, str) or not secrets.compare_digest(expected, sent):
            abort(400, description="The simulator page expired: reload it.")


@bp.after_request
def _headers(response: Response) -> Response:
    # The page loads only our own script, styles and audio (prompts, synthesised <Say>, the microphone's blobs).
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; media-src 'self' blob:; script-src 'self'; style-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def t(key: str, /, **params: object) -> str:
    """The page's text for `key` in the centre's default language (as the console's t())."""
    return translate("web", key, current().settings.default_locale, **params)


@bp.get("/")
def page() -> Response:
    settings = current().settings
    token = request.cookies.get(TOKEN_COOKIE) or secrets.token_urlsafe(32)
    with current().db.sessions() as db:
        seniors = [(s.name, s.phone) for s in db.scalars(select(Senior).order_by(Senior.name).limit(50))]
        family = [(f.name, f.phone) for f in db.scalars(select(FamilyMember).order_by(FamilyMember.name).limit(50))]
    html = render_template(
        "simulator/page.html",
        t=t,
        lang=settings.default_locale,
        token=token,
        hotline=settings.hotline_number,
        staff_line=settings.staff_line_number,
        seniors=seniors,
        family=family,
        speech=_speech_available(settings),
    )
    response = Response(html, mimetype="text/html")
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path=bp.url_prefix or "/")
    return response


# --- the Twilio stand-in that holds recordings ----------------------------------------------------------
def _local_port(settings: Settings) -> int | None:
    """The port of twilio_api_base when it is a local stand-in address (http on this machine), else None."""
    parts = urlsplit(settings.twilio_api_base)
    if parts.scheme != "http" or parts.hostname not in {"127.0.0.1", "localhost"} or parts.port is None:
        return None
    return parts.port


def _speech_available(settings: Settings) -> bool:
    """Spoken answers need a stand-in at twilio_api_base (never real Twilio: it cannot take our uploads)."""
    port = _local_port(settings)
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


def _seconds(wav: bytes) -> int:
    """A recording's length in whole seconds, as Twilio reports RecordingDuration (at least 1)."""
    try:
        with wave.open(io.BytesIO(wav)) as reader:
            return max(1, round(reader.getnframes() / reader.getframerate()))
    except (wave.Error, EOFError, ZeroDivisionError):
        return 1


def stop_standins() -> None:
    """Stop the stand-ins this process started (tests do; a development server simply exits)."""
    with _lock:
        for standin in _standins.values():
            standin.stop()
        _standins.clear()


def _store_recording(settings: Settings, wav: bytes) -> str:
    if not _speech_available(settings):
        raise SimulatorProblem(t("sim.no_speech"))
    try:
        response = requests.post(
            settings.twilio_api_base.rstrip("/") + CONTROL_RECORDINGS,
            data=wav,
            auth=(settings.twilio_account_sid, settings.twilio_auth_token),
            timeout=STANDIN_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise SimulatorProblem(t("sim.standin_down", reason=str(exc))) from exc
    if response.status_code != 201:
        raise SimulatorProblem(t("sim.standin_down", reason=f"HTTP {response.status_code}"))
    return str(response.json()["recording_url"])


# --- delivering webhooks --------------------------------------------------------------------------------
def _deliver(settings: Settings, path: str, params: dict[str, str], method: str = "POST") -> tuple[int, str]:
    """Send a signed webhook to this app, as Twilio would; return (status, body)."""
    client = current_app.test_client()
    if method == "GET":
        full = path + ("&" if "?" in path else "?") + urlencode(params)
        response = client.get(full, headers={"X-Twilio-Signature": sign(settings, full, {})})
    else:
        response = client.post(path, data=params, headers={"X-Twilio-Signature": sign(settings, path, params)})
    return response.status_code, response.get_data(as_text=True)


def _call_params(settings: Settings, call: SimCall, status: str = "in-progress") -> dict[str, str]:
    return {
        "AccountSid": settings.twilio_account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call.sid,
        "CallStatus": status,
        "Direction": "inbound",
        "From": call.caller,
        "To": call.called,
        "Caller": call.caller,
        "Called": call.called,
    }


def _say_clip(prompt: Prompt) -> dict[str, Any]:
    clip_id = hashlib.sha256(f"{prompt.language}\n{prompt.text}".encode()).hexdigest()[:32]
    locale = SAY_LOCALES.get(prompt.language.split("-")[0].lower(), "en")
    with _lock:
        _clips[clip_id] = (prompt.text, locale)
        _clips.move_to_end(clip_id)
        while len(_clips) > MAX_SAY_CLIPS:
            _clips.popitem(last=False)
    return {
        "kind": "say",
        "text": prompt.text,
        "language": prompt.language,
        "url": f"{bp.url_prefix}/say/{clip_id}.wav",
    }


def _prompt_json(settings: Settings, prompt: Prompt) -> dict[str, Any]:
    if prompt.kind is PromptKind.PLAY:
        return {"kind": "play", "url": play_path(settings.public_base_url, prompt.url)}
    if prompt.kind is PromptKind.SAY:
        return _say_clip(prompt)
    return {"kind": "pause", "seconds": prompt.seconds}


def _last_turn(call_sid: str) -> tuple[list[str], str]:
    """What the hotline said in its last answer, and what it heard, as the voice routes recorded them."""
    with current().db.sessions() as db:
        row = db.get(CallState, call_sid)
        last = row.state.get("last", {}) if row is not None and isinstance(row.state, dict) else {}
    spoken = last.get("spoken", []) if isinstance(last, dict) else []
    heard = last.get("heard", {}) if isinstance(last, dict) else {}
    text = heard.get("text", "") if isinstance(heard, dict) and heard.get("source") == "speech" else ""
    return [str(line) for line in spoken if isinstance(line, str)], str(text or "")


def _run(
    settings: Settings, call: SimCall, first: Step | None, path: str | None, params: dict[str, str]
) -> dict[str, Any]:
    """Follow the call from a webhook (or from the verbs left after a wait) until it waits or ends."""
    prompts: list[dict[str, Any]] = []
    captions: list[str] = []
    current_step = first
    method = "POST"
    for _ in range(MAX_HOPS):
        if current_step is None:
            assert path is not None
            status, body = _deliver(settings, path, {**_call_params(settings, call), **params}, method)
            call.document = settings.public_base_url.rstrip("/") + path
            if status != 200:
                call.ended = True
                call.log.append(t("sim.log.http_error", status=status, path=path.split("?")[0]))
                return _answer(call, prompts, captions, error=t("sim.webhook_failed", status=status))
            try:
                current_step = step(parse(body))
            except BadTwiml as exc:
                call.ended = True
                return _answer(call, prompts, captions, error=str(exc))
            spoken, heard = _last_turn(call.sid)
            if heard:
                call.log.append(t("sim.log.heard", text=heard))
            captions.extend(spoken)
        prompts.extend(_prompt_json(settings, p) for p in current_step.prompts)
        if current_step.redirect is not None:
            try:
                path = local_path(settings.public_base_url, call.document, current_step.redirect)
            except ForeignUrl as exc:
                call.ended = True
                return _answer(call, prompts, captions, error=str(exc))
            method, params, current_step = current_step.redirect_method, {}, None
            continue
        if current_step.wait is not None:
            call.wait, call.rest = current_step.wait, current_step.rest
            if current_step.wait.kind is WaitKind.DIAL:
                call.log.append(t("sim.log.dialling", number=current_step.wait.number))
            return _answer(call, prompts, captions)
        call.ended, call.wait = True, None
        call.log.append(t("sim.log.ended"))
        return _answer(call, prompts, captions)
    call.ended = True
    return _answer(call, prompts, captions, error=t("sim.too_many_redirects"))


def _answer(call: SimCall, prompts: list[dict[str, Any]], captions: list[str], error: str = "") -> dict[str, Any]:
    wait = call.wait if not call.ended else None
    speech = wait is not None and (wait.kind is WaitKind.RECORD or _record_next(call) is not None)
    return {
        "call_sid": call.sid,
        "prompts": prompts,
        "captions": captions,  # the words of the prompts (a <Play> URL does not say what it plays)
        "wait": None
        if wait is None
        else {
            "kind": wait.kind.value,
            "timeout": wait.timeout,
            "num_digits": wait.num_digits,
            "finish_on_key": wait.finish_on_key,
            "max_length": wait.max_length,
            "number": wait.number,
            "speech": speech,  # a spoken answer is taken now (at once, or after the key window)
        },
        "ended": call.ended,
        "log": list(call.log),
        "caller_lines": sorted(call.said),  # indexes into log of what the caller did
        "error": error,
    }


def _record_next(call: SimCall) -> Step | None:
    """The <Record> that runs when a key-only <Gather> gets no key (a Listen turn), if that is what is next.

    The caller may speak straight away: they let the short key window pass in silence, then talk after the beep.
    """
    wait = call.wait
    if wait is None or wait.kind is not WaitKind.KEYS or wait.action_on_empty_result or not call.rest:
        return None
    following = step(parse(call.rest))
    if following.prompts or following.wait is None or following.wait.kind is not WaitKind.RECORD:
        return None
    return following


def _call(sid: str) -> SimCall:
    with _lock:
        call = _calls.get(sid)
    if call is None:
        abort(404)
    return call


def _action_path(settings: Settings, call: SimCall) -> str:
    assert call.wait is not None
    try:
        return local_path(settings.public_base_url, call.document, call.wait.action)
    except ForeignUrl as exc:
        raise SimulatorProblem(str(exc)) from exc


def _json_error(message: str, status: int = 400) -> tuple[dict[str, Any], int]:
    return {"error": message}, status


# --- the call ---------------------------------------------------------------------------------------------
@bp.post("/call")
def start_call() -> dict[str, Any] | tuple[dict[str, Any], int]:
    settings = current().settings
    caller = try_e164(request.form.get("from", ""), settings.default_region)
    if caller is None:
        return _json_error(t("sim.bad_number"))
    called = settings.hotline_number
    call = SimCall(sid="CA" + secrets.token_hex(16), caller=caller, called=called, document="")
    with _lock:
        _calls[call.sid] = call
        while len(_calls) > MAX_CALLS:
            _calls.popitem(last=False)
    call.log.append(t("sim.log.calling", number=called))
    return _run(settings, call, None, "/voice/incoming", {"CallStatus": "ringing"})


@bp.post("/call/<sid>/keys")
def press_keys(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    settings = current().settings
    call = _call(sid)
    digits = "".join(ch for ch in request.form.get("digits", "") if ch in "0123456789*#")[:32]
    if call.ended or call.wait is None:
        return _json_error(t("sim.not_waiting"), 409)
    if not digits:
        return _json_error(t("sim.no_digits"))
    wait = call.wait
    if wait.kind is WaitKind.DIAL or (wait.kind is WaitKind.RECORD and digits[0] not in wait.finish_on_key):
        return _json_error(t("sim.not_waiting"), 409)  # keys go nowhere while ringing someone
    try:
        path = _action_path(settings, call)
    except SimulatorProblem as exc:
        return _json_error(str(exc))
    call.caller_did(t("sim.log.pressed", digits=digits))
    call.wait = None
    if wait.kind is WaitKind.KEYS:
        finish = wait.finish_on_key
        params = {"Digits": digits.rstrip(finish) if finish else digits}
        if finish and digits.endswith(finish):
            params["FinishedOnKey"] = finish
        return _run(settings, call, None, path, params)
    # A key ends a <Record> at once; Twilio posts the action with the key (and the near-empty recording).
    try:
        url = _store_recording(settings, silent_wav(KEY_RECORDING_SECONDS))
    except SimulatorProblem:
        url = ""
    params = {"Digits": digits[0], "RecordingDuration": "0"}
    if url:
        params.update({"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1]})
    return _run(settings, call, None, path, params)


@bp.post("/call/<sid>/speech")
def speak(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """An answer for <Record>: a WAV recorded in the browser or picked from a file, or text to synthesise."""
    settings = current().settings
    call = _call(sid)
    following = _record_next(call)
    if following is not None:
        call.wait, call.rest = following.wait, following.rest
    if call.ended or call.wait is None or call.wait.kind is not WaitKind.RECORD:
        return _json_error(t("sim.not_recording"), 409)
    typed = request.form.get("text", "").strip()
    upload = request.files.get("audio")
    try:
        if typed:
            locale = request.form.get("locale", "en")
            wav = current().synthesizer.synthesize(typed[:500], locale if locale in SAY_LOCALES.values() else "en", 150)
        elif upload is not None:
            raw = upload.read(MAX_SPEECH_BYTES + 1)
            if len(raw) > MAX_SPEECH_BYTES or not raw.startswith(b"RIFF"):
                return _json_error(t("sim.bad_wav"))
            try:
                wav = to_phone_wav(raw)  # what a phone line carries: 8 kHz mono 16-bit, as Twilio records it
            except (RuntimeError, ValueError, soundfile.LibsndfileError):
                return _json_error(t("sim.bad_wav"))
        else:
            return _json_error(t("sim.nothing_said"))
        url = _store_recording(settings, wav)
        path = _action_path(settings, call)
    except SimulatorProblem as exc:
        return _json_error(str(exc), 503)
    except Exception as exc:  # synthesis failure: tell the person, keep the call waiting
        log.exception("simulator could not prepare speech")
        return _json_error(t("sim.speech_failed", reason=str(exc)), 500)
    seconds = _seconds(wav)
    call.caller_did(t("sim.log.said", text=typed) if typed else t("sim.log.recorded"))
    call.wait = None
    params = {"RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1], "RecordingDuration": str(seconds)}
    return _run(settings, call, None, path, params)


@bp.post("/call/<sid>/silence")
def silence(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The caller gave no input: Twilio runs the verbs after the <Gather> or <Record>, or posts an empty result."""
    settings = current().settings
    call = _call(sid)
    if call.ended or call.wait is None:
        return _json_error(t("sim.not_waiting"), 409)
    wait, call.wait = call.wait, None
    if wait.kind is WaitKind.KEYS and wait.action_on_empty_result:
        try:
            path = _action_path_of(settings, call, wait)
        except SimulatorProblem as exc:
            return _json_error(str(exc))
        return _run(settings, call, None, path, {"Digits": ""})
    if wait.kind is WaitKind.DIAL:
        return _dial_result(settings, call, wait, request.form.get("result", "no-answer"))
    call.caller_did(t("sim.log.silence"))
    return _run(settings, call, step(parse(call.rest)), None, {})


def _action_path_of(settings: Settings, call: SimCall, wait: Wait) -> str:
    try:
        return local_path(settings.public_base_url, call.document, wait.action)
    except ForeignUrl as exc:
        raise SimulatorProblem(str(exc)) from exc


def _dial_result(settings: Settings, call: SimCall, wait: Wait, result: str) -> dict[str, Any]:
    status = result if result in {"completed", "no-answer", "busy", "failed"} else "no-answer"
    call.log.append(t("sim.log.dial_result", status=status))
    if wait.action is None:
        return _run(settings, call, step(parse(call.rest)), None, {})
    path = _action_path_of(settings, call, wait)
    duration = "60" if status == "completed" else "0"
    return _run(settings, call, None, path, {"DialCallStatus": status, "DialCallDuration": duration})


@bp.post("/call/<sid>/dial")
def dial_result(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """How the transfer went: the person at the simulator plays the staff member who answers (or not)."""
    settings = current().settings
    call = _call(sid)
    if call.ended or call.wait is None or call.wait.kind is not WaitKind.DIAL:
        return _json_error(t("sim.not_waiting"), 409)
    wait, call.wait = call.wait, None
    try:
        return _dial_result(settings, call, wait, request.form.get("result", "completed"))
    except SimulatorProblem as exc:
        return _json_error(str(exc))


@bp.post("/call/<sid>/hangup")
def hang_up(sid: str) -> dict[str, Any]:
    call = _call(sid)
    call.ended, call.wait = True, None
    call.caller_did(t("sim.log.hung_up"))
    return _answer(call, [], [])


@bp.get("/say/<clip_id>.wav")
def say_audio(clip_id: str) -> Response:
    """A <Say> sentence spoken by our synthesiser (Twilio would speak it with its own voice)."""
    with _lock:
        found = _clips.get(clip_id)
    if found is None:
        abort(404)
    text, locale = found
    wav = current().synthesizer.synthesize(text, locale, current().settings.speaking_rate_wpm)
    return Response(wav, mimetype="audio/wav", headers={"Cache-Control": "private, max-age=3600"})


# --- texting ----------------------------------------------------------------------------------------------
@bp.post("/sms")
def send_text() -> dict[str, Any] | tuple[dict[str, Any], int]:
    settings = current().settings
    sender = try_e164(request.form.get("from", ""), settings.default_region)
    body = request.form.get("body", "")
    if sender is None:
        return _json_error(t("sim.bad_number"))
    if not body.strip() or len(body) > MAX_SMS_CHARS:
        return _json_error(t("sim.bad_text", n=MAX_SMS_CHARS))
    params = {
        "AccountSid": settings.twilio_account_sid,
        "ApiVersion": API_VERSION,
        "MessageSid": "SM" + secrets.token_hex(16),
        "SmsSid": "",
        "From": sender,
        "To": settings.hotline_number,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
    }
    params["SmsSid"] = params["MessageSid"]
    status, answer = _deliver(settings, "/sms/incoming", params)
    if status != 200:
        return _json_error(t("sim.webhook_failed", status=status), 502)
    try:
        replies = list(step(parse(answer)).messages)
    except BadTwiml as exc:
        return _json_error(str(exc), 502)
    return {"replies": replies}


@bp.get("/sms/inbox")
def inbox() -> dict[str, Any] | tuple[dict[str, Any], int]:
    """Texts the hotline sent this number on its own (notifications), as Twilio's Messages list shows them."""
    settings = current().settings
    phone = try_e164(request.args.get("phone", ""), settings.default_region)
    if phone is None:
        return _json_error(t("sim.bad_number"))
    if _local_port(settings) is None:
        # Real Twilio: a development machine must not poll it (nor expose its message log to this page).
        return _json_error(t("sim.no_speech"), 409)
    try:
        found = twilio_client(settings).messages.list(to=phone, limit=50)
    except Exception as exc:  # the stand-in or Twilio is unreachable: say so in the page
        return _json_error(t("sim.standin_down", reason=str(exc)), 503)
    return {"messages": [{"sid": m.sid, "body": m.body} for m in found]}
