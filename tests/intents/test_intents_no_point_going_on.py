"""Seeing no point in going on is wanting to die: at least the quick emergency question, and a "no" to it still
reaches a person (the self-harm patterns are `person` patterns).

Found by the sixteenth probe (7 December 2026): "I've the tablets out on the table and I don't see the point of
going on" was accepted as a medication request (the model read medication 0.90, emergency 0.09), the worst miss of
all: filed, never asked. The catalogs knew "no point going on" and "what's the point of going on" but not "I don't
see the point of going on", nor the same thought in the other languages. Every sentence here was written for these
tests. With the catalogs of the session's start the matcher heard only the third as a danger, and the whole
decision missed the three marked.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

NO_POINT = [
    (EN, "I've put all my pills in a row and honestly I don't see the point of going on"),
    (EN, "Since Frank died I can't see the point in living, I just sit here"),  # companionship before
    (EN, "Mum keeps saying she sees no point in going on and she's stopped eating"),
    (ZH, "我这把老骨头，活着还有啥意思，药我都摆桌上了"),
    (ZH, "我妈老念叨活着图啥，饭也不怎么吃了"),  # meals before
    (KO, "약을 다 꺼내 놨어요, 더 살아서 뭐 하나 싶어요"),
    (KO, "어머니가 요즘 살 의미가 없다고 하시면서 식사도 안 하세요"),
    (ES, "Tengo las pastillas en la mesa y ya no le veo sentido a seguir"),  # medication before
    (ES, "Mi papá dice que la vida ya no tiene sentido desde que murió mi mamá"),
]


@pytest.mark.parametrize(("locale", "text"), NO_POINT)
def test_the_matcher_hears_a_self_harm_danger_a_no_to_which_still_reaches_a_person(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
    assert result.danger and result.person, result


@pytest.mark.parametrize(("locale", "text"), NO_POINT)
def test_the_whole_decision_asks_the_emergency_question(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)


def test_a_word_that_ends_in_a_chinese_filler_is_no_pattern_of_its_own() -> None:
    """嘛 is a filler the normaliser drops from what is said, so "活着干嘛" would be heard as "活着干" and match
    "还活着干活呢" (still alive and working): the pattern says 活着干啥 and 活着图啥 instead."""
    assert match("我身体好着呢，还活着干活呢", ZH).intent is not Intent.EMERGENCY
