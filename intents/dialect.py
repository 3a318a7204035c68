"""Regional spellings rewritten to the standard forms the catalogs and the sentence model know (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# A run of letters and digits: a word, the unit a regional form is recognised in (punctuation and spaces kept).
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class StandardForms:
    """A language's regional forms and their standard spellings, from its catalog's "standard_forms".

    Korean speech of Gyeongsang and Jeolla writes "알려주이소" for 알려주세요, "몬 갔다" for 못 갔다, "죽겄어" for
    죽겠어. The model of 7 December, trained on mostly standard Korean, read "정류장까지 걸어가기가 인자 힘들어서 은행을
    한 달째 몬 갔다" (walking to the bus stop is too hard now, I have not got to the bank for a month) as transport
    0.53 against small talk 0.43, and rejected it; spelt 이제 and 못, transport 0.93.
    """

    words: Mapping[str, str] = field(default_factory=dict)  # a whole word: "몬" -> "못"
    endings: Mapping[str, str] = field(default_factory=dict)  # the end of a word: "주이소" -> "주세요"
    anywhere: Mapping[str, str] = field(default_factory=dict)  # inside any word: "겄" -> "겠"
    longest_endings_first: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.endings.items(), key=lambda pair: -len(pair[0])))
        object.__setattr__(self, "longest_endings_first", ordered)

    def __bool__(self) -> bool:
        return bool(self.words or self.endings or self.anywhere)


def _word(word: str, forms: StandardForms) -> str:
    if word in forms.words:
        return forms.words[word]
    for ending, replacement in forms.longest_endings_first:  # the longest ending that fits
        if word.endswith(ending):
            word = word[: -len(ending)] + replacement
            break
    for regional, standard in forms.anywhere.items():
        word = word.replace(regional, standard)
    return word


def standard(text: str, forms: StandardForms) -> str:
    """`text` with every regional form spelt the standard way; unchanged where the language has none."""
    if not forms:
        return text
    return _WORD.sub(lambda m: _word(m.group(0), forms), text)
