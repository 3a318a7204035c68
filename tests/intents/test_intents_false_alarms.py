"""A danger told of when it turned out to be nothing, or an emergency's words in anger, is never dialled; a fire
told without the word "fire" is at least the emergency question.

A seventeenth probe (7 December 2026, written by people who saw neither the corpus, the catalogs nor any set) had
two lines the whole decision accepted as emergencies: "我家老头子那个呼噜啊，气得我心口疼" (his snoring makes my chest
hurt with anger: 心口疼, chest pain, said of being cross) and a Korean daughter's "we called 119 because father
would not wake, but he was only sleeping deeply, all is fine". The model read both as emergencies too (0.49,
0.81), so the matcher's accept stood. Every sentence here was written for these tests; each of the "not dialled"
cases fails with the catalogs of the session's start, and the real dangers beside them are guards.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

NOT_DIALLED = [
    (ZH, "邻居家装修吵了一整天，气得我胸口疼"),
    (ZH, "孙子考试又没及格，气得我心口疼了一下午"),
    (KO, "어머니가 쓰러지신 줄 알고 119 불렀는데 별일 아니었어요"),
    (KO, "아버지가 숨을 안 쉬시는 줄 알고 놀랐는데 그냥 주무신 거였어요"),
    (KO, "엄마가 의식이 없는 줄 알고 119 불렀는데 다 괜찮아요"),
    (ZH, "我还以为我妈晕倒了，原来是睡着了"),
    (EN, "Dad wasn't breathing right so we rang 999, turned out to be nothing"),
    (ES, "Mi padre no respondía y llamamos a urgencias, pero al final no era nada, estaba dormido"),
]


@pytest.mark.parametrize(("locale", "text"), NOT_DIALLED)
def test_a_danger_that_turned_out_to_be_nothing_is_not_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


STILL_DIALLED = [
    (ZH, "我心口疼得厉害，喘不上气"),
    (ZH, "我爸突然胸口疼，一身冷汗"),
    (KO, "아버지가 쓰러지셨어요 빨리 와 주세요"),
    (EN, "There's smoke coming out of the kitchen and I can't see"),
    (ES, "Mi madre se cayó en el baño y no se puede levantar"),
]


@pytest.mark.parametrize(("locale", "text"), STILL_DIALLED)
def test_a_danger_happening_now_is_still_an_emergency_accepted(locale: Locale, text: str) -> None:
    """Guards: the same words said of now still act at once."""
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT, (text, result)


# A fire told without the word "fire": the eighteenth probe's "The toaster's caught and the curtains are going up"
# was rejected (the model read home repair 0.47, emergency 0.11). Each of these fails with the catalogs of the
# session's start (rejected by the matcher, or a repair).
FIRE_IN_OTHER_WORDS = [
    (EN, "The grill has caught and I can't put it out"),
    (EN, "Mum rang to say her curtains have gone up, the candle tipped"),
    (ZH, "我妈说面包机着了，沙发都烧着了"),
    (ZH, "取暖器着了，窗帘都烧着了"),  # a home repair accepted before
    (KO, "전기장판이 타더니 이불까지 번졌어요"),
    (ES, "Las cortinas del salón están ardiendo"),
]


@pytest.mark.parametrize(("locale", "text"), FIRE_IN_OTHER_WORDS)
def test_a_fire_told_without_the_word_is_at_least_the_emergency_question(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)


EVERYDAY = [
    (EN, "I caught the bus into town to get a new toaster"),
    (ZH, "猫从沙发上窜出来，吓我一跳"),
    (KO, "감기가 온 가족한테 번졌어요"),
    (ES, "Se prendieron solas las luces de la cocina"),
]


@pytest.mark.parametrize(("locale", "text"), EVERYDAY)
def test_the_same_words_in_everyday_talk_are_no_emergency(locale: Locale, text: str) -> None:
    """Guards: a bus caught, a cat darting off the sofa, a cold spreading, lights switching on."""
    assert match(text, locale).intent is not Intent.EMERGENCY, text


HOPING_IT_IS_NOTHING = [
    (KO, "아버지가 숨을 안 쉬세요, 별일 아니었으면 좋겠어요"),
    (KO, "엄마가 쓰러지셨어요, 아무 일도 아니었으면 좋겠는데"),
    (KO, "아버지가 의식이 없어요, 그냥 주무신 거였으면 좋겠어요"),
    (KO, "할머니가 계단에서 넘어지셨어요, 별일 없었으면 좋겠는데"),  # a question before (an older cue)
]


@pytest.mark.parametrize(("locale", "text"), HOPING_IT_IS_NOTHING)
def test_hoping_it_is_nothing_is_not_saying_it_was(locale: Locale, text: str) -> None:
    """Guards: "I hope it's nothing" after a danger is no false alarm; the danger still acts at once."""
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT, (text, result)
