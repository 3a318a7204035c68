"""The call dialogue as a pure state machine: state + one caller input -> new state + decisions (data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from intents import Decision, InputSource, Intent, Locale, Match, Utterance, match_utterance
from intents.hearing import in_doubt
from voice import keypad
from voice.checkin_answers import Reading, read_answer
from voice.keypad import KeyMeaning, MenuId


class Phase(StrEnum):
    LANGUAGE = "language"  # keypad language menu
    OPEN = "open"  # "tell me what you need"
    CONFIRM = "confirm"  # "did you say ...? yes or no"
    MENU = "menu"  # keypad menu
    DETAILS = "details"  # optional extra details after a request was made
    ANYTHING_ELSE = "anything_else"  # open question after a request; silence ends the call warmly
    TRANSFER = "transfer"  # dialling the staff line
    EMERGENCY_CHECK = "emergency_check"  # "do you need emergency help right now?" after a weakly heard emergency
    EMERGENCY = "emergency"  # dialling the emergency number
    EMERGENCY_BACKUP = "emergency_backup"  # the emergency dial failed; dialling the staff line
    CHECKIN = "checkin"  # an outbound daily call: "Are you well today?"
    CHECKIN_STOP = "checkin_stop"  # "Shall we stop the daily calls?" after "stop calling me"
    ENDED = "ended"


class InputKind(StrEnum):
    START = "start"  # the call was answered
    UTTERANCE = "utterance"  # recognised speech or keypad digits, as an intents.Utterance
    SILENCE = "silence"  # nothing said or pressed before the timeout
    UNCLEAR = "unclear"  # a recording that could not be fetched or decoded: counts as not understood
    DETAILS = "details"  # a recording of extra details (transcribed at the edge, not matched)
    DIAL_RESULT = "dial_result"  # Twilio's DialCallStatus after <Dial>
    HANGUP = "hangup"  # the caller hung up (Twilio's call status callback, or Digits=hangup after <Record>)


class ListenKind(StrEnum):
    OPEN = "open"  # free answer: fuzzy-matched against every service
    YES_NO = "yes_no"  # short answer: phrase list of yes/no words
    DETAILS = "details"  # free text kept on the request
    EMERGENCY_CHECK = "emergency_check"  # the fail-safe yes/no: short timings, the yes/no phrase list
    CHECKIN = "checkin"  # "Are you well today?": an open answer, with the check-in's own words in the phrase list


class DialTarget(StrEnum):
    STAFF = "staff"
    EMERGENCY = "emergency"


# Twilio's DialCallStatus values that mean somebody answered (https://www.twilio.com/docs/voice/twiml/dial).
ANSWERED = frozenset({"completed", "answered"})


# --- decisions: carried out at the edge (voice/calls.py) and rendered as TwiML (voice/twiml.py) -----------
@dataclass(frozen=True)
class Speak:
    """Say a catalog sentence; `slow` for a repeat or a rephrase."""

    key: str
    params: tuple[tuple[str, str], ...] = ()
    slow: bool = False


@dataclass(frozen=True)
class SpeakReference:
    """Read the reference of the request made (or last made) in this call, digit by digit, twice."""

    slow: bool = True


@dataclass(frozen=True)
class Listen:
    """Play prompts (a key press interrupts them) then record an answer."""

    kind: ListenKind
    prompts: tuple[Speak, ...]


@dataclass(frozen=True)
class Gather:
    """Play prompts and wait for keys only (menus, the language choice)."""

    menu: str  # a keypad.MenuId or "language"
    prompts: tuple[Speak, ...]


@dataclass(frozen=True)
class ChooseLanguage:
    """The language menu: each option spoken in its own language."""


@dataclass(frozen=True)
class Dial:
    target: DialTarget


@dataclass(frozen=True)
class CreateRequest:
    intent: Intent
    transcript: str
    understood_by: str  # speech | keypad


@dataclass(frozen=True)
class AddDetails:
    """Transcribe the details recording onto the request made in this call."""


@dataclass(frozen=True)
class ReadStatus:
    """Read out the caller's open requests with their state."""


@dataclass(frozen=True)
class StaffRecording:
    """Hand the call to the staff prompt-recording line."""


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class CheckinAnswer:
    """What the senior's answer to a daily call came to (an outreach.trends.Answer value), for the edge to log."""

    answer: str


@dataclass(frozen=True)
class StopCalls:
    """The senior confirmed they want no more daily calls: pause the plan and tell staff."""


# What one step of the call decides: words to speak, what to listen for, and effects for the edge to carry out.
CallDecision = (
    Speak
    | SpeakReference
    | Listen
    | Gather
    | ChooseLanguage
    | Dial
    | CreateRequest
    | AddDetails
    | ReadStatus
    | StaffRecording
    | Hangup
    | CheckinAnswer
    | StopCalls
)


