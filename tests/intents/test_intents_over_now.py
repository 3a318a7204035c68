"""An emergency told of when it is over ("my friend's husband had a fall, but he's home from hospital now") is asked
about, not acted on: nobody dials for a fall that ended in a discharge. One told after the discharge ("he came home
from hospital and now he's collapsed") is new, and still acts at once.

Out of fold over the training corpus (2026-12-06) the matcher's clear fall phrase dialled for the same remark in
three languages. Every sentence here was written for these tests; none is taken from the corpus or a bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

OVER: list[tuple[Locale, str]] = [
    (Locale.EN, "My aunt had a fall, but she's been discharged and she's doing fine"),
    (Locale.EN, "My brother collapsed at work on Friday, he's home from the hospital now, thank goodness"),
    (Locale.ZH, "我舅舅摔倒了，现在已经出院了"),
    (Locale.ES, "Mi tía se cayó, pero ya le dieron el alta"),
    (Locale.KO, "이모가 넘어져서 못 일어나셨는데 어제 퇴원하셨어요"),
]

NEW_AFTER_THE_DISCHARGE: list[tuple[Locale, str]] = [
    (Locale.EN, "Mum was discharged yesterday and now she's collapsed in the bathroom"),
    (Locale.ZH, "我爸刚出院回家，现在又摔倒了起不来"),
    (Locale.ES, "A mi madre le dieron el alta ayer y ahora se ha desmayado"),
]


@pytest.mark.parametrize(("locale", "text"), OVER)
def test_an_emergency_told_of_when_it_is_over_is_asked_not_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM), (text, result)


@pytest.mark.parametrize(("locale", "text"), NEW_AFTER_THE_DISCHARGE)
def test_an_emergency_after_the_discharge_still_acts_at_once(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), (text, result)
