"""One call turn, top to bottom: parse → load state → recognise → match once → step → carry out → render → save."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from care.hours import ServiceHours
from care.models import CallState, CallTurn, Channel, RequesterKind, ServiceRequest, utcnow
from care.people import identify
from care.phones import try_e164
from care.ports import Deadline, OutOfTime, RecordingUnavailable, Transcript
from care.requests import (
    NewRequest,
    add_note,
    create_request,
    note_recorded_details,
    open_requests,
    raise_for_details,
)
from care.settings import LOCALES, Settings
from i18n.clock import spoken_datetime
from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, vocabulary
from intents.hearing import WEIGHED
from voice.checkin_answers import vocabulary as checkin_vocabulary
from voice.dialogue import (
    AddDetails,
    CallContext,
    CallDecision,
    CallDialogState,
    CheckinAnswer,
    ChooseLanguage,
    CreateRequest,
    Gather,
    InputKind,
    Listen,
    ListenKind,
    Phase,
    ReadStatus,
    Speak,
    SpeakReference,
    StopCalls,
    TurnInput,
    ask_from_json,
    decision_of,
    expected_intents,
    initial_state,
    keypad_utterance,
    listening,
    start_checkin,
    step,
    understand,
)
from voice.recognizer import RecognitionFailed
from voice.stream_auth import stream_token, stream_url
from voice.twiml import RenderContext, Renderer, apology, connect_stream
from web.context import Hearthline

log = logging.getLogger(__name__)

YES_NO_INTENTS = frozenset({Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE})
# Twilio waits at most 15 s for a webhook's answer
# (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides). Fetching and deleting the
# recording at Twilio may take this much of it, retries included; the rest is left for recognition (phrase-list
# recognition takes 0.3-0.6 s, free recognition of an open answer up to ~7 s on a busy 2-core machine,
# bench/voice_bench.py) and the database. When Twilio's API hangs, the caller hears an apology and a person.
RECORDING_BUDGET_SECONDS = 6.0
# The job that transcribes a caller's extra details onto their request, after the answer was sent, and the
# one that deletes a recording at Twilio when the turn had no time left to do it.
DETAILS_JOB = "call-details"
DELETE_RECORDING_JOB = "delete-recording"


class BadWebhook(ValueError):
    """A webhook without the fields Twilio always sends (answered with 400, nothing stored)."""


class Hook(StrEnum):
    """Which of Twilio's voice webhooks a turn answers."""

    INCOMING = "incoming"  # the hotline rang
    ANSWER = "answer"  # the caller answered a question: keys, a recording, or nothing
    DIAL = "dial"  # a <Dial> ended
    STATUS = "status"  # the call ended (Twilio's call status callback)


@dataclass(frozen=True)
class Webhook:
    """One voice webhook as parsed from Twilio's form and our action URL's query."""

    hook: Hook
    call_sid: str
    from_phone: str
    delivery_key: str  # the same delivery twice gets the same answer and does nothing again
    turn: int | None = None  # the turn whose question this answers (None: the call just started)
    via: str = ""  # keys | speech | silence | stream (an answer heard on the Media Stream)
    digits: str = ""
    recording_url: str = ""
    dial_status: str = ""
    call_status: str = ""
    # An answer the Media Stream recognised while the caller spoke, and its audio (voice/stream.py).
    streamed: Transcript | None = None
    streamed_wav: bytes | None = None
    on_stream: bool = False  # the turn was taken on the Media Stream: nothing is answered as TwiML


@dataclass(frozen=True)
class Heard:
    """What one turn heard and what the dialogue decided about it, for the call log and the simulator."""

    text: str = ""
    confidence: float | None = None
    source: str = ""  # speech | keypad | dial | "" (nothing)
    intent: str | None = None
    decision: str | None = None


@dataclass(frozen=True)
class Recognised:
    """The caller's input in the one input shape, what was heard, and the audio (kept for staff if allowed)."""

    event: TurnInput
    heard: Heard = Heard()
    wav: bytes | None = None
    details_text: str = ""  # extra details already transcribed (the stream hears them as they are spoken)


@dataclass(frozen=True)
class Made:
    """A request this turn made: what the caller is told about it."""

    request_id: int
    reference: str
    promised_by: str | None = None  # a callback: when it is promised, as said in the caller's language


