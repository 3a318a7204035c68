"""What an answered outbound call says and asks (pure data a purpose builds; voice.outbound renders it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intents import Intent
from voice.dialogue import Speak

# Key 0 always reaches a person, on every outbound call as on the hotline; no choice may take it.
PERSON_DIGIT = "0"
PERSON_ANSWER = "person"


class Then(StrEnum):
    """What happens after a choice is made (after its reply is spoken)."""

    GOODBYE = "goodbye"  # the script's goodbye, then hang up
    PERSON = "person"  # put through to the staff line
    EMERGENCY = "emergency"  # put through to the emergency number


@dataclass(frozen=True)
class Choice:
    """One allowed answer: a key, and what saying it sounds like (an intents.Intent: YES, NO, ...)."""

    digit: str  # "1"
    answer: str  # what is stored on the attempt and handed to the outcome handler: "yes", "safe", "help"
    intent: Intent | None = None  # spoken answers are matched against this intent's phrases; None: keys only
    reply: tuple[Speak, ...] = ()  # said after the choice ("Thank you, we will close it.")
    then: Then = Then.GOODBYE

    def __post_init__(self) -> None:
        if len(self.digit) != 1 or self.digit not in "123456789*#":
            raise ValueError(f"a choice takes one key other than {PERSON_DIGIT} (a person), got {self.digit!r}")
        if self.answer == PERSON_ANSWER:
            raise ValueError(f"{PERSON_ANSWER!r} is the answer of key {PERSON_DIGIT}, not a choice's")


@dataclass(frozen=True)
class Question:
    """Prompts, then keys (and speech where the choices have intents); asked `tries` times before giving up."""

    prompts: tuple[Speak, ...]
    choices: tuple[Choice, ...]
    tries: int = 2  # silence or an answer that is none of the choices asks again, slower, up to this many times

    def __post_init__(self) -> None:
        digits = [choice.digit for choice in self.choices]
        if not digits or len(set(digits)) != len(digits):
            raise ValueError(f"a question needs choices with distinct keys, got {digits}")
        if self.tries < 1:
            raise ValueError("a question is asked at least once")

    def by_digit(self, digit: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.digit == digit), None)

    def by_intent(self, intent: Intent) -> Choice | None:
        return next((choice for choice in self.choices if choice.intent is intent), None)

    @property
    def intents(self) -> frozenset[Intent]:
        return frozenset(choice.intent for choice in self.choices if choice.intent is not None)


@dataclass(frozen=True)
class PlayAudio:
    """A recording staff made (a crisis message): <Play> it; `words` is what it says, for logs and captions."""

    url: str
    words: str = ""


@dataclass(frozen=True)
class Script:
    """An answered call: the message, then the question (if any), then goodbye.

    `voicemail` is what an answering machine gets: short, and with no personal details (no name, no request,
    no health matter) since anyone may play the tape back.
    Parameters of a Speak are filled as the hotline's prompts are (voice.twiml.prompt_text): `reference` is
    read digit by digit, `service` and `status` are translated, anything else is inserted as given.
    """

    message: tuple[Speak | PlayAudio, ...]
    question: Question | None = None
    # The daily check-in: a person who answers gets the hotline's own dialogue (voice.calls.begin_checkin), which
    # greets them by `context["name"]`, takes any answer in words (a need, an emergency, "stop calling me") and
    # notes it on the call; `message` and `question` are then not played. A machine still gets `voicemail`.
    checkin_dialogue: bool = False
    voicemail: tuple[Speak, ...] = (Speak("voice.outreach.voicemail"),)
    goodbye: tuple[Speak, ...] = (Speak("voice.outreach.goodbye"),)
