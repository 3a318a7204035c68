"""The outbound call's webhooks, top to bottom: load the attempt, understand the answer, record it, render."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session

from care.models import CallState, utcnow
from care.ports import Deadline, OutOfTime, RecordingUnavailable
from intents import Locale, match, vocabulary
from outreach.answers import Meaning, Understood, of_keys, of_speech
from outreach.models import CallAttempt
from outreach.outcomes import advance, locked, run_handler
from outreach.registry import programme
from outreach.script import PERSON_ANSWER, Script
from outreach.states import MACHINE_ANSWERS, AnswerVia, AttemptStatus, from_twilio
from outreach.twiml import OutboundRenderer, Rendered, after_answer, answered, ask_again, voicemail
from outreach.view import AttemptView
from voice.calls import MAX_CALL_SID, RECORDING_BUDGET_SECONDS, begin_checkin, render_context
from voice.calls import call_status as hotline_call_status
from voice.recognizer import RecognitionFailed
from voice.twiml import RenderContext, apology
from web.context import Hearthline

log = logging.getLogger(__name__)

MAX_ID_DIGITS = 18  # fits a 64-bit integer column


class BadWebhook(ValueError):
    """A webhook without the fields Twilio always sends, or for an attempt we never made (400)."""


Reply = Rendered


def remember_words(session: Session, row: CallAttempt, sid: str, spoken: list[str]) -> None:
    """Keep the words this answer says where the hotline keeps its own (CallState.last.spoken): the browser
    simulator shows them as captions, and the daily clean-up deletes them with the hotline's."""
    state = session.get(CallState, sid)
    if state is None:
        state = CallState(call_sid=sid, from_phone=row.to_phone, state={}, turns=0)
        session.add(state)
    state.turns = (state.turns or 0) + 1
    before = state.state or {}
    said = [*before.get("said", []), *spoken]
    state.state = {**before, "outbound": row.id, "last": {"spoken": list(spoken)}, "said": said}


def _attempt_id(args: Mapping[str, str]) -> int:
    raw = args.get("attempt", "")
    # isdecimal, not isdigit: "²".isdigit() is true and int("²") raises; an id has at most 18 digits.
    if not raw.isdecimal() or len(raw) > MAX_ID_DIGITS:
        raise BadWebhook("missing attempt")
    return int(raw)


def _call_sid(form: Mapping[str, str]) -> str:
    sid = (form.get("CallSid") or "").strip()
    if not sid:
        raise BadWebhook("missing CallSid")
    if len(sid) > MAX_CALL_SID or not sid.isascii():
        raise BadWebhook("implausible CallSid")
    return sid


def _speech(hl: Hearthline, locale: str) -> bool:
    return hl.recognizer.has_model(locale)


def _script(row: CallAttempt) -> Script:
    return programme(row.purpose).script(AttemptView.of(row))