@dataclass(frozen=True)
class DetailsJob:
    """Transcribe a details recording onto the request made in this call (run on the job queue)."""

    request_id: int
    recording_url: str
    phone: str
    locale: str


@dataclass(frozen=True)
class Playable:
    """A turn's decisions that a Media Stream can play itself: prompts, then a question (no dial, no hang-up)."""

    decisions: tuple[CallDecision, ...]
    render: RenderContext


@dataclass(frozen=True)
class TurnResult:
    """The TwiML answer of one webhook and what the turn heard and decided."""

    twiml: str
    heard: Heard = Heard()
    # For the Media Stream: the turn number now, and what to play (None: the turn needs TwiML, so the stream
    # ends and Twilio fetches it from /voice/resume).
    turn: int | None = None
    play: Playable | None = None


# --- settings as the dialogue and the renderer see them ------------------------------------------------------
def call_context(hl: Hearthline, now: datetime | None = None) -> CallContext:
    s = hl.settings
    return CallContext(
        default_locale=s.default_locale,
        speech_locales=frozenset(loc for loc in LOCALES if hl.recognizer.has_model(loc)),
        staff_open=ServiceHours.from_settings(s).is_open(now or datetime.now(UTC)),
        speech_retries_before_keypad=s.speech_retries_before_keypad,
        keypad_retries_before_person=s.keypad_retries_before_person,
        crisis_line=bool(s.crisis_line_number),
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
        crisis_number=s.crisis_line_number,
        audio_url=hl.prompt_voice.audio_url,
        **kw,
    )


