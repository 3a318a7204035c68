"""Swallowed poisons, pills, gas left on, fire in other words, water on a power strip: asked about, in every locale.

Found on 2026-12-05 in the corpus's new emergencies that neither the matcher nor the safety net caught (the model
read them as a service): "我妈把洗洁精当饮料喝了好几口" was rejected, "손주 감기약을 영감이 한 병 다 마셔 버렸어" was a
medical appointment, "Se ha bebido medio bote de lejía" a repair. Each danger is now a doubtful emergency (the quick
question), and the same words in an ordinary request are not an emergency at all.
"""

from __future__ import annotations

import pytest

from intents.matcher import match
from intents.types import Decision, Intent, Locale

DANGERS: list[tuple[Locale, str]] = [
    (Locale.EN, "the cooker knob was left on all night and the whole flat stinks"),
    (Locale.EN, "Mum left the hob on all day and now she's dizzy"),
    (Locale.ZH, "我妈把洗洁精当饮料喝了好几口"),
    (Locale.ZH, "我奶奶误喝了消毒水，嗓子疼"),
    (Locale.ZH, "我爸把农药当成酒喝了一口"),
    (Locale.KO, "손주 감기약을 영감이 한 병 다 마셔 버렸어"),
    (Locale.KO, "할머니가 락스를 물인 줄 알고 마셔 버렸어요"),
    (Locale.KO, "어 어 여기 천장에서 물이 두꺼비집 으로 뚝뚝 떨어져"),
    (Locale.ES, "Se ha bebido medio bote de lejía creyendo que era agua"),
    (Locale.ES, "Mi padre ha mezclado las pastillas de dormir con el whisky y está como ido"),
    # Found the same way on the evening of 2026-12-05 (corpus rounds four and five): the English one pulled the
    # safety net's bar to its floor, the Korean one to its edge; the matcher accepted the chip pan as a repair, and
    # sleeping pills "swallowed, a lot of them" were rejected outright once the bar moved.
    (Locale.EN, "the curtains are alight the curtains in the front room what do I do"),
    (Locale.EN, "the chip pan's caught light"),
    (Locale.EN, "the tea towel went up, it's ablaze by the cooker"),
    (Locale.KO, "세탁기 물이 넘쳐서 멀티탭이 물에 잠겼어요. 플러그가 꽂혀 있는데 어떡해요."),
    (Locale.ZH, "奶奶吞了好多安眠药，叫不太醒"),
    (Locale.ZH, "我爸一下吃了太多降压药，头晕得厉害"),
]

NEAR_MISSES: list[tuple[Locale, str]] = [
    (Locale.EN, "The oven smells when I leave it on, can someone clean it?"),
    (Locale.ZH, "洗洁精用完了，帮我买一瓶"),
    (Locale.ZH, "老鼠药放哪儿安全？家里有小孩"),
    (Locale.KO, "기침약 한 병 다 먹어서 새로 타야 돼요"),
    (Locale.KO, "천장에서 물이 새요 수리 좀 해 주세요"),
    (Locale.ES, "¿Puedo tomar las pastillas con un poco de vino?"),
    (Locale.ES, "Se me acabó la lejía, ¿me traen una?"),
    (Locale.EN, "Can someone put my new curtains up"),
    (Locale.KO, "욕실이 물에 잠겼어요 배수구가 막혔나 봐요"),
    (Locale.KO, "멀티탭이 고장 나서 하나 사다 주세요"),
    (Locale.ZH, "降压药我吃了好多年了"),
    (Locale.ZH, "安眠药吃完了，帮我再开一点"),
]


@pytest.mark.parametrize(("locale", "text"), DANGERS)
def test_a_swallowed_poison_gas_left_on_or_a_fire_in_other_words_is_asked_about(locale: Locale, text: str) -> None:
    found = match(text, locale)
    assert (found.intent, found.decision) == (Intent.EMERGENCY, Decision.CONFIRM), found


@pytest.mark.parametrize(("locale", "text"), NEAR_MISSES)
def test_the_same_words_in_an_ordinary_request_are_no_emergency(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY
