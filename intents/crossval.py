"""`python -m intents cv`: the whole decision's cross-validated figures per locale, one head against an ensemble."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from intents.corpus import Example
from intents.matcher import match_utterance
from intents.semantic import E5Small, Embedder, mixed
from intents.train import (
    CLASSES,
    FOLDS,
    HEADS,
    _fold,
    averaged,
    embed_cached,
    fold_logits,
    matcher_hears,
    mix_for,
    out_of_fold_words,
    temperature,
    thresholds,
    training_examples,
)
from intents.types import REQUESTS, Decision, InputSource, Intent, Locale, Opinion, Utterance

FIGURES = ("accuracy", "emergency_recall", "wrong_accepts", "oos_rejection")
LABELS = {
    "accuracy": "accuracy",
    "emergency_recall": "em.recall",
    "wrong_accepts": "wrong-acc",
    "oos_rejection": "oos-rej",
}


@dataclass(frozen=True)
class Figures:
    """One configuration's figures on one locale's corpus lines (percentages)."""

    accuracy: float  # in-scope lines whose intent is accepted or confirmed
    emergency_recall: float  # emergencies that are at least the quick emergency question
    wrong_accepts: float  # lines accepted as an intent they do not mean
    oos_rejection: float  # out-of-scope lines rejected


def figures(examples: Sequence[Example], outcomes: Sequence[tuple[Intent | None, Decision]]) -> Figures:
    """The four figures of the bench (bench/intents_bench.py) for one locale."""
    pairs = list(zip(examples, outcomes, strict=True))

    def pct(hits: int, whole: int) -> float:
        return 100.0 * hits / whole if whole else float("nan")

    inscope = [(e, o) for e, o in pairs if e.expected is not None]
    ems = [(e, o) for e, o in inscope if e.expected is Intent.EMERGENCY]
    oos = [(e, o) for e, o in pairs if e.expected is None]
    return Figures(
        accuracy=pct(sum(i == e.expected and d is not Decision.REJECT for e, (i, d) in inscope), len(inscope)),
        emergency_recall=pct(sum(i is Intent.EMERGENCY and d is not Decision.REJECT for _, (i, d) in ems), len(ems)),
        wrong_accepts=pct(sum(d is Decision.ACCEPT and i != e.expected for e, (i, d) in pairs), len(pairs)),
        oos_rejection=pct(sum(d is Decision.REJECT for _, (_, d) in oos), len(oos)),
    )


def decide(
    examples: Sequence[Example],
    logits: np.ndarray,
    y: np.ndarray,
    hears: tuple[np.ndarray, np.ndarray, np.ndarray],
    words: np.ndarray | None = None,
) -> dict[Locale, Figures]:
    """Calibrate and threshold the (heads, examples, classes) out-of-fold logits, joined with the word half's
    out-of-fold logits when given, exactly as training does, then run every corpus line through the matcher
    joined with that opinion; figures per locale."""
    temp = temperature(logits, y)
    probs = averaged(logits, temp)
    if words is not None:
        probs = mixed(probs, words, mix_for(probs, words, y))
    locales = np.array([e.locale.value for e in examples])
    result: dict[Locale, Figures] = {}
    for loc in Locale:
        at = locales == loc.value
        if not at.any():
            continue
        th = thresholds(probs[at], y[at], *(h[at] for h in hears))
        chosen, outcomes = [], []
        for e, row in zip((e for e, a in zip(examples, at, strict=True) if a), probs[at], strict=True):
            if e.tag == "catalog":
                continue  # the catalogs' phrases train the model; the figures are the corpus's sentences
            pairs = tuple((c, float(p)) for c, p in zip(CLASSES, row, strict=True) if c is not None)
            opinion = Opinion(pairs, float(row[-1]), th) if any(ch.isalpha() for ch in e.text) else None
            found = match_utterance(Utterance(e.text, InputSource.SMS, e.locale, semantic=opinion), REQUESTS)
            chosen.append(e)
            outcomes.append((found.intent, found.decision))
        result[loc] = figures(chosen, outcomes)
    return result


def _row(name: str, loc: Locale, f: Figures) -> str:
    return f"{name:<16}{loc.value:<7}" + "".join(f"{getattr(f, k):>11.1f}" for k in FIGURES)


def crossvalidate(
    seeds: int, heads: int = HEADS, fold: int | None = None, embedder: Embedder | None = None, log: TextIO | None = None
) -> dict[str, dict[Locale, Figures]]:
    """Out-of-fold figures of `seeds` single heads and of the seeds // heads disjoint ensembles made of them
    (seeds 0..heads-1, then heads..2*heads-1, ...). `fold`: evaluate that fold only (one fit a seed, not FOLDS)."""
    examples = training_examples()
    x = embed_cached(embedder or E5Small(), [e.text for e in examples])
    y = np.array([CLASSES.index(e.expected) for e in examples])
    z = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)  # as train() standardises
    folds = np.array([_fold(e.text) for e in examples])
    keep = np.ones(len(y), dtype=bool) if fold is None else folds == fold
    per_seed = []
    for seed in range(seeds):
        logits = np.zeros((len(y), len(CLASSES)))
        for k in range(FOLDS) if fold is None else (fold,):
            logits[folds == k] = fold_logits(z, y, folds, seed, k)
        per_seed.append(logits[keep])
        if log is not None:
            print(f"  seed {seed}: fitted", file=log, flush=True)
    kept = [e for e, k in zip(examples, keep, strict=True) if k]
    hears = matcher_hears(kept)
    configs: dict[str, np.ndarray] = {f"head s{s}": per_seed[s][None] for s in range(seeds)}
    for g in range(seeds // heads):
        configs[f"ens{heads} s{g * heads}-{g * heads + heads - 1}"] = np.stack(per_seed[g * heads : (g + 1) * heads])
    results = {name: decide(kept, stack, y[keep], hears) for name, stack in configs.items()}
    # The model as trained: each ensemble joined with the word half (intents.lexicon).
    words = out_of_fold_words(examples, y)[keep]
    for name, stack in configs.items():
        if name.startswith("ens"):
            results[f"{name}+words"] = decide(kept, stack, y[keep], hears, words)
    return results


def summary(results: dict[str, dict[Locale, Figures]]) -> list[str]:
    """Every configuration's rows, then per locale and kind (single head, ensemble) the mean and the spread
    across seeds of each figure (the standard deviation compares kinds fairly: a range grows with the runs)."""
    lines = [f"{'configuration':<16}{'locale':<7}" + "".join(f"{LABELS[k]:>11}" for k in FIGURES)]
    lines += [_row(name, loc, f) for name, per in results.items() for loc, f in per.items()]
    lines.append("")
    lines.append("mean, standard deviation across seeds (sd) and range (max - min) of each figure:")
    lines.append(f"{'kind':<16}{'locale':<7}" + "".join(f"{LABELS[k] + ' mean/sd/range':>25}" for k in FIGURES))
    kinds = {
        "head": lambda name: name.startswith("head"),
        "ens": lambda name: name.startswith("ens") and not name.endswith("+words"),
        "ens+words": lambda name: name.endswith("+words"),
    }
    for kind, chosen in kinds.items():
        runs = [per for name, per in results.items() if chosen(name)]
        if not runs:
            continue
        for loc in runs[0]:
            cells = ""
            for k in FIGURES:
                values = [getattr(per[loc], k) for per in runs]
                sd = statistics.stdev(values) if len(values) > 1 else float("nan")
                cells += f"{statistics.fmean(values):>13.1f}{sd:>6.2f}{max(values) - min(values):>6.1f}"
            lines.append(f"{kind + f' (n={len(runs)})':<16}{loc.value:<7}{cells}")
    return lines


def main(seeds: int, heads: int, fold: int | None, out: TextIO, log: TextIO) -> int:
    """Entry point of `python -m intents cv`."""
    results = crossvalidate(seeds, heads, fold, log=log)
    scope = "all folds" if fold is None else f"fold {fold} of {FOLDS} only"
    print(f"out-of-fold figures of the whole decision on the training corpus ({scope})", file=out)
    print("\n".join(summary(results)), file=out)
    return 0
