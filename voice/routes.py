"""Twilio voice webhooks: /voice/incoming, /voice/answer, /voice/dial, /voice/status, /voice/fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from flask import Blueprint, Response, abort, request
from simple_websocket import Server

from care.settings import Settings
from voice import calls
from voice.stream import StreamSession
from voice.stream_auth import STREAM_PATH
from web.context import current
from web.webhooks import stream_signature_is_valid, twilio_signed
from web.websocket import WebSocketDone

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__)
# When nothing else works, a caller still hears an apology and is put through to a person.
LAST_RESORT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, something went wrong. '
    "Connecting you to a person.</Say><Dial>{number}</Dial></Response>"
)


def _settings() -> Settings:
    return current().settings


def _twiml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _answer(handler: Callable[[], calls.TurnResult]) -> Response:
    """Run a turn; a malformed webhook is a 400, any other failure an apology and a person, never a 500."""
    try:
        return _twiml(handler().twiml)
    except calls.BadWebhook as exc:
        return Response(f"bad webhook: {exc}", status=400, mimetype="text/plain")
    except Exception:
        call_sid = request.form.get("CallSid")
        log.exception("voice turn failed for call %s", call_sid)
        return _twiml(_apology(call_sid))


def _apology(call_sid: str | None, *, database: bool = True) -> str:
    try:
        return calls.error_answer(current(), call_sid, database=database)
    except Exception:  # even the catalogs failed: the plainest answer that still reaches a person
        log.exception("apology failed for call %s", call_sid)
        return LAST_RESORT.format(number=escape(current().settings.staff_line_number))


@bp.post("/voice/incoming")
@twilio_signed(_settings)
def incoming() -> Response:
    return _answer(lambda: calls.incoming(current(), request.form))


@bp.post("/voice/answer")
@twilio_signed(_settings)
def answer() -> Response:
    return _answer(lambda: calls.answer(current(), request.form, request.args))


@bp.post("/voice/dial")
@twilio_signed(_settings)
def dial() -> Response:
    return _answer(lambda: calls.dial_result(current(), request.form, request.args))


@bp.post("/voice/status")
@twilio_signed(_settings)
def status() -> Response:
    """Twilio's call status callback (the number's "call status changes" URL): acts when a call ends."""
    try:
        calls.call_status(current(), request.form)
    except calls.BadWebhook as exc:
        return Response(f"bad webhook: {exc}", status=400, mimetype="text/plain")
    return Response(status=204)


@bp.post("/voice/fallback")
@twilio_signed(_settings)
def fallback() -> Response:
    """Twilio's fallback URL (our primary webhook failed or timed out): apologise and connect to a person.

    Without the database: when the primary failed, a hung or absent database is the likeliest reason.
    """
    return _twiml(_apology(request.form.get("CallSid"), database=False))


@bp.post(calls.RESUME_PATH)
@twilio_signed(_settings)
def resume() -> Response:
    """<Connect><Stream> ended (its action): the call goes on by TwiML from its state (voice/stream.py)."""
    call_sid = request.form.get("CallSid")
    try:
        return _twiml(calls.resume(current(), request.form))
    except calls.BadWebhook:
        return _twiml(_apology(call_sid))
    except Exception:
        log.exception("resuming call %s failed", call_sid)
        return _twiml(_apology(call_sid))


# Twilio's messages are 20 ms of audio (a few hundred bytes as JSON); anything near this is not Twilio.
MAX_STREAM_MESSAGE_BYTES = 64 * 1024


@bp.route(STREAM_PATH, websocket=True)
def stream() -> Response:
    """Twilio's Media Stream of a call (WebSocket): signed upgrade, then the call's turns (voice/stream.py)."""
    if not stream_signature_is_valid(_settings()):
        abort(403, description="Twilio signature missing or invalid")
    if request.headers.get("Upgrade", "").lower() != "websocket":
        abort(400, description="expected a WebSocket upgrade")
    ws = Server(request.environ, max_message_size=MAX_STREAM_MESSAGE_BYTES)
    StreamSession(current(), ws).run()
    return WebSocketDone(ws)
