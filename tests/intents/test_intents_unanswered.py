"""Someone who lives alone not answering the door or the phone since yesterday: a welfare check, asked about at once.

A probe written on 7 December 2026 by writers who saw neither the catalogs nor any set had a neighbour's text, "La
señora Encarna no abre desde ayer, se oye la tele a tope y el perro no para de ladrar", rejected; "Mum hasn't picked
up the phone since last night and she lives alone" was read as a wish for company, "我妈从昨晚到现在一直不接电话" was
*accepted* as one. The catalogs' welfare patterns needed a cry for help heard through the door ("curtains" + "calling
out"); silence since yesterday is the warning itself. Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

UNANSWERED: list[tuple[Locale, str]] = [
    (EN, "Mrs Patel across the landing hasn't answered the door since yesterday and her radio is still going"),
    (EN, "Dad isn't answering his phone since last night, he always rings me at eight"),
    (EN, "Nobody has seen him since Saturday and his curtains are still closed"),
    # Tried in the simulator: "hasn't answered her door" was read as a text for the front desk.
    (EN, "Gran hasn't answered her door or her phone since Sunday"),
    (ZH, "对门李大爷从昨天起就没开门，敲门也没人应"),
    (ZH, "我爸从昨晚到现在电话一直没人接，他一个人住"),
    (KO, "아랫집 할머니가 어제부터 문을 안 열어요"),
    (KO, "아버지가 어젯밤부터 전화를 안 받으세요. 혼자 사세요"),
    (ES, "Doña Rosa no abre desde ayer y tiene la luz encendida"),
    (ES, "Mi padre no coge el teléfono desde anoche, vive solo"),
]

# The same words about an office, a delivery or a window: not asked about.
EVERYDAY: list[tuple[Locale, str]] = [
    (EN, "The surgery hasn't picked up since yesterday, I need my prescription"),
    (EN, "He hasn't picked up my shopping since Monday, can someone else do it?"),
    (EN, "The council hasn't answered the phone since yesterday about my bins"),
    (ZH, "物业从昨天到现在一直不接电话，暖气还是不热"),
    (KO, "구청에 어제부터 전화했는데 안 받아요. 가로등이 꺼졌어요"),
    (ES, "La ventana de la cocina no abre desde ayer, ¿me mandan a alguien?"),
]


@pytest.mark.parametrize(("locale", "text"), UNANSWERED)
def test_the_matcher_asks_about_someone_not_answering(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.CONFIRM, result
    assert result.danger, "a danger pattern: the model cannot talk it down"


@pytest.mark.parametrize(("locale", "text"), UNANSWERED)
def test_the_whole_decision_asks_about_someone_not_answering(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), EVERYDAY)
def test_an_office_or_a_window_that_does_not_answer_is_not_asked_about(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY
