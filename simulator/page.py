"""The browser phone simulator (/simulator, development only): ring the hotline or text it without Twilio.

The page's script posts here; each call endpoint is one action of the caller on the call emulator
(simulator.phone, as simulate-call and the tests use it), which posts signed webhooks to the real voice routes;
the answer is what the caller would hear, as JSON. Texts go to the real SMS webhook the same way.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, urlsplit

import soundfile
from flask import Blueprint, Flask, Response, abort, current_app, render_template, request
from simple_websocket import Server
from sqlalchemy import select

from care.models import FamilyMember, Senior
from care.phones import try_e164
from care.settings import LOCALES, Settings
from i18n.messages import translate
from outreach.models import CallAttempt
from prompts.voices import SAY_LANGUAGES
from simulator.phone import (
    API_VERSION,
    Failure,
    NoStandIn,
    NotWaiting,
    PhoneCall,
    Progress,
    StandInDown,
    deliver,
    local_port,
    page_call,
    ringing_calls,
    speech_available,
    to_phone_wav,
)
from simulator.stream_relay import StreamRelay
from simulator.twiml_follow import (
    BadTwiml,
    ForeignUrl,
    Prompt,
    PromptKind,
    WaitKind,
    local_path,
    parse,
    play_path,
    step,
)
from sms.sender import twilio_client
from web import csrf
from web.context import current
from web.websocket import WebSocketDone

log = logging.getLogger(__name__)

bp = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

TOKEN_COOKIE = "hearthline_simulator"
# Calls left open in the page (a closed tab never hangs up); the oldest are forgotten first.
MAX_CALLS = 200
MAX_SAY_CLIPS = 500
# Twilio's own limit on an SMS body is 1600 characters (Messages resource, Body parameter).
MAX_SMS_CHARS = 1600
# An answer recorded in the browser: Twilio stops at <Record maxLength>, at most 120 s here (settings bound);
# 16-bit mono at 48 kHz for 2 minutes is 11.5 MB, under the app's 12 MB request limit.
MAX_SPEECH_BYTES = 12 * 1024 * 1024
# espeak-ng speaks a typed answer at a steady 150 words a minute (its own default is 175).
TYPED_SPEECH_WPM = 150


_calls: OrderedDict[str, PhoneCall] = OrderedDict()
_clips: OrderedDict[str, tuple[str, str]] = OrderedDict()
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
        if not csrf.tokens_match(expected, sent):
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
    token = request.cookies.get(TOKEN_COOKIE) or csrf.new_token()
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
        speech=speech_available(settings),
    )
    response = Response(html, mimetype="text/html")
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path=bp.url_prefix or "/")
    return response


# --- answers as JSON -------------------------------------------------------------------------------------------
def _say_clip(prompt: Prompt) -> dict[str, Any]:
    clip_id = hashlib.sha256(f"{prompt.language}\n{prompt.text}".encode()).hexdigest()[:32]
    locale = locale_of_say_language(prompt.language)
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


def _app() -> Flask:
    """The app itself (not the context proxy): a call outlives the request that started it."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def locale_of_say_language(language: str) -> str:
    """The locale of a <Say language> (cmn-CN is zh); English for any other."""
    base = language.split("-")[0].lower()
    for locale, say in SAY_LANGUAGES.items():
        if base in (locale, say.split("-")[0].lower()):
            return locale
    return "en"


def _failure_text(progress: Progress) -> str:
    if progress.failure is Failure.WEBHOOK_FAILED:
        return t("sim.webhook_failed", status=progress.detail)
    if progress.failure is Failure.TOO_MANY_REDIRECTS:
        return t("sim.too_many_redirects")
    return progress.detail


def _answer(call: PhoneCall, progress: Progress | None = None) -> dict[str, Any]:
    """What the page shows: the prompts to play with their words, what the call waits for, the call log."""
    settings = current().settings
    wait = call.wait if not call.ended else None
    captions = [str(line) for a in (progress.answers if progress else ()) for line in a.last.get("spoken", [])]
    return {
        "call_sid": call.sid,
        "prompts": [_prompt_json(settings, p) for p in (progress.prompts if progress else ())],
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
            "speech": call.listening,  # a spoken answer is taken now (at once, or after the key window)
        },
        "ended": call.ended,
        "log": [t(f"sim.log.{line.event}", **dict(line.params)) for line in call.log],
        "caller_lines": [i for i, line in enumerate(call.log) if line.by_caller],  # what the caller did
        "error": _failure_text(progress) if progress and progress.failure else "",
    }


