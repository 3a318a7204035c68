"""Render the dialogue's decisions as TwiML, speaking every sentence from the voice catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather as TwimlGather
from twilio.twiml.voice_response import Say, VoiceResponse

from i18n.messages import translate
from prompts.voices import SAY_LANGUAGES
from voice import keypad
from voice.dialogue import (
    CallDecision,
    ChooseLanguage,
    Dial,
    DialTarget,
    Gather,
    Hangup,
    Listen,
    ListenKind,
    Speak,
    SpeakReference,
    StaffRecording,
)

# Ordinary conversational speech runs at ~170 words a minute (see the sources of settings.speaking_rate_wpm);
# <Say>'s 100% is about that, so the setting becomes a prosody percentage.
ORDINARY_RATE_WPM = 170
# A repeat or a rephrase is slower again (ETSI EG 202 116 §8.3: offer a slower repetition on request).
SLOW_FACTOR = 0.85
# A pause between the digits of a reference so it can be written down (one digit per ~0.7 s).
DIGIT_PAUSE = "700ms"
# How long Twilio rings the staff or emergency line before the <Dial action> hears no-answer.
DIAL_TIMEOUT_SECONDS = 25
# After the prompts of a question that takes speech, listen for a key this long before the <Record> beep.
KEY_WINDOW_SECONDS = 1
# A yes/no answer is short; a longer recording is just noise to recognise.
YES_NO_MAX_SECONDS = 10
# Free recognition runs at up to ~0.8x real time on a busy 2-core machine (bench/voice_bench.py) and Twilio
# waits at most 15 s for the answer (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides),
# so an answer to the open question is capped well inside that; "in a few words" needs far less.
OPEN_MAX_SECONDS = 12
# The fail-safe emergency question takes at most 8 s after its prompt (issue #10): the 1 s key window, then
# a recording of at most 7 s that a 2 s pause ends; silence then runs the no-input path, which dials.
EMERGENCY_CHECK_MAX_SECONDS = 7
EMERGENCY_CHECK_PAUSE_SECONDS = 2
STAFF_PROMPT_LINE = "/prompts/phone/start"


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs beyond the decisions: the caller's language, timings, numbers, URLs."""

    locale: str
    turn: int
    speaking_rate_wpm: int
    silence_timeout_seconds: int
    end_of_speech_seconds: int
    max_recording_seconds: int
    staff_number: str
    emergency_number: str
    hotline_number: str
    crisis_number: str = ""  # settings.crisis_line_number (empty: none to offer)
    reference: str | None = None  # of the request made (or last made) in this call
    promised_by: str | None = None  # when a callback is promised, as said in the caller's language
    audio_url: Callable[[str, str, str], str | None] | None = None  # PromptVoice.audio_url


def spaced_digits(number: str) -> str:
    """A number as separate digits ("4 7 1"), so a voice reads it digit by digit."""
    return " ".join(ch for ch in number if ch.isdigit())


def prompt_text(speak: Speak, ctx: RenderContext, locale: str | None = None) -> str:
    """The catalog sentence of a Speak decision with its parameters filled in the caller's language."""
    locale = locale or ctx.locale
    params: dict[str, str] = {} if ctx.promised_by is None else {"when": ctx.promised_by}
    for name, value in speak.params:
        if name == "service":
            params[name] = translate("common", f"service.{value}", locale)
        elif name == "status":
            params[name] = translate("common", f"status.{value}", locale)
        elif name == "reference":
            params[name] = spaced_digits(value)
        else:
            params[name] = value
    params.setdefault("number", spaced_digits(ctx.emergency_number))
    params.setdefault("crisis_number", spaced_digits(ctx.crisis_number))
    return translate("voice", speak.key, locale, **params)


def rate_percent(ctx: RenderContext, slow: bool) -> str:
    rate = ctx.speaking_rate_wpm / ORDINARY_RATE_WPM * (SLOW_FACTOR if slow else 1.0)
    return f"{round(rate * 100)}%"


def _url(ctx: RenderContext, path: str, **query: str | int) -> str:
    return f"{path}?{urlencode({'t': ctx.turn, **query})}"


