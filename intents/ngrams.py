"""The character n-grams of a sentence (pure): the lexical features of the semantic second opinion's word half."""

from __future__ import annotations

import re
import unicodedata

from intents.normalise import strip_accents
from intents.types import Locale

# Chinese and Korean: a recogniser and a texter space words unpredictably ("我 要 看 医生", "약 이 다떨어 졌어요"), so
# spaces are dropped and n-grams run over the characters (syllables). Spaced languages keep word boundaries.
UNSPACED: frozenset[Locale] = frozenset({Locale.ZH, Locale.KO})
# Lengths of the n-grams. Chinese words are one to three characters and Korean stems two or three syllables; for
# spaced languages three to five letters inside a word's boundary marks carry stems and endings ("hospit",
# "medic", "pastill"), as in fastText's subword units (Bojanowski et al. 2017), plus the whole word.
UNSPACED_LENGTHS = (1, 2, 3)
SPACED_LENGTHS = (3, 4, 5)
_NOT_WORD = re.compile(r"[^\w]+")


def clean(text: str) -> str:
    """Case-folded, compatibility forms, accents dropped (callers and recognisers drop them), punctuation to spaces.
    Hangul survives: strip_accents's NFD splits a syllable into conjoining jamo, which are letters, not marks, and
    NFC rejoins them."""
    plain = unicodedata.normalize("NFC", strip_accents(unicodedata.normalize("NFKC", text).casefold()))
    return " ".join(_NOT_WORD.sub(" ", plain).replace("_", " ").split())


def grams(text: str, locale: Locale) -> frozenset[str]:
    """The distinct n-grams of `text` (a sentence is a set of them: how often one repeats says little)."""
    cleaned = clean(text)
    found: set[str] = set()
    if locale in UNSPACED:
        chars = cleaned.replace(" ", "")
        for n in UNSPACED_LENGTHS:
            found.update(chars[i : i + n] for i in range(len(chars) - n + 1))
        return frozenset(found)
    for word in cleaned.split():
        marked = f"<{word}>"
        found.add(marked)
        for n in SPACED_LENGTHS:
            found.update(marked[i : i + n] for i in range(len(marked) - n + 1))
    return frozenset(found)
