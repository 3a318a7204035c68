"""Emergencies without their obvious words, found by a probe of 115 emergencies (40 Korean, 25 in each other
language) written on 6 December 2026, late, by a writer who saw neither the catalogs nor any set: six were
rejected or read as a service, one of them *accepted* as a medication request ("I've put all my tablets out on the
table. I just can't see the point in carrying on any more"). Korean ones: fumes from a coal briquette with a
headache and vomiting, a "son in trouble" scam told to keep the line open ("끊지 말고": the 말고 in it read as a
"not"), a "boiler man" going through the drawers, a "bank clerk" having the senior install an app, "going to be
with my husband tonight". Every sentence here was written for these tests; none is taken from the probe.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ES, KO = Locale.EN, Locale.ES, Locale.KO

# (locale, text, whether a "no" to the emergency question still reaches a person: wanting to die)
UNSAID: list[tuple[Locale, str, bool]] = [
    (EN, "I've laid all my pills out and I can't see the point in carrying on any more", True),
    (ES, "Quiero dormirme esta noche y no despertar más", True),
    (KO, "오늘 밤에 영감 곁으로 가려고 다 정리해 놨어요", True),
    (KO, "딸이 사고 쳐서 합의금 급하게 보내래요", False),
    (KO, "전화 끊지 말라면서 아들이 사고 쳐서 합의금 보내라고 해요", False),
    (KO, "검찰이라는 사람이 전화로 그러는데 지금 앱을 깔고 있어요", False),
    (KO, "연탄 난로 피우고 잤더니 머리가 깨질 것 같고 토했어요", False),
    (KO, "가스 점검 나왔다는 사람이 들어와서 서랍을 뒤지고 있어요", False),
]

# Everyday sentences next to the new wordings: not asked about.
EVERYDAY: list[tuple[Locale, str]] = [
    (EN, "I can't see the point in carrying on with the crossword, it's too hard"),
    (KO, "손자가 시키는 대로 앱을 깔았더니 사진이 잘 보여요"),  # installed an app as the grandson said
    (KO, "주말에 엄마 곁으로 가려고 짐을 다 정리해 놨어요"),  # moving near mum at the weekend
    (KO, "오늘 밤에 엄마 따라 갈 거예요, 다 정리해 놨어요"),
    (KO, "은행 직원이라는 사람이 적금 가입하라고 전화했어요"),  # a sales call
]


@pytest.mark.parametrize(("locale", "text", "person"), UNSAID)
def test_the_matcher_asks_about_an_emergency_in_other_words(locale: Locale, text: str, person: bool) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result
    assert result.person is person


@pytest.mark.parametrize(("locale", "text", "person"), UNSAID)
def test_the_model_cannot_overrule_them(model: SemanticOpinion, locale: Locale, text: str, person: bool) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), EVERYDAY)
def test_everyday_talk_next_to_them_is_not_asked_about(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY
