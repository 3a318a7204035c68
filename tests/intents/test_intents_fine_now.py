"""A service said to be fine ("the heating's fine") is not asked for: the English "after" negations hold "fine".

The eighteenth probe (7 December 2026) had "I've got food, the heating's fine, I'm not ill, I'm just lonely" read by
the matcher as a repair to confirm (heating) before loneliness. Every sentence here was written for these tests;
the first three fail with the catalogs of the session's start, the last two are guards.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN = Locale.EN

SAID_TO_BE_FINE = [
    ("The heating's fine and I've plenty to eat, I'm just lonely since Jim went", Intent.COMPANIONSHIP),
    ("My boiler's fine now, it's that there's nothing in the fridge and I can't cook", Intent.MEALS),
]


@pytest.mark.parametrize(("text", "intent"), SAID_TO_BE_FINE)
def test_what_is_said_to_be_fine_gives_way_to_what_is_asked(text: str, intent: Intent) -> None:
    result = match(text, EN)
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)


def test_a_repair_said_to_be_working_fine_is_not_filed() -> None:
    result = match("No, the heating is working fine now, I only rang to say thank you", EN)
    assert not (result.intent is Intent.HOME_REPAIR and result.decision is Decision.ACCEPT), result


@pytest.mark.parametrize("text", ["I'm fine but the boiler is broken", "The boiler is broken and I am fine otherwise"])
def test_the_caller_being_fine_does_not_deny_the_repair(text: str) -> None:
    """Guards: "fine" said of the caller, not of the service."""
    result = match(text, EN)
    assert result.intent is Intent.HOME_REPAIR and result.decision is Decision.ACCEPT, (text, result)
