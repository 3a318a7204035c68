"""Swallowed poisons, pills, gas left on, fire in other words, water on a power strip, stove fumes, sudden confusion:
asked about, in every locale.

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
    # 2026-12-06: a brazier's fumes (carbon monoxide) and a dizzy or aching head; "el calentador" was the only
    # heater the Spanish pattern knew.
    (Locale.ES, "Mi madre tiene el brasero encendido y huele raro, dice que está mareada"),
    (Locale.ES, "con la estufa de butano encendida toda la tarde me duele la cabeza"),
    # Round six's Korean emergency the model read 0.09 out of fold, which pulled the safety net's bar down to it.
    (Locale.KO, "나 이상해 아무것도 기억이 안 나 여기가 어디야"),
    # A coal stove's fumes: the matcher only half-heard it and the model vetoed the question out of fold.
    (Locale.ZH, "那个味儿那个炉子那个味儿好大呛得慌头晕晕乎乎的"),
    (Locale.ZH, "屋里生着炉子，我妈说头晕想吐，一股煤烟味"),
    # A smell in the room, no breath and a window that won't open, as a recogniser renders it: the corpus
    # emergency that held the Mandarin safety net's bar (out of fold 0.2, after round eight 0.08); the matcher
    # heard only a window to repair.
    (Locale.ZH, "那个 那个味儿 没气 我 我打不开窗户"),
    # The English emergency that held the safety net's bar at 0.145 (out of fold 0.146): "somebody's" and the back
    # door were not in the intruder pattern.
    (Locale.EN, "Somebody's trying the back door handle and I'm on my own, they keep rattling it."),
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
    (Locale.ES, "¿Me pueden traer un brasero nuevo? El mío ya no calienta"),
    (Locale.KO, "여기가 어디야? 복지관 가는 길 좀 알려 줘"),
    (Locale.KO, "요즘 깜빡깜빡해서 약 먹은 게 기억이 안 나요"),
    (Locale.ZH, "炉子上炖着肉，味儿可香了"),
    (Locale.ZH, "屋里烟味儿太大了，帮我修修抽油烟机"),
    (Locale.EN, "the wind keeps rattling the back door, can someone look at the latch"),
]


@pytest.mark.parametrize(("locale", "text"), DANGERS)
def test_a_danger_in_everyday_words_is_asked_about(locale: Locale, text: str) -> None:
    found = match(text, locale)
    assert (found.intent, found.decision) == (Intent.EMERGENCY, Decision.CONFIRM), found


@pytest.mark.parametrize(("locale", "text"), NEAR_MISSES)
def test_the_same_words_in_an_ordinary_request_are_no_emergency(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY
