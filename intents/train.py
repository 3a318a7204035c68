"""`python -m intents train`: fit the semantic classifier on intents/corpus and write intents/model (numpy only)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TextIO

import numpy as np

from intents import blas, lexicon
from intents.adam import Adam
from intents.catalog import load, standard_text
from intents.corpus import CORPUS_DIR, OUT_OF_SCOPE, Example, corpus_files, read_examples
from intents.lexicon import fit_lexicon
from intents.matcher import match
from intents.opinion import EMERGENCY_SHARE, SEMANTIC_INTENTS
from intents.semantic import MANIFEST, MODEL_DIR, WEIGHTS, E5Small, Embedder, Mix, mixed, sha256
from intents.types import SERVICES, Decision, Intent, Locale, SemanticThresholds

# Class order is fixed (the enum's order, then out of scope) so the same corpus gives the same weights.
CLASSES: tuple[Intent | None, ...] = (*[i for i in Intent if i in SEMANTIC_INTENTS], None)
FOLDS = 5
# One hidden layer of rectified units by full-batch Adam. Chosen by 5-fold cross-validation of the whole decision
# (the head's out-of-fold probabilities joined with the matcher, per locale and phrasing) on the corpus of
# 2026-12-04: against the logistic regression it replaced (out-of-fold accuracy 0.812), 0.845; emergency recall
# en 92.3 -> 96.1 %, es 92.3 -> 95.6 %; indirect phrasing +4 to +7 points in every locale; out-of-scope rejection
# +4 to +11 points. 256 units, L2 1e-3 and 300 steps; 512 units with input noise cost twice the time to train.
HIDDEN = 256
STEPS = 300
LEARNING_RATE = 0.01
L2 = 1e-3
# Small talk counts twice in the class balance. Every class weighs the same in all (class-balanced), but out of
# scope is the one class that is everything else, and the one the held-out sets missed most. On the corpus of
# 2026-12-06, afternoon (round eleven), out of fold on the older lines, weight 1 -> 2 -> 3: out-of-scope rejection
# en 86.8 -> 87.1 -> 88.4, zh 80.7 -> 81.7 -> 81.8, ko 78.8 -> 80.5 -> 82.2, es 84.5 -> 85.9 -> 85.7 %; accuracy en
# 90.8 -> 90.9 -> 90.7, zh 87.2 -> 86.8 -> 86.5, ko 81.9 -> 81.7 -> 81.8, es 85.9 -> 85.7 -> 85.0 %; on the dev, eval
# and older held-out sets together (1,488 requests, 264 out-of-scope lines) 1,412 -> 1,416 -> 1,402 requests
# understood and 254 -> 257 -> 258 out-of-scope lines rejected. Emergency recall 100 % throughout.
OUT_OF_SCOPE_WEIGHT = 2.0
SEED = 0  # the first layer starts from a seeded draw: the same corpus gives the same weights
# An ensemble of heads that differ only in their seeded start, their probabilities averaged (bagging's variance
# argument without the resampling: Lakshminarayanan et al. 2017, "Simple and scalable predictive uncertainty
# estimation using deep ensembles"). One head's held-out figures moved by up to 27 points between trainings that
# cross-validation could not tell apart (intents/HISTORY.md); `python -m intents cv` prints the seed-to-seed spread.
HEADS = 5
# Threshold choice on out-of-fold probabilities (what the model says about sentences it was not fitted on).
SURE_PRECISION = 0.9  # a rescue or a disagreement is right this often, or it is not made
# A service the matcher heard is rejected as small talk only when right this often. 0.8 rather than the 0.9 of the
# other decisions (2026-12-04, night; out-of-fold over the corpus and the dev set): out-of-scope rejection
# +0.1 to +1.6 points on the corpus, +2.9 (zh) on the dev set, for 0.1-0.2 points of in-scope accuracy. A wrong
# rejection costs a caller one repeat ("please say it again"), a wrong confirmation of small talk one "no".
OUT_OF_SCOPE_PRECISION = 0.8
# The safety net with the matcher catches this share of the corpus's emergencies out of fold. It was every one
# (issue 10: recall 100 %, at least the quick question) until round fourteen of the corpus (2026-12-06, night) added
# 86 emergencies a locale that hide what they are (wanting to die in veiled words, frauds in the fraudster's words):
# 1-2 % of the corpus's emergencies are then read under 0.02 out of fold and missed by the matcher ("猫我已经托付给
# 邻居了，钥匙放在门口地垫底下", "Voy caminando hacia las vías"), so every bar fell to the floor (0.02). There
# (measured with the round's out-of-scope lines still in the corpus), against the bars this rule and MODEL_RECALL
# 0.9 gave (0.205-0.245), the dev set's requests understood fell zh 93.4 -> 89.2, ko 94.0 -> 90.4, es 88.6 -> 84.9 %
# and out-of-scope talk rejected en 97.1 -> 91.2, ko 94.1 -> 88.2 % (many more needless emergency questions), every
# dev emergency caught either way. On a probe of 24 such emergencies a locale written apart (HISTORY.md), the whole
# decision caught 33-46 % before the round and 75-96 % after it (bars en 0.2, zh 0.19, ko 0.125, es 0.245).
EMERGENCY_RECALL = 0.98
# ...and the net alone still catches this share of them. The matcher's danger clusters were written while reading
# the corpus's emergencies, so on the corpus it catches nearly all (99.7 % en, 100 % zh), on a set written apart
# 85-90 %: a bar chosen only by the two together would lean on an in-sample figure (zh went to 0.5 and missed one
# emergency in 40 of the dev set). 0.95 until round twelve of the corpus (2026-12-06, evening) added 18 emergencies a
# locale said in veiled words (pills put by, a goodbye and then no answer, a scam in the scammer's words), which the
# model alone reads weakly out of fold (ko 91.9 % of the corpus's emergencies at 0.2): 0.95 then took the bars to
# zh 0.155, ko 0.1, es 0.115, and the dev set understood 5 fewer requests and rejected 1 fewer out-of-scope line
# than at 0.93 (zh 0.25, ko 0.17, es 0.22), with every dev, eval and older held-out emergency caught either way.
# 0.9 since round fourteen, for the same reason as EMERGENCY_RECALL: at 0.93 the Korean bar fell to 0.135.
MODEL_RECALL = 0.9
# The top: once the matcher heard every corpus emergency the net missed ("somebody's trying the back door handle",
# 2026-12-06), the English bar rose from 0.145 to 0.315, and the dev set lost an emergency the model read at 0.305
# ("Aunt Rose got out of the car and just crumpled, she's on the footpath not making sense"). A held-out emergency
# the matcher does not hear is what the net is for; 0.25 keeps a margin under that reading (bars were 0.125-0.2
# in the other locales, which the cap does not touch).
EMERGENCY_RANGE = (0.02, 0.25)
# The bar for a model sure of something else is this share of the lowest emergency probability the corpus needs
# there: held-out emergencies read a little less clearly than any of the corpus are still asked about.
SURE_EMERGENCY_MARGIN = 0.5
EMERGENCY_GRID = tuple(round(float(x), 3) for x in np.arange(EMERGENCY_RANGE[0], EMERGENCY_RANGE[1] + 1e-9, 0.005))
# The "sure" and out-of-scope thresholds are the median over this many seeded bootstrap draws of the locale's
# out-of-fold rows. "The lowest threshold right 90 % of the time" rests on the few sentences just above it: on a
# few dozen out-of-scope lines it flipped between 0.82 and "never" (ko) from one seed to the next; the median
# over resamples is what most draws agree on (bagging the threshold: Breiman 1996).
DRAWS = 31
# The matcher's doubtful emergency gives way to a service the model is surer of than of any service it read into
# an emergency of the corpus that only that question catches, by this margin (intents.opinion.combine).
DOUBT_MARGIN = 0.05
# A model that is right 90 % of the time overall would pass the precision test at any threshold; below an even
# chance it is not "sure" of anything.
FLOOR = 0.5
GRID = tuple(round(float(x), 2) for x in np.arange(0.05, 1.0, 0.01))
TEMPERATURES = tuple(round(float(x), 2) for x in np.arange(0.25, 4.01, 0.05))
# The weights of the sentence ensemble and of the word half (intents.lexicon) in their product, chosen on this grid
# by out-of-fold negative log-likelihood (the same criterion as the temperature). On the corpus of 2026-12-04,
# night (10,900 examples) the word half alone was right 75 % of the time out of fold, the ensemble 84 %; joined, 86 %.
MIX_GRID = tuple(
    Mix(round(float(a), 2), round(float(b), 2)) for a in np.arange(0.0, 2.01, 0.25) for b in np.arange(0.0, 3.01, 0.25)
)
CACHE_EVERY = 256
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hearthline" / "embeddings"


def training_examples(directory: Path = CORPUS_DIR) -> list[Example]:
    """The corpus lines and, as plain examples, the catalogs' whole phrases (for the intents the model learns).
    Single keywords were tried too: out-of-fold accuracy fell (0.811 to 0.801) and small talk read as emergency."""
    examples: list[Example] = []
    for locale, path in sorted(corpus_files(directory).items()):
        # Dialogue answers (yes/no/...) are the matcher's alone.
        examples += [e for e in read_examples(path, locale) if e.expected is None or e.expected in SEMANTIC_INTENTS]
        for phrase in load(locale).phrases:
            if phrase.intent in SEMANTIC_INTENTS:
                examples.append(Example(phrase.intent, "catalog", phrase.surface, locale))
    # The model reads regional spellings made standard, as SemanticOpinion.opinion does when it answers.
    return [replace(e, text=standard_text(e.text, e.locale)) for e in examples]


def embed_cached(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embeddings, cached on disk by embedder and text so retraining after a corpus edit embeds only new lines."""
    key = hashlib.sha256(embedder.name.encode()).hexdigest()[:12]
    path = CACHE / f"{key}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    missing = sorted({t for t in texts if t not in known})
    for start in range(0, len(missing), CACHE_EVERY):
        batch = missing[start : start + CACHE_EVERY]
        known.update(zip(batch, embedder.embed(batch), strict=True))
        # Saved as it goes: embedding a whole corpus takes minutes on a busy machine.
        CACHE.mkdir(parents=True, exist_ok=True)
        names = sorted(known)
        np.savez(path, texts=np.array(names), vectors=np.stack([known[n] for n in names]))
    return np.stack([known[t] for t in texts]).astype(np.float64)


