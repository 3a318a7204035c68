"""Dangers said in plain words that were read as a service or rejected: no food or drink for days and a doorstep
scam under way (all four languages), a stranger at the door insisting on coming in and a mother who took her
husband's tablets (Mandarin).
Each is asked about ("Do you need emergency help right now?"), by the matcher and through the whole decision with the
installed model; the near misses are not. Written for these tests; none is taken from the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

# Each was a meal request (or rejected, in Mandarin) or a status question before.
DANGERS: list[tuple[Locale, str]] = [
    (EN, "I haven't eaten or drunk anything for three days"),
    (EN, "Dad hasn't eaten or drunk anything for two days"),
    (ZH, "我三天没吃没喝了"),
    (ZH, "我妈吃错了我爸的药，现在一直犯困"),
    (ZH, "门口有个人说是自来水公司的，非要进来，没有证件"),
    (KO, "사흘째 아무것도 못 먹고 물도 못 마셨어요"),
    (ES, "Llevo tres días sin comer ni beber nada"),
    # Someone claiming to be the bank is on the way for a card: rejected (en, ko, es) or a benefits question (zh).
    (EN, "Someone phoned saying they're from the bank and they're coming round for my card now"),
    (ZH, "有人打电话说是银行的，马上要上门来拿我的卡"),
    (KO, "은행이라고 전화가 왔는데 지금 카드 가지러 집에 온대요"),
    (ES, "Me llamaron diciendo que son del banco y vienen ahora a por mi tarjeta"),
]

NEAR_MISSES: list[tuple[Locale, str]] = [
    (EN, "I'm not drinking these days, doctor's orders"),
    (EN, "We've had no water for two days since the pipe burst, can someone fix it"),
    (ZH, "我家猫这两天不吃不喝的，附近哪有宠物医院"),
    (ES, "No tengo agua caliente desde hace dos días"),
    (KO, "이틀 동안 물도 안 나와요 수도 좀 고쳐 주세요"),
    # Errands at the bank.
    (EN, "My bank card was swallowed by the machine, can someone pick me up and take me to the bank"),
    (ZH, "银行卡丢了，能派人来帮我挂失吗"),
    (KO, "은행에 돈 찾으러 가야 하는데 차 좀 보내 주세요"),
    (ES, "Necesito ir al banco a recoger mi tarjeta nueva"),
]


@pytest.mark.parametrize(("locale", "text"), DANGERS)
def test_a_danger_in_plain_words_is_asked_about(model: SemanticOpinion, locale: Locale, text: str) -> None:
    assert (match(text, locale).intent, match(text, locale).decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), NEAR_MISSES)
def test_its_near_miss_is_not_an_emergency(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY, match(text, locale)
