"""The exact sentences our issues use as examples must be understood and acted on."""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match


@pytest.mark.parametrize(
    ("text", "locale", "intent"),
    [
        ("Mum's heating is broken", Locale.EN, Intent.HOME_REPAIR),
        ("请帮我爸爸订午餐", Locale.ZH, Intent.MEALS),
        ("엄마 병원 예약 부탁해요", Locale.KO, Intent.MEDICAL),
        ("uh, I, I need the the doctor", Locale.EN, Intent.MEDICAL),
    ],
)
def test_issue_examples_are_accepted(text: str, locale: Locale, intent: Intent) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (intent, Decision.ACCEPT)


def test_indirect_leak_is_at_least_a_question_about_repairs() -> None:
    result = match("water is coming through my ceiling", Locale.EN)
    assert result.intent == Intent.HOME_REPAIR
    assert result.decision in {Decision.ACCEPT, Decision.CONFIRM}
