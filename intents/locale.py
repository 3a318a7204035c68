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
# Short, frequent words that tell Spanish from English in a one-line SMS (a text is split into words at anything
# but a letter: "don't" is "don" and "t"). A word both languages use ("a", "me", "no", "he", "son", "ok") is in
# neither list: it says nothing about which one a text is in ("Algo le pasa a mi madre" counted "a" for English
# and was read as English).
_SPANISH_WORDS = frozenset(
    """
abuela abuelo ahora al algo alguien andale anoche ayer ayuda ayudar ayudeme ayudenme ayúdeme ayúdenme año bien
buenas buenos casa cayó caí comida como con correcto cuando cuándo cómo de del dias doctora dolor donde dos doña
duele días dónde el emergencia en entendido era es esa ese eso esposa esposo esta estaba estamos este esto estoy
está están favor fue gracias ha hablar hace hacer han hasta hay hemos hermana hermano hija hijo hijos hola hoy
ir la las le les llamar llame llamen lo los luego madre mal mama mamá marido mañana medico mes mi mis mujer muy
más médico nada nadie necesita necesitamos necesito noche noches nos nunca operadora otra otro padre papa papá
para pasa pastillas pasó pero podría por porque puede pueden puedo pues que quien quiere quiero quisiera quién
qué se semana señor señora señorita si siempre siento sin socorro sola solo su sus sí también tarde te tengo
tenía tiene tienen todavía todo todos tres tu un una unas unos usted ustedes va vale vamos van veces vecina
vecino vez viene vino voy y ya ándale
""".split()  # noqa: SIM905 - a word list reads best as words
)
_ENGLISH_WORDS = frozenset(
    """
about again all an and any anyone are at back be been but call can could dad daughter did do doctor does dont
father for from get going got grandma grandpa had has have hello help her here hi him his home how husband i if
im in is it its just know mom mother mum my need needs neighbor neighbour nobody not of on one our out pills
please she some somebody someone something still thank thanks that the their there these they this those to
today tomorrow tonight up very want wants was we were what when where who why wife will with would yeah yes
yesterday you your
""".split()  # noqa: SIM905 - a word list reads best as words
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
    """Guess the language of an SMS: Hangul -> ko, Han -> zh, Latin text by its common words -> es, else en; None
    when it has no letters (then the sender's own language decides: sms.conversation.utterance_of)."""
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
    # Latin text that says nothing either way ("ok", "no") is read as English: those words are English to a
    # Chinese or Korean texter too, and the Spanish catalogs know them as well.
    return Locale.ES if spanish > english else Locale.EN
