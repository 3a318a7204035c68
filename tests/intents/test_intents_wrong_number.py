"""A "sorry, wrong number" is not the answer "no": a wrong number is out of scope (nothing to do), in every locale,
while a real "no" said beside it still answers a yes/no question.

Every sentence was written for these tests; none is taken from the training corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

WRONG_NUMBERS: list[tuple[Locale, str]] = [
    (Locale.EN, "oh sorry wrong number"),
    (Locale.EN, "Wrong number, sorry love"),
    (Locale.ZH, "哎呀打错了打错了"),
    (Locale.ZH, "不好意思，拨错号了"),
    (Locale.KO, "아이고 죄송해요 잘못 걸었어요"),
    (Locale.ES, "perdón, número equivocado"),
    (Locale.ES, "ay me equivoqué de número"),
]

# At a yes/no question, "no" beside the wrong number is still the answer.
STILL_NO: list[tuple[Locale, str]] = [
    (Locale.EN, "no no, wrong number"),
    (Locale.ZH, "不是不是，打错了"),
    (Locale.ES, "no, número equivocado"),
]


@pytest.mark.parametrize(("locale", "text"), WRONG_NUMBERS)
def test_a_wrong_number_is_not_an_answer(locale: Locale, text: str) -> None:
    found = match(text, locale)
    assert found.decision is Decision.REJECT and found.intent is None, (text, found)


@pytest.mark.parametrize(("locale", "text"), STILL_NO)
def test_a_no_beside_a_wrong_number_still_answers(locale: Locale, text: str) -> None:
    found = match(text, locale, expected={Intent.YES, Intent.NO})
    assert (found.intent, found.decision) == (Intent.NO, Decision.ACCEPT), (text, found)
