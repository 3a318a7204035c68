"""SMS segment arithmetic (pure): GSM-7 or UCS-2, how many segments a text takes, and fitting a reply to a limit.

Sources: 3GPP TS 23.038 §6.2.1 (GSM 7-bit default alphabet and its extension table, whose characters take
two septets) and TS 23.040 (140-octet user data: 160 septets or 70 UCS-2 characters in one message; a
concatenated message loses a 6/7-octet header to each segment: 153 septets or 67 characters). Twilio counts
the same way (https://www.twilio.com/docs/glossary/what-sms-character-limit) and counts UCS-2 in UTF-16
code units, so an emoji (outside the Basic Multilingual Plane) takes two.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# 3GPP TS 23.038 default alphabet (basic table), in code order.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC + character, two septets.
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SINGLE_GSM7 = 160
MULTI_GSM7 = 153
SINGLE_UCS2 = 70
MULTI_UCS2 = 67
# Twilio concatenates up to 10 segments, but each costs a message and long texts are hard to read on an
# old handset; the issue caps our replies at three.
MAX_REPLY_SEGMENTS = 3
ELLIPSIS_GSM7 = "..."
ELLIPSIS_UCS2 = "…"


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SegmentInfo:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def encoding_of(text: str) -> Encoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return Encoding.GSM7
    return Encoding.UCS2


def _units(text: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segment_info(text: str) -> SegmentInfo:
    """How the text would travel: its encoding, its length in that encoding, its segment count."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    single, multi = (SINGLE_GSM7, MULTI_GSM7) if encoding is Encoding.GSM7 else (SINGLE_UCS2, MULTI_UCS2)
    segments = 1 if units <= single else math.ceil(units / multi)
    return SegmentInfo(encoding, units, max(segments, 1) if text else 0)


def fits(text: str, max_segments: int = MAX_REPLY_SEGMENTS) -> bool:
    return segment_info(text).segments <= max_segments


def to_gsm7(text: str) -> str | None:
    """The text with accents the GSM-7 alphabet lacks dropped (á→a, í→i, ó→o, ú→u); None if that is not enough.

    Characters already in the alphabet (é, ñ, ü, ¿ ...) are kept. Chinese, Korean and emoji have no such form.
    """
    out: list[str] = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if not base or any(c not in GSM7_BASIC for c in base):
            return None
        out.append(base)
    return "".join(out)


def shortest_form(text: str) -> str:
    """Prefer GSM-7 when a UCS-2 text is UCS-2 only for a few Latin accents and that saves a segment.

    A Spanish reply naming "Rosa Díaz" is 70 characters a segment; "Rosa Diaz" is 160, as Spanish-language
    SMS services commonly write it. Text that fits one segment as it is keeps its accents.
    """
    info = segment_info(text)
    if info.encoding is Encoding.GSM7 or info.segments <= 1:
        return text
    plain = to_gsm7(text)
    if plain is not None and segment_info(plain).segments < info.segments:
        return plain
    return text


def fit(text: str, max_segments: int = MAX_REPLY_SEGMENTS) -> str:
    """The text in its fewest segments; when over `max_segments`, cut at a word boundary with an ellipsis.

    Cutting never changes the encoding to a costlier one: a GSM-7 text gets "..." rather than "…".
    """
    text = shortest_form(text)
    if fits(text, max_segments):
        return text
    encoding = encoding_of(text)
    ellipsis = ELLIPSIS_GSM7 if encoding is Encoding.GSM7 else ELLIPSIS_UCS2
    single, multi = (SINGLE_GSM7, MULTI_GSM7) if encoding is Encoding.GSM7 else (SINGLE_UCS2, MULTI_UCS2)
    budget = (single if max_segments == 1 else multi * max_segments) - _units(ellipsis, encoding)
    cut: list[str] = []
    used = 0
    for ch in text:
        cost = _units(ch, encoding)
        if used + cost > budget:
            break
        cut.append(ch)
        used += cost
    head = "".join(cut)
    # Prefer a word boundary when one is near (Chinese and Korean text may have no spaces at all).
    space = head.rfind(" ")
    if space >= len(head) * 0.8:
        head = head[:space]
    return head.rstrip() + ellipsis