Params = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def fit(x: np.ndarray, y: np.ndarray, n_classes: int, seed: int = SEED) -> Params:
    """Class-balanced softmax classifier with one hidden ReLU layer and L2, by full-batch Adam (deterministic).
    Returns (hidden weights, hidden bias, output weights, output bias)."""
    # float32: half the time of float64 for the two (examples x 384 x 256) products a step, same accuracy here.
    x = x.astype(np.float32)
    n, dim = x.shape
    rng = np.random.default_rng(seed)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    balance = n / (n_classes * np.maximum(counts, 1.0))
    balance[n_classes - 1] *= OUT_OF_SCOPE_WEIGHT  # the last class is out of scope (CLASSES)
    sample_weight = balance[y].astype(np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    params = [
        rng.normal(0.0, np.sqrt(2.0 / dim), (dim, HIDDEN)).astype(np.float32),  # He initialisation for ReLU units
        np.zeros(HIDDEN, dtype=np.float32),
        rng.normal(0.0, np.sqrt(1.0 / HIDDEN), (HIDDEN, n_classes)).astype(np.float32),
        np.zeros(n_classes, dtype=np.float32),
    ]
    adam = Adam(params, LEARNING_RATE)
    for _ in range(STEPS):
        pre = x @ params[0] + params[1]
        hidden = np.maximum(pre, 0.0)
        probs = _softmax(hidden @ params[2] + params[3])
        delta = (probs - onehot) * sample_weight[:, None] / n
        back = (delta @ params[2].T) * (pre > 0)
        adam.update(
            [x.T @ back + L2 * params[0], back.sum(axis=0), hidden.T @ delta + L2 * params[2], delta.sum(axis=0)]
        )
    return params[0], params[1], params[2], params[3]


def logits_of(params: Params, x: np.ndarray) -> np.ndarray:
    """The head's logits for rows of `x`."""
    units = np.maximum(x.astype(np.float32) @ params[0] + params[1], 0.0)
    result: np.ndarray = (units @ params[2] + params[3]).astype(np.float64)
    return result


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _fold(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % FOLDS


def _key(z: np.ndarray, y: np.ndarray) -> str:
    h = hashlib.sha256(z.tobytes())
    h.update(y.tobytes())
    h.update(repr((HIDDEN, STEPS, LEARNING_RATE, L2, FOLDS)).encode())
    if OUT_OF_SCOPE_WEIGHT != 1.0:  # fits made before the weight existed keep their keys
        h.update(repr(OUT_OF_SCOPE_WEIGHT).encode())
    if kernels := os.environ.get(blas.VARIABLE):  # fits on other kernels differ in the last bits (intents/blas.py)
        h.update(kernels.encode())
    return h.hexdigest()[:12]


def fold_logits(z: np.ndarray, y: np.ndarray, folds: np.ndarray, seed: int, fold: int) -> np.ndarray:
    """One head's logits on `fold`, fitted on the other folds; cached on disk (a fit takes a minute or more on a
    busy 2-core machine, and the same corpus and seed give the same weights)."""
    path = CACHE / f"oof-{_key(z, y)}-s{seed}-f{fold}.npy"
    if path.exists():
        cached: np.ndarray = np.load(path)
        return cached
    test = folds == fold
    logits = logits_of(fit(z[~test], y[~test], len(CLASSES), seed), z[test])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, logits)
    return logits


def fit_whole(z: np.ndarray, y: np.ndarray, seed: int) -> Params:
    """One head fitted on every example; cached on disk as the folds' are (retraining after a change of catalog
    keywords or of the thresholds' rules refits nothing)."""
    path = CACHE / f"whole-{_key(z, y)}-s{seed}.npz"
    if path.exists():
        with np.load(path) as data:
            return data["w1"], data["b1"], data["w2"], data["b2"]
    w1, b1, w2, b2 = fit(z, y, len(CLASSES), seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, w1=w1, b1=b1, w2=w2, b2=b2)
    return w1, b1, w2, b2


def out_of_fold_logits(x: np.ndarray, y: np.ndarray, texts: Sequence[str], seed: int = SEED) -> np.ndarray:
    """Each example's logits from a model fitted without it (the honest basis for calibration and thresholds)."""
    folds = np.array([_fold(t) for t in texts])
    logits = np.zeros((len(y), len(CLASSES)))
    for k in range(FOLDS):
        test = folds == k
        logits[test] = fold_logits(x, y, folds, seed, k)
    return logits


def averaged(logits: np.ndarray, t: float) -> np.ndarray:
    """The ensemble's probabilities: each head's softmax at temperature `t`, averaged over the heads (axis 0 of
    a (heads, examples, classes) array; a 2-D array is one head)."""
    stack = logits if logits.ndim == 3 else logits[None]
    result: np.ndarray = np.mean([_softmax(head / t) for head in stack], axis=0)
    return result


def temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the out-of-fold negative log-likelihood of the averaged probabilities
    (Guo et al. 2017, "On calibration of modern neural networks", temperature scaling)."""

    def nll(t: float) -> float:
        probs = averaged(logits, t)
        return float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))

    return min(TEMPERATURES, key=nll)


def out_of_fold_words(examples: Sequence[Example], y: np.ndarray) -> np.ndarray:
    """The word half's logits for each example from a lexicon fitted without it (folds as the heads'); cached on
    disk by the corpus and the lexicon's settings."""
    texts = [e.text for e in examples]
    h = hashlib.sha256("\n".join(f"{e.locale.value}\t{e.text}" for e in examples).encode())
    h.update(y.tobytes())
    h.update(repr((lexicon.MIN_SENTENCES, lexicon.STEPS, lexicon.LEARNING_RATE, lexicon.L2, FOLDS)).encode())
    path = CACHE / f"words-{h.hexdigest()[:12]}.npy"
    if path.exists():
        cached: np.ndarray = np.load(path)
        return cached
    folds = np.array([_fold(t) for t in texts])
    locales = [e.locale for e in examples]
    logits = np.zeros((len(y), len(CLASSES)))
    for k in range(FOLDS):
        train_on = np.flatnonzero(folds != k)
        held = np.flatnonzero(folds == k)
        fitted = fit_lexicon([texts[i] for i in train_on], [locales[i] for i in train_on], y[train_on], len(CLASSES))
        logits[held] = fitted.logits([texts[i] for i in held], [locales[i] for i in held])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, logits)
    return logits


