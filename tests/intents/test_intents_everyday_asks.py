"""Everyday ways of asking that the catalogs lacked (found by a probe of 7 December 2026): "a bit of company",
mixed-up pills in Mandarin (药弄混), "que me vea alguien" (someone to look at me), a dialect "put him on" in
Korean (바꿔 주소), not opening one's mouth all day (입 한 번 안 떼고), and someone who said they would come and has
not (온다더니, 오기로 했는데, quedó en venir, tenía que venir). Each is understood; a look-alike is not
read as that service.

Every sentence here was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

ASKS: list[tuple[Locale, str, Intent]] = [
    (Locale.EN, "Nothing needs fixing, love, I'd only like a bit of company of an evening", Intent.COMPANIONSHIP),
    (Locale.EN, "she could do with a little company now and then since Dad went", Intent.COMPANIONSHIP),
    (Locale.ZH, "我奶奶眼睛花了，老是把早晚的药弄混", Intent.MEDICATION),
    (Locale.ZH, "我婆婆分不清哪个药是饭前吃的", Intent.MEDICATION),
    (Locale.ES, "Me duele la cadera al caminar y quisiera que me viera el médico", Intent.MEDICAL),
    (Locale.ES, "Tengo una mancha rara en la pierna, no me duele, pero quiero que me vea alguien", Intent.MEDICAL),
    (Locale.KO, "복지사 선생님 계시면 좀 바꿔 주소", Intent.OPERATOR),
    (Locale.KO, "자식들 다 나가 살고 나는 하루 종일 입도 안 떼요", Intent.COMPANIONSHIP),
    # Someone who said they would come and has not yet: asking after the request.
    (Locale.KO, "간병인 선생님이 온다더니 두 시간째 안 오세요", Intent.STATUS),
    (Locale.KO, "봉사자분이 오기로 했는데 아직이에요", Intent.STATUS),
    (Locale.ES, "El chófer quedó en venir a las nueve y aquí sigo en la puerta", Intent.STATUS),
    (Locale.ES, "La enfermera tenía que venir a las diez y no ha aparecido nadie", Intent.STATUS),
]

# Look-alikes: the gas company's man, a pill box bought.
NOT_THAT: list[tuple[Locale, str, Intent]] = [
    (Locale.EN, "The gas company sent a man round and he fixed the boiler, thanks", Intent.COMPANIONSHIP),
    (Locale.ZH, "我买了个分药盒，早上晚上分开放，挺好用", Intent.MEDICATION),
]


@pytest.mark.parametrize(("locale", "text", "intent"), ASKS)
def test_an_everyday_ask_is_understood(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)


@pytest.mark.parametrize(("locale", "text", "intent"), NOT_THAT)
def test_a_look_alike_is_not_that_service(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert not (result.intent is intent and result.decision is Decision.ACCEPT), (text, result)
