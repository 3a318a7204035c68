"""Dreams, a lifetime's work, a film, last winter, "nothing serious": emergencies told of, asked about at most.

An eleventh probe (7 December 2026, afternoon) had three out-of-scope lines acted on as emergencies (the emergency
number dialled): a Korean dream of a house on fire, a Spanish husband who "fue bombero, apagó muchos fuegos", a
Mandarin neighbour who called an ambulance yesterday, "听说没啥大事" (nothing serious, she is back). The catalogs'
"told of" cues knew the news and films ("en la película", not "de la película"), not dreams; "over now" knew "un
susto nada más", not "solo fue el susto". Every sentence here was written for these tests; none is taken from the
probe, the corpus or any bench set.

The same probe's Korean scam under way was rejected: a caller "as the bank" wanting a code read out ("은행이라는 사람이
... 불러 달라는데"); the danger pattern knew "은행 직원이라는" and "인증번호를 알려", not "은행이라는" and "불러 달라".
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

TOLD_OF: list[tuple[Locale, str]] = [
    (EN, "I had a nightmare that the kitchen was on fire and I couldn't get out"),
    (EN, "In my dream Mum collapsed at the bus stop, I woke up shaking, but it was only a dream"),
    (EN, "Grandad put out a lot of fires in his day, he loves telling the grandchildren"),
    (ZH, "昨晚梦见老伴心脏病发作了，吓死我了"),
    (ZH, "我妈上午在菜市场摔了一跤，医生看了说没啥大事"),
    (ZH, "楼下大爷早上叫了救护车，没什么大事，已经回家了"),
    (KO, "간밤에 꿈에서 집에 불이 나서 식은땀을 흘렸어요"),
    (KO, "어젯밤 악몽을 꿨는데 영감이 쓰러지는 꿈이었어요"),
    (KO, "작년 겨울에 눈길에서 넘어져서 고생 많이 했지요"),
    (ES, "Anoche soñé que se me incendiaba la cocina y me desperté sudando"),
    (ES, "Como el robo de la película que vimos ayer, ¡qué miedo!"),
    (ES, "Mi papá se cayó en el patio, pero solo fue el susto, ni un rasguño"),
    (ES, "Mi abuelo era bombero, apagaba fuegos en todo el pueblo"),
    (ES, "Lo del humo en la escalera que les conté ya lo arreglaron"),
]

# An emergency now, after or beside the same words: still acted on at once.
HAPPENING: list[tuple[Locale, str]] = [
    (EN, "Help, there's a fire in the kitchen and I can't put it out"),
    (ZH, "我做梦也没想到，我爸刚才晕倒了，叫不醒"),
    (ES, "Se incendió la cocina y no puedo apagar el fuego"),
    (ES, "Ayuda, hay fuego en la sala y mi mamá está adentro"),
]


@pytest.mark.parametrize(("locale", "text"), TOLD_OF)
def test_an_emergency_dreamt_watched_or_long_past_is_never_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


@pytest.mark.parametrize(("locale", "text"), HAPPENING)
def test_one_happening_beside_the_same_words_still_is(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


SCAMS_UNDER_WAY: list[str] = [
    "은행이라는 사람이 방금 전화해서 카드 비밀번호를 불러 달래요",
    "경찰이라고 하는 사람이 지금 통장 계좌번호를 알려 달라는데 알려 줘도 돼요?",
    "검찰이라고 하면서 인증번호 불러달라고 하네요",
]


@pytest.mark.parametrize("text", SCAMS_UNDER_WAY)
def test_a_caller_as_the_bank_or_police_wanting_a_code_is_at_least_asked_about(text: str) -> None:
    result = match(text, KO)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
