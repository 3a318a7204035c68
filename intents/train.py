"""`python -m intents train`: fit the semantic classifier on intents/corpus and write intents/model (numpy only)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import numpy as np

from intents.catalog import load
from intents.corpus import CORPUS_DIR, OUT_OF_SCOPE, Example, corpus_files, read_examples
from intents.opinion import SEMANTIC_INTENTS
from intents.semantic import MANIFEST, MODEL_DIR, WEIGHTS, E5Small, Embedder, sha256
from intents.types import Intent, Locale, SemanticThresholds

# Class order is fixed (the enum's order, then out of scope) so the same corpus gives the same weights.
CLASSES: tuple[Intent | None, ...] = (*[i for i in Intent if i in SEMANTIC_INTENTS], None)
FOLDS = 5
# Logistic regression by full-batch Adam: a few hundred steps converge on ~10k examples in seconds.
STEPS = 400
LEARNING_RATE = 0.05
L2 = 1e-3
# Threshold choice on out-of-fold probabilities (what the model says about sentences it was not fitted on).
SURE_PRECISION = 0.9  # a rescue or a disagreement is right this often, or it is not made
OOS_PRECISION = 0.95  # keeping talk out is right this often
EMERGENCY_RECALL = 0.99  # the safety net catches this share of the corpus's emergencies
EMERGENCY_RANGE = (0.05, 0.5)
# A model that is right 90 % of the time overall would pass the precision test at any threshold; below an even
# chance it is not "sure" of anything.
FLOOR = 0.5
GRID = tuple(round(float(x), 2) for x in np.arange(0.05, 1.0, 0.01))
TEMPERATURES = tuple(round(float(x), 2) for x in np.arange(0.25, 4.01, 0.05))
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hearthline" / "embeddings"


def training_examples(directory: Path = CORPUS_DIR) -> list[Example]:
    """The corpus lines and, as plain examples, the catalogs' whole phrases (for the intents the model learns)."""
    examples: list[Example] = []
    for locale, path in sorted(corpus_files(directory).items()):
        # Dialogue answers (yes/no/...) are the matcher's alone.
        examples += [e for e in read_examples(path, locale) if e.expected is None or e.expected in SEMANTIC_INTENTS]
        for phrase in load(locale).phrases:
            if phrase.intent in SEMANTIC_INTENTS:
                examples.append(Example(phrase.intent, "catalog", phrase.surface, locale))
    return examples