# --- state and input ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CallContext:
    """What the edge knows about the world for this turn (settings, clock, installed models)."""

    default_locale: str = "en"
    speech_locales: frozenset[str] = frozenset()
    staff_open: bool = True
    speech_retries_before_keypad: int = 2
    keypad_retries_before_person: int = 2
    crisis_line: bool = False  # the deployment has a crisis line to offer (settings.crisis_line_number)


@dataclass(frozen=True)
class TurnInput:
    kind: InputKind
    utterance: Utterance | None = None
    dial_status: str = ""
    known_locale: str | None = None  # START: the caller's profile language, if the number is on file
    is_staff: bool = False  # START: the number is a staff member's
    recording_url: str = ""  # DETAILS: the recording to transcribe onto the request
    # UTTERANCE: what the matcher made of it, for the question being answered (see `understand`).
    match: Match | None = None


@dataclass(frozen=True)
class CallDialogState:
    """Everything the dialogue remembers between turns; stored as JSON per CallSid."""

    phase: Phase = Phase.LANGUAGE
    locale: str = "en"
    menu: str = MenuId.MAIN.value
    speech_failures: int = 0
    keypad_failures: int = 0
    pending_intent: str | None = None
    pending_transcript: str = ""
    pending_by: str = ""
    # The emergency question was asked about a danger where a "no" still goes to a person (Match.person).
    pending_person: bool = False
    requests_made: int = 0
    last_ask: dict[str, Any] = field(default_factory=dict)  # the last Listen/Gather, for "repeat"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallDialogState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        state = cls(**known)
        return replace(state, phase=Phase(state.phase))


Step = tuple[CallDialogState, list[CallDecision]]


def _ask_to_json(ask: Listen | Gather) -> dict[str, Any]:
    prompts = [{"key": p.key, "params": [list(kv) for kv in p.params]} for p in ask.prompts]
    if isinstance(ask, Listen):
        return {"listen": ask.kind.value, "prompts": prompts}
    return {"gather": ask.menu, "prompts": prompts}


def ask_from_json(data: dict[str, Any], *, slow: bool) -> Listen | Gather | None:
    if not data:
        return None
    prompts = tuple(Speak(p["key"], tuple((k, v) for k, v in p["params"]), slow=slow) for p in data["prompts"])
    if "listen" in data:
        return Listen(ListenKind(data["listen"]), prompts)
    return Gather(data["gather"], prompts)


def _asking(state: CallDialogState, actions: list[CallDecision]) -> Step:
    """Remember the last question asked, so "repeat" and star can ask it again."""
    for action in reversed(actions):
        if isinstance(action, Listen | Gather):
            return replace(state, last_ask=_ask_to_json(action)), actions
    return state, actions


def _service(intent: Intent | str) -> tuple[tuple[str, str], ...]:
    """The service parameter of a sentence; the renderer names it in the caller's language."""
    return (("service", Intent(intent).value),)


# --- the machine -------------------------------------------------------------------------------------------
def start(ctx: CallContext, *, known_locale: str | None, is_staff: bool) -> Step:
    """Greet the caller: in their own language when their number is on file, otherwise offer the languages."""
    if is_staff:
        return CallDialogState(phase=Phase.ENDED), [StaffRecording()]
    if known_locale:
        state = CallDialogState(phase=Phase.OPEN, locale=known_locale)
        return _open_question(state, ctx, greeting=True)
    state = CallDialogState(phase=Phase.LANGUAGE, locale=ctx.default_locale)
    return _asking(state, [Speak("voice.welcome"), ChooseLanguage()])


def initial_state(ctx: CallContext, known_locale: str | None = None) -> CallDialogState:
    """The state of a call just greeted (its greeting not spoken): where a turn starts when state is lost.

    A webhook for a call we hold no state for (never greeted, or swept too early) is read as an answer to
    the greeting the caller heard: the open question in their language when the number is on file, else the
    language menu. The input is stepped once, from here.
    """
    state, _greeting = start(ctx, known_locale=known_locale, is_staff=False)
    return state


def _open_question(state: CallDialogState, ctx: CallContext, *, greeting: bool = False, slow: bool = False) -> Step:
    prompts: list[Speak] = [Speak("voice.greeting")] if greeting else []
    if state.locale not in ctx.speech_locales:
        # No speech model for this language: everything works by keypad (DESIGN.md).
        prompts.append(Speak("voice.keypad_only"))
        return _menu(replace(state, phase=Phase.MENU, menu=MenuId.MAIN.value), prompts=prompts, slow=slow)
    prompts.append(Speak("voice.open_question", slow=slow))
    return _asking(replace(state, phase=Phase.OPEN), [Listen(ListenKind.OPEN, tuple(prompts))])


