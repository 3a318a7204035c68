"""Value types of the intent engine: locales, intents, decisions, the one input shape and the match result."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import ClassVar


class Locale(StrEnum):
    """A language the hotline understands; the value is the catalog file name."""

    EN = "en"
    ZH = "zh"
    KO = "ko"
    ES = "es"


class Intent(StrEnum):
    """What a caller or texter wants; service intents become requests, dialogue intents steer a turn."""

    EMERGENCY = "emergency"
    MEDICAL = "medical"
    MEDICATION = "medication"
    MEALS = "meals"
    TRANSPORT = "transport"
    HOME_REPAIR = "home_repair"
    BENEFITS = "benefits"
    COMPANIONSHIP = "companionship"
    COMPLAINT = "complaint"
    EVENTS = "events"
    STATUS = "status"
    OPERATOR = "operator"
    YES = "yes"
    NO = "no"
    REPEAT = "repeat"
    GOODBYE = "goodbye"

    # Set just below the class: an enum body cannot hold non-member values of its own type.
    SERVICES: ClassVar[frozenset[Intent]]
    DIALOGUE: ClassVar[frozenset[Intent]]


SERVICES: frozenset[Intent] = frozenset(
    {
        Intent.MEDICAL,
        Intent.MEDICATION,
        Intent.MEALS,
        Intent.TRANSPORT,
        Intent.HOME_REPAIR,
        Intent.BENEFITS,
        Intent.COMPANIONSHIP,
        Intent.COMPLAINT,
        Intent.EVENTS,
        Intent.STATUS,
    }
)
DIALOGUE: frozenset[Intent] = frozenset({Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE})
Intent.SERVICES = SERVICES
Intent.DIALOGUE = DIALOGUE
# A caller can always get help or a person, whatever the turn expects (DESIGN.md: no dead end, ever).
ALWAYS_CONSIDERED: frozenset[Intent] = frozenset({Intent.EMERGENCY, Intent.OPERATOR})
# What a first message can ask for. No question is pending, so a yes, a no, "say again" or a goodbye answers
# nothing and asks for nothing (a text's reply says so, sms.conversation); "不用了，谢谢" is small talk, not "no".
REQUESTS: frozenset[Intent] = SERVICES | ALWAYS_CONSIDERED


class Decision(StrEnum):
    """What the dialogue should do with a match."""

    ACCEPT = "accept"
    CONFIRM = "confirm"
    REJECT = "reject"


class InputSource(StrEnum):
    """Where an utterance came from; keypad input is digits, not words."""

    SPEECH = "speech"
    KEYPAD = "keypad"
    SMS = "sms"


@dataclass(frozen=True)
class HeardWord:
    """One recognised word: the recogniser's confidence (0-1) and whether a free decoding supports it."""

    text: str
    confidence: float
    supported: bool = True
    # Not supported by the free decoding's best reading, but by one of its next-best readings (Vosk's
    # alternatives) over the same span: weak evidence, enough to ask the quick emergency question, never to act.
    in_alternatives: bool = False


@dataclass(frozen=True)
class Hearing:
    """How a spoken utterance was heard: its words, and whether a phrase list may have forced them.

    Under a phrase list Vosk returns catalog words with confidence 1.00 even when they are wrong (DESIGN.md,
    "Speech recognition facts"), so `forced` words count only where a free decoding of the same audio
    (`checked`) supports them.
    """

    words: tuple[HeardWord, ...]
    forced: bool = False  # decoded against a phrase list
    checked: bool = False  # a free decoding of the same audio was compared word by word
    free_text: str = ""  # that free decoding's words, when checked
    # A free decoding stopped at its time budget: the words are what the start of the audio said, the rest was
    # never heard, so nothing is acted on (an emergency among them is asked about, a service confirmed).
    partial: bool = False


@dataclass(frozen=True)
class SemanticThresholds:
    """Where a semantic opinion's probabilities become decisions; chosen per locale when the model is trained."""

    # The top intent is believed: it rescues a rejection as a confirmation and disagrees with the matcher.
    sure: float
    # Emergency probability from which the safety net asks the quick emergency question.
    emergency: float
    # Out-of-scope probability from which a service the matcher heard is rejected as small talk (above 1: never,
    # as for a model trained before this threshold existed).
    out_of_scope: float = 1.01
    # Probability of another service from which the matcher's own doubtful emergency ("is it an emergency?" on a
    # fuzzy hit) gives way to a confirmation of that service, the emergency being below the safety net's bar
    # (above 1: never, as for a model trained before this threshold existed).
    overrides_doubt: float = 1.01
    # Emergency probability the safety net needs when the model is sure of something else (a service at `sure`,
    # small talk at `out_of_scope`); below `emergency` (as for a model trained before it existed), `emergency`.
    emergency_if_sure: float = 0.0


