"""A senior quoting the reference we texted asks after a request: the word our texts use for it ("Reference",
"编号", "접수 번호", "número de referencia") is a status word. And "put it right" about a meal is a complaint, not
a meal accepted. Found by the thirteenth probe (7 December 2026); every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

ASKING_AFTER = [
    (Locale.EN, "It's about my reference 5521, has anyone been booked yet"),
    (Locale.ZH, "我的编号是三三八一，那个事办得怎么样了"),
    (Locale.KO, "접수번호 6612인데 어떻게 되고 있나요"),
    (Locale.ES, "Tengo el número de referencia 7730, ¿ya saben algo?"),
]


@pytest.mark.parametrize(("locale", "text"), ASKING_AFTER)
def test_the_reference_we_texted_asks_after_a_request(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.STATUS and result.decision is not Decision.REJECT, (text, result)


def test_putting_a_meal_right_is_not_a_meal_accepted() -> None:
    result = match("점심 도시락이 자꾸 늦게 와요 좀 바로잡아 주세요", Locale.KO)
    assert not (result.intent is Intent.MEALS and result.decision is Decision.ACCEPT), result
    assert Intent.COMPLAINT in {result.intent, *(a.intent for a in result.alternatives)}, result