def _menu(state: CallDialogState, *, prompts: list[Speak] | None = None, slow: bool = False) -> Step:
    spoken = [*(prompts or []), Speak(f"voice.menu.{state.menu}", slow=slow), Speak("voice.menu.always", slow=slow)]
    return _asking(replace(state, phase=Phase.MENU), [Gather(state.menu, tuple(spoken))])


def _repeat(state: CallDialogState, ctx: CallContext) -> Step:
    ask = ask_from_json(state.last_ask, slow=True)
    if ask is None:
        return _open_question(state, ctx, slow=True)
    if isinstance(ask, Gather) and ask.menu == "language":
        return state, [ChooseLanguage()]
    return state, [ask]


def _person(state: CallDialogState, ctx: CallContext, transcript: str = "", by: str = "keypad") -> Step:
    """A person if the staff line is open, else a callback request (DESIGN.md: 0 always reaches someone)."""
    if ctx.staff_open:
        # What the caller said is kept for a transfer nobody answers: the call-back request carries it (and with it
        # the urgency of its words, care.urgency).
        transfer = replace(state, phase=Phase.TRANSFER, pending_transcript=transcript)
        return transfer, [Speak("voice.connecting"), Dial(DialTarget.STAFF)]
    return _callback(state, ctx, transcript, by, closed=True)


def _callback(state: CallDialogState, ctx: CallContext, transcript: str, by: str, *, closed: bool) -> Step:
    # The sentence says when the call back is promised; the edge fills that in from the request it made.
    actions: list[CallDecision] = [
        CreateRequest(Intent.OPERATOR, transcript=transcript, understood_by=by),
        Speak("voice.callback_closed" if closed else "voice.callback_busy"),
        SpeakReference(),
        Speak("voice.goodbye"),
        Hangup(),
    ]
    return replace(state, phase=Phase.ENDED, requests_made=state.requests_made + 1), actions


def _emergency(state: CallDialogState, transcript: str, by: str) -> Step:
    """No menu: tell the caller help is coming, log an urgent request (alerts go out at once), dial."""
    actions: list[CallDecision] = [
        Speak("voice.emergency"),
        CreateRequest(Intent.EMERGENCY, transcript=transcript, understood_by=by),
        Dial(DialTarget.EMERGENCY),
    ]
    return replace(state, phase=Phase.EMERGENCY, requests_made=state.requests_made + 1), actions


def _emergency_check(state: CallDialogState, transcript: str, by: str, *, person: bool = False) -> Step:
    """A weakly heard emergency: one fast yes/no where only a clear no goes back (DESIGN.md: asymmetric);
    `person`: a clear no goes to a person instead (a caller who said they want to die)."""
    new = replace(
        state,
        phase=Phase.EMERGENCY_CHECK,
        pending_intent=Intent.EMERGENCY.value,
        pending_transcript=transcript,
        pending_by=by,
        pending_person=person,
    )
    return _asking(new, [Listen(ListenKind.EMERGENCY_CHECK, (Speak("voice.emergency_check"),))])


def _on_emergency_check(state: CallDialogState, ctx: CallContext, event: TurnInput) -> Step:
    """The answer to the emergency question: yes, silence, anything unclear and hanging up all mean help.

    Only a clear no (key 2, or "no" heard well, see intents.hearing) goes back; 0 still reaches a person. After
    a danger where a no still needs someone to talk to (wanting to die), a clear no goes to a person, not back.
    """
    transcript, by = state.pending_transcript, state.pending_by or "speech"
    cleared = _unpended(state)
    utterance = event.utterance if event.kind is InputKind.UTTERANCE else None
    if utterance is not None and utterance.source is InputSource.KEYPAD:
        digit = utterance.text.strip()[:1]
        if digit == keypad.NO_KEY:
            return _after_no(state, ctx)
        if digit == keypad.PERSON_KEY:
            return _person(cleared, ctx, transcript, by)
    elif utterance is not None:
        result = event.match if event.match is not None else understand(state, event).match
        clear_no = result is not None and result.intent is Intent.NO and result.decision is Decision.ACCEPT
        if clear_no and result is not None and not result.negated:
            return _after_no(state, ctx)
    if event.kind is InputKind.HANGUP:
        # Nobody is left on the line to dial for: the emergency request alerts staff and family at once.
        actions: list[CallDecision] = [
            CreateRequest(Intent.EMERGENCY, transcript=transcript, understood_by=by),
            Hangup(),
        ]
        return replace(cleared, phase=Phase.ENDED, requests_made=state.requests_made + 1), actions
    return _emergency(cleared, transcript, by)


