"""An ambulance that drove past someone else's door, or thanks for the one that came last time, is asked about,
never acted on; the same words asking for one now still act at once.

A probe of 150 sentences a locale (7 December 2026) found two such remarks acted on as emergencies: "an ambulance
just went by downstairs, no idea whose, not ours anyway" (zh) and "thank you for calling 119 last time, I'm fine now"
(ko). Every sentence here was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

# Told of when it is not the caller's (it went past) or when it is over (thanks, fine now): a question at most.
NOT_NOW: list[tuple[Locale, str]] = [
    (Locale.ZH, "刚才楼下开过去一辆救护车，也不知道是谁家的"),
    (Locale.ZH, "早上窗户外头过去了一辆救护车，呜哇呜哇的"),
    (Locale.KO, "저번에 119 불러 주셔서 정말 감사했어요, 이제 멀쩡합니다"),
    (Locale.KO, "지난번에 구급차 불러줘서 고마웠어, 이젠 멀쩡해"),
    (Locale.KO, "어머니가 쓰러지셨을 때 도와주셔서 감사해요, 지금은 다 나았어요"),
]

# An emergency now in the same words: acted on at once.
NOW: list[tuple[Locale, str]] = [
    (Locale.ZH, "快叫救护车，我爸倒在地上了"),
    (Locale.KO, "119 불러 주세요, 남편이 쓰러졌어요"),
    (Locale.KO, "아까는 멀쩡했는데 갑자기 쓰러지셨어요, 구급차 좀 불러 주세요"),
]


@pytest.mark.parametrize(("locale", "text"), NOT_NOW)
def test_an_ambulance_gone_past_or_thanked_for_is_asked_about_not_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.decision is not Decision.ACCEPT or result.intent is not Intent.EMERGENCY, (text, result)


@pytest.mark.parametrize(("locale", "text"), NOW)
def test_an_ambulance_asked_for_now_still_acts_at_once(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)