def embed_cached(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embeddings, cached on disk by embedder and text so retraining after a corpus edit embeds only new lines."""
    key = hashlib.sha256(embedder.name.encode()).hexdigest()[:12]
    path = CACHE / f"{key}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    if missing:
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            known.update(zip(batch, embedder.embed(batch), strict=True))
        CACHE.mkdir(parents=True, exist_ok=True)
        names = sorted(known)
        np.savez(path, texts=np.array(names), vectors=np.stack([known[n] for n in names]))
    return np.stack([known[t] for t in texts]).astype(np.float64)


def fit(x: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Class-balanced multinomial logistic regression with L2, by full-batch Adam (deterministic)."""
    n, dim = x.shape
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    sample_weight = (n / (n_classes * np.maximum(counts, 1.0)))[y]
    onehot = np.eye(n_classes)[y]
    params = [np.zeros((dim, n_classes)), np.zeros(n_classes)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        probs = _softmax(x @ params[0] + params[1])
        delta = (probs - onehot) * sample_weight[:, None] / n
        grads = [x.T @ delta + L2 * params[0], delta.sum(axis=0)]
        for k, grad in enumerate(grads):
            moments[k] = beta1 * moments[k] + (1 - beta1) * grad
            squares[k] = beta2 * squares[k] + (1 - beta2) * grad**2
            m_hat = moments[k] / (1 - beta1**step)
            v_hat = squares[k] / (1 - beta2**step)
            params[k] -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + eps)
    return params[0], params[1]


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _fold(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % FOLDS


def out_of_fold_logits(x: np.ndarray, y: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Each example's logits from a model fitted without it (the honest basis for calibration and thresholds)."""
    folds = np.array([_fold(t) for t in texts])
    logits = np.zeros((len(y), len(CLASSES)))
    for k in range(FOLDS):
        test = folds == k
        w, b = fit(x[~test], y[~test], len(CLASSES))
        logits[test] = x[test] @ w + b
    return logits


def temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the out-of-fold negative log-likelihood (Guo et al. 2017, "On calibration
    of modern neural networks", temperature scaling)."""

    def nll(t: float) -> float:
        probs = _softmax(logits / t)
        return float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))

    return min(TEMPERATURES, key=nll)


def _smallest(grid: Sequence[float], good: Callable[[float], bool], default: float) -> float:
    return next((t for t in grid if good(t)), default)


def thresholds(probs: np.ndarray, y: np.ndarray) -> SemanticThresholds:
    """Per-locale thresholds from out-of-fold probabilities: the lowest that keeps each decision's precision."""
    oos = len(CLASSES) - 1
    emergency = CLASSES.index(Intent.EMERGENCY)
    inscope = probs[:, :oos]
    best, p_best = inscope.argmax(axis=1), inscope.max(axis=1)
    top_is_intent = p_best > probs[:, oos]

    def sure_ok(t: float) -> bool:
        chosen = top_is_intent & (p_best >= t)
        return bool(chosen.any()) and float(np.mean(best[chosen] == y[chosen])) >= SURE_PRECISION

    def oos_ok(t: float) -> bool:
        chosen = probs[:, oos] >= t
        return bool(chosen.any()) and float(np.mean(y[chosen] == oos)) >= OOS_PRECISION

    em_probs = np.sort(probs[y == emergency, emergency])
    em = float(em_probs[int((1 - EMERGENCY_RECALL) * len(em_probs))]) if len(em_probs) else EMERGENCY_RANGE[1]
    em = min(max(em, EMERGENCY_RANGE[0]), EMERGENCY_RANGE[1])
    grid = [t for t in GRID if t >= FLOOR]
    return SemanticThresholds(
        sure=_smallest(grid, sure_ok, 0.9), out_of_scope=_smallest(grid, oos_ok, 0.9), emergency=round(em, 3)
    )


def _digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def train(
    corpus: Path = CORPUS_DIR, out: Path = MODEL_DIR, embedder: Embedder | None = None, log: TextIO | None = None
) -> dict[str, object]:
    """Fit, calibrate and write the classifier and its manifest; return the manifest."""
    embedder = embedder or E5Small()
    examples = training_examples(corpus)
    if not examples:
        raise SystemExit(f"no corpus in {corpus}")
    texts = [e.text for e in examples]
    x = embed_cached(embedder, texts)
    y = np.array([CLASSES.index(e.expected) for e in examples])
    # Standardise features (the e5 vectors sit in a narrow cone), then fold the scaling into the weights.
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / std
    oof = out_of_fold_logits(z, y, texts)
    temp = temperature(oof, y)
    probs = _softmax(oof / temp)
    locales = np.array([e.locale.value for e in examples])
    per_locale = {
        loc.value: thresholds(probs[locales == loc.value], y[locales == loc.value])
        for loc in Locale
        if (locales == loc.value).any()
    }
    w, b = fit(z, y, len(CLASSES))
    weights = (w / std[:, None]).astype(np.float32)
    bias = (b - (mean / std) @ w).astype(np.float32)
    out.mkdir(parents=True, exist_ok=True)
    # np.savez writes zip members with fixed timestamps, so the same weights give the same bytes.
    np.savez(out / WEIGHTS, weights=weights, bias=bias)
    files = sorted(corpus_files(corpus).values())
    catalogs = sorted((Path(__file__).parent / "catalogs").glob("*.json"))
    accuracy = float(np.mean(probs.argmax(axis=1) == y))
    manifest: dict[str, object] = {
        "about": "Semantic second opinion: logistic regression over sentence embeddings (python -m intents train).",
        "version": f"{_digest(files)[:8]}-{_digest(catalogs)[:8]}",
        "embedder": embedder.name,
        "prefix": "query: ",
        "corpus_sha256": _digest(files),
        "corpus_files": [p.name for p in files],
        "catalogs_sha256": _digest(catalogs),
        "examples": len(examples),
        "classes": [OUT_OF_SCOPE if c is None else c.value for c in CLASSES],
        "temperature": temp,
        "out_of_fold_accuracy": round(accuracy, 4),
        "thresholds": {loc: asdict(t) for loc, t in per_locale.items()},
        "weights": WEIGHTS,
        "weights_sha256": sha256(out / WEIGHTS),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if log is not None:
        print(f"{len(examples)} examples, out-of-fold accuracy {accuracy:.3f}, temperature {temp}", file=log)
        for loc, t in per_locale.items():
            print(f"  {loc}: {t}", file=log)
    return manifest