def _after_no(state: CallDialogState, ctx: CallContext) -> Step:
    """A clear no to the emergency question: back to asking what is needed; after a danger where a no still needs
    someone to talk to (Match.person), a person (the staff line, or a callback when it is closed)."""
    cleared = _unpended(state)
    if not state.pending_person:
        return _not_understood(cleared, ctx)
    new, actions = _person(cleared, ctx, state.pending_transcript, state.pending_by or "speech")
    if ctx.crisis_line:
        # A number that answers at any hour, said once: after a call-back's promise, before its goodbye; before
        # "I am connecting you" when the staff line is open.
        at = next((i for i, a in enumerate(actions) if a == Speak("voice.goodbye")), 0)
        actions = [*actions[:at], Speak("voice.crisis_line"), *actions[at:]]
    return new, actions


def _accept(state: CallDialogState, ctx: CallContext, intent: Intent, transcript: str, by: str) -> Step:
    if intent is Intent.STATUS:
        return _asking(
            replace(state, phase=Phase.ANYTHING_ELSE, pending_intent=None),
            [ReadStatus(), Listen(ListenKind.OPEN, (Speak("voice.anything_else"),))],
        )
    actions: list[CallDecision] = [
        CreateRequest(intent, transcript=transcript, understood_by=by),
        Speak("voice.accepted", _service(intent)),
        SpeakReference(),
        Listen(ListenKind.DETAILS, (Speak("voice.details_offer"),)),
    ]
    new = replace(
        state,
        phase=Phase.DETAILS,
        pending_intent=None,
        speech_failures=0,
        keypad_failures=0,
        requests_made=state.requests_made + 1,
    )
    return _asking(new, actions)


def _not_understood(state: CallDialogState, ctx: CallContext, *, remind_emergency: bool = False) -> Step:
    """Rephrase once more slowly; then the keypad; then a person (never a dead end).

    `remind_emergency`: something like an emergency was heard but not trusted (intents.hearing), so the caller
    is told first how to get help at once.
    """
    failures = state.speech_failures + 1
    state = replace(state, speech_failures=failures, pending_intent=None)
    lead = [Speak("voice.emergency_reminder")] if remind_emergency else []
    if failures < ctx.speech_retries_before_keypad:
        prompts = (*lead, Speak("voice.rephrase", slow=True))
        return _asking(replace(state, phase=Phase.OPEN), [Listen(ListenKind.OPEN, prompts)])
    keypad_lead = [*lead, Speak("voice.try_keypad", slow=True)]
    return _menu(replace(state, menu=MenuId.MAIN.value), prompts=keypad_lead, slow=True)


def _keypad_failed(state: CallDialogState, ctx: CallContext, *, key_wrong: bool) -> Step:
    failures = state.keypad_failures + 1
    state = replace(state, keypad_failures=failures)
    if failures >= ctx.keypad_retries_before_person:
        return _person(state, ctx)
    lead = [Speak("voice.menu.invalid")] if key_wrong else []
    return _menu(state, prompts=lead, slow=True)


def _goodbye(state: CallDialogState) -> Step:
    return replace(state, phase=Phase.ENDED), [Speak("voice.goodbye"), Hangup()]


def _on_digits(state: CallDialogState, ctx: CallContext, digits: str) -> Step:
    if state.phase is Phase.LANGUAGE:
        if digits[:1] == keypad.STAFF_KEY:
            return replace(state, phase=Phase.ENDED), [StaffRecording()]
        locale = keypad.LANGUAGE_KEYS.get(digits[:1])
        if locale is None:
            if digits[:1] == keypad.PERSON_KEY:
                return _person(state, ctx)
            if digits[:1] == keypad.EMERGENCY_KEY:
                return _emergency(state, "", "keypad")
            if digits[:1] == keypad.REPEAT_KEY:
                return state, [ChooseLanguage()]
            locale = ctx.default_locale
        return _open_question(replace(state, locale=locale), ctx, greeting=True)
    escape = keypad.escape_key(digits)
    if escape is KeyMeaning.EMERGENCY:
        return _emergency(state, "", "keypad")
    if escape is KeyMeaning.PERSON:
        return _person(state, ctx)
    if escape is KeyMeaning.REPEAT:
        return _repeat(state, ctx)
    if escape is KeyMeaning.STAFF:
        if state.phase is Phase.OPEN and state.requests_made == 0 and state.speech_failures == 0:
            return replace(state, phase=Phase.ENDED), [StaffRecording()]
        return _repeat(state, ctx)
    if state.phase is Phase.CONFIRM and state.pending_intent:
        if digits[:1] == keypad.YES_KEY:
            return _accept(state, ctx, Intent(state.pending_intent), state.pending_transcript, state.pending_by)
        if digits[:1] == keypad.NO_KEY:
            return _rejected_confirmation(state, ctx)
        return _repeat(state, ctx)
    if state.phase in (Phase.OPEN, Phase.ANYTHING_ELSE, Phase.DETAILS) and digits[:1] == keypad.MENU_KEY:
        return _menu(replace(state, menu=MenuId.MAIN.value))
    if state.phase is Phase.MENU:
        pressed = keypad.press(MenuId(state.menu), digits)
        if pressed.meaning is KeyMeaning.SUBMENU and pressed.submenu is not None:
            return _menu(replace(state, menu=pressed.submenu.value, keypad_failures=0))
        if pressed.meaning is KeyMeaning.INTENT and pressed.intent is not None:
            return _accept(state, ctx, pressed.intent, "", "keypad")
        return _keypad_failed(state, ctx, key_wrong=True)
    return _repeat(state, ctx)


