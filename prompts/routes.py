"""Prompt audio served to Twilio and the staff recording line (/prompts/phone/*)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, request, send_file
from twilio.twiml.voice_response import Gather, VoiceResponse

from care.directory import check_pin, may_approve
from care.models import StaffMember
from care.people import identify
from care.phones import try_e164
from care.ports import RecordingUnavailable
from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.audio_processing import BadAudio
from prompts.models import RecordingSource, StaffLineCall
from prompts.voices import say_language
from web.context import current
from web.webhooks import twilio_signed

log = logging.getLogger(__name__)

bp = Blueprint("prompts", __name__)

# The URL holds a hash of the content, so the bytes behind it never change: cache for a year (RFC 9111 §5.2.2;
# `immutable` per RFC 8246 spares revalidation).
IMMUTABLE = "max-age=31536000, immutable"
PHONE = "/prompts/phone/"
# Wrong PINs tolerated on one call before hanging up (the account itself locks after MAX_FAILED_LOGINS).
PIN_TRIES_PER_CALL = 3
# Staff pause to find a number on their list; a little longer than the callers' silence timeout.
STAFF_GATHER_TIMEOUT_SECONDS = 10
# A prompt is a sentence or three (audio_processing.MAX_PROMPT_SECONDS bounds the processed file too).
MAX_PHONE_RECORDING_SECONDS = 60
# Ends a staff recording after this much silence, as well as on #.
RECORDING_SILENCE_SECONDS = 4


def prompt_audio() -> PromptAudio:
    voice = current().prompt_voice
    if not isinstance(voice, PromptAudio):
        raise TypeError("the prompts routes need the PromptAudio adapter")
    return voice


# --- audio for Twilio -------------------------------------------------------------------------------------------
@bp.get("/prompts/audio/<token>.wav")
def audio(token: str) -> Response:
    """Serve one prompt's WAV to Twilio (or the simulator); unknown or forged tokens are 404."""
    found = prompt_audio().find(token)
    if found is None:
        abort(404)
    path, shareable = found
    response = send_file(path, mimetype="audio/wav", conditional=True, etag=token, max_age=None)
    response.headers["Cache-Control"] = ("public, " if shareable else "private, ") + IMMUTABLE
    return response


# --- the staff recording line ------------------------------------------------------------------------------------
def _instructions_locale() -> str:
    return current().settings.default_locale


def _speak(parent: VoiceResponse | Gather, key: str, **params: object) -> None:
    """One staff-line sentence in the instructions language: <Play> of its audio, else <Say>."""
    locale = _instructions_locale()
    _speak_text(parent, key, locale, messages.translate("staffline", key, locale, **params))


def _speak_text(parent: VoiceResponse | Gather, key: str, locale: str, text: str) -> None:
    url = current().prompt_voice.audio_url(key, locale, text)
    if url is not None:
        parent.play(url)
    else:
        parent.say(text, language=say_language(locale))


def _twiml(answer: VoiceResponse) -> Response:
    return Response(str(answer), mimetype="text/xml")


def _redirect(path: str) -> Response:
    answer = VoiceResponse()
    answer.redirect(PHONE + path, method="POST")
    return _twiml(answer)


def _apology() -> Response:
    """Never silence or a 500 on the line: an apology and a clean hang-up."""
    answer = VoiceResponse()
    try:
        _speak(answer, "staffline.error")
    except Exception:  # the catalogs themselves failed: still answer with valid TwiML
        answer.say("Sorry, something went wrong.", language="en-US")
    answer.hangup()
    return _twiml(answer)


def staff_line_step(view: Callable[[StaffLineCall], Response]) -> Callable[[], Response]:
    """Signature checked (403), call fields checked (400), the call's state loaded and saved, failures apologised.

    The state is saved only when the step succeeds, so a failed step can be retried from where it was.
    """

    @twilio_signed(lambda: current().settings)
    @wraps(view)
    def step() -> Response:
        hearthline = current()
        call_sid, caller = request.form.get("CallSid", ""), request.form.get("From", "")
        if not call_sid or len(call_sid) > 64 or not call_sid.isascii() or not caller:
            abort(400, description="CallSid and From are required")
        try:
            with hearthline.db.transaction() as session:
                call = session.get(StaffLineCall, call_sid)
                if call is None:
                    call = StaffLineCall(call_sid=call_sid, from_phone=caller[:20])
                    session.add(call)
                    session.flush()
                session.expunge(call)
            response = view(call)
            with hearthline.db.transaction() as session:
                session.merge(call)
            return response
        except Exception:
            log.exception("staff line step %s failed", request.path)
            return _apology()

    return step


def _signed_in(call: StaffLineCall) -> StaffMember | None:
    if call.staff_id is None:
        return None
    with current().db.sessions() as session:
        staff = session.get(StaffMember, call.staff_id)
        return staff if staff is not None and staff.active else None


def _requires_staff(view: Callable[[StaffLineCall, StaffMember], Response]) -> Callable[[StaffLineCall], Response]:
    @wraps(view)
    def checked(call: StaffLineCall) -> Response:
        staff = _signed_in(call)
        if staff is None:
            return _redirect("start")
        return view(call, staff)

    return checked


