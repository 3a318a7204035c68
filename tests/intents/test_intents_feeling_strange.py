"""Feeling strange without knowing why: at least the quick emergency question, never a companion or a call-back.

Tried in the browser simulator (7 December 2026): "Me siento muy rara, algo me pasa" (I feel very strange, something
is happening to me) from a senior was filed as a request for someone to talk to, to be called back within the day.
Feeling strange and not knowing why can be a stroke, low blood sugar or a heart: a danger pattern in every catalog
now asks. Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from intents import Decision, Intent, Locale, match

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

STRANGE = [
    (EN, "I feel so strange, I don't know what's happening"),
    (EN, "Dad says he doesn't feel right and something is wrong with him, he doesn't know what"),
    (ZH, "我妈说浑身不对劲，也不知道怎么回事"),
    (KO, "몸이 좀 이상한데 왜 그런지 모르겠어요"),
    (ES, "No me siento bien, no sé qué me pasa"),
    (ES, "Mi papá dice que se siente raro y que algo le pasa"),
]
NOT_AN_EMERGENCY = [
    (EN, "I feel funny about the new carer, something about her"),
    (ES, "Me siento mal, quiero pedir cita con el médico para la semana que viene"),
]


@pytest.mark.parametrize(("locale", "text"), STRANGE)
def test_feeling_strange_without_knowing_why_is_asked_about(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
    assert result.danger, "a danger pattern: asked whatever the model reads"


@pytest.mark.parametrize(("locale", "text"), NOT_AN_EMERGENCY)
def test_its_look_alikes_are_not(locale: Locale, text: str) -> None:
    assert match(text, locale).intent is not Intent.EMERGENCY
