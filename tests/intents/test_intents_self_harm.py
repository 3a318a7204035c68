"""A caller or a relative who says they want to die or to end their life is asked the quick emergency question in
every locale, whatever the semantic model reads; everyday words that look alike ("I live alone" in Korean holds
자살, "笑死我了", "me muero de risa") are not. Also scalds and a rice cake stuck in the throat, said plainly.

Before these catalog patterns, every self-harm sentence below was rejected ("please say it again") or read as a
service: the corpus and the catalogs had no line about it. Every sentence here was written for these tests; none
is taken from the training corpus, the evaluation or the held-out sets.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance, vocabulary
from intents.catalog import load
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

SELF_HARM: list[tuple[Locale, str]] = [
    (EN, "I don't want to live anymore, I'm ending it today"),
    (EN, "I've had enough of life, I've got all my tablets lined up"),
    (EN, "Mum keeps saying she wants to die"),
    (EN, "Dad said he's going to end his life tonight"),
    (EN, "my brother told me he wants to kill himself"),
    (ZH, "我不想活了，今天就了结"),
    (ZH, "我妈打电话说她活够了，不想拖累我们"),
    (ZH, "我爸说他想自杀"),
    (ZH, "活着还有什么意思，我想一了百了"),
    (KO, "더 살고 싶지가 않아요 오늘 끝낼 거예요"),
    (KO, "엄마가 자꾸 죽고 싶다고 하세요"),
    (KO, "아버지가 약을 모아 두셨는데 그만 끝내고 싶대요"),
    (KO, "사는 게 지겨워요 이제 세상 떠나고 싶어요"),
    (ES, "Ya no quiero vivir, hoy acabo con todo"),
    (ES, "Mi padre dice que se quiere morir"),
    (ES, "Estoy cansada de vivir, tengo las pastillas aquí"),
    (ES, "Mi madre tiene ganas de morirse, no para de decirlo"),
]

# Said plainly, once only half-heard: a scald read as a boiler repair, a rice cake in the throat rejected.
OTHER_DANGERS: list[tuple[Locale, str]] = [
    (EN, "I've tipped boiling water all over myself"),
    (ZH, "开水洒了一身"),
    (ZH, "年糕卡嗓子了"),
    (ES, "Me eché el agua hirviendo encima"),
    (ES, "Se me nubla la vista, me voy a desmayar"),
]

# Look-alikes: the same letters or a figure of speech, never an emergency.
NOT_DANGERS: list[tuple[Locale, str]] = [
    (KO, "혼자 살아요"),  # 혼자 살: "자살" once spaces are gone
    (KO, "혼자 살기 싫어요"),
    (KO, "혼자 살 생각이에요"),
    (KO, "여기서 살고 싶지 않아요"),
    (KO, "배고파 죽겠어요"),
    (ZH, "笑死我了"),
    (ZH, "热死了"),
    (ES, "me muero de risa"),
    (ES, "vivo sola desde hace años"),
    (EN, "I could murder a cup of tea"),
    (EN, "I live on my own"),
    (EN, "The boiling water tap in the kitchen is broken"),
    # Embarrassment, said the way people say it.
    (KO, "창피해서 죽고 싶었어요"),
    (ES, "Me quiero morir de vergüenza con mi nieto"),
    (EN, "I wanted to die of embarrassment at the bingo"),
]


@pytest.mark.parametrize(("locale", "text"), SELF_HARM + OTHER_DANGERS)
def test_the_matcher_asks_about_the_danger(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM), result


@pytest.mark.parametrize(("locale", "text"), SELF_HARM)
def test_self_harm_is_a_danger_pattern_the_model_cannot_overrule(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    assert match(text, locale).danger and match(text, locale).person  # a "no" still goes to a person
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM), result


@pytest.mark.parametrize(("locale", "text"), OTHER_DANGERS)
def test_the_whole_decision_asks_about_the_danger(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), NOT_DANGERS)
def test_a_look_alike_is_not_an_emergency(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is not Intent.EMERGENCY, result


@pytest.mark.parametrize(("locale", "text"), OTHER_DANGERS)
def test_after_another_danger_a_no_goes_back_as_before(locale: Locale, text: str) -> None:
    assert not match(text, locale).person


@pytest.mark.parametrize("locale", list(Locale))
def test_every_saying_a_pattern_puts_on_the_phrase_list_is_heard_as_that_pattern(locale: Locale) -> None:
    """A pattern's `phrase_list` joins the recogniser's phrase list (intents.vocabulary): each saying on it must be
    heard by the matcher as the danger it is there for."""
    catalog = load(locale)
    sayings = [(c, s) for c in catalog.clusters for s in c.phrase_list]
    assert sayings, "every locale's self-harm pattern gives the phrase list its sayings"
    on_the_list = set(vocabulary(locale, {Intent.EMERGENCY}))
    for cluster, saying in sayings:
        heard = match(saying, locale)
        assert heard.intent is Intent.EMERGENCY and heard.danger and heard.person == cluster.person, (saying, heard)
        assert saying in on_the_list
