"""Twilio webhooks of outbound calls: /voice/outbound/answer, /reply, /dialled and /status (all signed)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, request

from care.settings import Settings
from outreach import calls
from web.context import current
from web.webhooks import twilio_signed

log = logging.getLogger(__name__)

bp = Blueprint("outreach", __name__)


def _settings() -> Settings:
    return current().settings


def _answer(handler: Callable[[], calls.Reply]) -> Response:
    """A malformed webhook is a 400; any other failure an apology and a person, never a 500."""
    try:
        return Response(handler().twiml, mimetype="text/xml")
    except calls.BadWebhook as exc:
        return Response(f"bad webhook: {exc}", status=400, mimetype="text/plain")
    except Exception:
        log.exception("outbound call turn failed for attempt %s", request.args.get("attempt"))
        return Response(calls.error_answer(current()), mimetype="text/xml")


@bp.post("/voice/outbound/answer")
@twilio_signed(_settings)
def answer() -> Response:
    return _answer(lambda: calls.on_answer(current(), request.form, request.args))


@bp.post("/voice/outbound/reply")
@twilio_signed(_settings)
def reply() -> Response:
    return _answer(lambda: calls.on_reply(current(), request.form, request.args))


@bp.post("/voice/outbound/dialled")
@twilio_signed(_settings)
def dialled() -> Response:
    return _answer(lambda: calls.on_dialled(current(), request.args))


@bp.post("/voice/outbound/status")
@twilio_signed(_settings)
def status() -> Response:
    try:
        calls.on_status(current(), request.form, request.args)
    except calls.BadWebhook as exc:
        return Response(f"bad webhook: {exc}", status=400, mimetype="text/plain")
    return Response(status=204)
