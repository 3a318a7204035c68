"""Twilio messaging webhook: POST /sms/incoming, signed, answered with TwiML <Message>."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from care.phones import try_e164
from sms.handling import Incoming, MalformedMessage, apology, handle
from web.context import current
from web.webhooks import twilio_signed

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)


def _twiml(reply: str) -> Response:
    answer = MessagingResponse()
    if reply:
        answer.message(reply)
    return Response(str(answer), mimetype="text/xml")


def _bad_request(why: str) -> Response:
    return Response(why + "\n", status=400, mimetype="text/plain")


@bp.post("/sms/incoming")
@twilio_signed(lambda: current().settings)
def incoming() -> Response:
    """One text from a senior, a family member or anyone: understood, acted on, answered in one reply."""
    hl = current()
    form = request.form
    sid = form.get("MessageSid", "").strip()
    raw_from = form.get("From", "").strip()
    if not sid or not raw_from or "Body" not in form:
        return _bad_request("MessageSid, From and Body are required")
    phone = try_e164(raw_from, hl.settings.default_region)
    if phone is None:
        # Short codes and alphanumeric senders cannot be anyone on file, and we cannot reply to them.
        return _bad_request(f"From {raw_from!r} is not a phone number")
    try:
        answer = handle(hl, Incoming(sid, phone, form["Body"]))
    except MalformedMessage as exc:
        return _bad_request(str(exc))
    except SQLAlchemyError:
        # The database is down or locked past its timeout: nothing was stored, so Twilio's next attempt (or
        # the sender's retry) starts afresh. The sender gets a short plain apology, never an error page.
        log.exception("SMS %s from %s could not be stored", sid, phone)
        return _twiml(apology(hl.settings))
    return _twiml(answer.reply)