def on_answer(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> Reply:
    """Twilio fetched the answer URL: a person (the script) or a machine (the voicemail) picked up."""
    attempt_id, sid = _attempt_id(args), _call_sid(form)
    answered_by = (form.get("AnsweredBy") or "").strip()
    with hl.db.transaction() as session:
        row = locked(session, attempt_id)
        if row is None:
            raise BadWebhook(f"no attempt {attempt_id}")
        advance(session, row, AttemptStatus.IN_PROGRESS, now=utcnow(), call_sid=sid, answered_by=answered_by)
        script = _script(row)
        ctx = render_context(hl, row.locale, 1)
        if answered_by in MACHINE_ANSWERS:
            reply = voicemail(ctx, attempt_id, script)
        elif script.checkin_dialogue:
            handover = (row.to_phone, row.locale, str((row.context or {}).get("name", "")))
            reply = None
        else:
            if script.question is not None:
                row.question_tries = 1
            reply = answered(ctx, attempt_id, script, speech=_speech(hl, row.locale))
        if reply is not None:
            remember_words(session, row, sid, list(reply.spoken))
            return reply
    # After the commit: the hotline's turn takes its own transaction (SQLite has one writer at a time).
    phone, locale, name = handover
    turn = begin_checkin(hl, sid, phone, locale=locale, name=name)
    return Rendered(turn.twiml, ())


def on_reply(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> Reply:
    """The callee answered the question (keys, a recording) or said nothing."""
    attempt_id, sid = _attempt_id(args), _call_sid(form)
    via = args.get("via", "")
    if via not in {"keys", "speech", "silence"}:
        raise BadWebhook("unknown answer kind")
    raw_turn = args.get("t", "")
    turn = int(raw_turn) if raw_turn.isdecimal() and len(raw_turn) <= MAX_ID_DIGITS else 0
    digits = (form.get("Digits") or "").strip()
    recording_url = (form.get("RecordingUrl") or "").strip()
    with hl.db.sessions() as session:
        row = session.get(CallAttempt, attempt_id)
        if row is None:
            raise BadWebhook(f"no attempt {attempt_id}")
        locale, script = row.locale, _script(row)
    if script.question is None:
        raise BadWebhook("this call asks nothing")
    heard, understood = digits, Understood(Meaning.UNCLEAR)
    if digits and digits != "hangup":
        understood = of_keys(script.question, digits)
    elif via == "speech" and recording_url:
        heard, understood = _hear(hl, recording_url, locale, script)
    ctx = render_context(hl, locale, turn)
    with hl.db.transaction() as session:
        row = locked(session, attempt_id)
        assert row is not None
        if row.call_sid and row.call_sid != sid:
            raise BadWebhook(f"call {sid} is not attempt {attempt_id}'s")
        reply = _record(hl, row, script, ctx, turn, heard, digits, understood)
        remember_words(session, row, sid, list(reply.spoken))
        return reply


def _record(
    hl: Hearthline,
    row: CallAttempt,
    script: Script,
    ctx: RenderContext,
    turn: int,
    heard: str,
    digits: str,
    understood: Understood,
) -> Reply:
    """Record the answer on the attempt (once) and say what follows it; ask again while tries are left."""
    assert script.question is not None
    if row.answer is not None or turn != row.question_tries:
        # A repeated or late delivery: the answer on record stands; say what follows it again.
        return _settled(ctx, row.id, script, row)
    if understood.meaning is Meaning.UNCLEAR:
        row.heard = heard or row.heard
        if row.question_tries < script.question.tries:
            row.question_tries += 1
            speech = _speech(hl, row.locale)
            return ask_again(ctx, row.id, script, row.question_tries, speech=speech, sorry=bool(heard))
        row.answer_via = AnswerVia.SILENCE
        return after_answer(ctx, row.id, script, None, understood.then)
    row.answer = understood.answer
    if understood.meaning is Meaning.PERSON:
        row.answer_via = AnswerVia.PERSON
    else:
        row.answer_via = AnswerVia.KEYS if digits else AnswerVia.SPEECH
    row.heard = heard
    return after_answer(ctx, row.id, script, understood.choice, understood.then)


def _settled(ctx: RenderContext, attempt_id: int, script: Script, row: CallAttempt) -> Reply:
    if row.answer is None:
        assert script.question is not None
        return ask_again(ctx, attempt_id, script, row.question_tries, speech=False, sorry=False)
    choice = next((c for c in script.question.choices if c.answer == row.answer), None) if script.question else None
    meaning = Meaning.CHOICE if choice else Meaning.PERSON if row.answer == PERSON_ANSWER else Meaning.EMERGENCY
    return after_answer(ctx, attempt_id, script, choice, Understood(meaning, choice).then)


def _hear(hl: Hearthline, recording_url: str, locale: str, script: Script) -> tuple[str, Understood]:
    """Download the answer, delete it at Twilio, recognise it against the choices' words (a short phrase list)."""
    assert script.question is not None
    deadline = Deadline.after(RECORDING_BUDGET_SECONDS)
    try:
        wav = hl.recordings.download(recording_url, deadline)
    except (OutOfTime, RecordingUnavailable) as exc:
        log.warning("outbound answer recording unavailable: %s", exc)
        return "", Understood(Meaning.UNCLEAR)
    try:
        if hl.settings.delete_twilio_recordings:
            hl.recordings.delete(recording_url, deadline)
    except RecordingUnavailable as exc:
        log.warning("outbound answer recording not deleted at Twilio: %s", exc)
    if not hl.recognizer.has_model(locale):
        return "", Understood(Meaning.UNCLEAR)
    expected = script.question.intents
    try:
        transcript = hl.recognizer.transcribe(wav, locale, vocabulary(Locale(locale), expected))
    except RecognitionFailed as exc:
        log.warning("outbound answer not recognised: %s", exc)
        return "", Understood(Meaning.UNCLEAR)
    if not transcript.text:
        return "", Understood(Meaning.UNCLEAR)
    return transcript.text, of_speech(script.question, match(transcript.text, Locale(locale), expected))


def on_dialled(hl: Hearthline, args: Mapping[str, str]) -> Reply:
    """The <Dial> to a person ended: goodbye."""
    attempt_id = _attempt_id(args)
    with hl.db.sessions() as session:
        row = session.get(CallAttempt, attempt_id)
        if row is None:
            raise BadWebhook(f"no attempt {attempt_id}")
        script, locale = _script(row), row.locale
    return OutboundRenderer(render_context(hl, locale, 0), attempt_id).goodbye(script)


def on_status(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> None:
    """Twilio's status callback: move the attempt along; a final status runs the purpose's handler once."""
    attempt_id, sid = _attempt_id(args), _call_sid(form)
    call_status = (form.get("CallStatus") or "").strip()
    answered_by = (form.get("AnsweredBy") or "").strip()
    with hl.db.transaction() as session:
        row = locked(session, attempt_id)
        if row is None:
            raise BadWebhook(f"no attempt {attempt_id}")
        status = from_twilio(call_status, answered_by or row.answered_by)
        if status is None:
            raise BadWebhook(f"unknown CallStatus {call_status!r}")
        final = advance(session, row, status, now=utcnow(), call_sid=sid, answered_by=answered_by)
    if final and status is AttemptStatus.COMPLETED:
        # A check-in handed over to the hotline's dialogue: hanging up on "do you need emergency help?" counts
        # as yes there, and the hotline learns of the hang-up from this callback (a no-op for other calls).
        try:
            hotline_call_status(hl, form)
        except Exception:  # never in the way of the outcome: the handler below still runs
            log.exception("hotline status turn failed for call %s", sid)
    if final:
        try:
            run_handler(hl.db, attempt_id)
        except Exception:  # the status is recorded; the dialer's sweep runs the handler again
            log.exception("outcome handler failed for attempt %s", attempt_id)


def error_answer(hl: Hearthline) -> str:
    """Anything failed: an apology and a person, never silence."""
    return apology(render_context(hl, hl.settings.default_locale, 0))