def _rejected_confirmation(state: CallDialogState, ctx: CallContext) -> Step:
    state = replace(state, pending_intent=None, pending_transcript="")
    failures = state.speech_failures + 1
    if failures >= ctx.speech_retries_before_keypad:
        return _not_understood(state, ctx)
    state = replace(state, speech_failures=failures, phase=Phase.OPEN)
    prompts = (Speak("voice.confirm_no"), Speak("voice.open_question", slow=True))
    return _asking(state, [Listen(ListenKind.OPEN, prompts)])


def _on_match(state: CallDialogState, ctx: CallContext, result: Match, utterance: Utterance) -> Step:
    by = "keypad" if utterance.source is InputSource.KEYPAD else "speech"
    text = utterance.text
    intent = result.intent
    if intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT and not result.negated:
        # A clear emergency, well heard, is never questioned.
        return _emergency(state, text, by)
    if intent is Intent.EMERGENCY and result.decision is not Decision.REJECT:
        # A doubtful one is asked about, never dropped: silence or an unclear answer still dials.
        return _emergency_check(state, text, by, person=result.person)
    asked_for_person = state.phase is Phase.CONFIRM and state.pending_intent == Intent.OPERATOR.value
    if intent is Intent.OPERATOR and result.decision is not Decision.REJECT:
        if result.decision is Decision.ACCEPT or asked_for_person or not in_doubt(utterance.hearing):
            return _person(_unpended(state), ctx, text, by)
        # Asked first: words the recogniser was unsure of, or that a phrase list forced ("연결해 주세요" heard in a
        # meal request), must not end the call in a promised callback. A yes or a second ask puts them through.
        return _confirming(state, Intent.OPERATOR, text, by)
    if intent is Intent.REPEAT and result.decision is not Decision.REJECT:
        return _repeat(state, ctx)
    if intent is Intent.GOODBYE and result.decision is not Decision.REJECT:
        return _goodbye(state)
    if intent is Intent.STATUS and result.decision is not Decision.REJECT and not result.negated:
        # Hearing one's own requests read out is harmless and asked for often: no confirmation needed.
        return _accept(state, ctx, intent, text, by)
    if asked_for_person and intent is Intent.YES and result.decision is not Decision.REJECT:
        return _person(_unpended(state), ctx, state.pending_transcript, state.pending_by)
    if state.phase is Phase.CONFIRM and state.pending_intent:
        if intent is Intent.YES and result.decision is not Decision.REJECT:
            return _accept(state, ctx, Intent(state.pending_intent), state.pending_transcript, state.pending_by)
        if intent is Intent.NO and result.decision is not Decision.REJECT:
            return _rejected_confirmation(state, ctx)
        if intent is None or intent not in Intent.SERVICES:
            return _not_understood(state, ctx)
    if intent is None or result.decision is Decision.REJECT or result.negated or intent not in Intent.SERVICES:
        if state.phase is Phase.ANYTHING_ELSE and intent is Intent.NO:
            return _goodbye(state)
        return _not_understood(state, ctx, remind_emergency=_sounded_like_emergency(result))
    if result.decision is Decision.ACCEPT:
        return _accept(state, ctx, intent, text, by)
    return _confirming(state, intent, text, by)


def _confirming(state: CallDialogState, intent: Intent, text: str, by: str) -> Step:
    """Ask "did you say you need ...?" before acting on `intent`."""
    question = (Speak("voice.confirm", _service(intent)),)
    new = replace(state, phase=Phase.CONFIRM, pending_intent=intent.value, pending_transcript=text, pending_by=by)
    return _asking(new, [Listen(ListenKind.YES_NO, question)])


def _unpended(state: CallDialogState) -> CallDialogState:
    """The state with no answer pending confirmation."""
    return replace(state, pending_intent=None, pending_transcript="", pending_by="", pending_person=False)


def _sounded_like_emergency(result: Match) -> bool:
    return any(alt.intent is Intent.EMERGENCY for alt in result.alternatives)


