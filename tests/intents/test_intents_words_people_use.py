"""Words the catalogs lacked, found by a nineteenth probe (7 December 2026): US and Latin American names of a
service, a Korean fire said with "불이 나서", and figures of speech and doctor's words that held an emergency's word.

Every sentence here was written for these tests, none taken from the probe, the corpus or any bench set; each fails
with the catalogs of the session's start (rejected, another service, or the emergency question).
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

UNDERSTOOD = [
    (EN, "Mum's Medicaid renewal is due and she's in a muddle", Intent.BENEFITS),
    (EN, "dad's medicare part d premium went up and he's worried", Intent.BENEFITS),
    (EN, "I need a ride there and back to the podiatrist on Tuesday", Intent.TRANSPORT),
    (EN, "I haven't driven since the cataract op and the clinic's across town", Intent.TRANSPORT),
    (ES, "Mi papá no entiende lo que le mandó Colpensiones", Intent.BENEFITS),
    (ES, "Quiero anotar a mi abuela para que le lleven la vianda", Intent.MEALS),
    (ES, "Necesito que alguien me haga la compra, mi hija está fuera", Intent.MEALS),
    (ES, "Quisiera una cita con el cardiólogo para mi control", Intent.MEDICAL),
]


@pytest.mark.parametrize(("locale", "text", "intent"), UNDERSTOOD)
def test_a_service_in_the_words_people_use_is_understood(locale: Locale, text: str, intent: Intent) -> None:
    result = match(text, locale)
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)


def test_nothing_to_eat_said_the_latin_american_way_is_a_meal_accepted() -> None:
    """Latin American "no tengo nada pa comer" was a meal asked about ("nada que comer" was the word)."""
    result = match("hoy no tengo nada pa comer mija", ES)
    assert result.intent is Intent.MEALS and result.decision is Decision.ACCEPT, result


def test_a_korean_fire_said_with_a_connective_is_an_emergency() -> None:
    """Korean "불이 나서" (a fire broke out, and...) was no emergency word: only "불이 났" was."""
    result = match("불이 나서 무서워요", KO)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


NOT_AN_EMERGENCY_WORD = [
    (EN, "I've had a cough since Easter, worse at night, somebody should listen to my chest"),
    (KO, "손주 합격 소식에 가슴이 철렁했다가 얼마나 기뻤는지 몰라요"),
]


@pytest.mark.parametrize(("locale", "text"), NOT_AN_EMERGENCY_WORD)
def test_a_doctors_word_or_a_figure_of_speech_is_not_an_emergency(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is not Intent.EMERGENCY, (text, result)
