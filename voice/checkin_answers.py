"""How a senior answers "Are you well today?" (pure): well, low, or "stop calling me", in four languages.

Services and emergencies are the intent matcher's (intents.match_utterance), exactly as on an inbound call;
this only reads the answers a check-in adds. Phrases are written as people answer the question on the phone,
and checked longest first, so "not good" is never read as "good".
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache


class Reading(StrEnum):
    WELL = "well"
    LOW = "low"
    STOP = "stop"


# Per locale: what each reading sounds like. Korean and Chinese are compared without spaces (recognisers and
# callers space them unpredictably). "괜찮아요" is "I'm fine" here, though to a yes/no offer it is "no thanks".
PHRASES: dict[str, dict[Reading, tuple[str, ...]]] = {
    "en": {
        Reading.STOP: (
            "stop calling",
            "stop the calls",
            "dont call me",
            "do not call me",
            "dont call anymore",
            "no more calls",
            "leave me alone",
            "take me off",
            "stop ringing",
        ),
        Reading.LOW: (
            "not well",
            "not good",
            "not great",
            "not so good",
            "not too good",
            "not fine",
            "not very well",
            "not really",
            "so so",
            "could be better",
            "feeling low",
            "a bit low",
            "a bit down",
            "feeling down",
            "not okay",
            "not ok",
            "not so well",
            "poorly",
            "terrible",
            "awful",
            "bad",
            "sad",
            "tired",
        ),
        Reading.WELL: (
            "fine",
            "well",
            "good",
            "great",
            "okay",
            "ok",
            "all right",
            "alright",
            "not bad",
            "doing well",
            "very well",
            "im grand",
            "lovely",
            "wonderful",
        ),
    },
    "es": {
        Reading.STOP: (
            "no me llame",
            "no me llamen",
            "deje de llamar",
            "dejen de llamar",
            "no llame mas",
            "no quiero mas llamadas",
            "no me llamen mas",
            "dejeme en paz",
        ),
        Reading.LOW: (
            "no estoy bien",
            "no muy bien",
            "no tan bien",
            "mas o menos",
            "regular",
            "mal",
            "triste",
            "cansada",
            "cansado",
            "decaida",
            "decaido",
            "desanimada",
            "desanimado",
        ),
        Reading.WELL: (
            "estoy bien",
            "bien",
            "muy bien",
            "todo bien",
            "perfectamente",
            "de maravilla",
            "estupendamente",
            "no me quejo",
        ),
    },
    "zh": {
        Reading.STOP: ("别再打", "不要再打", "别打了", "不要打了", "不用再打", "不要给我打电话", "别给我打电话"),
        Reading.LOW: ("不太好", "不好", "不舒服", "一般般", "马马虎虎", "不怎么样", "心情不好", "很累", "难过"),
        Reading.WELL: ("很好", "挺好", "还好", "还行", "不错", "都好", "好着呢", "我很好", "没事", "没问题"),
    },
    "ko": {
        Reading.STOP: (
            "전화하지마",
            "전화하지마세요",
            "전화안하셔도",
            "그만전화",
            "전화그만",
            "전화하지말아",
            "연락하지마",
        ),
        Reading.LOW: (
            "안좋아",
            "안괜찮",
            "별로",
            "그저그래",
            "그냥그래",
            "우울",
            "힘들어",
            "피곤",
            "기운이없",
            "속상",
        ),
        Reading.WELL: ("괜찮아", "괜찮습니다", "잘지내", "좋아요", "좋습니다", "건강해", "별일없", "잘있어", "네잘"),
    },
}
_SPACED = frozenset({"en", "es"})
_NON_WORD = re.compile(r"[^\w]+")


def _plain(text: str, locale: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("'", "").replace("’", ""))
    if locale == "ko":
        # Recompose: Hangul syllables must stay whole for a substring comparison.
        decomposed = unicodedata.normalize("NFKC", text.lower())
    else:
        decomposed = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NON_WORD.sub(" ", decomposed).split()
    return f" {' '.join(words)} " if locale in _SPACED else "".join(words)


@cache
def _ordered(locale: str) -> tuple[tuple[str, Reading], ...]:
    """Every phrase of a locale, plain, longest first: the most specific reading wins."""
    found = [(_plain(phrase, locale), reading) for reading, phrases in PHRASES[locale].items() for phrase in phrases]
    return tuple(sorted(found, key=lambda item: -len(item[0])))


def read_answer(text: str, locale: str) -> Reading | None:
    """The check-in reading of an answer, if it has one (None: leave it to the intent matcher)."""
    if locale not in PHRASES:
        return None
    plain = _plain(text, locale)
    spans: list[tuple[int, int, Reading]] = []
    for phrase, reading in _ordered(locale):
        start = plain.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if not any(s < end and start < e for s, e, _ in spans):  # inside a longer phrase already found
                spans.append((start, end, reading))
            start = plain.find(phrase, start + 1)
    readings = {reading for _, _, reading in spans}
    for reading in (Reading.STOP, Reading.LOW, Reading.WELL):  # the reading that needs the most care wins
        if reading in readings:
            return reading
    return None


# Korean phrases above are written without spaces for matching; a recogniser's phrase list needs words as the
# model spells them (voice.recognizer keeps only the ones the model knows).
KO_WORDS = (
    "괜찮아요",
    "괜찮습니다",
    "잘",
    "지내요",
    "좋아요",
    "안",
    "별로",
    "그냥",
    "그래요",
    "우울해요",
    "피곤해요",
    "힘들어요",
    "전화",
    "그만",
    "하지",
    "마세요",
    "연락",
)


def vocabulary(locale: str) -> list[str]:
    """The words of every check-in phrase, for a recogniser's phrase list (empty for an unknown locale)."""
    if locale == "ko":
        return sorted(KO_WORDS)
    words: set[str] = set()
    for phrases in PHRASES.get(locale, {}).values():
        for phrase in phrases:
            words.update(phrase.split()) if locale in _SPACED else words.add(phrase)
    return sorted(words)
