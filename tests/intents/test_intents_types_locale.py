"""Value types and locale handling: enum sets, the JSON shape, locale tag parsing and language detection."""

from __future__ import annotations

import dataclasses

import pytest

from intents import (
    DIALOGUE,
    SERVICES,
    Alternative,
    Decision,
    Intent,
    Locale,
    Match,
    UnknownLocale,
    detect_locale,
    parse_locale,
)


def test_intent_sets_partition_the_intents() -> None:
    assert Intent.SERVICES == SERVICES
    assert Intent.DIALOGUE == DIALOGUE
    assert len(SERVICES) == 10 and Intent.MEDICAL in SERVICES and Intent.EVENTS in SERVICES
    assert {Intent.YES, Intent.NO, Intent.REPEAT, Intent.GOODBYE} == DIALOGUE
    rest = set(Intent) - SERVICES - DIALOGUE
    assert rest == {Intent.EMERGENCY, Intent.OPERATOR}
    assert "SERVICES" not in Intent.__members__  # not an accidental enum member


def test_match_to_json_shape_and_frozen() -> None:
    m = Match(Intent.MEDICAL, 91.234, Decision.CONFIRM, (Alternative(Intent.TRANSPORT, 40.0),))
    assert m.to_json() == {
        "intent": "medical",
        "score": 91.2,
        "decision": "confirm",
        "alternatives": [{"intent": "transport", "score": 40.0}],
        "negated": False,
    }
    assert Match(None, 0.0, Decision.REJECT, ()).to_json()["intent"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.score = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", Locale.ZH),
        ("zh_Hans_CN", Locale.ZH),
        ("zh-CN", Locale.ZH),
        ("cmn", Locale.ZH),
        ("es-419", Locale.ES),
        ("es_MX", Locale.ES),
        ("ko_KR", Locale.KO),
        ("EN", Locale.EN),
        ("en_US.UTF-8", Locale.EN),
        (" en-gb ", Locale.EN),
    ],
)
def test_parse_locale_normalises_tags(tag: str, expected: Locale) -> None:
    assert parse_locale(tag) is expected


@pytest.mark.parametrize("tag", ["fr", "", "zz-ZZ", "e", "english-ish"])
def test_parse_locale_rejects_unknown(tag: str) -> None:
    if tag == "english-ish":
        # the primary subtag is what counts: "english" is a known alias
        assert parse_locale(tag) is Locale.EN
        return
    with pytest.raises(UnknownLocale) as info:
        parse_locale(tag)
    assert isinstance(info.value, ValueError)
    assert "en, zh, ko, es" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("엄마가 병원에 가야 해요", Locale.KO),
        ("我妈妈需要看医生", Locale.ZH),
        ("¿Puede llamar a mi madre?", Locale.ES),
        ("mi mama necesita el medico hoy", Locale.ES),
        ("Mañana", Locale.ES),
        ("Can you call my mum today", Locale.EN),
        ("ok", Locale.EN),
        # A word both languages use counts for neither: "a" made this English, and a Spanish senior's text was
        # read by the English catalogs and model (tried in the simulator, 7 December 2026).
        ("Algo le pasa a mi madre", Locale.ES),
        ("socorro ayudenme", Locale.ES),
        ("Vale, hasta luego", Locale.ES),
        ("no hot water no hot water at all", Locale.EN),
        ("Something's wrong with my mum", Locale.EN),
        ("1234 !!", None),
        ("", None),
        ("😀👍", None),
    ],
)
def test_detect_locale(text: str, expected: Locale | None) -> None:
    assert detect_locale(text) is expected
