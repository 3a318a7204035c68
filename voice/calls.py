"""The edge of a call: load state by CallSid, recognise the answer, run the dialogue, carry out its decisions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care.context import Hearthline
from care.models import CallState, CallTurn, Channel, RequesterKind, ServiceRequest, utcnow
from care.people import identify
from care.phones import try_e164
from care.ports import RecordingUnavailable
from care.requests import NewRequest, add_note, create_request, open_requests
from care.settings import LOCALES, Settings
from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance, vocabulary
from intents.hearing import WEIGHED
from prompts.clock import spoken_datetime
from voice.dialogue import (
    AddDetails,
    CallContext,
    CallDecision,
    CallDialogState,
    CreateRequest,
    InputKind,
    Listen,
    ListenKind,
    Phase,
    ReadStatus,
    Speak,
    TurnInput,
    ask_from_json,
    expected_intents,
    keypad_utterance,
    listening,
    step,
)
from voice.recognizer import RecognitionFailed
from voice.twiml import RenderContext, Renderer, apology

log = logging.getLogger(__name__)

YES_NO_INTENTS = frozenset({Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE})
# Extra details are free speech, recognised without a phrase list, which is slower than a webhook may take
# (Twilio waits 15 s); they are transcribed on one background thread per process after the answer is sent.
_details_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="call-details")
_pending: list[Future[None]] = []
_pending_lock = threading.Lock()


class BadWebhook(ValueError):
    """A webhook without the fields Twilio always sends (answered with 400, nothing stored)."""


@dataclass(frozen=True)
class Heard:
    """What one turn heard, for the call log and the simulator."""

    text: str = ""
    confidence: float | None = None
    intent: str | None = None
    decision: str | None = None
    source: str = ""


@dataclass
class TurnResult:
    twiml: str
    spoken: list[str] = field(default_factory=list)
    heard: Heard = field(default_factory=Heard)
    details: tuple[int, str, str, str] | None = None  # (request id, recording URL, phone, locale) to transcribe


# --- context from settings ------------------------------------------------------------------------------
def staff_open(settings: Settings, now: datetime | None = None) -> bool:
    """Whether the staff line is staffed now (opening days and hours, in the centre's time zone)."""
    local = (now or datetime.now(settings.zone)).astimezone(settings.zone)
    return local.weekday() in settings.opening_days and settings.opening_time <= local.time() < settings.closing_time


def next_opening(settings: Settings, now: datetime) -> datetime:
    """The next moment the staff line opens (now, if it is open)."""
    local = now.astimezone(settings.zone)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        opening = datetime.combine(day, settings.opening_time, tzinfo=settings.zone)
        closing = datetime.combine(day, settings.closing_time, tzinfo=settings.zone)
        if day.weekday() in settings.opening_days and local < closing:
            return max(opening, local)
    return local


def callback_due(settings: Settings, now: datetime) -> datetime:
    """When a callback is promised: within callback_within_hours of now, or of the next opening."""
    return next_opening(settings, now) + timedelta(hours=settings.callback_within_hours)


def call_context(hl: Hearthline, locales: tuple[str, ...] = LOCALES) -> CallContext:
    s = hl.settings
    return CallContext(
        default_locale=s.default_locale,
        speech_locales=frozenset(loc for loc in locales if hl.recognizer.has_model(loc)),
        staff_open=staff_open(s),
        speech_retries_before_keypad=s.speech_retries_before_keypad,
        keypad_retries_before_person=s.keypad_retries_before_person,
        callback_within_hours=s.callback_within_hours,
    )


def render_context(hl: Hearthline, locale: str, turn: int, **kw: Any) -> RenderContext:
    s = hl.settings
    return RenderContext(
        locale=locale,
        turn=turn,
        speaking_rate_wpm=s.speaking_rate_wpm,
        silence_timeout_seconds=s.silence_timeout_seconds,
        end_of_speech_seconds=s.end_of_speech_seconds,
        max_recording_seconds=s.max_recording_seconds,
        staff_number=s.staff_line_number,
        emergency_number=s.emergency_number,
        hotline_number=s.hotline_number,
        audio_url=hl.prompt_voice.audio_url,
        **kw,
    )


# --- recognition ----------------------------------------------------------------------------------------
def phrases_for(kind: ListenKind | None, locale: str, *, free_open_answers: bool = False) -> list[str] | None:
    """The phrase list of a turn: yes/no words for a confirmation, every intent's words for an open answer.

    Free recognition of a 4 s answer takes 3-7 s on a busy 2-core machine with the Korean model, against
    0.3-0.6 s with the catalog's words as a phrase list (bench/voice_bench.py), and Twilio waits 15 s at most.
    A phrase list forces what it hears onto catalog words, so a service understood this way is always
    confirmed with a yes/no question (voice.dialogue, `constrained`). Details stay free text (transcribed
    after the answer). Where the hardware or a smaller model makes free recognition fast enough, the setting
    `open_answers_recognition = "free"` recognises open answers freely, and a clear request is then acted on
    with an implicit confirmation ("I'll arrange meal delivery").
    """
    if kind in (ListenKind.YES_NO, ListenKind.EMERGENCY_CHECK):
        return vocabulary(Locale(locale), YES_NO_INTENTS)
    if kind is ListenKind.DETAILS or free_open_answers:
        return None
    return vocabulary(Locale(locale), set(Intent))


def _safe_delete(hl: Hearthline, recording_url: str) -> None:
    if not hl.settings.delete_twilio_recordings:
        return
    try:
        hl.recordings.delete(recording_url)
    except RecordingUnavailable as exc:
        log.warning("recording not deleted at Twilio: %s", exc)


def recognise(hl: Hearthline, recording_url: str, state: CallDialogState) -> tuple[TurnInput, Heard, bytes | None]:
    """Download, delete at Twilio, transcribe with the turn's phrase list; failures count as not understood."""
    try:
        wav = hl.recordings.download(recording_url)
    except RecordingUnavailable as exc:
        log.warning("recording unavailable: %s", exc)
        return TurnInput(InputKind.UNCLEAR), Heard(source="speech"), None
    _safe_delete(hl, recording_url)
    if not hl.recognizer.has_model(state.locale):
        return TurnInput(InputKind.UNCLEAR), Heard(source="speech"), wav
    phrases = phrases_for(
        listening(state), state.locale, free_open_answers=hl.settings.open_answers_recognition == "free"
    )
    try:
        transcript = hl.recognizer.transcribe(
            wav, state.locale, phrases, verify=lambda text: worth_checking(state, text)
        )
    except RecognitionFailed as exc:
        log.warning("recognition failed: %s", exc)
        return TurnInput(InputKind.UNCLEAR), Heard(source="speech"), None
    if not transcript.text:
        return TurnInput(InputKind.UNCLEAR), Heard(source="speech", confidence=0.0), wav
    utterance = Utterance(
        transcript.text, InputSource.SPEECH, Locale(state.locale), transcript.confidence, hearing=transcript.hearing
    )
    utterance = enrich(utterance, hl.understanding)  # the semantic second opinion, added at the edge
    return (
        TurnInput(InputKind.UTTERANCE, utterance),
        Heard(transcript.text, transcript.confidence, source="speech"),
        wav,
    )


def worth_checking(state: CallDialogState, text: str) -> bool:
    """Whether a phrase-list result would start something (a request, the emergency flow, leaving the
    emergency question), so a free decoding of the same audio should check it (seconds, so only then)."""
    result = match(text, Locale(state.locale), expected_intents(state))
    return result.decision is not Decision.REJECT and result.intent in WEIGHED


def _describe(state: CallDialogState, event: TurnInput, heard: Heard) -> Heard:
    """Add the matcher's reading to what was heard (the dialogue matches again; this is for the log)."""
    if event.utterance is None or event.utterance.source is InputSource.KEYPAD:
        return heard
    result = match_utterance(event.utterance, expected_intents(state))
    return Heard(
        heard.text,
        heard.confidence,
        None if result.intent is None else result.intent.value,
        result.decision.value,
        heard.source,
    )


# --- the turn --------------------------------------------------------------------------------------------
def _load(session: Session, call_sid: str) -> tuple[CallState | None, CallDialogState]:
    row = session.get(CallState, call_sid)
    if row is None:
        return None, CallDialogState()
    return row, CallDialogState.from_json(row.state.get("dialog", {}))


def _replay(session: Session, call_sid: str, delivery_key: str) -> str | None:
    return session.scalar(
        select(CallTurn.twiml).where(CallTurn.call_sid == call_sid, CallTurn.delivery_key == delivery_key)
    )


def _keep_audio(hl: Hearthline, call_sid: str, turn: int, wav: bytes | None) -> tuple[str | None, datetime | None]:
    """Keep the caller's words for staff only as long as settings.audio_retention_days allows (0: not at all)."""
    days = hl.settings.audio_retention_days
    if wav is None or days <= 0:
        return None, None
    folder = audio_folder(hl.settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{call_sid}-{turn}.wav"
    path.write_bytes(wav)
    return str(path), utcnow() + timedelta(days=days)


def _create(
    session: Session,
    hl: Hearthline,
    row: CallState,
    action: CreateRequest,
    state: CallDialogState,
    wav: bytes | None,
) -> ServiceRequest:
    caller = identify(session, row.from_phone)
    kind = RequesterKind.SENIOR if caller.senior else RequesterKind.FAMILY if caller.family else RequesterKind.UNKNOWN
    audio_path, expires = _keep_audio(hl, row.call_sid, row.turns, wav if action.understood_by == "speech" else None)
    callback = None
    if action.intent is Intent.OPERATOR:
        now = datetime.now(hl.settings.zone)
        callback = callback_due(hl.settings, now) - now
    request, _created = create_request(
        session,
        NewRequest(
            intent=action.intent.value,
            channel=Channel.VOICE,
            requester_phone=row.from_phone,
            source_key=f"call:{row.call_sid}:{row.turns}",
            requester_kind=kind,
            senior_id=caller.senior.id if caller.senior else None,
            locale=state.locale,
            transcript=action.transcript,
            understood_by=action.understood_by,
            audio_path=audio_path,
            audio_expires_at=expires,
            actor=f"caller:{row.from_phone}",
        ),
        zone=hl.settings.zone,
        callback_within=callback,
    )
    return request


def _status_lines(session: Session, row: CallState, locale: str) -> list[CallDecision]:
    caller = identify(session, row.from_phone)
    if caller.senior is not None:
        found = open_requests(session, senior_id=caller.senior.id)
    else:
        found = open_requests(session, phone=row.from_phone)
    if not found:
        return [Speak("voice.status_none")]
    lines: list[CallDecision] = [Speak("voice.status_count", (("count", str(len(found))),))]
    for request in found[:3]:  # a longer list is more than a listener can hold; staff can read the rest
        params = (("service", request.intent), ("reference", request.reference), ("status", request.status))
        lines.append(Speak("voice.status_item", params, slow=True))
    return lines


def run_turn(
    hl: Hearthline,
    *,
    call_sid: str,
    from_phone: str,
    delivery_key: str,
    turn: int | None,
    make_input: Callable[[CallDialogState], tuple[TurnInput, Heard, bytes | None]],
) -> TurnResult:
    """One webhook: replay a repeated delivery, else step the dialogue and carry out its decisions atomically."""
    with hl.db.sessions() as session:
        prior = _replay(session, call_sid, delivery_key)
        if prior is not None:
            return TurnResult(prior)
        _row, snapshot = _load(session, call_sid)
    event, heard, wav = make_input(snapshot)
    heard = _describe(snapshot, event, heard)
    ctx = call_context(hl)
    try:
        with hl.db.transaction() as session:
            result = _step_and_store(session, hl, call_sid, from_phone, delivery_key, turn, event, heard, wav, ctx)
    except IntegrityError:
        # The same delivery raced this one and won: answer what it answered.
        with hl.db.sessions() as session:
            prior = _replay(session, call_sid, delivery_key)
        if prior is None:
            raise
        return TurnResult(prior)
    if result.details is not None:
        # Only after commit: the job reads the request this turn may have written.
        _schedule_details(hl, *result.details)
    return result


def _step_and_store(
    session: Session,
    hl: Hearthline,
    call_sid: str,
    from_phone: str,
    delivery_key: str,
    turn: int | None,
    event: TurnInput,
    heard: Heard,
    wav: bytes | None,
    ctx: CallContext,
) -> TurnResult:
    row = session.get(CallState, call_sid, with_for_update=True)
    if row is None:
        row = CallState(call_sid=call_sid, from_phone=from_phone, state={}, turns=0)
        session.add(row)
        if event.kind is not InputKind.START:
            # State lost or a webhook for a call we never greeted: start it, then take this input.
            state, _ = step(CallDialogState(), TurnInput(InputKind.START), ctx)
        else:
            state = CallDialogState()
    else:
        state = CallDialogState.from_json(row.state.get("dialog", {}))
        if turn is not None and turn != row.turns:
            # An answer to an older question (a delayed duplicate): ask the current question again, change nothing.
            prior = _replay(session, call_sid, delivery_key)
            if prior is not None:
                return TurnResult(prior)
            return _reask(hl, row, state)
    state, actions = step(state, event, ctx)
    row.turns = (row.turns or 0) + 1
    reference: str | None = row.state.get("reference")
    extra: dict[str, str] = {}
    rendered: list[CallDecision] = []
    details_for: int | None = None
    for action in actions:
        if isinstance(action, CreateRequest):
            if heard.intent is None:  # keys: the log shows what the menu chose
                heard = Heard(heard.text, heard.confidence, action.intent.value, "accept", heard.source)
            request = _create(session, hl, row, action, state, wav)
            reference = request.reference
            extra["when"] = spoken_datetime(request.due_at, state.locale, hl.settings.zone)
            row.state = {**row.state, "reference": reference, "request_id": request.id}
        elif isinstance(action, ReadStatus):
            rendered.extend(_status_lines(session, row, state.locale))
        elif isinstance(action, AddDetails):
            details_for = row.state.get("request_id")
        else:
            rendered.append(action)
    renderer = Renderer(render_context(hl, state.locale, row.turns, reference=reference, extra=extra))
    twiml = renderer.render(rendered)
    row.state = {
        **row.state,
        "dialog": state.to_json(),
        "last": {"spoken": renderer.spoken, "heard": heard.__dict__, "phase": state.phase.value},
    }
    session.add(CallTurn(call_sid=call_sid, delivery_key=delivery_key, twiml=twiml))
    session.flush()
    result = TurnResult(twiml, renderer.spoken, heard)
    if details_for is not None and event.recording_url:
        result.details = (details_for, event.recording_url, row.from_phone, state.locale)
    return result


def _reask(hl: Hearthline, row: CallState, state: CallDialogState) -> TurnResult:
    ask = ask_from_json(state.last_ask, slow=False)
    renderer = Renderer(render_context(hl, state.locale, row.turns, reference=row.state.get("reference")))
    actions: list[CallDecision] = (
        [ask] if ask is not None else [Listen(ListenKind.OPEN, (Speak("voice.open_question"),))]
    )
    return TurnResult(renderer.render(actions), renderer.spoken)


# --- extra details, transcribed after the answer --------------------------------------------------------
def _schedule_details(hl: Hearthline, request_id: int, recording_url: str, phone: str, locale: str) -> None:
    future = _details_pool.submit(_add_details, hl, request_id, recording_url, phone, locale)
    with _pending_lock:
        _pending.append(future)


def _add_details(hl: Hearthline, request_id: int, recording_url: str, phone: str, locale: str) -> None:
    try:
        wav = hl.recordings.download(recording_url)
        _safe_delete(hl, recording_url)
        text = ""
        if hl.recognizer.has_model(locale):
            text = hl.recognizer.transcribe(wav, locale).text
        with hl.db.transaction() as session:
            request = session.get(ServiceRequest, request_id)
            if request is None:
                return
            add_note(
                session,
                request,
                actor=f"caller:{phone}",
                note=text or "(details recorded, not understood)",
                kind="detail",
            )
            if request.audio_path is None:
                path, expires = _keep_audio(hl, f"details-{request.reference}", 0, wav)
                request.audio_path, request.audio_expires_at = path, expires
    except Exception:  # a background job has nobody to answer; log it for staff
        log.exception("could not add call details to request %s", request_id)


def wait_for_details(timeout: float = 60.0) -> None:
    """Block until every scheduled details transcription has finished (tests, the simulator, shutdown)."""
    with _pending_lock:
        futures = list(_pending)
        _pending.clear()
    for future in futures:
        future.result(timeout=timeout)


# --- webhooks -------------------------------------------------------------------------------------------
def _required(form: Mapping[str, str], name: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise BadWebhook(f"missing {name}")
    return value


def _phone(hl: Hearthline, form: Mapping[str, str]) -> str:
    raw = _required(form, "From")
    return try_e164(raw, hl.settings.default_region) or raw[:20]


def incoming(hl: Hearthline, form: Mapping[str, str]) -> TurnResult:
    """The hotline rang: greet the caller (in their language when the number is on file)."""
    call_sid = _required(form, "CallSid")
    phone = _phone(hl, form)

    def first(_state: CallDialogState) -> tuple[TurnInput, Heard, bytes | None]:
        with hl.db.sessions() as session:
            caller = identify(session, phone)
        return TurnInput(InputKind.START, known_locale=caller.locale, is_staff=caller.staff is not None), Heard(), None

    return run_turn(hl, call_sid=call_sid, from_phone=phone, delivery_key="incoming", turn=None, make_input=first)


def answer(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> TurnResult:
    """The caller answered a question: keys, a recording, or nothing at all."""
    call_sid = _required(form, "CallSid")
    phone = _phone(hl, form)
    turn_raw = args.get("t", "")
    if not turn_raw.isdigit():
        raise BadWebhook("missing turn number")
    via = args.get("via", "")
    if via not in {"keys", "speech", "silence"}:
        raise BadWebhook("unknown answer kind")
    digits = (form.get("Digits") or "").strip()
    recording_url = (form.get("RecordingUrl") or "").strip()
    recording_sid = (form.get("RecordingSid") or "").strip()
    key = f"answer:{turn_raw}:{via}:{digits}:{recording_sid}"

    def read(state: CallDialogState) -> tuple[TurnInput, Heard, bytes | None]:
        if digits == "hangup" and listening(state) is ListenKind.EMERGENCY_CHECK:
            if recording_url:
                _safe_delete(hl, recording_url)
            return TurnInput(InputKind.HANGUP), Heard("hangup", source="call"), None
        if digits and digits != "hangup" and any(ch.isdigit() or ch in "*#" for ch in digits):
            if recording_url:
                _safe_delete(hl, recording_url)  # a key ended the recording; the audio is not used
            event = TurnInput(InputKind.UTTERANCE, keypad_utterance(digits, state.locale))
            return event, Heard(digits, None, source="keypad"), None
        if via == "speech" and recording_url:
            if listening(state) is ListenKind.DETAILS:
                return TurnInput(InputKind.DETAILS, recording_url=recording_url), Heard(source="speech"), None
            return recognise(hl, recording_url, state)
        return TurnInput(InputKind.SILENCE), Heard(), None

    return run_turn(hl, call_sid=call_sid, from_phone=phone, delivery_key=key, turn=int(turn_raw), make_input=read)


def dial_result(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> TurnResult:
    """Twilio reports how a <Dial> ended (answered, busy, no-answer, failed)."""
    call_sid = _required(form, "CallSid")
    phone = _phone(hl, form)
    turn_raw = args.get("t", "")
    if not turn_raw.isdigit():
        raise BadWebhook("missing turn number")
    status = (form.get("DialCallStatus") or "failed").strip()
    key = f"dial:{turn_raw}:{status}"

    def read(_state: CallDialogState) -> tuple[TurnInput, Heard, bytes | None]:
        return TurnInput(InputKind.DIAL_RESULT, dial_status=status), Heard(status, source="dial"), None

    return run_turn(hl, call_sid=call_sid, from_phone=phone, delivery_key=key, turn=int(turn_raw), make_input=read)


# Twilio's final CallStatus values (https://www.twilio.com/docs/voice/api/call-resource#call-status-values).
CALL_ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def call_status(hl: Hearthline, form: Mapping[str, str]) -> None:
    """Twilio's call status callback: a caller who hangs up on the emergency question is treated as a yes."""
    call_sid = _required(form, "CallSid")
    phone = _phone(hl, form)
    status = (form.get("CallStatus") or "").strip()
    if status not in CALL_ENDED:
        return
    with hl.db.sessions() as session:
        row, state = _load(session, call_sid)
    if row is None or state.phase is not Phase.EMERGENCY_CHECK:
        return

    def read(_state: CallDialogState) -> tuple[TurnInput, Heard, bytes | None]:
        return TurnInput(InputKind.HANGUP), Heard(status, source="call"), None

    run_turn(hl, call_sid=call_sid, from_phone=phone, delivery_key=f"status:{status}", turn=None, make_input=read)


def error_answer(hl: Hearthline, call_sid: str | None, key: str = "voice.error") -> str:
    """Apologise and connect to a person, in the caller's language when we know it."""
    locale = hl.settings.default_locale
    if call_sid:
        try:
            with hl.db.sessions() as session:
                _row, state = _load(session, call_sid)
                if _row is not None:
                    locale = state.locale
        except Exception:  # the database may be what failed
            log.warning("call state unreadable while apologising", exc_info=True)
    ctx = render_context(hl, locale, 0)
    try:
        return apology(ctx, key)
    except Exception:  # even synthesis or a catalog failed: plain <Say> of the English apology
        log.exception("apology rendering failed")
        return apology(RenderContext(**{**ctx.__dict__, "audio_url": None}), key)


def audio_folder(settings: Settings) -> Path:
    """Where callers' recordings are kept (only while settings.audio_retention_days allows)."""
    return settings.data_dir / "call_audio"
