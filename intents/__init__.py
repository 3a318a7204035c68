"""Intent engine (pure): map one utterance in en, zh, ko or es to an intent, a score and a decision."""

from intents.locale import detect_locale, parse_locale
from intents.matcher import match, match_utterance, vocabulary
from intents.types import (
    DIALOGUE,
    SERVICES,
    Alternative,
    Decision,
    HeardWord,
    Hearing,
    InputSource,
    Intent,
    Locale,
    Match,
    UnknownLocale,
    Utterance,
)

__all__ = [
    "DIALOGUE",
    "SERVICES",
    "Alternative",
    "Decision",
    "HeardWord",
    "Hearing",
    "InputSource",
    "Intent",
    "Locale",
    "Match",
    "UnknownLocale",
    "Utterance",
    "detect_locale",
    "match",
    "match_utterance",
    "parse_locale",
    "vocabulary",
]