def _gather(action: str, **attrs: Any) -> tuple[VoiceResponse, Gather]:
    answer = VoiceResponse()
    gather = answer.gather(
        action=PHONE + action, method="POST", input="dtmf", timeout=STAFF_GATHER_TIMEOUT_SECONDS, **attrs
    )
    return answer, gather


def _goodbye_after(answer: VoiceResponse) -> Response:
    """What runs when a <Gather> hears nothing: a goodbye, never a dead line."""
    _speak(answer, "staffline.goodbye")
    answer.hangup()
    return _twiml(answer)


@bp.post(PHONE + "start", endpoint="phone_start")
@staff_line_step
def phone_start(call: StaffLineCall) -> Response:
    """A staff member reaches the recording line and always enters a PIN.

    Caller ID can be spoofed, and Twilio's StirVerstat attestation says only what the originating carrier
    vouched for, not who holds the phone: a known staff number is a hint (it spares typing the staff number),
    never a credential.
    """
    call.staff_id, call.claimed_staff_id = None, None
    with current().db.sessions() as session:
        phone = try_e164(call.from_phone, current().settings.default_region)
        staff = identify(session, phone).staff if phone else None
        if staff is not None:
            call.claimed_staff_id = staff.id
    if call.claimed_staff_id is not None:
        answer, gather = _gather("pin", finish_on_key="#")
        _speak(gather, "staffline.welcome")
        _speak(gather, "staffline.enter_pin")
        return _goodbye_after(answer)
    answer, gather = _gather("id", finish_on_key="#")
    _speak(gather, "staffline.welcome")
    _speak(gather, "staffline.enter_id")
    return _goodbye_after(answer)


@bp.post(PHONE + "id", endpoint="phone_id")
@staff_line_step
def phone_id(call: StaffLineCall) -> Response:
    digits = request.form.get("Digits", "").strip()
    call.claimed_staff_id = int(digits) if digits.isdecimal() and len(digits) <= 9 else 0
    answer, gather = _gather("pin", finish_on_key="#")
    _speak(gather, "staffline.enter_pin")
    return _goodbye_after(answer)


@bp.post(PHONE + "pin", endpoint="phone_pin")
@staff_line_step
def phone_pin(call: StaffLineCall) -> Response:
    """Check staff number and PIN; count failures on the call and on the account's PIN counter (locks after 5).

    The PIN has its own counter and lock: wrong PINs from any caller never lock the person out of the console.
    """
    pin = request.form.get("Digits", "").strip()
    with current().db.transaction() as session:
        staff = check_pin(session, call.claimed_staff_id or 0, pin)
        if staff is not None:
            call.staff_id = staff.id
    if call.staff_id is not None:
        return _redirect("language")
    call.pin_failures += 1
    if call.pin_failures >= PIN_TRIES_PER_CALL:
        answer = VoiceResponse()
        _speak(answer, "staffline.locked")
        answer.hangup()
        return _twiml(answer)
    answer, gather = _gather("id", finish_on_key="#")
    _speak(gather, "staffline.wrong_pin")
    _speak(gather, "staffline.enter_id")
    return _goodbye_after(answer)


@bp.post(PHONE + "language", endpoint="phone_language")
@staff_line_step
@_requires_staff
def phone_language(call: StaffLineCall, staff: StaffMember) -> Response:
    """Which language to record: each option is spoken in its own language."""
    answer, gather = _gather("language-chosen", num_digits=1)
    for digit, locale in enumerate(messages.LOCALES, start=1):
        text = messages.translate("staffline", "staffline.language_option", locale, digit=digit)
        _speak_text(gather, "staffline.language_option", locale, text)
    return _goodbye_after(answer)


@bp.post(PHONE + "language-chosen", endpoint="phone_language_chosen")
@staff_line_step
@_requires_staff
def phone_language_chosen(call: StaffLineCall, staff: StaffMember) -> Response:
    digits = request.form.get("Digits", "").strip()
    if not digits.isdecimal() or not 1 <= int(digits) <= len(messages.LOCALES):
        return _redirect("language")
    call.locale = messages.LOCALES[int(digits) - 1]
    return _redirect("menu")


@bp.post(PHONE + "menu", endpoint="phone_menu")
@staff_line_step
@_requires_staff
def phone_menu(call: StaffLineCall, staff: StaffMember) -> Response:
    if call.locale is None:
        return _redirect("language")
    answer, gather = _gather("pick", finish_on_key="#")
    _speak(gather, "staffline.enter_number")
    return _goodbye_after(answer)


def _record(answer: VoiceResponse) -> Response:
    _speak(answer, "staffline.record_after_beep")
    answer.record(
        action=PHONE + "recorded",
        method="POST",
        max_length=MAX_PHONE_RECORDING_SECONDS,
        timeout=RECORDING_SILENCE_SECONDS,
        finish_on_key="#",
        play_beep=True,
        trim="trim-silence",
    )
    # An empty recording skips the action and runs the next verb (Twilio <Record> docs): say so, offer the menu.
    answer.redirect(PHONE + "no-recording", method="POST")
    return _twiml(answer)


