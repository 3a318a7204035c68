"""Korean regional speech (Gyeongsang, Jeolla) is read in its standard spelling by the matcher and the model.

Found by the fourteenth probe (7 December 2026): "정류장까지 걸어가기가 인자 힘들어서 은행을 한 달째 몬 갔다" (walking
to the bus stop is too hard now, I have not got to the bank for a month) read transport 0.53 against small talk
0.43 and was rejected; spelt the standard way (이제, 못), transport 0.93. Every sentence here was written for these
tests.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match_utterance
from intents.catalog import CatalogError, _standard_forms, load, standard_text
from intents.corpus import read_examples
from intents.dialect import StandardForms, standard
from intents.semantic import SemanticOpinion
from intents.train import CORPUS_DIR


@pytest.mark.parametrize(
    ("regional", "standard_spelling"),
    [
        ("차 좀 보내 주이소.", "차 좀 보내 주세요."),
        ("다리가 아파서 몬 가요", "다리가 아파서 못 가요"),
        ("인자 혼자서는 힘들어 죽겄어", "이제 혼자서는 힘들어 죽겠어"),
        ("반찬 오는 거 언제 오는교?", "반찬 오는 거 언제 오나요?"),
        ("돈이 없응께 걱정이여", "돈이 없으니까 걱정이여"),
        ("병원 예약할라꼬 전화했는디", "병원 예약하려고 전화했는데"),
        ("할매가 테레비만 봐요", "할머니가 티비만 봐요"),
        ("아들이 온다 캤는데 안 와요", "아들이 온다 했는데 안 와요"),
        ("사람 좀 바꿔 보라캐라", "사람 좀 바꿔 보라고 해라"),
    ],
)
def test_regional_forms_are_spelt_the_standard_way(regional: str, standard_spelling: str) -> None:
    assert standard_text(regional, Locale.KO) == standard_spelling


@pytest.mark.parametrize(
    "text",
    [
        "어머니께 전화 좀 해 주세요",  # 께 of honour, not the Jeolla 께 of "because"
        "레몬차 한 잔 마시고 호르몬 약 먹었어요",  # 몬 inside a word
        "문제가 생겨서 함께 가 주세요",
        "깜짝 놀라고 말았어요",  # 놀라다, to be startled: not 놀- + 라고
        "방에 들어가 있어요",  # 들어가, go in: not the Gyeongsang 어가 of "because"
        "텔레비전이 안 나와요",
    ],
)
def test_standard_words_that_only_contain_a_regional_form_are_left_alone(text: str) -> None:
    assert standard_text(text, Locale.KO) == text


@pytest.mark.parametrize("locale", [Locale.EN, Locale.ZH, Locale.ES])
def test_a_language_without_regional_forms_is_unchanged(locale: Locale) -> None:
    text = {Locale.EN: "I cant get to the shops", Locale.ZH: "咋整啊，我妈摔了", Locale.ES: "pos no sé mija"}[locale]
    assert standard_text(text, locale) == text


def test_spelling_twice_changes_nothing_over_the_whole_korean_corpus() -> None:
    for example in read_examples(CORPUS_DIR / "ko.tsv", Locale.KO):
        once = standard_text(example.text, Locale.KO)
        assert standard_text(once, Locale.KO) == once, example.text


def test_a_malformed_or_circular_table_is_refused_when_the_catalog_loads() -> None:
    with pytest.raises(CatalogError, match="takes only"):
        _standard_forms(Locale.KO, {"word": {"몬": "못"}})
    with pytest.raises(CatalogError, match="maps text to text"):
        _standard_forms(Locale.KO, {"words": {"몬": 1}})
    with pytest.raises(CatalogError, match="rewritten again"):
        _standard_forms(Locale.KO, {"words": {"몬": "못"}, "anywhere": {"못": "몯"}})
    assert load(Locale.KO).rules.standard_forms  # the Korean catalog has a table, and it loaded


def test_the_longest_ending_wins_and_punctuation_stays() -> None:
    forms = StandardForms(endings={"이소": "X", "주이소": "주세요"})
    assert standard("알려주이소! 하이소", forms) == "알려주세요! 하X"


# The whole decision (matcher and model) on regional speech, text as family and seniors send it: the first three
# were rejected before (small talk 0.62, out of scope 0.47 with transport 0.52, operator 0.60 under the bar).
UNDERSTOOD = [
    ("요즘 자식들 얼굴도 몬 보고 적적해 죽겄어", Intent.COMPANIONSHIP),
    ("정류장까지 걸어가기가 인자 힘들어서 은행을 몬 간다, 우짜노", Intent.TRANSPORT),
    ("녹음된 소리 말고 말귀 알아듣는 사람 좀 나와 보라캐라", Intent.OPERATOR),
    ("반찬 좀 갖다 주는 데 없는교, 밥 해 묵기가 힘들어가", Intent.MEALS),  # a guard: understood before too
]
# Loneliness told as a scene of the day is still small talk to the model, spelt either way (0.95, 0.72): the
# matcher hears 적적 and the model overrules it.
STILL_MISSED = [("자식들은 다 부산 살고 테레비만 켜 놓고 있응께 적적해 죽겄어", Intent.COMPANIONSHIP)]


@pytest.mark.parametrize(("text", "intent"), UNDERSTOOD)
def test_regional_speech_is_understood(model: SemanticOpinion, text: str, intent: Intent) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, Locale.KO), model))
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)


@pytest.mark.xfail(strict=True, reason="loneliness told as a scene of the day (see STILL_MISSED)")
@pytest.mark.parametrize(("text", "intent"), STILL_MISSED)
def test_still_missed(model: SemanticOpinion, text: str, intent: Intent) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, Locale.KO), model))
    assert result.intent is intent and result.decision is not Decision.REJECT, (text, result)
