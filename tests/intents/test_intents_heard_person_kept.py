"""What the supported words of a forced decoding say keeps all of its reading, "a no brings a person" included.

A phrase list may force a service's words onto part of the audio ("식사 배달", meal delivery) while the words a free
decoding supports say something else: "죽고 싶어요" (I want to die), the self-harm pattern whose "no" to the emergency
question still brings a person (Match.person). The hearing check rebuilt that reading field by field and dropped
the flag, so a "no" would have sent the caller back to the menu. Found reading the code on 8 December 2026.
"""

from __future__ import annotations

from intents import Decision, Intent, Locale, match
from intents.hearing import heard_match
from intents.types import HeardWord, Hearing, Match


def test_a_danger_heard_under_forced_words_still_brings_a_person_on_no() -> None:
    forced_meal = Match(Intent.MEALS, 95.0, Decision.ACCEPT, ())
    hearing = Hearing(
        words=(
            HeardWord("식사", 1.0, supported=False),
            HeardWord("배달", 1.0, supported=False),
            HeardWord("죽고", 0.9),
            HeardWord("싶어요", 0.9),
        ),
        forced=True,
        checked=True,
        free_text="죽고 싶어요",
    )
    result = heard_match(forced_meal, hearing, lambda text: match(text, Locale.KO))
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.CONFIRM, result
    assert result.danger and result.person, result