def expected_intents(state: CallDialogState) -> frozenset[Intent] | None:
    """What the current question can be answered with (the matcher always adds emergency and operator)."""
    if state.phase is Phase.CONFIRM:
        return frozenset({Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE}) | Intent.SERVICES
    if state.phase is Phase.EMERGENCY_CHECK:
        return frozenset({Intent.YES, Intent.NO})
    return None


def listening(state: CallDialogState) -> ListenKind | None:
    """What kind of recording the caller is answering now (the edge chooses recognition by it)."""
    kind = state.last_ask.get("listen")
    return ListenKind(kind) if kind else None


def step(state: CallDialogState, event: TurnInput, ctx: CallContext) -> Step:
    """Advance the call by one caller input."""
    if event.kind is InputKind.START:
        return start(ctx, known_locale=event.known_locale, is_staff=event.is_staff)
    if state.phase is Phase.ENDED:
        return _goodbye(state)
    if state.phase in (Phase.CHECKIN, Phase.CHECKIN_STOP) and event.kind is not InputKind.DIAL_RESULT:
        return _on_checkin(state, ctx, event)
    if state.phase is Phase.EMERGENCY_CHECK and event.kind is not InputKind.DIAL_RESULT:
        return _on_emergency_check(state, ctx, event)
    if event.kind is InputKind.HANGUP:
        return replace(state, phase=Phase.ENDED), []
    if event.kind is InputKind.DIAL_RESULT:
        return _dial_result(state, ctx, event.dial_status)
    if event.kind is InputKind.SILENCE:
        return _silence(state, ctx)
    if event.kind is InputKind.DETAILS:
        if state.phase is Phase.DETAILS:
            prompts = (Speak("voice.details_added"), Speak("voice.anything_else"))
            return _asking(replace(state, phase=Phase.ANYTHING_ELSE), [AddDetails(), Listen(ListenKind.OPEN, prompts)])
        return _not_understood(state, ctx)
    if event.kind is InputKind.UNCLEAR:
        if state.phase is Phase.MENU:
            return _keypad_failed(state, ctx, key_wrong=False)
        return _not_understood(state, ctx)
    utterance = event.utterance
    if utterance is None:
        return _not_understood(state, ctx)
    if utterance.source is InputSource.KEYPAD:
        return _on_digits(state, ctx, utterance.text.strip())
    result = event.match if event.match is not None else understand(state, event).match
    assert result is not None  # understand() matches every spoken utterance
    if state.phase is Phase.MENU:
        # Speech on a keypad menu: still listen for emergency and a person, else ask for a key.
        if result.intent in (Intent.EMERGENCY, Intent.OPERATOR) and result.decision is not Decision.REJECT:
            return _on_match(state, ctx, result, utterance)
        return _keypad_failed(state, ctx, key_wrong=False)
    return _on_match(state, ctx, result, utterance)


def understand(state: CallDialogState, event: TurnInput) -> TurnInput:
    """Match a spoken answer once, against what the current question can be answered with.

    The edge calls this before `step` so the match that drives the dialogue is the one it logs; keys and
    other inputs come back unchanged (the keypad maps keys, it does not match words).
    """
    utterance = event.utterance
    if event.kind is not InputKind.UTTERANCE or utterance is None or utterance.source is InputSource.KEYPAD:
        return event
    if event.match is not None:
        return event
    if state.phase is Phase.MENU:
        expected: frozenset[Intent] | None = frozenset({Intent.EMERGENCY, Intent.OPERATOR})
    else:
        expected = expected_intents(state)
    return replace(event, match=match_utterance(utterance, expected))


def decision_of(before: CallDialogState, after: CallDialogState, actions: list[CallDecision]) -> Decision | None:
    """What the dialogue decided about an answer, as the caller met it (for the call log and the simulator).

    ACCEPT: acted on (a request made, a call put through, the status read, the call ended on request);
    CONFIRM: asked "did you say ...?"; REJECT: not understood, asked again. None for turns without an answer.
    """
    if any(isinstance(a, Listen) and a.kind in (ListenKind.YES_NO, ListenKind.EMERGENCY_CHECK) for a in actions):
        return Decision.CONFIRM
    if any(isinstance(a, CreateRequest | Dial | ReadStatus | Hangup | StaffRecording) for a in actions):
        return Decision.ACCEPT
    if after.speech_failures > before.speech_failures or after.keypad_failures > before.keypad_failures:
        return Decision.REJECT
    return None


