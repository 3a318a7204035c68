"""An emergency only told of, in a text the model reads as small talk, is not asked about; one said of now still is.

A nineteenth probe (7 December 2026, written by people who saw neither the corpus, the catalogs nor any set) had
small talk about a drama, a serial, a newspaper story and a memory asked "do you need emergency help right now?":
the matcher heard the emergency's words inside its "told of" cues ("드라마에서", "en la serie", "报纸上", "재작년에")
and asked, and the model, reading small talk first (0.52-0.78), still read 0.14-0.47 emergency, above the safety
net's bar. Now a text whose every emergency word is told of (Match.told_of) and that the model reads as small talk
first is rejected (intents.opinion.told_of_small_talk). Every sentence here was written for these tests; each of
the "not asked" cases is the quick emergency question with the code of the session's start.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

NOT_ASKED = [
    (EN, "In my soap last night the landlord had a heart attack, I was glued to it"),
    (KO, "영화에서 주인공이 심장마비로 쓰러지는 장면이 나왔는데 슬프더라"),
    (ZH, "电视上讲有个老人噎住了，被邻居救了，这个办法挺好"),
]


@pytest.mark.parametrize(("locale", "text"), NOT_ASKED)
def test_small_talk_about_an_emergency_told_of_is_not_asked_about(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    assert match(text, locale).told_of, text
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.decision is Decision.REJECT, (text, result)


@pytest.mark.parametrize(("locale", "text"), NOT_ASKED[:2])
def test_the_same_words_by_speech_are_still_asked_about(model: SemanticOpinion, locale: Locale, text: str) -> None:
    """A transcript may have lost the words that made it one: speech keeps the quick question (where the model's
    emergency reaches speech's higher bar; the Mandarin line's does not, with the rule or without)."""
    result = match_utterance(enrich(Utterance(text, InputSource.SPEECH, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.CONFIRM, (text, result)


STILL_EMERGENCIES = [
    (EN, "I saw on the news about strokes, and now my husband's face has dropped and he can't lift his arm"),
    (ZH, "电视剧里老爷子心脏病犯了，我看着看着自己也胸口疼，喘不上气"),
    (KO, "드라마 보다가 영감이 갑자기 쓰러졌어요 숨을 안 쉬어요"),
    (ES, "Estábamos viendo la novela y mi marido se desmayó, no responde"),
]


@pytest.mark.parametrize(("locale", "text"), STILL_EMERGENCIES)
def test_an_emergency_said_of_now_beside_a_story_is_never_rejected(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    assert not match(text, locale).told_of, text
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)


def test_a_no_to_the_emergency_question_that_tells_of_a_story_is_still_the_no(model: SemanticOpinion) -> None:
    """The rule is for a first message: "No, that fire was on the telly", said to "do you need emergency help right
    now?", is the answer "no", not small talk to reject (an unclear answer there counts as yes)."""
    answers = frozenset({Intent.YES, Intent.NO})
    text = "No, that fire was on the telly"
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, EN), model), answers)
    assert result.intent is Intent.NO and result.decision is Decision.ACCEPT, result
