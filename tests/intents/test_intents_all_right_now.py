"""An emergency told of when it is over and everyone is all right: asked about at most, never acted on at once.

A tenth probe (7 December 2026) had three such lines acted on as emergencies (the emergency number dialled): chest
pains on Saturday that the hospital said were only indigestion, "she's back to herself"; a fire upstairs last week,
"还好没人受伤" (luckily nobody was hurt); and with a model trained on more lines, burnt toast that set off the smoke
alarm, "pero ya abrí la ventana y todo bien". The catalogs' "over now" cues only knew a discharge from hospital.
Every sentence here was written for these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

ALL_RIGHT_NOW: list[tuple[Locale, str]] = [
    (EN, "Dad had chest pains in the night but the doctor said it was only indigestion, he's right as rain"),
    (EN, "The grill caught fire at teatime, everyone got out and nobody was hurt"),
    (EN, "She fainted in the queue at the post office but she's back to her old self"),
    (ZH, "对面楼昨晚着火了，消防车来了好几辆，还好没人受伤"),
    (ZH, "我爸早上晕倒了一下，送去一查，虚惊一场"),
    (KO, "어제 옆집에 불이 났는데 다친 사람은 없대요"),
    (ES, "Se me quemó el aceite y saltó la alarma de humo, pero abrí todo y ya todo bien"),
    (ES, "Mi madre se desmayó en misa, pero no fue nada, un susto nada más"),
]

# The same words before a danger that is happening: still acted on at once.
HAPPENING: list[tuple[Locale, str]] = [
    (EN, "Dad was right as rain yesterday, now he's collapsed and he's not breathing"),
    (ZH, "上次是虚惊一场，这回我爸真的晕倒了，叫不醒"),
    (ES, "Ayer todo bien, pero ahora mi madre se cayó y no se puede levantar"),
]


@pytest.mark.parametrize(("locale", "text"), ALL_RIGHT_NOW)
def test_an_emergency_that_is_over_is_never_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


@pytest.mark.parametrize(("locale", "text"), HAPPENING)
def test_one_that_is_happening_after_the_same_words_still_is(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)