def _silence(state: CallDialogState, ctx: CallContext) -> Step:
    if state.phase is Phase.LANGUAGE:
        return _open_question(replace(state, locale=ctx.default_locale), ctx, greeting=True)
    if state.phase is Phase.MENU:
        return _keypad_failed(state, ctx, key_wrong=False)
    if state.phase is Phase.DETAILS:
        prompts = (Speak("voice.anything_else"),)
        return _asking(replace(state, phase=Phase.ANYTHING_ELSE), [Listen(ListenKind.OPEN, prompts)])
    if state.phase is Phase.ANYTHING_ELSE:
        return _goodbye(state)
    if state.phase is Phase.CONFIRM and state.speech_failures + 1 < ctx.speech_retries_before_keypad:
        # No answer to "did you say ...?": ask it once more, slowly, before giving up on the guess.
        return _repeat(replace(state, speech_failures=state.speech_failures + 1), ctx)
    return _not_understood(state, ctx)


def _dial_result(state: CallDialogState, ctx: CallContext, status: str) -> Step:
    answered = status.lower() in ANSWERED
    if state.phase is Phase.EMERGENCY:
        if answered:
            return replace(state, phase=Phase.ENDED), [Hangup()]
        return replace(state, phase=Phase.EMERGENCY_BACKUP), [Speak("voice.emergency_retry"), Dial(DialTarget.STAFF)]
    if state.phase is Phase.EMERGENCY_BACKUP:
        if answered:
            return replace(state, phase=Phase.ENDED), [Hangup()]
        return replace(state, phase=Phase.ENDED), [Speak("voice.emergency_hang_up"), Hangup()]
    if state.phase is Phase.TRANSFER:
        if answered:
            return replace(state, phase=Phase.ENDED), [Hangup()]
        return _callback(_unpended(state), ctx, state.pending_transcript, "person", closed=False)
    return _repeat(state, ctx)


def keypad_utterance(digits: str, locale: str) -> Utterance:
    """Digits as the one input shape."""
    return Utterance(digits, InputSource.KEYPAD, Locale(locale))


# --- the daily check-in call (issue 13): an outbound call that becomes a hotline call when there is a need ---
# Keys on the check-in question; 0, 9 and * keep their meaning everywhere (voice.keypad).
CHECKIN_WELL_KEY = "1"
CHECKIN_NEED_KEY = "2"
CHECKIN_STOP_KEY = "3"  # where no speech model hears "stop calling me", the keypad must be able to say it
# What a service asked for on a check-in says about the day (the trend counts unwell and lonely answers).
_CHECKIN_KIND = {Intent.MEDICAL: "unwell", Intent.MEDICATION: "unwell", Intent.COMPANIONSHIP: "lonely"}


def start_checkin(ctx: CallContext, *, locale: str, name: str) -> Step:
    """A person answered the daily call: greet them by name and ask how they are."""
    state = CallDialogState(phase=Phase.CHECKIN, locale=locale)
    hello = Speak("voice.checkin.hello", (("name", name),))
    return _checkin_question(state, ctx, lead=(hello,))


def _checkin_question(
    state: CallDialogState, ctx: CallContext, *, lead: tuple[Speak, ...] = (), slow: bool = False
) -> Step:
    state = replace(state, phase=Phase.CHECKIN)
    if state.locale not in ctx.speech_locales:
        # No speech model for this language: the keys alone answer (1 well, 2 something needed).
        prompts = (*lead, Speak("voice.checkin.question", slow=slow), Speak("voice.checkin.keys", slow=slow))
        return _asking(state, [Gather("checkin", prompts)])
    prompts = (*lead, Speak("voice.checkin.question", slow=slow))
    if slow:
        prompts = (*prompts, Speak("voice.checkin.keys", slow=True))
    return _asking(state, [Listen(ListenKind.CHECKIN, prompts)])


def _checkin_unclear(state: CallDialogState, ctx: CallContext) -> Step:
    """Nothing usable heard: ask once more, slowly, with the keys; then a kind goodbye (we call again tomorrow)."""
    failures = state.speech_failures + 1
    state = replace(state, speech_failures=failures)
    if failures < ctx.speech_retries_before_keypad:
        if state.phase is Phase.CHECKIN_STOP:
            # No clear answer to "shall we stop?": the calls go on (stopping them is never a guess).
            return _checkin_question(state, ctx, lead=(Speak("voice.checkin.keep"),), slow=True)
        return _checkin_question(state, ctx, slow=True)
    actions: list[CallDecision] = [CheckinAnswer("unclear"), Speak("voice.checkin.unclear"), Hangup()]
    return replace(state, phase=Phase.ENDED), actions


def _checkin_well(state: CallDialogState) -> Step:
    actions: list[CallDecision] = [CheckinAnswer("well"), Speak("voice.checkin.glad"), Hangup()]
    return replace(state, phase=Phase.ENDED), actions


