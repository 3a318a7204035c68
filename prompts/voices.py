"""Which voice speaks each locale: the espeak-ng voice for local synthesis and Twilio's <Say> language."""

from __future__ import annotations

from types import MappingProxyType

# espeak-ng voice names (`espeak-ng --voices`): Mandarin is "cmn" (its "zh" alias reads Cantonese-like tones
# for some characters), American English for a US hotline by default.
ESPEAK_VOICES = MappingProxyType({"en": "en-us", "zh": "cmn", "ko": "ko", "es": "es"})

# Twilio <Say language=...> codes supported by its standard voices (TwiML <Say> documentation, "language").
SAY_LANGUAGES = MappingProxyType({"en": "en-US", "zh": "cmn-CN", "ko": "ko-KR", "es": "es-US"})


class UnknownVoice(LookupError):
    """No voice is configured for this locale."""


def espeak_voice(locale: str) -> str:
    try:
        return ESPEAK_VOICES[locale]
    except KeyError:
        raise UnknownVoice(f"no espeak-ng voice for locale {locale!r}") from None


def say_language(locale: str) -> str:
    try:
        return SAY_LANGUAGES[locale]
    except KeyError:
        raise UnknownVoice(f"no Twilio <Say> language for locale {locale!r}") from None
