"""Korean families speak of a parent's fall or collapse in the honorific ("어머니가 쓰러지셨어요", "할머니가
넘어지셨어요"): the catalog's plain forms (쓰러졌, 넘어졌) did not match them, so the clear emergency of a daughter
calling about her mother was only the quick question, through the model (so were "가슴이 아프시대요", his chest
hurts, and "숨을 안 쉬세요", he is not breathing). The honorific now acts at once as the
plain form does; one years ago, or one she has recovered from, is still asked about, not acted on.

Every sentence was written for these tests; none is taken from the training corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

NOW = [
    "어머니가 쓰러지셨어요",
    "할머니가 넘어지셨어요, 빨리 와 주세요",
    "아버지가 욕실에서 넘어지셔서 못 일어나세요",
    "할아버지가 밥 드시다가 갑자기 쓰러지셔서 말씀을 못 하세요",
    "아버지가 가슴이 아프시대요",
    "아버지가 숨을 안 쉬세요",
    "할아버지가 사다리에서 떨어져서 크게 다치셨어요",
]

NOT_NOW = [
    "아버지가 작년에 쓰러지셨는데 요즘은 산책도 다니세요",
    "어머니가 쓰러지셨는데 지금은 많이 좋아지셨어요",
]


@pytest.mark.parametrize("text", NOW)
def test_a_parents_fall_or_collapse_in_the_honorific_acts_at_once(text: str) -> None:
    result = match(text, Locale.KO)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


@pytest.mark.parametrize("text", NOT_NOW)
def test_an_honorific_collapse_of_the_past_is_asked_about_not_acted_on(text: str) -> None:
    result = match(text, Locale.KO)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (text, result)
