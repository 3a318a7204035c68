"""What a ninth probe (7 December 2026) found the catalogs lacked: "not this, that" in Korean (하는 게 아니라, 건
아니고) and Spanish (no llamo para/por, ya tengo quien me lleve, la cita ya la tengo, no le hace falta); a gas
smell denied in Korean (가스 냄새 나는 건 아니고, 냄새는 안 나요) that was dialled; an emergency seen in a TV drama or
a programme, a fall that came to nothing (屁事没有), thanks for an ambulance long ago (그때 119 불러준 덕분에), and
bulbs one cannot get up the steps to change, all acted on as emergencies. Each is now read as the caller meant,
or asked about, never dialled; look-alikes that are emergencies still act at once.

Every sentence here was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

# "Not this, that": the service after the contrast is the request, acted on (it was a confirmation of the service
# turned down, or of neither, before).
NOT_THIS_BUT_THAT: list[tuple[Locale, str, Intent]] = [
    (Locale.KO, "수다 떨자는 게 아니라 담당 복지사님 좀 바꿔 주세요", Intent.OPERATOR),
    (Locale.KO, "도시락 달라는 게 아니라 노래 교실 언제 하는지 궁금해서요", Intent.EVENTS),
    (Locale.KO, "약 타러 가는 게 아니라 병원에 진료 예약 좀 해 주세요", Intent.MEDICAL),
    (Locale.ES, "No llamo por las pastillas, quiero pedir una cita con el médico", Intent.MEDICAL),
    (Locale.ES, "No llamo para quejarme, quiero apuntarme al taller de memoria", Intent.EVENTS),
    (Locale.ES, "Ya tengo quien me lleve, lo que necesito es que me traigan la comida", Intent.MEALS),
    (Locale.ES, "La receta ya la tengo, lo que no tengo es quien me lleve a la farmacia", Intent.TRANSPORT),
]

# Told of, over, or no emergency at all: never acted on at once (at most the quick question).
NOT_DIALLED: list[tuple[Locale, str]] = [
    (Locale.KO, "가스 냄새 나는 건 아니고요, 가스레인지 불이 자꾸 꺼져서 점검 받고 싶어요"),
    (Locale.KO, "가스 냄새는 안 나요, 그냥 가스레인지 불꽃이 약해요"),
    (Locale.KO, "그때 119 불러준 덕분에 우리 어머니가 무사하셨어요, 정말 고마워요"),
    (Locale.EN, "In that drama on Sunday a woman collapsed at the wedding and nobody noticed"),
    (Locale.EN, "There was a programme about carbon monoxide so I had the boiler checked, no problem at all"),
    (Locale.EN, "The landing light's gone and I can't get up the steps to put a new bulb in"),
    (Locale.ZH, "孙子骑车摔了一跤，屁事没有，爬起来接着骑"),
]

# Look-alikes: emergencies that must still act at once, and a cold that is not getting better.
STILL_DIALLED: list[tuple[Locale, str]] = [
    (Locale.KO, "가스 냄새가 나고 어머니가 어지럽다고 쓰러지셨어요"),
    (Locale.EN, "We were watching a drama and my husband collapsed, he isn't breathing"),
    (Locale.ZH, "我爸从梯子上摔下来了，起不来了"),
]


@pytest.mark.parametrize(("locale", "text", "intent"), NOT_THIS_BUT_THAT)
def test_the_service_after_not_this_is_the_request(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (intent, Decision.ACCEPT), (text, result)


@pytest.mark.parametrize(("locale", "text"), NOT_DIALLED)
def test_told_of_over_or_denied_is_never_acted_on_as_an_emergency(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


@pytest.mark.parametrize(("locale", "text"), STILL_DIALLED)
def test_an_emergency_beside_those_words_still_acts_at_once(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)


def test_a_cold_that_is_not_getting_better_is_still_a_doctor() -> None:
    # "안 나아요" (not getting better) is no "안 나요" (does not smell): the cue is 는/가 안 나요, not 안 나.
    result = match("감기가 안 나아요, 기침이 계속 나요", Locale.KO)
    assert result.intent is Intent.MEDICAL and result.decision is not Decision.REJECT, result