class Renderer:
    """Builds one TwiML answer; `spoken` collects the plain text of every sentence (for logs and the simulator)."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.response = VoiceResponse()
        self.spoken: list[str] = []

    def _say(self, parent: VoiceResponse | TwimlGather, text: str, *, slow: bool, locale: str) -> None:
        say = Say(language=SAY_LANGUAGES.get(locale, "en-US"))
        say.prosody(text, rate=rate_percent(self.ctx, slow))
        parent.append(say)

    def speak(self, parent: VoiceResponse | TwimlGather, speak: Speak, locale: str | None = None) -> None:
        locale = locale or self.ctx.locale
        text = prompt_text(speak, self.ctx, locale)
        self.spoken.append(text)
        # A slow repeat is always <Say>, which can be slowed; a recorded or pre-rendered prompt cannot.
        url = None if speak.slow or self.ctx.audio_url is None else self.ctx.audio_url(speak.key, locale, text)
        if url:
            parent.play(url)
        else:
            self._say(parent, text, slow=speak.slow, locale=locale)

    def reference(self, parent: VoiceResponse | TwimlGather, slow: bool) -> None:
        """The reference number digit by digit with pauses, then once more (callers write it down)."""
        if not self.ctx.reference:
            return
        for key in ("voice.reference_intro", "voice.reference_again"):
            self.speak(parent, Speak(key))
            say = Say(language=SAY_LANGUAGES.get(self.ctx.locale, "en-US"))
            prosody = say.prosody(rate=rate_percent(self.ctx, slow))
            for digit in self.ctx.reference:
                prosody.say_as(digit, interpret_as="characters")
                prosody.break_(time=DIGIT_PAUSE)
            parent.append(say)
            self.spoken.append(spaced_digits(self.ctx.reference))

    def listen(self, listen: Listen) -> None:
        """Prompts inside a key-only <Gather> (a key press interrupts them), then <Record>, then the no-input path.

        Twilio starts <Gather> and <Record> timeouts only after the prompt has finished playing, so the caller's
        thinking time is never eaten by the prompt. <Record timeout> is the pause that ends an answer;
        an empty recording skips the action and runs the next verb, hence the <Redirect> after it.
        """
        gather = self.response.gather(
            input="dtmf",
            num_digits=1,
            timeout=KEY_WINDOW_SECONDS,
            action=_url(self.ctx, "/voice/answer", via="keys"),
            method="POST",
            action_on_empty_result=False,
            # "#" is a key of its own here (the staff line): Twilio's default finishOnKey "#" would swallow it
            # and post nothing; an empty finishOnKey makes every key a digit (TwiML <Gather> reference).
            finish_on_key="",
        )
        for speak in listen.prompts:
            self.speak(gather, speak)
        max_length = self.ctx.max_recording_seconds
        pause = self.ctx.end_of_speech_seconds
        if listen.kind is ListenKind.YES_NO:
            max_length = min(max_length, YES_NO_MAX_SECONDS)
        elif listen.kind in (ListenKind.OPEN, ListenKind.CHECKIN):
            max_length = min(max_length, OPEN_MAX_SECONDS)
        elif listen.kind is ListenKind.EMERGENCY_CHECK:
            max_length = min(max_length, EMERGENCY_CHECK_MAX_SECONDS)
            pause = min(pause, EMERGENCY_CHECK_PAUSE_SECONDS)
        self.response.record(
            action=_url(self.ctx, "/voice/answer", via="speech"),
            method="POST",
            timeout=pause,
            max_length=max_length,
            play_beep=True,
            trim="trim-silence",
            finish_on_key="0123456789*#",
        )
        self.response.redirect(_url(self.ctx, "/voice/answer", via="silence"), method="POST")

    def gather(self, prompts: tuple[Speak, ...], *, language_menu: bool = False) -> None:
        """A keypad-only question; the caller has settings.silence_timeout_seconds after the prompt ends."""
        gather = self.response.gather(
            input="dtmf",
            num_digits=1,
            timeout=self.ctx.silence_timeout_seconds,
            action=_url(self.ctx, "/voice/answer", via="keys"),
            method="POST",
            action_on_empty_result=False,
            # "#" is a key of its own here (the staff line): Twilio's default finishOnKey "#" would swallow it
            # and post nothing; an empty finishOnKey makes every key a digit (TwiML <Gather> reference).
            finish_on_key="",
        )
        for speak in prompts:
            self.speak(gather, speak)
        if language_menu:
            for digit, locale in keypad.LANGUAGE_KEYS.items():
                self.speak(gather, Speak("voice.language_option", (("digit", digit),)), locale=locale)
        self.response.redirect(_url(self.ctx, "/voice/answer", via="silence"), method="POST")

    def dial(self, target: DialTarget) -> None:
        number = self.ctx.emergency_number if target is DialTarget.EMERGENCY else self.ctx.staff_number
        dial = self.response.dial(
            action=_url(self.ctx, "/voice/dial", target=target.value),
            method="POST",
            timeout=DIAL_TIMEOUT_SECONDS,
            caller_id=self.ctx.hotline_number,
        )
        dial.number(number)

    def render(self, actions: list[CallDecision]) -> str:
        for action in actions:
            if isinstance(action, Speak):
                self.speak(self.response, action)
            elif isinstance(action, SpeakReference):
                self.reference(self.response, action.slow)
            elif isinstance(action, Listen):
                self.listen(action)
            elif isinstance(action, Gather):
                self.gather(action.prompts, language_menu=action.menu == "language")
            elif isinstance(action, ChooseLanguage):
                self.gather((), language_menu=True)
            elif isinstance(action, Dial):
                self.dial(action.target)
            elif isinstance(action, StaffRecording):
                self.response.redirect(STAFF_PROMPT_LINE, method="POST")
            elif isinstance(action, Hangup):
                self.response.hangup()
            # CreateRequest, AddDetails and ReadStatus are carried out by the edge before rendering.
        return str(self.response)


def connect_stream(url: str, token: str, action: str) -> str:
    """Hand the call's audio to our Media Stream endpoint (bidirectional: <Connect><Stream>).

    The token comes back in the stream's `start` message (customParameters); when the stream ends, Twilio
    requests Connect's `action` and the call goes on by TwiML from there (TwiML <Connect> reference, action).
    """
    response = VoiceResponse()
    connect = response.connect(action=action, method="POST")
    stream = connect.stream(url=url)
    stream.parameter(name="token", value=token)
    return str(response)


def apology(ctx: RenderContext, key: str = "voice.error") -> str:
    """The answer when anything inside failed: an apology and a person (never silence, never a 500)."""
    renderer = Renderer(ctx)
    renderer.speak(renderer.response, Speak(key))
    renderer.dial(DialTarget.STAFF)
    renderer.speak(renderer.response, Speak("voice.goodbye"))
    renderer.response.hangup()
    return str(renderer.response)
