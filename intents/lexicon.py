"""The word half of the semantic second opinion: a linear softmax over character n-grams (numpy), fitted and read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from intents.adam import Adam
from intents.ngrams import grams
from intents.types import Locale

# A gram seen in fewer training sentences than this is not learned: one sentence's odd words are its own, not the
# intent's (and it keeps the table small: about 40,000 grams of 13 classes, 2 MB).
MIN_SENTENCES = 2
# Full-batch Adam (intents.adam), as the sentence heads. Chosen by 5-fold cross-validation on the corpus of
# 2026-12-04 (out-of-fold accuracy of the word half alone 0.75; with the sentence ensemble, see intents.train.MIX_GRID).
STEPS = 300
LEARNING_RATE = 0.05
L2 = 1e-4
# Row 0 of the table is a constant feature every sentence has (a second bias, and no sentence is empty).
CONSTANT = 0


@dataclass(frozen=True)
class Lexicon:
    """The grams the model knows (each its row of `weights`) and the table of their weights, (grams + 1, classes)."""

    rows: Mapping[str, int]
    weights: np.ndarray

    @classmethod
    def from_arrays(cls, grams_known: Sequence[str], weights: np.ndarray) -> Lexicon:
        """As stored: the grams in row order (row 1 onwards) and the whole table."""
        return cls({g: i + 1 for i, g in enumerate(grams_known)}, weights)

    def grams_in_order(self) -> list[str]:
        """The known grams in row order (what from_arrays reads back)."""
        return sorted(self.rows, key=self.rows.__getitem__)

    def logits(self, texts: Sequence[str], locales: Sequence[Locale]) -> np.ndarray:
        """Each sentence's logits, (len(texts), classes): the mean of its known grams' rows over the square root
        of their count (a long sentence is not surer for having more grams)."""
        features = Features.of(texts, locales, self.rows)
        result: np.ndarray = features.apply(self.weights).astype(np.float64)
        return result


@dataclass(frozen=True)
class Features:
    """Sentences as sparse rows of known grams: flat indices into the table, the sentence each belongs to, and its
    weight (1 over the square root of the sentence's count)."""

    index: np.ndarray
    sentence: np.ndarray
    value: np.ndarray
    starts: np.ndarray  # where each sentence's run begins in the flat arrays

    @classmethod
    def of(cls, texts: Sequence[str], locales: Sequence[Locale], rows: Mapping[str, int]) -> Features:
        """The known grams of every sentence (the constant feature included, so no run is empty)."""
        index: list[int] = []
        sentence: list[int] = []
        for i, (text, locale) in enumerate(zip(texts, locales, strict=True)):
            known = [CONSTANT, *sorted(rows[g] for g in grams(text, locale) if g in rows)]
            index += known
            sentence += [i] * len(known)
        idx, sent = np.array(index, dtype=np.int64), np.array(sentence, dtype=np.int64)
        counts = np.bincount(sent, minlength=len(texts))
        value = (1.0 / np.sqrt(counts))[sent].astype(np.float32)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return cls(idx, sent, value, starts)

    def apply(self, weights: np.ndarray) -> np.ndarray:
        """Each sentence's weighted sum of its grams' rows."""
        result: np.ndarray = np.add.reduceat(weights[self.index] * self.value[:, None], self.starts, axis=0)
        return result


def vocabulary(texts: Sequence[str], locales: Sequence[Locale]) -> list[str]:
    """The grams found in at least MIN_SENTENCES of the sentences, sorted (the same corpus, the same rows)."""
    seen: dict[str, int] = {}
    for text, locale in zip(texts, locales, strict=True):
        for g in grams(text, locale):
            seen[g] = seen.get(g, 0) + 1
    return sorted(g for g, n in seen.items() if n >= MIN_SENTENCES)


def fit_lexicon(texts: Sequence[str], locales: Sequence[Locale], y: np.ndarray, n_classes: int) -> Lexicon:
    """Class-balanced softmax over the sentences' grams with L2, by full-batch Adam (deterministic: the table
    starts at zero)."""
    known = vocabulary(texts, locales)
    rows = {g: i + 1 for i, g in enumerate(known)}
    features = Features.of(texts, locales, rows)
    n = len(y)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    sample_weight = (n / (n_classes * np.maximum(counts, 1.0)))[y].astype(np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    table = np.zeros((len(known) + 1, n_classes), dtype=np.float32)
    # The gradient of a row gathers every occurrence of its gram: sorted once, then summed run by run.
    order = np.argsort(features.index, kind="stable")
    used, first = np.unique(features.index[order], return_index=True)
    adam = Adam([table], LEARNING_RATE)
    for _ in range(STEPS):
        logits = features.apply(table)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        delta = (probs - onehot) * sample_weight[:, None] / n
        per_occurrence = (features.value[:, None] * delta[features.sentence])[order]
        grad = L2 * table
        grad[used] += np.add.reduceat(per_occurrence, first, axis=0)
        adam.update([grad])
    return Lexicon(rows, table)
