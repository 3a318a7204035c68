"""Memories, stories and warnings, found by a probe of 60 sentences a locale (6 December 2026, late).

An emergency word told as a memory ("when I had my hip done the ambulance took forty minutes", "de joven me caí de
la escalera"), from a story on television ("en la telenovela la señora se desmayó") or in a warning ("you'll give
yourself a heart attack eating all that cake") was a clear emergency to the matcher: asked about, or, through the
whole decision, dialled at once ("电视剧里那个老太太突然晕倒了"). A text the model is sure is small talk, reading no
emergency in it, is now rejected; an emergency happening now beside a memory still is one. And "活着也没什么意思了，
药我都攒好了" (life means nothing now, I have the pills saved up) was rejected. Every sentence here was written for
these tests; none is taken from the probe, the corpus or any bench set.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

# An emergency phrase in a memory or a story: asked about at most, never dialled at once (each was, before).
MEMORIES_AND_STORIES: list[tuple[Locale, str]] = [
    (EN, "My husband had a heart attack years ago and the ambulance came in ten minutes"),
    (EN, "In the film last night a man collapsed on the stairs"),
    (ZH, "年轻的时候我在工地上摔下来过，腿都摔断了"),
    (ZH, "电视剧里那个老太太突然晕倒了"),
    (KO, "몇 년 전에 남편이 심장마비로 쓰러졌었어요"),
    (KO, "드라마에서 할아버지가 쓰러지셨는데 너무 슬펐어요"),
    (ES, "De joven me desmayé en la iglesia y me llevaron en ambulancia"),
    (ES, "En la película el señor se desmayó en plena boda"),
    # A warning of what may come one day, not what is happening.
    (EN, "My doctor says I'll give myself a heart attack if I keep eating chips"),
    (ZH, "医生说我再这么喝酒早晚得中风"),
]

# ...and the caller's own emergency in the next sentence still is.
THEN_NOW: list[tuple[Locale, str]] = [
    (EN, "He had a stroke years ago. Now he has collapsed on the floor!"),
    (ZH, "年轻的时候我也摔过。现在我老伴儿晕倒了！"),
    (KO, "젊었을 때 넘어진 적 있어요. 지금 엄마가 쓰러지셨어요!"),
    (ES, "De joven tuvo un infarto. ¡Ahora se ha desmayado en el suelo!"),
]

# The whole decision: the model reads these as small talk, so nobody is asked "is this an emergency?" (each was
# asked before: the matcher's clear emergency is only ever demoted to a question by the model).
MEMORIES_READ_AS_SMALL_TALK: list[tuple[Locale, str]] = [
    (EN, "In the film a man had a heart attack at his own wedding, what a story"),
    (EN, "My grandson says I'll give myself a heart attack with all this cake, the cheek of him"),
    (ES, "En la telenovela de anoche la protagonista se desmayó en plena boda, qué drama"),
]

# A memory with a year in it that the model is sure is small talk, reading no emergency in it: rejected, not asked
# (intents.opinion.small_talk_with_an_emergency_word; each was asked before).
MEMORIES_WITH_A_YEAR: list[tuple[Locale, str]] = [
    (EN, "The winter Dad collapsed in 1987 the neighbours were wonderful to us"),
    (ES, "Mi suegro se desmayó en la boda de 1998 y todavía nos reímos de aquello"),
]

# ...while an emergency now, told beside such a memory, is never rejected.
NOW_BESIDE_A_MEMORY: list[tuple[Locale, str]] = [
    (EN, "It's like Mum's stroke in 2015 all over again, Dad's face has dropped and he can't lift his arm"),
    (EN, "I had a heart attack in 2009 and now I've got that same crushing pain in my chest"),
    (ES, "Como cuando mi madre tuvo el ictus en 2010, ahora mi padre tiene la boca torcida y no puede hablar"),
    (KO, "2015년에 심장마비 왔을 때랑 똑같이 가슴이 조여요 지금"),
]

# Veiled wanting to die in Mandarin, in the words the probe found missing: the quick question, a person after a no.
VEILED_ZH: list[str] = [
    "活着也没意思了，别管我了",
    "药都攒好了，我心里有数",
]


@pytest.mark.parametrize(("locale", "text"), MEMORIES_AND_STORIES)
def test_an_emergency_told_as_a_memory_or_a_story_is_not_acted_on_at_once(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), result


@pytest.mark.parametrize(("locale", "text"), THEN_NOW)
def test_the_callers_own_emergency_after_a_memory_is_acted_on(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), result


@pytest.mark.parametrize(("locale", "text"), MEMORIES_AND_STORIES)
def test_the_whole_decision_does_not_dial_for_a_memory_or_a_story(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), result


@pytest.mark.parametrize(("locale", "text"), MEMORIES_READ_AS_SMALL_TALK)
def test_a_story_the_model_reads_as_small_talk_is_not_asked_about(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.decision is Decision.REJECT, result


@pytest.mark.parametrize("text", VEILED_ZH)
def test_veiled_wanting_to_die_in_mandarin_is_asked_and_reaches_a_person(model: SemanticOpinion, text: str) -> None:
    heard = match(text, ZH)
    assert (heard.intent, heard.person) == (Intent.EMERGENCY, True), heard
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, ZH), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), MEMORIES_WITH_A_YEAR)
def test_a_memory_the_model_is_sure_of_is_rejected(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.decision is Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), NOW_BESIDE_A_MEMORY)
def test_an_emergency_now_beside_a_memory_is_never_rejected(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result
