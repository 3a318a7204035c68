""" "I don't know" is not a "no": to the emergency question it is unclear, and unclear counts as yes (DESIGN.md).

"No sé", "no lo sé" and "No idea" begin with "no", and the matcher took them for a clear no (accepted at 90): a
caller unsure whether it is an emergency went back to the menu, a texter was asked what they needed. The catalogs'
"not an answer" cues (which already kept "wrong number" from being a "no") now know the ways of saying "I don't know";
"still an answer" cues keep "no se preocupe" (don't worry), which holds "no se", a polite no.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, match_utterance

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES
YES_OR_NO = frozenset({Intent.YES, Intent.NO})

UNSURE = [
    (EN, "No idea"),
    (EN, "not sure"),
    (EN, "I don't know"),
    (ZH, "不知道"),
    (ZH, "我也说不好"),
    (KO, "잘 모르겠어요"),
    (KO, "글쎄요"),
    (ES, "No sé"),
    (ES, "no lo sé"),
    (ES, "ni idea"),
    (ES, "no sé, no se preocupe"),
]
CLEAR_NO = [
    (EN, "No"),
    (EN, "No, it's fine"),
    (ZH, "不是"),
    (ZH, "不用"),
    (KO, "아니요"),
    (ES, "No"),
    (ES, "no, no es nada"),
    (ES, "No, no se preocupe"),  # "don't worry" holds "no se" and is a polite no (the "still an answer" cues)
    (ES, "No se moleste, gracias"),
]


@pytest.mark.parametrize("source", [InputSource.SPEECH, InputSource.SMS])
@pytest.mark.parametrize(("locale", "text"), UNSURE)
def test_i_dont_know_is_no_answer(locale: Locale, text: str, source: InputSource) -> None:
    result = match_utterance(Utterance(text, source, locale), YES_OR_NO)
    assert result.intent is not Intent.NO or result.decision is Decision.REJECT, (text, result)


@pytest.mark.parametrize(("locale", "text"), CLEAR_NO)
def test_a_clear_no_still_is_one(locale: Locale, text: str) -> None:
    result = match_utterance(Utterance(text, InputSource.SPEECH, locale), YES_OR_NO)
    assert (result.intent, result.decision) == (Intent.NO, Decision.ACCEPT), (text, result)
