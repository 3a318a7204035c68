"""Answers to "is it sorted?" in words (pure): "yes thank you, the meals arrived", "네 해결됐어요", "todavía no".

A text is an answer when it opens with a yes or no word, or says the thing is fixed or still not. What else it
says is kept as `rest`, so the conversation can tell an answer from an answer plus a new need ("yes, and I
also need a ride"). Words of every language are looked for in every text: a Spanish speaker's "ok" and an
English "no" are the same answer, and short replies are too short to detect a language from reliably.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Verdict(StrEnum):
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    rest: str  # the text without its answer words and courtesies ("" when it was only an answer)
    # Said in words ("fixed", "还没修好"), not only by an opening yes or no ("no rush, mum needs a ride").
    worded: bool = True


# A yes or a no counts only as the text's first word: "no rush" or "sí" in the middle of a new request is
# not an answer. Written without accents (they are stripped before matching: "sí" and "si" alike).
YES_FIRST = (
    "yes", "yeah", "yep", "yup", "ok", "okay", "sure", "correct",
    "si", "vale", "claro",
    "是的", "是", "对", "对的", "好的", "嗯", "恩",
    "네", "예", "응", "넵", "넹", "맞아요",
)  # fmt: skip
NO_FIRST = (
    "no", "nope", "nah",
    "不", "不是", "没有",
    "아니요", "아니오", "아뇨", "아니", "아니에요",
)  # fmt: skip

# Anywhere in the text. Where phrases overlap the longer one is read first ("not fixed" before "fixed",
# "没修好" before "修好", "안 왔어요" before "왔어요"), and the earlier one in the text wins.
FIXED = (
    "fixed", "its fixed", "sorted", "all sorted", "sorted out", "solved", "resolved", "done", "all done",
    "all good", "its fine", "fine now", "working again", "works now", "working now", "its working", "works fine",
    "arrived", "they arrived", "it arrived", "came", "they came", "it came", "got it", "got them", "received",
    "delivered", "all set", "went well", "perfect",
    "arreglado", "arreglada", "ya esta", "resuelto", "resuelta", "solucionado", "solucionada", "ya vinieron",
    "ya vino", "ya llego", "ya llegaron", "llego", "llegaron", "vinieron", "vino", "funciona", "ya funciona",
    "todo bien", "listo", "perfecto", "recibido", "lo recibi", "lo recibimos",
    "修好了", "修好", "解决了", "已解决", "解决好了", "搞定了", "搞定", "弄好了", "好了", "到了", "送到了",
    "收到了", "来了", "已经来了", "没问题", "可以了", "行了",
    "해결됐", "해결되었", "해결했", "고쳐졌", "고쳤", "고쳐주셨", "왔어요", "왔습니다", "왔네요", "받았어요",
    "받았습니다", "도착했", "괜찮아요", "됐어요", "됐습니다", "잘됐", "잘받았", "다됐", "끝났",
)  # fmt: skip
NOT_FIXED = (
    "not fixed", "not sorted", "not yet", "not working", "still not", "still broken", "still nothing",
    "still waiting", "still no", "nothing yet", "nothing came", "nobody came", "no one came", "never came",
    "didnt come", "hasnt come", "havent come", "didnt arrive", "hasnt arrived", "not arrived", "doesnt work",
    "isnt fixed", "isnt working", "not done", "not really", "not quite", "nobody has come", "no one has come",
    "no esta arreglado", "no funciona", "todavia no", "aun no", "sigue igual", "sigue sin", "sigue roto",
    "nadie vino", "no vino nadie", "no vino", "no vinieron", "no ha venido", "no han venido", "no llego",
    "no llegaron", "no ha llegado", "todavia nada", "nada todavia", "no se ha resuelto", "no resuelto",
    "没修好", "还没修好", "没有修好", "没解决", "还没解决", "没有解决", "没到", "还没到", "没收到",
    "还没收到", "没来", "还没来", "没人来", "没有人来", "还没有", "还没", "还是不行", "不行", "还是坏的",
    "还坏着",
    "아직", "안왔", "안됐", "안고쳐", "해결안", "해결이안", "안돼", "여전히", "그대로", "못받았", "아무도안",
    "안와요",
)  # fmt: skip
# Said around an answer, and no need of their own.
COURTESIES = (
    "thank you", "thanks", "thank", "please", "so much", "very much", "gracias", "muchas gracias", "por favor",
    "谢谢", "谢谢你们", "谢了", "多谢", "감사합니다", "고마워요", "고맙습니다", "감사해요",
)  # fmt: skip

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_NON_WORD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    """Case-fold, NFKC, accents and apostrophes off ("didn't" -> "didnt"), punctuation to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("’", "")
    decomposed = unicodedata.normalize("NFD", folded)
    plain = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return _NON_WORD.sub(" ", plain).strip()