def _call(sid: str) -> PhoneCall:
    with _lock:
        call = _calls.get(sid)
    if call is None:
        abort(404)
    return call


def _json_error(message: str, status: int = 400) -> tuple[dict[str, Any], int]:
    return {"error": message}, status


def _standin_problem(exc: NoStandIn) -> str:
    return t("sim.standin_down", reason=str(exc)) if isinstance(exc, StandInDown) else t("sim.no_speech")


# --- the call ---------------------------------------------------------------------------------------------
@bp.post("/call")
def start_call() -> dict[str, Any] | tuple[dict[str, Any], int]:
    settings = current().settings
    caller = try_e164(request.form.get("from", ""), settings.default_region)
    if caller is None:
        return _json_error(t("sim.bad_number"))
    call = PhoneCall(_app(), caller)
    with _lock:
        _calls[call.sid] = call
        while len(_calls) > MAX_CALLS:
            _calls.popitem(last=False)
    return _answer(call, call.start())


# --- a call the hotline places to the page's number -------------------------------------------------------------
def _purpose(url: str) -> str:
    """Why the hotline calls: the purpose of the attempt its answer URL names ("" when it names none)."""
    raw = parse_qs(urlsplit(url).query).get("attempt", [""])[0]
    if not raw.isdecimal() or len(raw) > 18:
        return ""
    with current().db.sessions() as db:
        row = db.get(CallAttempt, int(raw))
        return str(row.purpose) if row is not None else ""


@bp.get("/ringing")
def ringing() -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The hotline's calls ringing this number now. Asking puts the page at the number: while it keeps asking,
    the local stand-in rings the page with calls to it instead of playing the callee itself."""
    settings = current().settings
    phone = try_e164(request.args.get("phone", ""), settings.default_region)
    if phone is None:
        return _json_error(t("sim.bad_number"))
    try:
        found = ringing_calls(settings, phone)
    except NoStandIn as exc:
        return _json_error(_standin_problem(exc), 409 if not isinstance(exc, StandInDown) else 503)
    calls = []
    for placed in found:
        purpose = _purpose(placed["url"])
        label = t(f"sim.purpose.{purpose}") if purpose else t("sim.purpose.other")
        calls.append({"sid": placed["sid"], "purpose": purpose, "announce": t("sim.ringing_in", purpose=label)})
    return {"calls": calls}


@bp.post("/ringing/<sid>/answer")
def answer_incoming(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The person answers: the stand-in posts "answered", and the emulator fetches the answer URL as Twilio does."""
    settings = current().settings
    try:
        placed = page_call(settings, sid, "answer")
    except NoStandIn as exc:
        return _json_error(_standin_problem(exc), 503)
    if placed is None:
        return _json_error(t("sim.not_ringing"), 409)
    try:
        path = local_path(settings.public_base_url, settings.public_base_url, placed["url"])
    except ForeignUrl as exc:
        return _json_error(str(exc), 502)
    call = PhoneCall(_app(), placed["to"], sid=sid, called=placed["from"], answer_path=path)
    with _lock:
        _calls[call.sid] = call
        while len(_calls) > MAX_CALLS:
            _calls.popitem(last=False)
    return _answer(call, call.start())


@bp.post("/ringing/<sid>/decline")
def decline_incoming(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The person declines: the call ends unanswered (no-answer, through the stand-in's status callback)."""
    try:
        placed = page_call(current().settings, sid, "decline")
    except NoStandIn as exc:
        return _json_error(_standin_problem(exc), 503)
    if placed is None:
        return _json_error(t("sim.not_ringing"), 409)
    return {"declined": sid}


@bp.post("/call/<sid>/keys")
def press_keys(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    call = _call(sid)
    digits = "".join(ch for ch in request.form.get("digits", "") if ch in "0123456789*#")[:32]
    if call.ended or call.wait is None:
        return _json_error(t("sim.not_waiting"), 409)
    if not digits:
        return _json_error(t("sim.no_digits"))
    try:
        return _answer(call, call.press(digits))
    except NotWaiting:
        return _json_error(t("sim.not_waiting"), 409)  # keys go nowhere while ringing someone


@bp.post("/call/<sid>/speech")
def speak(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """An answer for <Record>: a WAV recorded in the browser or picked from a file, or text to synthesise."""
    call = _call(sid)
    if not call.listening:
        return _json_error(t("sim.not_recording"), 409)
    typed = request.form.get("text", "").strip()
    upload = request.files.get("audio")
    try:
        if typed:
            locale = request.form.get("locale", "en")
            locale = locale if locale in LOCALES else "en"
            wav = current().synthesizer.synthesize(typed[:500], locale, TYPED_SPEECH_WPM)
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
        return _answer(call, call.speak(wav, text=typed))
    except NoStandIn as exc:
        return _json_error(_standin_problem(exc), 503)
    except NotWaiting as exc:
        return _json_error(str(exc), 400)
    except Exception as exc:  # synthesis failure: tell the person, keep the call waiting
        log.exception("simulator could not prepare speech")
        return _json_error(t("sim.speech_failed", reason=str(exc)), 500)


@bp.post("/call/<sid>/silence")
def silence(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The caller gave no input: Twilio runs the verbs after the <Gather> or <Record>, or posts an empty result."""
    call = _call(sid)
    if call.ended or call.wait is None:
        return _json_error(t("sim.not_waiting"), 409)
    if call.wait.kind is WaitKind.DIAL:
        return _answer(call, call.dial(request.form.get("result", "no-answer")))
    try:
        return _answer(call, call.silence())
    except NotWaiting as exc:
        return _json_error(str(exc))


@bp.post("/call/<sid>/dial")
def dial_result(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """How the transfer went: the person at the simulator plays the staff member who answers (or not)."""
    call = _call(sid)
    if call.ended or call.wait is None or call.wait.kind is not WaitKind.DIAL:
        return _json_error(t("sim.not_waiting"), 409)
    try:
        return _answer(call, call.dial(request.form.get("result", "completed")))
    except NotWaiting as exc:
        return _json_error(str(exc))


@bp.post("/call/<sid>/hangup")
def hang_up(sid: str) -> dict[str, Any]:
    call = _call(sid)
    return _answer(call, call.hang_up())


# --- a call on a Media Stream (the app's voice_path is "stream") -----------------------------------------------
# The page's messages are 20 ms frames of μ-law as JSON (a few hundred bytes); anything near this is not one.
MAX_STREAM_MESSAGE_BYTES = 16 * 1024


def _same_origin() -> bool:
    """A WebSocket is not bound by the same-origin policy, so the upgrade's Origin must be this page's own."""
    origin = request.headers.get("Origin", "")
    return not origin or origin.rstrip("/") == request.host_url.rstrip("/")


@bp.route("/call/<sid>/stream", websocket=True)
def call_stream(sid: str) -> Response:
    """The page's microphone and speaker on the call's Media Stream, relayed to the app's /voice/stream signed as
    Twilio signs it (simulator.stream_relay). A browser cannot send the token header, so it comes in the query;
    the page's cookie must match it, as on every POST."""
    if not csrf.tokens_match(request.cookies.get(TOKEN_COOKIE), request.args.get("token", "")) or not _same_origin():
        abort(403, description="The simulator page expired: reload it.")
    call = _call(sid)
    if call.ended or call.wait is None or call.wait.kind is not WaitKind.STREAM:
        abort(409, description=t("sim.not_waiting"))
    ws = Server(request.environ, max_message_size=MAX_STREAM_MESSAGE_BYTES)
    StreamRelay(ws, _app(), call, current().settings.default_locale).run()
    return WebSocketDone(ws)


@bp.post("/call/<sid>/stream/ended")
def stream_ended(sid: str) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """The stream closed (the app plays the next turn by TwiML, or it dropped): Twilio requests Connect's action."""
    call = _call(sid)
    if call.ended or call.wait is None or call.wait.kind is not WaitKind.STREAM:
        return _json_error(t("sim.not_waiting"), 409)
    try:
        return _answer(call, call.stream_ended())
    except NotWaiting as exc:
        return _json_error(str(exc), 409)


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
    status, answer = deliver(_app(), "/sms/incoming", params)
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
    if local_port(settings) is None:
        # Real Twilio: a development machine must not poll it (nor expose its message log to this page).
        return _json_error(t("sim.no_speech"), 409)
    try:
        found = twilio_client(settings).messages.list(to=phone, limit=50)
    except Exception as exc:  # the stand-in or Twilio is unreachable: say so in the page
        return _json_error(t("sim.standin_down", reason=str(exc)), 503)
    return {"messages": [{"sid": m.sid, "body": m.body} for m in found]}
