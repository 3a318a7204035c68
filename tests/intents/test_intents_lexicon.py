"""The word half of the second opinion: character n-grams (intents.ngrams) and the linear model over them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from intents import Intent, Locale
from intents.lexicon import MIN_SENTENCES, Lexicon, fit_lexicon, vocabulary
from intents.ngrams import clean, grams
from intents.semantic import Mix, load_classifier, mixed
from intents.train import CLASSES, train
from tests.intents.test_intents_semantic import Letters, _tiny_corpus

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES


def test_korean_syllables_survive_cleaning_and_accents_do_not() -> None:
    # Dropping accents decomposes Hangul into jamo on the way: the syllables must come back whole.
    assert clean("약이 다 떨어졌어요!") == "약이 다 떨어졌어요"
    assert clean("¿Médico?  MAÑANA") == "medico manana"
    assert "떨어" in grams("약이 다 떨어졌어요", KO)
    assert all(len(g) <= 3 for g in grams("약이 다 떨어졌어요", KO))


def test_spacing_does_not_change_chinese_or_korean_grams_but_marks_english_words() -> None:
    assert grams("我 要 看 医生", ZH) == grams("我要看医生", ZH)
    assert grams("약 이 다떨어 졌어요", KO) == grams("약이 다 떨어졌어요", KO)
    english = grams("Pills please", EN)
    assert "<pills>" in english and "<pil" in english and "lls>" in english
    assert grams("medico", ES) == grams("Médico", ES)


def _fit(lines: list[tuple[Intent | None, str]]) -> Lexicon:
    y = np.array([CLASSES.index(intent) for intent, _ in lines])
    return fit_lexicon([t for _, t in lines], [EN] * len(lines), y, len(CLASSES))


TRAINING = [
    (Intent.MEALS, "could I have a hot lunch delivered"),
    (Intent.MEALS, "lunch delivery for my mum please"),
    (Intent.MEALS, "no lunch in the house again"),
    (Intent.TRANSPORT, "a lift to the clinic on friday"),
    (Intent.TRANSPORT, "need a lift to the shops"),
    (Intent.TRANSPORT, "can someone give dad a lift"),
    (None, "lovely weather today isn't it"),
    (None, "the weather has been awful"),
]


def test_the_word_half_learns_words_shared_between_sentences_and_reads_new_ones_by_them() -> None:
    lexicon = _fit(TRAINING)
    logits = lexicon.logits(["any chance of lunch tomorrow", "a lift for me", "what weather"], [EN] * 3)
    read = [CLASSES[i] for i in logits.argmax(axis=1)]
    assert read == [Intent.MEALS, Intent.TRANSPORT, None]


def test_the_word_half_is_deterministic_and_skips_grams_of_a_single_sentence() -> None:
    first, second = _fit(TRAINING), _fit(TRAINING)
    assert first.rows == second.rows
    np.testing.assert_array_equal(first.weights, second.weights)
    assert "<lunch>" in first.rows  # three sentences
    assert "<clinic>" not in first.rows  # one sentence: its own word, not the intent's
    texts = [t for _, t in TRAINING]
    assert vocabulary(texts, [EN] * len(texts)) == sorted(first.rows)
    assert MIN_SENTENCES == 2


def test_a_sentence_with_no_known_gram_still_gets_a_row_and_an_empty_one_too() -> None:
    lexicon = _fit(TRAINING)
    logits = lexicon.logits(["zzzz", "", "lunch"], [EN] * 3)
    assert logits.shape == (3, len(CLASSES))
    np.testing.assert_allclose(logits[0], logits[1])  # the constant row alone
    assert not np.allclose(logits[0], logits[2])


def test_the_mix_is_a_normalised_product_and_its_neutral_weights_leave_the_sentences_alone() -> None:
    rng = np.random.default_rng(1)
    sentences = rng.dirichlet(np.ones(len(CLASSES)), size=4)
    words = rng.normal(size=(4, len(CLASSES)))
    np.testing.assert_allclose(mixed(sentences, words, Mix(1.0, 0.0)), sentences, rtol=1e-6)
    joined = mixed(sentences, words, Mix(0.75, 1.0))
    np.testing.assert_allclose(joined.sum(axis=1), 1.0, rtol=1e-9)
    expected = sentences**0.75 * np.exp(words)
    np.testing.assert_allclose(joined, expected / expected.sum(axis=1, keepdims=True), rtol=1e-6)


def test_training_stores_the_word_half_with_the_heads_and_the_running_model_uses_it(tmp_path: Path) -> None:
    manifest = train(_tiny_corpus(tmp_path), tmp_path / "a", Letters(), heads=1)
    assert isinstance(manifest["mix"], dict) and set(manifest["mix"]) == {"sentences", "words"}
    assert isinstance(manifest["lexicon_grams"], int) and manifest["lexicon_grams"] > 0
    classifier = load_classifier(tmp_path / "a")
    assert classifier.lexicon is not None and len(classifier.lexicon.rows) == manifest["lexicon_grams"]
    assert classifier.mix == Mix(**manifest["mix"])
    texts = ["lunch please number 3", "zzz ride taxi 3"]
    vectors = Letters().embed(texts)
    joined = classifier.probabilities(vectors, texts, [EN, EN])
    expected = mixed(
        classifier.sentence_probabilities(vectors), classifier.lexicon.logits(texts, [EN, EN]), classifier.mix
    )
    np.testing.assert_allclose(joined, expected, rtol=1e-6)
    assert joined[0].argmax() == CLASSES.index(Intent.MEALS)
    assert joined[1].argmax() == CLASSES.index(Intent.TRANSPORT)