def _pattern(phrase: str) -> str:
    if _CJK.search(phrase):
        # Chinese and Korean are spaced unpredictably ("해결 안 됐어요", "해결안됐어요"): any spacing matches.
        joined = r"\s*".join(re.escape(ch) for ch in phrase.replace(" ", ""))
        # Korean phrases are stems: the ending that follows belongs to them ("해결됐" + "어요", "안 왔" + "네요").
        return joined + r"[\uac00-\ud7af]*" if _HANGUL.search(phrase) else joined
    return r"(?<!\w)" + r"\s+".join(re.escape(word) for word in phrase.split()) + r"(?!\w)"


@lru_cache(maxsize=4)
def _phrases(kind: str) -> re.Pattern[str]:
    chosen: Iterable[str] = {"fixed": FIXED, "not_fixed": NOT_FIXED, "courtesy": COURTESIES}[kind]
    ordered = sorted({_fold(p) for p in chosen}, key=lambda p: (-len(p.replace(" ", "")), p))
    return re.compile("|".join(_pattern(p) for p in ordered))


@lru_cache(maxsize=1)
def _verdicts() -> re.Pattern[str]:
    """Fixed and not-fixed phrases in one alternation, longest first, each in a named group."""
    tagged = [(p, "n") for p in map(_fold, NOT_FIXED)] + [(p, "f") for p in map(_fold, FIXED)]
    tagged.sort(key=lambda item: (-len(item[0].replace(" ", "")), item[0]))
    parts = [f"(?P<{tag}{n}>{_pattern(phrase)})" for n, (phrase, tag) in enumerate(tagged)]
    return re.compile("|".join(parts))


def _first_word(folded: str, words: Iterable[str]) -> str | None:
    """The yes or no word the text opens with ("yes", "네"; "是的" also glued to what follows: "是的修好了")."""
    first = folded.split(" ", 1)[0] if folded else ""
    for word in sorted({_fold(w) for w in words}, key=len, reverse=True):
        if first == word or (len(word) >= 2 and _CJK.match(word) and first.startswith(word)):
            return word
    return None


def answer_of(text: str) -> Answer | None:
    """The text as an answer to "is it sorted?", or None when it is not one."""
    folded = _fold(text)
    if not folded:
        return None
    said: set[Verdict] = set()
    spans: list[tuple[int, int]] = []
    for found in _verdicts().finditer(folded):
        tag = next(name for name, value in found.groupdict().items() if value is not None)
        said.add(Verdict.NOT_FIXED if tag.startswith("n") else Verdict.FIXED)
        spans.append(found.span())
    yes, no = _first_word(folded, YES_FIRST), _first_word(folded, NO_FIRST)
    opener = yes or no
    if no is not None and (yes is None or len(no) >= len(yes)):
        said.add(Verdict.NOT_FIXED)
    elif yes is not None:
        said.add(Verdict.FIXED)
    if not said:
        return None
    # "Yes, but it is still broken": any "still not" outweighs a yes, so nothing is closed that is not fixed.
    verdict = Verdict.NOT_FIXED if Verdict.NOT_FIXED in said else Verdict.FIXED
    rest = folded
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    if opener is not None and rest.lstrip().startswith(opener):
        rest = rest.lstrip()[len(opener) :]
    rest = _phrases("courtesy").sub(" ", rest)
    return Answer(verdict, " ".join(rest.split()), worded=bool(spans))
