"""Render an outbound call's script as TwiML: the message, the question (keys, and speech where it can be
understood), the way to a person with 0, the reply to a choice, and the voicemail."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from outreach.script import Choice, PlayAudio, Question, Script, Then
from voice.dialogue import Speak
from voice.twiml import KEY_WINDOW_SECONDS, YES_NO_MAX_SECONDS, RenderContext, Renderer, spaced_digits

REPLY_PATH = "/voice/outbound/reply"
DIALLED_PATH = "/voice/outbound/dialled"
# How long the staff or emergency line rings before the call ends with goodbye (as on the hotline).
DIAL_TIMEOUT_SECONDS = 25


@dataclass(frozen=True)
class Rendered:
    """One webhook's TwiML and the plain words it says (logs, the simulator's captions, tests)."""

    twiml: str
    spoken: tuple[str, ...] = ()


def _url(path: str, attempt_id: int, **query: str | int) -> str:
    return f"{path}?{urlencode({'attempt': attempt_id, **query})}"


class OutboundRenderer:
    """One TwiML answer of an outbound call; `spoken` collects the plain text said (logs, the simulator)."""

    def __init__(self, ctx: RenderContext, attempt_id: int) -> None:
        self.ctx = ctx
        self.attempt_id = attempt_id
        self.inner = Renderer(ctx)
        self.response: VoiceResponse = self.inner.response

    @property
    def spoken(self) -> list[str]:
        return self.inner.spoken

    def _fill(self, speak: Speak) -> Speak:
        # Every outbound sentence may name the hotline to call back, read digit by digit.
        names = {name for name, _ in speak.params}
        extra = () if "hotline" in names else (("hotline", spaced_digits(self.ctx.hotline_number)),)
        return Speak(speak.key, speak.params + extra, speak.slow)

    def say(
        self,
        speaks: tuple[Speak | PlayAudio, ...],
        parent: VoiceResponse | Gather | None = None,
        *,
        slow: bool = False,
    ) -> None:
        for speak in speaks:
            if isinstance(speak, PlayAudio):
                (parent if parent is not None else self.response).play(speak.url)
                self.spoken.append(speak.words)
                continue
            filled = self._fill(speak)
            if slow:
                filled = Speak(filled.key, filled.params, True)
            self.inner.speak(parent if parent is not None else self.response, filled)

    def question(self, question: Question, turn: int, *, speech: bool, slow: bool = False) -> None:
        """Prompts inside a one-key <Gather> (a key interrupts them; 0 is always a person), then, where the
        choices can be said and the language has a speech model, a short <Record>; silence runs the no-input path.

        On purpose also when HEARTHLINE_VOICE_PATH=stream (that setting is the hotline's): an outbound question
        is closed (yes/no or two or three choices), recognised against a short phrase list in a fraction of a
        second, so the stream's free recognition buys nothing here; its prompts are short and keys already
        interrupt them. Streaming them would take a second stream session for outreach's own attempt-based state
        (outreach/calls.py, not the hotline's CallState), and the answering-machine check and voicemail stay
        TwiML either way. The cost, kept knowingly: a spoken answer waits out <Record>'s end-of-speech timeout.
        """
        keys_only = not speech or not question.intents
        gather = self.response.gather(
            input="dtmf",
            num_digits=1,
            timeout=self.ctx.silence_timeout_seconds if keys_only else KEY_WINDOW_SECONDS,
            action=_url(REPLY_PATH, self.attempt_id, t=turn, via="keys"),
            method="POST",
            action_on_empty_result=False,
            finish_on_key="",
        )
        self.say(question.prompts, gather, slow=slow)
        self.say((Speak("voice.outreach.press_zero"),), gather, slow=slow)
        if not keys_only:
            self.response.record(
                action=_url(REPLY_PATH, self.attempt_id, t=turn, via="speech"),
                method="POST",
                timeout=self.ctx.end_of_speech_seconds,
                max_length=min(self.ctx.max_recording_seconds, YES_NO_MAX_SECONDS),
                play_beep=True,
                trim="trim-silence",
                finish_on_key="0123456789*#",
            )
        self.response.redirect(_url(REPLY_PATH, self.attempt_id, t=turn, via="silence"), method="POST")

    def dial(self, then: Then) -> None:
        number = self.ctx.emergency_number if then is Then.EMERGENCY else self.ctx.staff_number
        dial = self.response.dial(
            action=_url(DIALLED_PATH, self.attempt_id, to=then.value),
            method="POST",
            timeout=DIAL_TIMEOUT_SECONDS,
            caller_id=self.ctx.hotline_number,
        )
        dial.number(number)

    def done(self) -> Rendered:
        return Rendered(str(self.response), tuple(self.spoken))

    def goodbye(self, script: Script) -> Rendered:
        self.say(script.goodbye)
        self.response.hangup()
        return self.done()

    def after(self, script: Script, choice: Choice | None, then: Then) -> Rendered:
        """What follows an answer: the choice's reply, then goodbye or a person (or the emergency number)."""
        if choice is not None:
            self.say(choice.reply)
        if then is Then.GOODBYE:
            return self.goodbye(script)
        self.dial(then)
        return self.goodbye(script)


def answered(ctx: RenderContext, attempt_id: int, script: Script, *, speech: bool) -> Rendered:
    """The first answer of a call a person picked up: the message, then the question (or goodbye)."""
    out = OutboundRenderer(ctx, attempt_id)
    out.say(script.message)
    if script.question is None:
        return out.goodbye(script)
    out.question(script.question, 1, speech=speech)
    return out.done()


def voicemail(ctx: RenderContext, attempt_id: int, script: Script) -> Rendered:
    """A machine answered: the script's short voicemail (no personal details), then hang up."""
    out = OutboundRenderer(ctx, attempt_id)
    out.say(script.voicemail)
    out.response.hangup()
    return out.done()


def ask_again(ctx: RenderContext, attempt_id: int, script: Script, turn: int, *, speech: bool, sorry: bool) -> Rendered:
    """Silence or an answer that is none of the choices: say so (when something was said), ask again, slower."""
    assert script.question is not None
    out = OutboundRenderer(ctx, attempt_id)
    if sorry:
        out.say((Speak("voice.outreach.not_understood"),))
    out.question(script.question, turn, speech=speech, slow=True)
    return out.done()


def after_answer(ctx: RenderContext, attempt_id: int, script: Script, choice: Choice | None, then: Then) -> Rendered:
    return OutboundRenderer(ctx, attempt_id).after(script, choice, then)