# --- parse ------------------------------------------------------------------------------------------------
def _required(form: Mapping[str, str], name: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise BadWebhook(f"missing {name}")
    return value


def _phone(hl: Hearthline, form: Mapping[str, str]) -> str:
    raw = _required(form, "From")
    return try_e164(raw, hl.settings.default_region) or raw[:20]


# Twilio's CallSid is 34 characters; the column holds 64. Anything longer was never sent by Twilio.
MAX_CALL_SID = 64


def _call_sid(form: Mapping[str, str]) -> str:
    value = _required(form, "CallSid")
    if len(value) > MAX_CALL_SID or not value.isascii():
        raise BadWebhook("implausible CallSid")
    return value


def _turn(args: Mapping[str, str]) -> int:
    raw = args.get("t", "")
    # isdecimal, not isdigit: "²".isdigit() is true, and int("²") raises.
    if not raw.isdecimal():
        raise BadWebhook("missing turn number")
    return int(raw)


def parse_incoming(hl: Hearthline, form: Mapping[str, str]) -> Webhook:
    return Webhook(Hook.INCOMING, _call_sid(form), _phone(hl, form), "incoming")


def parse_answer(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> Webhook:
    turn = _turn(args)
    via = args.get("via", "")
    if via not in {"keys", "speech", "silence"}:
        raise BadWebhook("unknown answer kind")
    digits = (form.get("Digits") or "").strip()
    recording_sid = (form.get("RecordingSid") or "").strip()
    return Webhook(
        Hook.ANSWER,
        _call_sid(form),
        _phone(hl, form),
        f"answer:{turn}:{via}:{digits}:{recording_sid}",
        turn=turn,
        via=via,
        digits=digits,
        recording_url=(form.get("RecordingUrl") or "").strip(),
    )


def parse_dial(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> Webhook:
    turn = _turn(args)
    status = (form.get("DialCallStatus") or "failed").strip()
    return Webhook(Hook.DIAL, _call_sid(form), _phone(hl, form), f"dial:{turn}:{status}", turn=turn, dial_status=status)


# Twilio's final CallStatus values (https://www.twilio.com/docs/voice/api/call-resource#call-status-values).
CALL_ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def parse_status(hl: Hearthline, form: Mapping[str, str]) -> Webhook:
    status = (form.get("CallStatus") or "").strip()
    return Webhook(Hook.STATUS, _call_sid(form), _phone(hl, form), f"status:{status}", call_status=status)


# --- the turn --------------------------------------------------------------------------------------------
def take_turn(hl: Hearthline, hook: Webhook) -> TurnResult:
    """Answer one voice webhook; a repeated delivery gets the answer the first one got, and nothing is redone."""
    deadline = Deadline.after(RECORDING_BUDGET_SECONDS)
    # Load state.
    with hl.db.sessions() as session:
        prior = _replay(session, hook.call_sid, hook.delivery_key)
        if prior is not None:
            return TurnResult(prior)
        row = session.get(CallState, hook.call_sid)
        stored = None if row is None else (row.turns, CallDialogState.from_json(row.state.get("dialog", {})))
        known_locale = identify(session, hook.from_phone).locale if row is None else None
    ctx = call_context(hl)
    # A call we have no state for (never greeted, or state lost) starts where a greeted call starts.
    state = stored[1] if stored is not None else initial_state(ctx, known_locale)
    # Recognise, then match once: the match that drives the dialogue is the one the log shows.
    recognised = recognise(hl, hook, state, deadline)
    event = understand(state, recognised.event)
    # Step (pure), then carry out, render and save in one transaction.
    new_state, actions = step(state, event, ctx)
    heard = _heard(recognised.heard, event, state, new_state, actions)
    try:
        with hl.db.transaction() as session:
            result, job = _commit(session, hl, hook, stored, new_state, actions, heard, recognised)
    except IntegrityError:
        # The same delivery raced this one and won: answer what it answered.
        with hl.db.sessions() as session:
            prior = _replay(session, hook.call_sid, hook.delivery_key)
        if prior is None:
            raise
        return TurnResult(prior)
    if job is not None:
        # Only after commit: the job reads the request this turn wrote.
        hl.queue.enqueue(DETAILS_JOB, asdict(job))
    # The decision the caller met, as simulate-call prints it (the words stay in the database, not the log).
    heard = result.heard
    log.info(
        "call %s %s: %s input, intent %s, %s",
        hook.call_sid,
        hook.delivery_key,
        heard.source or "no",
        heard.intent,
        heard.decision,
    )
    return result


CHECKIN_START = "checkin-start"


def begin_checkin(hl: Hearthline, call_sid: str, phone: str, *, locale: str, name: str) -> TurnResult:
    """A person answered a daily check-in call: from here it is a hotline call, keyed by its CallSid, that
    starts with "Hello Mrs Kim ... Are you well today?" (its answers come to /voice/answer like any call's).

    `phone` is the senior's (Twilio's From on an outbound call is our own number): a need they name becomes
    their request, as on an inbound call.
    """
    hook = Webhook(Hook.INCOMING, call_sid, phone, CHECKIN_START)
    with hl.db.sessions() as session:
        prior = _replay(session, call_sid, CHECKIN_START)
    if prior is not None:
        return TurnResult(prior)
    state, actions = start_checkin(call_context(hl), locale=locale, name=name)
    try:
        with hl.db.transaction() as session:
            # "said" keeps every sentence of the call (an outbound call's captions in the simulator, and tests).
            session.add(CallState(call_sid=call_sid, from_phone=phone, state={"said": []}, turns=0))
            session.flush()
            result, _job = _commit(
                session, hl, hook, (0, state), state, actions, Heard(), Recognised(TurnInput(InputKind.START))
            )
    except IntegrityError:
        with hl.db.sessions() as session:
            prior = _replay(session, call_sid, CHECKIN_START)
        if prior is None:
            raise
        return TurnResult(prior)
    return result


def incoming(hl: Hearthline, form: Mapping[str, str]) -> TurnResult:
    """The hotline rang: greet the caller (in their language when the number is on file)."""
    return take_turn(hl, parse_incoming(hl, form))


def answer(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> TurnResult:
    """The caller answered a question: keys, a recording, or nothing at all."""
    return take_turn(hl, parse_answer(hl, form, args))


def call_status(hl: Hearthline, form: Mapping[str, str]) -> None:
    """Twilio's call status callback: a caller who hangs up on the emergency question is treated as a yes."""
    hook = parse_status(hl, form)
    if hook.call_status not in CALL_ENDED:
        return
    with hl.db.sessions() as session:
        row = session.get(CallState, hook.call_sid)
        phase = None if row is None else CallDialogState.from_json(row.state.get("dialog", {})).phase
    if phase is Phase.EMERGENCY_CHECK:
        take_turn(hl, hook)


def dial_result(hl: Hearthline, form: Mapping[str, str], args: Mapping[str, str]) -> TurnResult:
    """Twilio reports how a <Dial> ended (answered, busy, no-answer, failed)."""
    return take_turn(hl, parse_dial(hl, form, args))


def _replay(session: Session, call_sid: str, delivery_key: str) -> str | None:
    return session.scalar(
        select(CallTurn.twiml).where(CallTurn.call_sid == call_sid, CallTurn.delivery_key == delivery_key)
    )


def _heard(
    heard: Heard, event: TurnInput, before: CallDialogState, after: CallDialogState, actions: list[CallDecision]
) -> Heard:
    """What the log shows: the match the dialogue used and the decision the caller actually met."""
    if event.kind is not InputKind.UTTERANCE:
        return heard
    made = next((a.intent for a in actions if isinstance(a, CreateRequest)), None)
    matched = event.match.intent if event.match is not None else None
    intent = made if matched is None else matched
    decision = decision_of(before, after, actions)
    return replace(
        heard,
        intent=None if intent is None else intent.value,
        decision=None if decision is None else decision.value,
    )


def _commit(
    session: Session,
    hl: Hearthline,
    hook: Webhook,
    loaded: tuple[int, CallDialogState] | None,
    state: CallDialogState,
    actions: list[CallDecision],
    heard: Heard,
    recognised: Recognised,
) -> tuple[TurnResult, DetailsJob | None]:
    row = session.get(CallState, hook.call_sid, with_for_update=True)
    if row is None:
        row = CallState(call_sid=hook.call_sid, from_phone=hook.from_phone, state={}, turns=0)
        session.add(row)
    elif loaded is None or row.turns != loaded[0] or (hook.turn is not None and hook.turn != row.turns):
        # Another turn moved the call meanwhile, or this answers an older question (a delayed duplicate):
        # answer as that delivery was answered, else ask the current question again; change nothing.
        prior = _replay(session, hook.call_sid, hook.delivery_key)
        if prior is not None:
            return TurnResult(prior), None
        current = CallDialogState.from_json(row.state.get("dialog", {}))
        return _reask(hl, row, current), None
    row.turns = (row.turns or 0) + 1
    rendered, made, details = _carry_out(session, hl, row, state, actions, recognised)
    reference = made.reference if made is not None else row.state.get("reference")
    promised = made.promised_by if made is not None else None
    ctx = render_context(hl, state.locale, row.turns, reference=reference, promised_by=promised)
    renderer = Renderer(ctx)
    twiml = renderer.render(rendered)
    play = playable(rendered)
    saved: dict[str, Any] = {**row.state}
    if made is not None:
        saved.update(reference=made.reference, request_id=made.request_id)
    saved.update(
        dialog=state.to_json(),
        last={"spoken": renderer.spoken, "heard": asdict(heard), "phase": state.phase.value},
        # The <Record> path's answer to this turn: what /voice/resume gives Twilio when the stream ends.
        twiml=twiml,
        promised_by=promised,
        play=None if play is None else decisions_to_json(play),
    )
    if "said" in saved:
        saved["said"] = [*saved["said"], *renderer.spoken]
    row.state = saved
    answer = twiml
    if not hook.on_stream and play is not None and streaming(hl, row):
        answer = connect_stream(stream_url(hl.settings), stream_token(hl.settings, hook.call_sid), RESUME_PATH)
    session.add(CallTurn(call_sid=hook.call_sid, delivery_key=hook.delivery_key, twiml=answer))
    session.flush()
    job = None
    if details and hook.recording_url and saved.get("request_id") is not None:
        job = DetailsJob(saved["request_id"], hook.recording_url, row.from_phone, state.locale)
    playing = None if play is None else Playable(tuple(play), ctx)
    return TurnResult(answer, heard, row.turns, playing), job


def _carry_out(
    session: Session,
    hl: Hearthline,
    row: CallState,
    state: CallDialogState,
    actions: list[CallDecision],
    recognised: Recognised,
) -> tuple[list[CallDecision], Made | None, bool]:
    """Do what the dialogue decided; return what is left to render, the request made, and whether details follow."""
    rendered: list[CallDecision] = []
    made: Made | None = None
    details = False
    for action in actions:
        if isinstance(action, CreateRequest):
            made = _create(session, hl, row, action, state, recognised.wav)
        elif isinstance(action, ReadStatus):
            rendered.extend(_status_lines(session, row))
        elif isinstance(action, AddDetails) and recognised.details_text:
            _note_details(session, row, recognised.details_text)
        elif isinstance(action, AddDetails):
            details = True
        elif isinstance(action, CheckinAnswer):
            # Read by the check-in's outcome handler when the call ends (outreach.checkins).
            row.state = {**row.state, "checkin_answers": [*row.state.get("checkin_answers", []), action.answer]}
        elif isinstance(action, StopCalls):
            row.state = {**row.state, "checkin_stop": True}
        else:
            rendered.append(action)
    return rendered, made, details


def _note_details(session: Session, row: CallState, text: str) -> None:
    """Details the stream transcribed as they were spoken go onto the request at once (no job needed)."""
    request_id = row.state.get("request_id")
    request = None if request_id is None else session.get(ServiceRequest, request_id)
    if request is not None:
        add_note(session, request, actor=f"caller:{row.from_phone}", note=text, kind="detail")


# The decisions a Media Stream plays itself; anything else (dialling, hanging up, the staff line) is TwiML.
PLAYABLE = (Speak, SpeakReference, Listen, Gather, ChooseLanguage)
# Where Twilio goes when the <Connect><Stream> ends (Connect's action): the call goes on by TwiML from there.
RESUME_PATH = "/voice/resume"


def playable(decisions: list[CallDecision]) -> list[CallDecision] | None:
    """The decisions when a stream can play them all and they end by waiting for the caller, else None."""
    if not decisions or not all(isinstance(d, PLAYABLE) for d in decisions):
        return None
    if not isinstance(decisions[-1], (Listen, Gather, ChooseLanguage)):
        return None
    return decisions


def decisions_to_json(decisions: list[CallDecision]) -> list[dict[str, Any]]:
    """Playable decisions as JSON, stored with the call so the stream (any worker) can play the turn."""

    def speak(item: Speak) -> dict[str, Any]:
        return {"key": item.key, "params": [list(kv) for kv in item.params], "slow": item.slow}

    out: list[dict[str, Any]] = []
    for d in decisions:
        if isinstance(d, Speak):
            out.append({"speak": speak(d)})
        elif isinstance(d, SpeakReference):
            out.append({"reference": {"slow": d.slow}})
        elif isinstance(d, Listen):
            out.append({"listen": d.kind.value, "prompts": [speak(p) for p in d.prompts]})
        elif isinstance(d, Gather):
            out.append({"gather": d.menu, "prompts": [speak(p) for p in d.prompts]})
        elif isinstance(d, ChooseLanguage):
            out.append({"language": True})
    return out


def decisions_from_json(data: list[dict[str, Any]]) -> list[CallDecision]:
    def speak(item: dict[str, Any]) -> Speak:
        return Speak(str(item["key"]), tuple((str(k), str(v)) for k, v in item["params"]), bool(item["slow"]))

    out: list[CallDecision] = []
    for d in data:
        if "speak" in d:
            out.append(speak(d["speak"]))
        elif "reference" in d:
            out.append(SpeakReference(bool(d["reference"]["slow"])))
        elif "listen" in d:
            out.append(Listen(ListenKind(d["listen"]), tuple(speak(p) for p in d["prompts"])))
        elif "gather" in d:
            out.append(Gather(str(d["gather"]), tuple(speak(p) for p in d["prompts"])))
        elif "language" in d:
            out.append(ChooseLanguage())
    return out


@dataclass(frozen=True)
class StreamedCall:
    """What a Media Stream needs of a call when it starts: who calls, the turn, and what to play now."""

    from_phone: str
    locale: str
    turn: int
    play: Playable | None


def streamed_call(hl: Hearthline, call_sid: str) -> StreamedCall | None:
    """The call's current turn as the stream starts it (None: no such call)."""
    with hl.db.sessions() as session:
        row = session.get(CallState, call_sid)
        if row is None:
            return None
        state = CallDialogState.from_json(row.state.get("dialog", {}))
        ctx = render_context(
            hl, state.locale, row.turns, reference=row.state.get("reference"), promised_by=row.state.get("promised_by")
        )
        data = row.state.get("play")
        play = Playable(tuple(decisions_from_json(data)), ctx) if data else None
        return StreamedCall(row.from_phone, state.locale, row.turns, play)


def streaming(hl: Hearthline, row: CallState) -> bool:
    """Whether this call's questions go over a Media Stream: the setting, unless its stream failed once."""
    return hl.settings.voice_path == "stream" and row.state.get("path") != "record"


def resume(hl: Hearthline, form: Mapping[str, str]) -> str:
    """The <Connect><Stream> ended (Connect's action): go on by TwiML from the call's state.

    After a turn the stream could not play (a dial, a hang-up) this is that turn's TwiML. After a question the
    stream was playing, the stream dropped: the question is asked again by <Record>, and the rest of the call
    stays on that path (a stream that failed once is not tried again on the same call).
    """
    call_sid = _required(form, "CallSid")
    with hl.db.transaction() as session:
        row = session.get(CallState, call_sid, with_for_update=True)
        if row is None or not row.state.get("twiml"):
            raise BadWebhook("no call to resume")
        twiml = str(row.state["twiml"])
        if row.state.get("play"):
            log.warning("call %s: the media stream ended mid-question; carrying on by <Record>", call_sid)
            row.state = {**row.state, "path": "record"}
    return twiml


def _reask(hl: Hearthline, row: CallState, state: CallDialogState) -> TurnResult:
    ask = ask_from_json(state.last_ask, slow=False)
    renderer = Renderer(render_context(hl, state.locale, row.turns, reference=row.state.get("reference")))
    actions: list[CallDecision] = (
        [ask] if ask is not None else [Listen(ListenKind.OPEN, (Speak("voice.open_question"),))]
    )
    return TurnResult(renderer.render(actions))


# --- recognise ------------------------------------------------------------------------------------------
def phrases_for(kind: ListenKind | None, locale: str, *, free_open_answers: bool = False) -> list[str] | None:
    """The phrase list of a turn: yes/no words for a confirmation, every intent's words for an open answer.

    Free recognition of a 4 s answer takes 3-7 s on a busy 2-core machine with the Korean model, against
    0.3-0.6 s with the catalog's words as a phrase list (bench/voice_bench.py), and Twilio waits 15 s at most.
    A phrase list forces what it hears onto catalog words, so when it hears a service or an emergency a free
    decoding of the same audio checks it, and words it does not support are not acted on (intents.hearing).
    Details stay free text (transcribed after the answer). Where the hardware or a smaller model makes free
    recognition fast enough, the setting `open_answers_recognition = "free"` recognises open answers freely,
    and a clear request is then acted on with an implicit confirmation ("I'll arrange meal delivery").
    """
    if kind in (ListenKind.YES_NO, ListenKind.EMERGENCY_CHECK):
        return vocabulary(Locale(locale), YES_NO_INTENTS)
    if kind is ListenKind.DETAILS or free_open_answers:
        return None
    if kind is ListenKind.CHECKIN:
        # "Are you well today?" is answered "fine", "not so good", "stop calling me" as often as with a need.
        return sorted({*vocabulary(Locale(locale), set(Intent)), *checkin_vocabulary(locale)})
    return vocabulary(Locale(locale), set(Intent))


def recognise(hl: Hearthline, hook: Webhook, state: CallDialogState, deadline: Deadline) -> Recognised:
    """The caller's input in the one input shape: the call starting, keys, speech, silence or a dial result."""
    if hook.hook is Hook.INCOMING:
        with hl.db.sessions() as session:
            caller = identify(session, hook.from_phone)
        return Recognised(TurnInput(InputKind.START, known_locale=caller.locale, is_staff=caller.staff is not None))
    if hook.hook is Hook.DIAL:
        event = TurnInput(InputKind.DIAL_RESULT, dial_status=hook.dial_status)
        return Recognised(event, Heard(hook.dial_status, source="dial"))
    if hook.hook is Hook.STATUS or (hook.digits == "hangup" and listening(state) is ListenKind.EMERGENCY_CHECK):
        if hook.recording_url:
            _delete_at_twilio(hl, hook.recording_url, deadline)
        return Recognised(TurnInput(InputKind.HANGUP), Heard(hook.call_status or "hangup", source="call"))
    if hook.digits and hook.digits != "hangup" and any(ch.isdigit() or ch in "*#" for ch in hook.digits):
        if hook.recording_url:
            _delete_at_twilio(hl, hook.recording_url, deadline)  # a key ended the recording; the audio is not used
        event = TurnInput(InputKind.UTTERANCE, keypad_utterance(hook.digits, state.locale))
        return Recognised(event, Heard(hook.digits, source="keypad"))
    if hook.via == "stream" and hook.streamed is not None:
        return _streamed(hl, hook.streamed, hook.streamed_wav, state)
    if hook.via == "speech" and hook.recording_url:
        if listening(state) is ListenKind.DETAILS:
            # Details are free speech, slower to recognise than a webhook may take: transcribed on the queue.
            return Recognised(TurnInput(InputKind.DETAILS, recording_url=hook.recording_url), Heard(source="speech"))
        return _speech(hl, hook.recording_url, state, deadline)
    return Recognised(TurnInput(InputKind.SILENCE))


def _speech(hl: Hearthline, recording_url: str, state: CallDialogState, deadline: Deadline) -> Recognised:
    """Download, delete at Twilio, transcribe with the turn's phrase list; failures count as not understood.

    OutOfTime (Twilio's API hangs) is not caught: the caller hears an apology and is put through to a person.
    """
    unclear = TurnInput(InputKind.UNCLEAR)
    try:
        wav = hl.recordings.download(recording_url, deadline)
    except OutOfTime:
        _queue_delete(hl, recording_url)
        raise
    except RecordingUnavailable as exc:
        log.warning("recording unavailable: %s", exc)
        return Recognised(unclear, Heard(source="speech"))
    _delete_at_twilio(hl, recording_url, deadline)
    if not hl.recognizer.has_model(state.locale):
        return Recognised(unclear, Heard(source="speech"), wav)
    phrases = phrases_for(
        listening(state), state.locale, free_open_answers=hl.settings.open_answers_recognition == "free"
    )
    try:
        transcript = hl.recognizer.transcribe(
            wav,
            state.locale,
            phrases,
            verify=lambda text: worth_checking(state, text),
            # A free decoding of an open answer shares the turn with the download; past its budget, what was
            # heard so far is asked about (intents.hearing) instead of Twilio hanging up on the caller.
            budget=hl.settings.speech_check_seconds,
        )
    except RecognitionFailed as exc:
        log.warning("recognition failed: %s", exc)
        return Recognised(unclear, Heard(source="speech"))
    return _heard_speech(hl, transcript, state, wav)


def _streamed(hl: Hearthline, transcript: Transcript, wav: bytes | None, state: CallDialogState) -> Recognised:
    """An answer the Media Stream recognised while it was spoken: details are kept as said, the rest matched."""
    if listening(state) is ListenKind.DETAILS:
        event = TurnInput(InputKind.DETAILS)
        return Recognised(event, Heard(transcript.text, transcript.confidence, source="speech"), wav, transcript.text)
    return _heard_speech(hl, transcript, state, wav)


def _heard_speech(hl: Hearthline, transcript: Transcript, state: CallDialogState, wav: bytes | None) -> Recognised:
    """A transcript in the one input shape, with the semantic second opinion added (both paths)."""
    if not transcript.text:
        return Recognised(TurnInput(InputKind.UNCLEAR), Heard(source="speech", confidence=0.0), wav)
    utterance = Utterance(
        transcript.text, InputSource.SPEECH, Locale(state.locale), transcript.confidence, hearing=transcript.hearing
    )
    utterance = enrich(utterance, hl.understanding)  # the semantic second opinion, added at the edge
    return Recognised(
        TurnInput(InputKind.UTTERANCE, utterance),
        Heard(transcript.text, transcript.confidence, source="speech"),
        wav,
    )


def worth_checking(state: CallDialogState, text: str) -> bool:
    """Whether a phrase-list result would start something (a request, the emergency flow, leaving the
    emergency question), so a free decoding of the same audio should check it (seconds, so only then)."""
    result = match(text, Locale(state.locale), expected_intents(state))
    return result.decision is not Decision.REJECT and result.intent in WEIGHED


def _delete_at_twilio(hl: Hearthline, recording_url: str, deadline: Deadline | None = None) -> None:
    """Delete the caller's recording at Twilio (privacy); when that fails or time is short, a job retries it."""
    if not hl.settings.delete_twilio_recordings:
        return
    try:
        hl.recordings.delete(recording_url, deadline)
    except RecordingUnavailable as exc:
        log.warning("recording not deleted at Twilio yet: %s", exc)
        _queue_delete(hl, recording_url)


def _queue_delete(hl: Hearthline, recording_url: str) -> None:
    if hl.settings.delete_twilio_recordings:
        hl.queue.enqueue(DELETE_RECORDING_JOB, {"recording_url": recording_url})


# --- carry out ----------------------------------------------------------------------------------------------
def _keep_audio(hl: Hearthline, call_sid: str, turn: int, wav: bytes | None) -> tuple[str | None, datetime | None]:
    """Keep the caller's words for staff only as long as settings.audio_retention_days allows (0: not at all)."""
    days = hl.settings.audio_retention_days
    if wav is None or days <= 0:
        return None, None
    folder = audio_folder(hl.settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{call_sid}-{turn}.wav"
    path.write_bytes(wav)
    # Stored relative to the data folder, so the console and the retention sweep find it from any working folder.
    return path.relative_to(hl.settings.data_dir).as_posix(), utcnow() + timedelta(days=days)


def _create(
    session: Session,
    hl: Hearthline,
    row: CallState,
    action: CreateRequest,
    state: CallDialogState,
    wav: bytes | None,
) -> Made:
    caller = identify(session, row.from_phone)
    kind = RequesterKind.SENIOR if caller.senior else RequesterKind.FAMILY if caller.family else RequesterKind.UNKNOWN
    audio_path, expires = _keep_audio(hl, row.call_sid, row.turns, wav if action.understood_by == "speech" else None)
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
        hours=ServiceHours.from_settings(hl.settings),
    )
    promised = (
        spoken_datetime(request.due_at, state.locale, hl.settings.zone) if action.intent is Intent.OPERATOR else None
    )
    return Made(request.id, request.reference, promised)


def _status_lines(session: Session, row: CallState) -> list[CallDecision]:
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


# --- jobs: extra details transcribed after the answer, recordings deleted later ---------------------------------
def register_jobs(hl: Hearthline) -> None:
    """Name this module's jobs on the queue (create_app, so the web process and the worker know them)."""
    hl.queue.register(DETAILS_JOB, lambda payload: add_details(hl, DetailsJob(**payload)))
    hl.queue.register(DELETE_RECORDING_JOB, lambda payload: hl.recordings.delete(payload["recording_url"]))


def add_details(hl: Hearthline, job: DetailsJob) -> None:
    """Transcribe a details recording freely and add it to the request as a note (a failure is retried)."""
    wav = hl.recordings.download(job.recording_url)
    _delete_at_twilio(hl, job.recording_url)
    text = ""
    if hl.recognizer.has_model(job.locale):
        try:
            text = hl.recognizer.transcribe(wav, job.locale).text
        except RecognitionFailed as exc:  # retrying would fail the same way: keep the audio for staff instead
            log.warning("details of request %s not recognised: %s", job.request_id, exc)
    with hl.db.transaction() as session:
        request = session.get(ServiceRequest, job.request_id)
        if request is None:
            return
        if text:
            add_note(session, request, actor=f"caller:{job.phone}", note=text, kind="detail")
            raise_for_details(session, request, text, zone=hl.settings.zone)
        else:  # no speech model for this language, or nothing recognised: staff listen to the recording
            note_recorded_details(session, request, actor=f"caller:{job.phone}")
        if request.audio_path is None:
            path, expires = _keep_audio(hl, f"details-{request.reference}", 0, wav)
            request.audio_path, request.audio_expires_at = path, expires


# --- when anything failed -----------------------------------------------------------------------------------
def error_answer(hl: Hearthline, call_sid: str | None, key: str = "voice.error", *, database: bool = True) -> str:
    """Apologise and connect to a person, in the caller's language when we know it.

    `database=False` (Twilio's fallback URL) answers without it: the default language, synthesised prompts.
    """
    locale = hl.settings.default_locale
    if call_sid and database and hl.db.available:
        try:
            with hl.db.sessions() as session:
                row = session.get(CallState, call_sid)
                if row is not None:
                    locale = CallDialogState.from_json(row.state.get("dialog", {})).locale
        except Exception:  # the database may be what failed
            log.warning("call state unreadable while apologising", exc_info=True)
    ctx = render_context(hl, locale, 0)
    if not database:
        ctx = replace(ctx, audio_url=hl.prompt_voice.synthesis_url)
    try:
        return apology(ctx, key)
    except Exception:  # even synthesis or a catalog failed: plain <Say> of the English apology
        log.exception("apology rendering failed")
        return apology(replace(ctx, audio_url=None), key)


def audio_folder(settings: Settings) -> Path:
    """Where callers' recordings are kept (only while settings.audio_retention_days allows)."""
    return settings.data_dir / "call_audio"
