"""Locale names in, Locale out: normalise tags like "zh_Hans_CN" or "es-419", and guess the language of a text."""

from __future__ import annotations

import re
import unicodedata

from intents.types import Locale, UnknownLocale

# ISO 639-1 and -2/3 codes people and systems actually send us (Twilio, Babel, browsers, operators).
_ALIASES: dict[str, Locale] = {
    "en": Locale.EN,
    "eng": Locale.EN,
    "english": Locale.EN,
    "zh": Locale.ZH,
    "zho": Locale.ZH,
    "chi": Locale.ZH,
    "cmn": Locale.ZH,
    "chinese": Locale.ZH,
    "mandarin": Locale.ZH,
    "ko": Locale.KO,
    "kor": Locale.KO,
    "korean": Locale.KO,
    "es": Locale.ES,
    "spa": Locale.ES,
    "spanish": Locale.ES,
    "español": Locale.ES,
}


def parse_locale(name: str) -> Locale:
    """Map "zh", "zh_Hans_CN", "zh-CN", "es-419", "ko_KR", "EN", "en_US.UTF-8" to a Locale; raise UnknownLocale."""
    cleaned = name.strip().split(".", 1)[0].split("@", 1)[0]
    primary = re.split(r"[-_\s]", cleaned, maxsplit=1)[0].lower()
    try:
        return _ALIASES[primary]
    except KeyError:
        supported = ", ".join(loc.value for loc in Locale)
        raise UnknownLocale(f"unknown locale {name!r}; supported: {supported}") from None


_SPANISH_MARKS = set("¿¡ñÑáéíóúÁÉÍÓÚüÜ")
# Short, frequent words that tell Spanish from English in a one-line SMS.
_SPANISH_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "que",
        "de",
        "del",
        "y",
        "en",
        "un",
        "una",
        "por",
        "para",
        "con",
        "mi",
        "me",
        "se",
        "no",
        "es",
        "esta",
        "está",
        "estoy",
        "tengo",
        "necesito",
        "quiero",
        "ayuda",
        "hola",
        "gracias",
        "buenos",
        "buenas",
        "dias",
        "días",
        "favor",
        "usted",
        "señora",
        "señor",
        "mama",
        "mamá",
        "papa",
        "papá",
        "abuela",
        "abuelo",
        "hoy",
        "mañana",
        "casa",
        "médico",
        "medico",
        "pastillas",
        "puede",
        "pueden",
        "cuando",
        "cuándo",
        "donde",
        "dónde",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "of",
        "to",
        "in",
        "is",
        "it",
        "my",
        "me",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "for",
        "on",
        "with",
        "at",
        "this",
        "that",
        "can",
        "need",
        "please",
        "help",
        "hello",
        "hi",
        "thanks",
        "thank",
        "mum",
        "mom",
        "dad",
        "grandma",
        "grandpa",
        "today",
        "tomorrow",
        "home",
        "doctor",
        "pills",
        "does",
        "did",
    ]
)


def _script_counts(text: str) -> tuple[int, int, int]:
    hangul = han = latin = 0
    for ch in text:
        if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
            hangul += 1
        elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
        elif ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
            latin += 1
    return hangul, han, latin


def detect_locale(text: str) -> Locale | None:
    """Guess the language of an SMS: Hangul -> ko, Han -> zh, Spanish cues -> es, other Latin -> en, else None."""
    hangul, han, latin = _script_counts(text)
    if hangul == 0 and han == 0 and latin == 0:
        return None
    # Korean text may quote a Han character or two; Chinese never carries Hangul.
    if hangul >= han and hangul > 0:
        return Locale.KO
    if han > 0 and han >= latin:
        return Locale.ZH
    words = re.findall(r"[^\W\d_]+", text.lower())
    spanish = sum(w in _SPANISH_WORDS for w in words) + 2 * sum(ch in _SPANISH_MARKS for ch in text)
    english = sum(w in _ENGLISH_WORDS for w in words)
    if spanish > english:
        return Locale.ES
    return Locale.EN