@dataclass(frozen=True)
class Opinion:
    """The semantic second opinion on one utterance: a probability per intent and one for out of scope."""

    probabilities: tuple[tuple[Intent, float], ...]
    out_of_scope: float
    thresholds: SemanticThresholds
    model: str = ""

    def probability(self, intent: Intent) -> float:
        """The probability of `intent` (0 for an intent the model does not know, e.g. yes/no)."""
        return next((p for i, p in self.probabilities if i is intent), 0.0)

    def best(self) -> tuple[Intent | None, float]:
        """The most probable intent, or None when out of scope is the most probable."""
        intent, p = max(self.probabilities, key=lambda pair: pair[1], default=(None, 0.0))
        return (None, self.out_of_scope) if intent is None or self.out_of_scope >= p else (intent, p)

    def without(self, denied: Collection[Intent]) -> Opinion:
        """The opinion given that the utterance does not ask for `denied` (services it names only to say so: "not
        the shopping, a lift to the supermarket"): their probability shared out over the other services and out
        of scope in proportion; the emergency's is kept as it was, so the safety net reads the same."""
        gone = sum(p for i, p in self.probabilities if i in denied and i is not Intent.EMERGENCY)
        if gone <= 0.0:
            return self
        em = self.probability(Intent.EMERGENCY)
        rest = 1.0 - em - gone
        scale = (1.0 - em) / rest if rest > 0.0 else 1.0
        kept = tuple(
            (i, p if i is Intent.EMERGENCY else 0.0 if i in denied else p * scale) for i, p in self.probabilities
        )
        return replace(self, probabilities=kept, out_of_scope=self.out_of_scope * scale)


@dataclass(frozen=True)
class Utterance:
    """The one input shape: a speech transcript, keypad digits or an SMS text, in a known locale."""

    text: str
    source: InputSource
    locale: Locale
    confidence: float | None = None
    hearing: Hearing | None = None  # speech only: the recognition evidence behind `text`
    # Added at the edge by a semantic model (intents.opinion.enrich); None when no model is installed.
    semantic: Opinion | None = None


@dataclass(frozen=True)
class Alternative:
    """Another intent the utterance could mean, with its score (0-100)."""

    intent: Intent
    score: float


@dataclass(frozen=True)
class Match:
    """The engine's answer: best intent (or None), score 0-100, decision and the runners-up."""

    intent: Intent | None
    score: float
    decision: Decision
    alternatives: tuple[Alternative, ...]
    negated: bool = False
    # The emergency rests on a danger pattern of the catalog (a symptom cluster: "that smell, the stove, my head is
    # spinning"), which a sentence model's reading of small talk does not overrule. Not in the CLI's JSON.
    danger: bool = False
    # A "no" to the emergency question still puts the caller through to a person, not back to the menu: the danger
    # pattern says so (wanting to die, ending one's life). Not in the CLI's JSON.
    person: bool = False
    # Services the utterance names only to say it does not want them ("no me hace falta transporte", "밥 배달은
    # 필요 없고"): the second opinion is read without them (Opinion.without). Not in the CLI's JSON.
    denied: frozenset[Intent] = frozenset()
    # Every emergency word of the utterance was told of, none said of now: the news, a story, a dream, the past, a
    # scare that turned out to be nothing (intents.matcher.Evidence.told_of). Not in the CLI's JSON.
    told_of: bool = False
    # An emergency word was denied or turned down ("I'm not hurt", "don't call an ambulance"): when the model still
    # reads an emergency, a "no" to the quick question goes to a person (intents.opinion.combine). Not in the JSON.
    refused: bool = False

    def to_json(self) -> dict[str, object]:
        """The CLI's JSON shape (`negated` is an addition to the documented keys)."""
        return {
            "intent": None if self.intent is None else self.intent.value,
            "score": round(self.score, 1),
            "decision": self.decision.value,
            "alternatives": [{"intent": a.intent.value, "score": round(a.score, 1)} for a in self.alternatives],
            "negated": self.negated,
        }


class UnknownLocale(ValueError):
    """A locale name the hotline has no catalog for."""
