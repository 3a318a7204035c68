"""SMS keywords (pure): STOP / START / HELP / STATUS and their equivalents in each language we serve.

Twilio's default opt-out handling (https://help.twilio.com/articles/223134027) acts on a message that is
exactly one of its keywords, any case, surrounding spaces ignored: opt-out STOP, STOPALL, UNSUBSCRIBE,
CANCEL, END, QUIT (and since 2025 REVOKE, OPTOUT); opt-in START, YES, UNSTOP; help HELP, INFO. It blocks
further messages to an opted-out number itself and still forwards the text to us. The other languages'
words are ours: Twilio does not act on them, so we must both honour them and confirm them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    STATUS = "status"


TWILIO_KEYWORDS: dict[Keyword, frozenset[str]] = {
    Keyword.STOP: frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}),
    Keyword.START: frozenset({"start", "yes", "unstop"}),
    Keyword.HELP: frozenset({"help", "info"}),
}

# Our own equivalents per language (whole message, after normalisation).
LOCAL_KEYWORDS: dict[Keyword, frozenset[str]] = {
    Keyword.STOP: frozenset({"退订", "停止", "取消订阅", "td", "중지", "수신거부", "그만", "parar", "baja", "alto"}),
    Keyword.START: frozenset({"开始", "订阅", "시작", "수신동의", "comenzar", "alta", "iniciar"}),
    Keyword.HELP: frozenset({"帮助", "幫助", "도움말", "도움", "ayuda"}),
    Keyword.STATUS: frozenset({"status", "状态", "狀態", "进度", "상태", "진행상황", "estado"}),
}

_REFERENCE = re.compile(r"#?(\d{4,8})")
_PUNCTUATION = " \t\r\n.!?,;:¡¿。！？，、~"


@dataclass(frozen=True)
class KeywordHit:
    keyword: Keyword
    twilio_handles: bool  # Twilio acts on it too (and sends its own confirmation for STOP / START / HELP)
    reference: str | None = None  # "status 482100"


def normalise(text: str) -> str:
    """Case-fold, NFKC (full-width letters become ASCII), trim spaces and end punctuation."""
    return unicodedata.normalize("NFKC", text).casefold().strip(_PUNCTUATION)


def keyword_of(text: str) -> KeywordHit | None:
    """The keyword a whole message is, if it is one; STATUS may carry a reference ("status 4821")."""
    words = normalise(text).split()
    if not words:
        return None
    whole = " ".join(words)
    for keyword, twilio_words in TWILIO_KEYWORDS.items():
        if whole in twilio_words:
            return KeywordHit(keyword, twilio_handles=True)
    for keyword, local in LOCAL_KEYWORDS.items():
        if whole in local:
            return KeywordHit(keyword, twilio_handles=False)
    if words[0] in LOCAL_KEYWORDS[Keyword.STATUS] and len(words) == 2:
        found = _REFERENCE.fullmatch(words[1])
        if found:
            return KeywordHit(Keyword.STATUS, twilio_handles=False, reference=found.group(1))
    # "状态 482100" / "상태482100": CJK keywords are often written without a space before the number.
    for word in LOCAL_KEYWORDS[Keyword.STATUS]:
        if whole.startswith(word):
            found = _REFERENCE.fullmatch(whole.removeprefix(word).strip())
            if found:
                return KeywordHit(Keyword.STATUS, twilio_handles=False, reference=found.group(1))
    return None


@dataclass(frozen=True)
class DigitReply:
    """A reply of one digit, optionally with a request reference ("1", "2 482100", "482100 5")."""

    digit: int
    reference: str | None = None


def digit_reply(text: str) -> DigitReply | None:
    words = normalise(text).replace("#", " ").split()
    if len(words) == 1 and len(words[0]) == 1 and words[0].isdecimal():
        return DigitReply(int(words[0]))
    if len(words) == 2:
        first, second = words
        if len(first) == 1 and first.isdecimal() and _REFERENCE.fullmatch(second):
            return DigitReply(int(first), second)
        if len(second) == 1 and second.isdecimal() and _REFERENCE.fullmatch(first):
            return DigitReply(int(second), first)
    return None
