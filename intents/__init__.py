"""Intent engine (pure): map one utterance in en, zh, ko or es to an intent, a score and a decision."""

from intents.locale import detect_locale, parse_locale
from intents.matcher import match, match_utterance, vocabulary
from intents.opinion import SecondOpinion, combine, enrich
from intents.types import (
    DIALOGUE,
    REQUESTS,
    SERVICES,
    Alternative,
    Decision,
    HeardWord,
    Hearing,
    InputSource,
    Intent,
    Locale,
    Match,
    Opinion,
    SemanticThresholds,
    UnknownLocale,
    Utterance,
)

__all__ = [
    "DIALOGUE",
    "REQUESTS",
    "SERVICES",
    "Alternative",
    "Decision",
    "HeardWord",
    "Hearing",
    "InputSource",
    "Intent",
    "Locale",
    "Match",
    "Opinion",
    "SecondOpinion",
    "SemanticThresholds",
    "UnknownLocale",
    "Utterance",
    "combine",
    "detect_locale",
    "enrich",
    "match",
    "match_utterance",
    "parse_locale",
    "vocabulary",
]
