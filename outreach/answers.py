"""What an answer to an outbound question means (pure): a choice, a person, the emergency line, or unclear."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intents import Decision, Intent, Match
from outreach.script import PERSON_ANSWER, PERSON_DIGIT, Choice, Question, Then

EMERGENCY_ANSWER = "emergency"


class Meaning(StrEnum):
    CHOICE = "choice"
    PERSON = "person"
    EMERGENCY = "emergency"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Understood:
    meaning: Meaning
    choice: Choice | None = None

    @property
    def answer(self) -> str | None:
        if self.choice is not None:
            return self.choice.answer
        return {Meaning.PERSON: PERSON_ANSWER, Meaning.EMERGENCY: EMERGENCY_ANSWER}.get(self.meaning)

    @property
    def then(self) -> Then:
        if self.choice is not None:
            return self.choice.then
        return {Meaning.PERSON: Then.PERSON, Meaning.EMERGENCY: Then.EMERGENCY}.get(self.meaning, Then.GOODBYE)


def of_keys(question: Question, digits: str) -> Understood:
    """The first key pressed: 0 is a person, a choice's key is that choice, anything else is unclear."""
    key = digits[:1]
    if key == PERSON_DIGIT:
        return Understood(Meaning.PERSON)
    choice = question.by_digit(key)
    return Understood(Meaning.CHOICE, choice) if choice is not None else Understood(Meaning.UNCLEAR)


def of_speech(question: Question, result: Match) -> Understood:
    """A matched utterance: a choice's intent, "a person", or an emergency (only when heard clearly)."""
    if result.intent is None or result.decision is Decision.REJECT:
        return Understood(Meaning.UNCLEAR)
    if result.intent is Intent.EMERGENCY:
        # Weakly heard, an emergency word is not acted on here: the question is asked again (key 0 reaches a
        # person at once, and the hotline's emergency check is a call away).
        return Understood(Meaning.EMERGENCY) if result.decision is Decision.ACCEPT else Understood(Meaning.UNCLEAR)
    if result.intent is Intent.OPERATOR:
        return Understood(Meaning.PERSON)
    choice = question.by_intent(result.intent)
    return Understood(Meaning.CHOICE, choice) if choice is not None else Understood(Meaning.UNCLEAR)
