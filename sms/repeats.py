"""A text sent again (pure): the same words, give or take case, spacing, punctuation, accents and a typo."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# rapidfuzz's ratio is 100 for the same text; a typo or a dropped letter in a short sentence ("Mum's heating is
# broken" / "mums heating is broke": 98) stays above 95, while a changed word ("a ride on Monday" / "on
# Tuesday": 91) falls below it: those are two requests.
SAME_TEXT_RATIO = 95
_NON_WORD = re.compile(r"[^\w]+")


def folded(text: str) -> str:
    """The text as compared: NFKC, case-folded, accents off, punctuation and spacing to single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("’", "")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def same_text(first: str, second: str) -> bool:
    """True when two texts say the same thing in (almost) the same words."""
    a, b = folded(first), folded(second)
    if not a or not b:
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False  # a different day, time, flat or reference number is a different request
    return a == b or fuzz.ratio(a, b) >= SAME_TEXT_RATIO