def mix_for(sentences: np.ndarray, words: np.ndarray, y: np.ndarray) -> Mix:
    """The MIX_GRID weights that minimise the out-of-fold negative log-likelihood of the joined probabilities."""

    def nll(mix: Mix) -> float:
        probs = mixed(sentences, words, mix)
        return float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))

    return min(MIX_GRID, key=nll)


def _smallest(grid: Sequence[float], good: Callable[[float], bool], default: float) -> float:
    return next((t for t in grid if good(t)), default)


def thresholds(
    probs: np.ndarray,
    y: np.ndarray,
    caught: np.ndarray,
    asked: np.ndarray | None = None,
    service: np.ndarray | None = None,
) -> SemanticThresholds:
    """Per-locale thresholds from out-of-fold probabilities: the lowest that keeps each decision's precision;
    `caught` marks the examples the matcher alone already treats as an emergency, `asked` those it only asks
    about, `service` those where it hears a service (accepted or to confirm). Smoothed: see DRAWS."""
    heard = np.ones(len(y), dtype=bool) if service is None else service
    asked = caught if asked is None else asked
    rng = np.random.default_rng(SEED)
    draws = [rng.integers(0, len(y), len(y)) for _ in range(DRAWS)]
    sure = round(float(np.median([_sure(probs[d], y[d]) for d in draws])), 2)
    emergency = round(_emergency(probs, y, caught), 3)
    out_of_scope = round(float(np.median([_out_of_scope(probs[d], y[d], heard[d]) for d in draws])), 2)
    return SemanticThresholds(
        sure=sure,
        emergency=emergency,
        out_of_scope=out_of_scope,
        overrides_doubt=_overrides_doubt(probs, y, asked, sure, emergency),
        emergency_if_sure=_emergency_if_sure(probs, y, sure, emergency, out_of_scope),
    )


