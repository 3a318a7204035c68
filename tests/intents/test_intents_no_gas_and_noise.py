"""The matcher's words for what the fourteenth probe (7 December 2026) found it missing or mistaking.

"No, I don't smell gas, nothing like that, the oven just won't light" was an emergency accepted (dialled) by the
matcher, and so was "el ayuntamiento no contesta mis cartas" (the council does not answer my letters: "no contesta"
is someone not answering). Loud music half the night, a plumber who left a mess, a call back that never came, a
community lunch, no car to get there, no money for the bill: each was rejected or taken for another service.
Every sentence here was written for these tests; each fails with the catalogs of the session's start.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

NOT_DIALLED = [
    (EN, "I don't smell gas at all, it's just that the hob won't light"),
    (EN, "There's no smell of gas, the boiler just keeps cutting out"),
    (EN, "My sister had a fall before Easter but she's back on her feet now"),
    (ES, "No llamo por nada nuevo, el ayuntamiento no contesta mis cartas y ya estoy harto"),
]


@pytest.mark.parametrize(("locale", "text"), NOT_DIALLED)
def test_a_denied_or_past_danger_is_not_an_emergency_accepted(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


UNDERSTOOD = [
    (EN, "The lad upstairs has music blaring half the night", Intent.COMPLAINT),
    (ES, "Los de arriba ponen música toda la madrugada y no me dejan dormir", Intent.COMPLAINT),
    (ES, "El fontanero que mandaron lo dejó todo hecho un asco", Intent.COMPLAINT),
    (ES, "No llamo por nada nuevo, el ayuntamiento no contesta mis cartas y ya estoy harto", Intent.COMPLAINT),
    (ES, "Quedaron en devolverme la llamada por lo de la ayuda a domicilio y nada", Intent.STATUS),
    (ZH, "我不是要订饭，是想问问下周的午餐会在哪儿办", Intent.EVENTS),
    (ZH, "我爸不想去参加什么活动，就想有个人陪他下棋", Intent.COMPANIONSHIP),
    (KO, "진료 예약은 했는데 병원까지 타고 갈 차가 없어요", Intent.TRANSPORT),
    (KO, "이번 달 가스비 낼 돈이 없어서 걱정이에요", Intent.BENEFITS),
]


@pytest.mark.parametrize(("locale", "text", "intent"), UNDERSTOOD)
def test_the_matcher_hears_the_service(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)


ASKING_AFTER = [
    (ZH, "我就问问，我妈家那个门锁安排师傅了没有"),
    (KO, "보일러 고치는 기사님 몇 시쯤 오는지 알고 싶어요"),
]


@pytest.mark.parametrize(("locale", "text"), ASKING_AFTER)
def test_asking_after_a_repair_is_not_a_repair_accepted(locale: Locale, text: str) -> None:
    """The matcher alone (no model installed) asks rather than files a second repair; the model reads it as
    asking after the request (status 0.95, 0.90)."""
    result = match(text, locale)
    assert not (result.intent is Intent.HOME_REPAIR and result.decision is Decision.ACCEPT), (text, result)
    assert Intent.STATUS in {result.intent, *(a.intent for a in result.alternatives)}, (text, result)
