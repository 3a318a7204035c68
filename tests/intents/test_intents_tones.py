"""Chinese sound matching keeps the tones: a recogniser's homophones share them, two ordinary words side by side
that only sound like an emergency keyword without them do not.

A tenth probe (7 December 2026) had "麻烦让你们的工作人员给我回个电话，我姓赵，打家里座机就行" (please have your staff
call me back, the landline will do) asked "is this an emergency?": 座机就行 (zuo4 ji1 jiu4 xing2) holds ji1 jiu4,
which without tones is 急救 (ji2 jiu4, first aid). "Call my mobile, that'll do" is how callbacks are asked for.
Every sentence here was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

ZH = Locale.ZH

# Near-homophones of an emergency keyword in a different tone: not an emergency, not even the question.
DIFFERENT_TONES: list[tuple[str, Intent | None]] = [
    ("让工作人员回个电话，打我手机就行", Intent.OPERATOR),  # 机就 ji1 jiu4, not 急救 ji2 jiu4
    ("有事打我座机就行，谢谢", None),
    ("你们来了敲门就行，门铃坏了", Intent.HOME_REPAIR),  # 敲门 qiao1, knocking, not 撬门 qiao4, forcing a door
]

# A recogniser's homophones, in the same tones, still match.
SAME_TONES: list[tuple[str, Intent]] = [
    ("就命啊，我起不来了", Intent.EMERGENCY),  # 就命 for 救命 (jiu4 ming4)
    ("太急拳几点开始", Intent.EVENTS),  # 太急拳 for 太极拳 (tai4 ji2 quan2)
    ("我妈的要快吃完了，要再配一点", Intent.MEDICATION),  # 要 for 药 (yao4)
]


@pytest.mark.parametrize(("text", "intent"), DIFFERENT_TONES)
def test_a_keyword_in_other_tones_is_not_heard(text: str, intent: Intent | None) -> None:
    result = match(text, ZH)
    assert result.intent is not Intent.EMERGENCY, result
    assert result.intent is intent or result.decision is Decision.REJECT, result


@pytest.mark.parametrize(("text", "intent"), DIFFERENT_TONES)
def test_the_whole_decision_does_not_ask_about_an_emergency(model: SemanticOpinion, text: str, intent: Intent) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, ZH), model))
    assert result.intent is not Intent.EMERGENCY, result


@pytest.mark.parametrize(("text", "intent"), SAME_TONES)
def test_homophones_in_the_same_tones_still_match(text: str, intent: Intent) -> None:
    result = match(text, ZH)
    assert result.intent is intent and result.decision is not Decision.REJECT, result