def _best(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inscope = probs[:, : len(CLASSES) - 1]
    return inscope.argmax(axis=1), inscope.max(axis=1)


def _sure(probs: np.ndarray, y: np.ndarray) -> float:
    """The lowest threshold at which a rescue or a disagreement is right SURE_PRECISION of the time."""
    best, p_best = _best(probs)
    top_is_intent = p_best > probs[:, -1]

    def sure_ok(t: float) -> bool:
        chosen = top_is_intent & (p_best >= t)
        return bool(chosen.any()) and float(np.mean(best[chosen] == y[chosen])) >= SURE_PRECISION

    return _smallest([t for t in GRID if t >= FLOOR], sure_ok, 0.9)


def _out_of_scope(probs: np.ndarray, y: np.ndarray, heard: np.ndarray) -> float:
    """Rejecting a service the matcher heard, as small talk: the lowest threshold right at least
    OUT_OF_SCOPE_PRECISION of the time on the sentences where the matcher heard one (a wrong rejection costs a
    senior a repeat); above 1 (never) when none is."""
    oos = len(CLASSES) - 1
    _, p_best = _best(probs)
    says_oos = probs[:, oos] >= p_best

    def oos_ok(t: float) -> bool:
        chosen = heard & says_oos & (probs[:, oos] >= t)
        return bool(chosen.any()) and float(np.mean(y[chosen] == oos)) >= OUT_OF_SCOPE_PRECISION

    return _smallest([t for t in GRID if t >= FLOOR], oos_ok, 1.01)


def _emergency(probs: np.ndarray, y: np.ndarray, caught: np.ndarray) -> float:
    """The safety net covers what the matcher misses: the highest threshold at which the two together still catch
    EMERGENCY_RECALL of the corpus's emergencies (higher asks fewer needless emergency questions). As in
    intents.opinion.combine, the net also needs the emergency to be EMERGENCY_SHARE of the top class."""
    emergency = CLASSES.index(Intent.EMERGENCY)
    is_em = y == emergency
    if not is_em.any():
        return EMERGENCY_RANGE[0]
    em = probs[is_em, emergency]
    shared = em >= EMERGENCY_SHARE * probs[is_em].max(axis=1)

    def recall(t: float) -> float:
        return float(np.mean(caught[is_em] | (shared & (em >= t))))

    def alone(t: float) -> float:
        return float(np.mean(shared & (em >= t)))

    chosen = (t for t in EMERGENCY_GRID if recall(t) >= EMERGENCY_RECALL and alone(t) >= MODEL_RECALL)
    return max(chosen, default=EMERGENCY_RANGE[0])


def _emergency_if_sure(probs: np.ndarray, y: np.ndarray, sure: float, emergency: float, out_of_scope: float) -> float:
    """The safety net's bar when the model is sure of a service or of small talk (intents.opinion.sure_of_other):
    SURE_EMERGENCY_MARGIN of the lowest emergency probability among the corpus's emergencies read that way that
    the net catches at `emergency` (none may be lost), capped at EMERGENCY_RANGE's top. Whether the matcher
    catches them too is not counted (`caught` is in-sample for its danger clusters: see MODEL_RECALL)."""
    em = CLASSES.index(Intent.EMERGENCY)
    best, p_best = _best(probs)
    oos = probs[:, -1]
    sure_of_other = np.where(oos >= p_best, oos >= out_of_scope, (best != em) & (p_best >= sure))
    net = (probs[:, em] >= emergency) & (probs[:, em] >= EMERGENCY_SHARE * probs.max(axis=1))
    relied_on = (y == em) & sure_of_other & net
    lowest = float(probs[relied_on, em].min()) if relied_on.any() else EMERGENCY_RANGE[1]
    return round(max(emergency, min(EMERGENCY_RANGE[1], SURE_EMERGENCY_MARGIN * lowest)), 3)


def _overrides_doubt(probs: np.ndarray, y: np.ndarray, asked: np.ndarray, sure: float, emergency: float) -> float:
    """The bar from which another service outweighs the matcher's doubtful emergency: DOUBT_MARGIN above the
    surest the model ever was of another service for an emergency of the corpus that the matcher asks about and
    the safety net does not catch (those would be lost), and never below `sure`; above 1 (never) when that is out
    of reach."""
    em = CLASSES.index(Intent.EMERGENCY)
    inscope = probs[:, : len(CLASSES) - 1].copy()
    inscope[:, em] = 0.0
    other = inscope.max(axis=1)
    at_risk = (y == em) & asked & (probs[:, em] < emergency)
    worst = float(other[at_risk].max()) if at_risk.any() else 0.0
    bar = max(sure, round(worst + DOUBT_MARGIN, 2))
    return bar if bar <= 1.0 else 1.01


def _matcher_hears(example: Example) -> tuple[bool, bool, bool]:
    """Whether the matcher alone treats the example as an emergency, whether only as a question (to confirm), and
    whether it hears a service in it."""
    found = match(example.text, example.locale)
    heard = found.decision is not Decision.REJECT
    emergency = heard and found.intent is Intent.EMERGENCY
    return emergency, emergency and found.decision is Decision.CONFIRM, heard and found.intent in SERVICES


def matcher_hears(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_matcher_hears for every example, as three boolean columns (caught, asked, service)."""
    rows = np.array([_matcher_hears(e) for e in examples], dtype=bool).reshape(-1, 3)
    return rows[:, 0], rows[:, 1], rows[:, 2]


def catalog_files() -> list[Path]:
    """The intent catalogs the model's thresholds were chosen with (the matcher's half of the decision)."""
    return sorted((Path(__file__).parent / "catalogs").glob("*.json"))


def files_digest(paths: Sequence[Path]) -> str:
    """One SHA-256 over the names and bytes of `paths` (the manifest records the corpus's and the catalogs')."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def train(
    corpus: Path = CORPUS_DIR,
    out: Path = MODEL_DIR,
    embedder: Embedder | None = None,
    log: TextIO | None = None,
    heads: int = HEADS,
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
    seeds = range(SEED, SEED + heads)
    oof = np.stack([out_of_fold_logits(z, y, texts, seed) for seed in seeds])
    temp = temperature(oof, y)
    sentences = averaged(oof, temp)
    words = out_of_fold_words(examples, y)
    mix = mix_for(sentences, words, y)
    probs = mixed(sentences, words, mix)
    locales = np.array([e.locale.value for e in examples])
    hears = matcher_hears(examples)
    per_locale = {
        loc.value: thresholds(probs[at], y[at], *(h[at] for h in hears))
        for loc in Locale
        if (at := locales == loc.value).any()
    }
    fitted = [fit_whole(z, y, seed) for seed in seeds]
    word_half = fit_lexicon(texts, [e.locale for e in examples], y, len(CLASSES))
    out.mkdir(parents=True, exist_ok=True)
    # One leading axis for the heads. The standardisation folded into each first layer: the running model reads
    # raw embeddings. np.savez writes zip members with fixed timestamps, so the same weights give the same bytes.
    np.savez(
        out / WEIGHTS,
        hidden=np.stack([w1 / std[:, None] for w1, _, _, _ in fitted]).astype(np.float32),
        hidden_bias=np.stack([b1 - (mean / std) @ w1 for w1, b1, _, _ in fitted]).astype(np.float32),
        weights=np.stack([w2 for _, _, w2, _ in fitted]).astype(np.float32),
        bias=np.stack([b2 for _, _, _, b2 in fitted]).astype(np.float32),
        lexicon_grams=np.array(word_half.grams_in_order(), dtype=str),
        lexicon_weights=word_half.weights.astype(np.float32),
    )
    files = sorted(corpus_files(corpus).values())
    catalogs = catalog_files()
    accuracy = float(np.mean(probs.argmax(axis=1) == y))
    manifest: dict[str, object] = {
        "about": "Semantic second opinion: an ensemble of one-hidden-layer classifiers over sentence embeddings, "
        "probabilities averaged, joined with a linear model over character n-grams (python -m intents train).",
        "version": f"{files_digest(files)[:8]}-{files_digest(catalogs)[:8]}-{sha256(out / WEIGHTS)[:8]}",
        "embedder": embedder.name,
        "prefix": "query: ",
        "corpus_sha256": files_digest(files),
        "corpus_files": [p.name for p in files],
        "catalogs_sha256": files_digest(catalogs),
        "examples": len(examples),
        "classes": [OUT_OF_SCOPE if c is None else c.value for c in CLASSES],
        "heads": heads,
        "seeds": list(seeds),
        "temperature": temp,
        "mix": asdict(mix),
        "lexicon_grams": len(word_half.rows),
        "out_of_fold_accuracy": round(accuracy, 4),
        "thresholds": {loc: asdict(t) for loc, t in per_locale.items()},
        "weights": WEIGHTS,
        "weights_sha256": sha256(out / WEIGHTS),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if log is not None:
        print(f"{len(examples)} examples, {heads} heads, out-of-fold accuracy {accuracy:.3f}", file=log)
        print(f"temperature {temp}, mix {mix}, {len(word_half.rows)} grams", file=log)
        for loc, t in per_locale.items():
            print(f"  {loc}: {t}", file=log)
    return manifest
