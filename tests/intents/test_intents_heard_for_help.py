"""Someone heard shouting for help is at least the quick emergency question; words that only look like an emergency
are not one.

From the twelfth probe (7 December 2026, written by four writers who saw neither the corpus nor the catalogs): a
neighbour who hears the woman next door "gritar pidiendo ayuda" behind a locked door was filed as a home repair to
confirm (the lock; "ayuda" is the word for benefits), and the model read home repair too. The same probe found
Korean words that double a syllable (심심, 적적) heard inside 조심, 적금 and 고맙심더 as a wish for company, "-아 보고
싶어요" (I'd like to try) heard as missing someone, "ni es urgencia" (nor is it urgent) and a fall "上周" (last week)
that is fine now dialled, and "I can't get up to the shop" taken for a fall. Every sentence here was written for these
tests; none is a probe, corpus or bench line.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

SHOUTING_FOR_HELP = [
    (EN, "there's a woman yelling for help in the flat below and the door's locked"),
    (EN, "I can hear Mr Patel next door shouting help me through the wall"),
    (ZH, "楼上老太太一直在喊快来人啊，门锁着进不去"),
    (KO, "옆집 할아버지가 도와 달라고 소리를 지르는데 문이 잠겨 있어요"),
    (ES, "Mi vecino está gritando pidiendo ayuda y tiene la puerta cerrada con llave"),
    (ES, "se oye a la señora del tercero chillando socorro"),
]

# Korean lines whose only "companionship" was a doubled syllable inside another word, or "-아 보고 싶어요".
NOT_COMPANY = [
    "조심해서 다녀오세요",
    "적금 만기 안내 전화였어요",
    "고맙심더",
    "마당 낙엽 좀 쓸어야겠다",
    "허리 때문에 정형외과 가 보고 싶어요",
]
STILL_COMPANY = ["요즘 너무 심심해요", "혼자 있으니까 적적해서 전화했어요", "집이 너무 적막해서 사람 소리가 그리워요"]

NOT_DIALLED = [
    (ES, "No corre prisa ni es urgencia, pero el grifo de la cocina gotea", Intent.HOME_REPAIR),
    (ZH, "我妈上个星期在公园摔了一跤，拍了片子没事了", None),
    (EN, "I can't get up to the shops with my knee, could someone bring me some groceries", None),
    # A shout that brought a repairman long ago is not a call for help (来人 is also "someone came").
    (ZH, "以前厂里的宿舍，灯坏了喊一声就来人修", None),
]


@pytest.mark.parametrize(("locale", "text"), SHOUTING_FOR_HELP)
def test_someone_heard_shouting_for_help_is_asked_about(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
    assert result.danger, "a danger pattern: asked whatever the model reads"


@pytest.mark.parametrize("text", NOT_COMPANY)
def test_a_doubled_syllable_inside_another_word_is_not_a_wish_for_company(text: str) -> None:
    result = match(text, KO)
    assert not (result.intent is Intent.COMPANIONSHIP and result.decision is Decision.ACCEPT), (text, result)


@pytest.mark.parametrize("text", STILL_COMPANY)
def test_loneliness_in_those_words_is_still_heard(text: str) -> None:
    result = match(text, KO)
    assert result.intent is Intent.COMPANIONSHIP and result.decision is not Decision.REJECT, (text, result)


@pytest.mark.parametrize(("locale", "text", "intent"), NOT_DIALLED)
def test_words_that_only_look_like_an_emergency_are_not_acted_on(
    locale: Locale, text: str, intent: Intent | None
) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)
    if intent is not None:
        assert result.intent is intent, (text, result)


def test_an_emergency_after_those_words_still_acts() -> None:
    # The fall is now, in its own words; the shops are only where the caller was going.
    result = match("I was going to the shops and I fell, I can't get up", EN)
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT, result
