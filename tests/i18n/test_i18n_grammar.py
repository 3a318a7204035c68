"""Prompts in real grammar: Korean particles follow the final consonant; every service name in every locale."""

from __future__ import annotations

import re

import pytest

from i18n import messages
from i18n.grammar import final_consonant, particle
from intents import Intent
from voice.dialogue import Speak
from voice.twiml import RenderContext, prompt_text

# "이(가)", "을(를)", "(으)로", "와(과)": the forms a reader should never meet.
PARENTHESISED_PARTICLE = re.compile(
    r"\((?:이|가|을|를|은|는|으|와|과|아|야)\)|[이가을를은는와과]\([이가을를은는와과]\)"
)
ONE_PARTICLE = {"이": "가", "가": "이", "을": "를", "를": "을", "은": "는", "는": "은", "과": "와", "와": "과"}
# Every kind of request has a name in common.po (status is read out, never named): the intents a caller can ask
# for, and the kinds Hearthline opens itself (a daily check-in that needs staff, care.routing "wellbeing").
NAMED = sorted(key.split(".", 1)[1] for key in messages.keys("common") if key.startswith("service."))


def test_every_service_intent_has_a_name() -> None:
    assert {intent.value for intent in Intent.SERVICES} - {Intent.STATUS.value} <= set(NAMED)


CONTEXT = RenderContext(
    locale="en",
    turn=1,
    speaking_rate_wpm=140,
    silence_timeout_seconds=5,
    end_of_speech_seconds=3,
    max_recording_seconds=30,
    staff_number="+15550100001",
    emergency_number="+15550100911",
    hotline_number="+15550100000",
    reference="216104",
)


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("병원 진료", "이/가", "가"),  # 료: no final consonant
        ("식사 배달", "이/가", "이"),  # 달: ㄹ
        ("말벗", "을/를", "을"),
        ("차량 지원", "을/를", "을"),
        ("집 수리", "을/를", "를"),
        ("새 상태", "으로/로", "로"),
        ("진행 중", "으로/로", "으로"),
        ("해결됨", "으로/로", "으로"),
        ("서울", "으로/로", "로"),  # ㄹ takes 로
        ("216104", "을/를", "를"),  # ...사
        ("216100", "을/를", "을"),  # ...영
        ("+15550100007", "으로/로", "로"),  # ...칠: ㄹ
        ("+15550100003", "으로/로", "으로"),  # ...삼
        ("1", "과/와", "과"),  # 일
        ("2", "과/와", "와"),  # 이
        ("김민수", "은/는", "는"),
        ("Front desk", "과/와", "와"),
    ],
)
def test_korean_particle_follows_the_last_sound(word: str, pair: str, expected: str) -> None:
    assert particle(word, pair) == expected


def test_final_consonant_of_hangul_is_read_from_the_syllable_block() -> None:
    assert final_consonant("가") == 0 and final_consonant("각") == 1 and final_consonant("말") == 8


def test_no_catalog_has_a_parenthesised_particle() -> None:
    offenders = []
    for po in sorted(messages.LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("msgstr") and PARENTHESISED_PARTICLE.search(line):
                offenders.append(f"{po.parts[-3]}/{po.name}:{number}: {line}")
    assert not offenders, offenders


def _service_prompts() -> list[tuple[str, str]]:
    english = messages._texts("en", "voice")
    return sorted(("voice", key) for key, text in english.items() if "{service" in text)


@pytest.mark.parametrize("locale", messages.LOCALES)
@pytest.mark.parametrize("intent", NAMED, ids=str)
def test_every_prompt_with_a_service_reads_right_with_every_service(locale: str, intent: str) -> None:
    keys = [key for _domain, key in _service_prompts()]
    assert {"voice.confirm", "voice.accepted", "voice.status_item"} <= set(keys)
    name = messages.translate("common", f"service.{intent}", locale)
    for key in keys:
        speak = Speak(key, (("service", intent), ("reference", "216104"), ("status", "new")))
        text = prompt_text(speak, CONTEXT, locale)
        assert name in text and "{" not in text and not PARENTHESISED_PARTICLE.search(text), (key, text)
        if locale == "ko":
            after = text.split(name, 1)[1][:1]
            if after in ONE_PARTICLE:  # the particle right after the name is the one its last sound takes
                pair = next(p for p in ("이/가", "을/를", "은/는", "과/와") if after in p)
                assert after == particle(name, pair), (key, text)


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_message_with_a_service_or_name_renders_without_parenthesised_particles(locale: str) -> None:
    """Notifications, texts and console lines too: each one filled with every service and a few names."""
    samples = {"who": "김민수", "name": "박영희", "number": "+15550100003", "hotline": "+15550100000", "digit": "1"}
    for domain in messages.available_domains(locale):
        for key, text in messages._texts(locale, domain).items():
            if "{service" not in text and not any("{" + name in text for name in samples):
                continue
            for intent in NAMED:
                params = dict.fromkeys(("reference", "status", "when", "count", "emergency"), "216104")
                params.update(samples, service=messages.translate("common", f"service.{intent}", locale))
                filled = messages.translate(domain, key, locale, **params) if _fits(text, params) else ""
                assert not PARENTHESISED_PARTICLE.search(filled), (domain, key, filled)


def _fits(text: str, params: dict[str, str]) -> bool:
    from prompts.catalog import placeholders

    return placeholders(text) <= set(params)
