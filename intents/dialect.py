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
    죽겠어: multilingual-e5-small, trained on standard written Korean, read "자식들은 다 서울 있고 테레비만 보고
    있응께 적적해 죽겄어" (the children are all in Seoul, I only watch TV, I am so lonely) as small talk 0.87; spelt the
    standard way, as companionship 0.52.
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