@bp.post(PHONE + "pick", endpoint="phone_pick")
@staff_line_step
@_requires_staff
def phone_pick(call: StaffLineCall, staff: StaffMember) -> Response:
    """Pick a prompt by number, hear what callers hear now, then record after the beep."""
    digits = request.form.get("Digits", "").strip()
    chosen = catalog.by_number(int(digits)) if digits.isdecimal() and len(digits) <= 4 else None
    if chosen is None or call.locale is None:
        answer = VoiceResponse()
        _speak(answer, "staffline.unknown_number")
        answer.redirect(PHONE + "menu", method="POST")
        return _twiml(answer)
    call.prompt_key = chosen.key
    answer = VoiceResponse()
    _speak(answer, "staffline.current_text", number=chosen.number)
    _speak_text(answer, chosen.key, call.locale, messages.translate(chosen.domain, chosen.key, call.locale))
    return _record(answer)


@bp.post(PHONE + "record", endpoint="phone_record")
@staff_line_step
@_requires_staff
def phone_record(call: StaffLineCall, staff: StaffMember) -> Response:
    if call.prompt_key is None or call.locale is None:
        return _redirect("menu")
    return _record(VoiceResponse())


@bp.post(PHONE + "no-recording", endpoint="phone_no_recording")
@staff_line_step
@_requires_staff
def phone_no_recording(call: StaffLineCall, staff: StaffMember) -> Response:
    answer = VoiceResponse()
    _speak(answer, "staffline.no_recording")
    answer.redirect(PHONE + "menu", method="POST")
    return _twiml(answer)


def _listen_back(call: StaffLineCall, staff: StaffMember) -> Response:
    voice = prompt_audio()
    draft = voice.store.get(call.draft_id) if call.draft_id is not None else None
    if draft is None:
        return _redirect("menu")
    answer, gather = _gather("review", num_digits=1)
    _speak(gather, "staffline.listen_back")
    gather.play(voice.url_for(draft.audio_id))
    _speak(gather, "staffline.keep_or_redo" if may_approve(staff) else "staffline.keep_for_approval")
    return _goodbye_after(answer)


@bp.post(PHONE + "recorded", endpoint="phone_recorded")
@staff_line_step
@_requires_staff
def phone_recorded(call: StaffLineCall, staff: StaffMember) -> Response:
    """Download the recording, delete it at Twilio, process and store it as a draft, and play it back."""
    recording_url = request.form.get("RecordingUrl", "").strip()
    if call.prompt_key is None or call.locale is None:
        return _redirect("menu")
    if not recording_url:
        return _redirect("no-recording")
    if recording_url == call.last_recording_url and call.draft_id is not None:
        return _listen_back(call, staff)  # a repeated delivery of the same webhook
    hearthline = current()
    voice = prompt_audio()
    try:
        wav = hearthline.recordings.download(recording_url)
    except RecordingUnavailable:
        log.warning("staff recording %s could not be downloaded", recording_url)
        answer = VoiceResponse()
        _speak(answer, "staffline.no_recording")
        answer.redirect(PHONE + "menu", method="POST")
        return _twiml(answer)
    finally:
        _delete_at_twilio(recording_url)
    prompt = catalog.by_key(call.prompt_key)
    text = messages.translate(prompt.domain if prompt else "voice", call.prompt_key, call.locale)
    try:
        draft = voice.store.add(
            call.prompt_key, call.locale, text, wav, source=RecordingSource.PHONE, by=staff.username, approve=False
        )
    except BadAudio as exc:
        log.info("staff recording refused: %s", exc)
        answer = VoiceResponse()
        _speak(answer, "staffline.bad_recording")
        answer.redirect(PHONE + "record", method="POST")
        return _twiml(answer)
    call.draft_id, call.last_recording_url = draft.id, recording_url
    return _listen_back(call, staff)


def _delete_at_twilio(recording_url: str) -> None:
    if not current().settings.delete_twilio_recordings:
        return
    try:
        current().recordings.delete(recording_url)
    except RecordingUnavailable:
        log.warning("could not delete staff recording %s at Twilio", recording_url)


@bp.post(PHONE + "review", endpoint="phone_review")
@staff_line_step
@_requires_staff
def phone_review(call: StaffLineCall, staff: StaffMember) -> Response:
    """1 keeps the take (an admin's goes live; anyone else's waits as a draft), 2 records again, 3 another prompt.

    The console's rule, on the phone too: only admins put a recording live.
    """
    digit = request.form.get("Digits", "").strip()
    store = prompt_audio().store
    if call.draft_id is None:
        return _redirect("menu")
    if digit == "1":
        approved = may_approve(staff)
        if approved:
            store.approve(call.draft_id, by=staff.username)
        call.draft_id = None
        answer = VoiceResponse()
        _speak(answer, "staffline.kept" if approved else "staffline.kept_for_approval")
        answer.redirect(PHONE + "menu", method="POST")
        return _twiml(answer)
    if digit in {"2", "3"}:
        store.discard(call.draft_id, by=staff.username)
        call.draft_id = None
        return _redirect("record" if digit == "2" else "menu")
    return _listen_back(call, staff)