def _checkin_low(state: CallDialogState, ctx: CallContext) -> Step:
    """Not so well: say so kindly and ask what would help; any need then goes the hotline's way."""
    if state.locale not in ctx.speech_locales:
        # Keys only: the hotline's keypad menu of services, as an inbound caller without speech gets.
        menu = replace(state, menu=MenuId.MAIN.value, speech_failures=0, keypad_failures=0)
        new, actions = _menu(menu, prompts=[Speak("voice.checkin.sorry")])
        return new, [CheckinAnswer("low"), *actions]
    prompts = (Speak("voice.checkin.sorry"), Speak("voice.checkin.anything"))
    new = replace(state, phase=Phase.ANYTHING_ELSE, speech_failures=0)
    return _asking(new, [CheckinAnswer("low"), Listen(ListenKind.OPEN, prompts)])


def _checkin_stop_question(state: CallDialogState) -> Step:
    new = replace(state, phase=Phase.CHECKIN_STOP, speech_failures=0)
    return _asking(new, [Listen(ListenKind.YES_NO, (Speak("voice.checkin.stop_confirm"),))])


def _checkin_stopped(state: CallDialogState) -> Step:
    actions: list[CallDecision] = [StopCalls(), CheckinAnswer("stop"), Speak("voice.checkin.stopped"), Hangup()]
    return replace(state, phase=Phase.ENDED), actions


def _on_checkin(state: CallDialogState, ctx: CallContext, event: TurnInput) -> Step:
    """An answer to "Are you well today?" (or to "shall we stop the daily calls?")."""
    if event.kind is InputKind.HANGUP:
        return replace(state, phase=Phase.ENDED), []
    utterance = event.utterance if event.kind is InputKind.UTTERANCE else None
    if utterance is None:
        return _checkin_unclear(state, ctx)
    if utterance.source is InputSource.KEYPAD:
        return _on_checkin_keys(state, ctx, utterance.text.strip()[:1])
    result = event.match if event.match is not None else understand(state, event).match
    assert result is not None
    return _on_checkin_words(state, ctx, result, utterance)


def _on_checkin_keys(state: CallDialogState, ctx: CallContext, digit: str) -> Step:
    escape = keypad.escape_key(digit)
    if escape is KeyMeaning.EMERGENCY:
        return _with_answer("emergency", _emergency(state, "", "keypad"))
    if escape is KeyMeaning.PERSON:
        return _person(state, ctx)
    if escape is KeyMeaning.REPEAT:
        return _repeat(state, ctx)
    if state.phase is Phase.CHECKIN_STOP:
        if digit == keypad.YES_KEY:
            return _checkin_stopped(state)
        return _checkin_question(state, ctx, lead=(Speak("voice.checkin.keep"),))
    if digit == CHECKIN_WELL_KEY:
        return _checkin_well(state)
    if digit == CHECKIN_NEED_KEY:
        return _checkin_low(state, ctx)
    if digit == CHECKIN_STOP_KEY:
        return _checkin_stop_question(state)
    return _checkin_unclear(state, ctx)


def _with_answer(answer: str, step_: Step) -> Step:
    new, actions = step_
    return new, [CheckinAnswer(answer), *actions]


def _on_checkin_words(state: CallDialogState, ctx: CallContext, result: Match, utterance: Utterance) -> Step:
    intent, heard = result.intent, result.decision is not Decision.REJECT and not result.negated
    if intent is Intent.EMERGENCY and heard:
        # The hotline's emergency flow, unchanged: a clear one dials at once, a doubtful one is asked about.
        return _with_answer("emergency", _on_match(replace(state, phase=Phase.OPEN), ctx, result, utterance))
    if intent is Intent.OPERATOR and heard:
        return _person(state, ctx, utterance.text, "speech")
    if intent is Intent.REPEAT and heard:
        return _repeat(state, ctx)
    reading = read_answer(utterance.text, state.locale)
    if state.phase is Phase.CHECKIN_STOP:
        if reading is Reading.STOP or (intent is Intent.YES and heard):
            return _checkin_stopped(state)
        if intent is Intent.NO or reading is not None:
            return _checkin_question(state, ctx, lead=(Speak("voice.checkin.keep"),))
        return _checkin_unclear(state, ctx)
    if reading is Reading.STOP:
        return _checkin_stop_question(state)
    if intent in Intent.SERVICES and intent is not Intent.STATUS and heard:
        # A need: the same request flow as an inbound call (confirmed when unsure, then the reference).
        kind = _CHECKIN_KIND.get(intent, "need")
        opened = replace(state, phase=Phase.OPEN, speech_failures=0)
        return _with_answer(kind, _on_match(opened, ctx, result, utterance))
    if reading is Reading.LOW or (reading is None and intent is Intent.NO and heard):
        return _checkin_low(state, ctx)
    if reading is Reading.WELL or (intent is Intent.YES and heard):
        return _checkin_well(state)
    if intent is Intent.GOODBYE and heard:
        return _with_answer("unclear", _goodbye(state))
    return _checkin_unclear(state, ctx)
