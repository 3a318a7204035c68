"""Twilio messaging webhook: POST /sms/incoming, signed, answered with TwiML <Message>."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from care.db import unreachable
from care.phones import try_e164
from sms.handling import (
    REPLAY_JOB,
    Incoming,
    MalformedMessage,
    apology,
    check_incoming,
    handle,
    kept_for_later,
    replay_spool,
)
from web.context import current
from web.webhooks import twilio_signed

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)
# Replaying kept texts inside a webhook stops after this long (Twilio waits 15 s in all; handling this text and
# a database timeout must still fit): the rest, and this text after them, wait for the worker's replay.
WEBHOOK_REPLAY_SECONDS = 5.0


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
    incoming = Incoming(sid, phone, form["Body"])
    try:
        check_incoming(incoming)
    except MalformedMessage as exc:
        return _bad_request(str(exc))
    if not hl.db.available:
        return _keep(incoming)  # known to be away this very moment: no point waiting out another timeout
    if hl.spool.pending():
        # Texts kept while the database was away go first, so a sender's texts are acted on in the order sent.
        report = replay_spool(hl, budget_seconds=WEBHOOK_REPLAY_SECONDS)
        # Only this sender's order is at stake: anyone else's text goes ahead, unless the replay just found the
        # database gone again (once every text that came while one replay ran was kept, and one spooled text
        # took the next 39 with it).
        if (report.busy or report.left) and (not hl.db.available or hl.spool.holds_from(incoming.from_phone)):
            return _keep(incoming)
    try:
        answer = handle(hl, incoming)
    except SQLAlchemyError as exc:
        if unreachable(exc):
            return _keep(incoming)
        # The database refused what we asked (not a wait): nothing was stored; the sender must text again.
        log.exception("SMS %s from %s could not be stored", sid, phone)
        return _twiml(apology(hl.settings))
    return _twiml(answer.reply)


def _keep(incoming: Incoming) -> Response:
    """The database cannot take this text now: keep it on disk, tell the sender we have it, replay it later.

    Twilio does not retry a messaging webhook it got an answer to, so an apology alone would lose the text.
    """
    hl = current()
    try:
        first = hl.spool.append(incoming.message_sid, incoming.from_phone, incoming.body)
    except OSError:
        log.critical("SMS %s from %s LOST: neither the database nor the spool took it", *_ids(incoming))
        return _twiml(apology(hl.settings))
    log.warning("SMS %s from %s kept in the spool until the database answers", *_ids(incoming))
    if first:
        try:  # the worker replays it as soon as the database answers (else its minutely chore does)
            hl.queue.enqueue(REPLAY_JOB, {})
        except Exception:
            log.exception("could not queue the spool's replay; the worker's minutely chore will replay it")
    return _twiml(kept_for_later(hl.settings, incoming.body))


def _ids(incoming: Incoming) -> tuple[str, str]:
    return incoming.message_sid, incoming.from_phone
