"""Someone at the window, the door or in the garden with a crowbar, a knife or a club is asked the quick emergency
question in every locale, whatever else the sentence says; a crowbar or a knife about the house is not.

An eighth probe (7 December 2026) had "a bloke in my garden with a crowbar ... just had a go at the window" read by
the matcher as a home repair (the window). Every sentence here was written for these tests; none is taken from the
probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

ARMED: list[tuple[Locale, str]] = [
    (Locale.EN, "There's a lad out the back with a crowbar at my kitchen window"),
    (Locale.EN, "a man in my garden holding a knife and looking in at me"),
    (Locale.EN, "Some fella had a go at the back door twice tonight, I can hear him out there"),
    (Locale.ZH, "院子里有个人拿着撬棍在弄我家窗户"),
    (Locale.ZH, "门口有个男的拿着刀，一直在敲门"),
    (Locale.KO, "어떤 남자가 빠루 들고 우리 집 창문을 뜯고 있어요"),
    (Locale.KO, "칼 들고 현관 앞에 서 있는 사람이 있어요"),
    (Locale.ES, "Hay un hombre con una palanca forzando la ventana de la cocina"),
    (Locale.ES, "un tipo con un cuchillo en el patio mirando para adentro"),
]

# The same tools about the house: not an emergency.
HOUSEHOLD: list[tuple[Locale, str]] = [
    (Locale.EN, "My son is coming round with a crowbar to lift the old paving slabs"),
    (Locale.ZH, "我想借一根撬棍把旧地板撬起来"),
    (Locale.KO, "김장하려고 칼을 새로 샀어요"),
    (Locale.ES, "Necesito que me afilen un cuchillo de cocina"),
]


@pytest.mark.parametrize(("locale", "text"), ARMED)
def test_someone_armed_at_the_house_is_asked_about(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)


@pytest.mark.parametrize(("locale", "text"), HOUSEHOLD)
def test_a_crowbar_or_a_knife_about_the_house_is_no_emergency(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is not Intent.EMERGENCY, (text, result)
