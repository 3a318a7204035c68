"""Match one utterance to an intent: keyword evidence, fuzzy phrase similarity, negation, then a decision."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from intents.catalog import Catalog, Keyword, load
from intents.negation import cues_for, is_negated
from intents.normalise import BREAK, SPACED, Normalised, normalise
from intents.types import (
    ALWAYS_CONSIDERED,
    DIALOGUE,
    Alternative,
    Decision,
    InputSource,
    Intent,
    Locale,
    Match,
    Utterance,
)

# Decision thresholds on the 0-100 score, tuned on bench/data (python -m bench intents). Acting on the wrong
# intent costs more than one extra question, so accepting needs both a high score and a clear margin.
ACCEPT_SCORE = 85.0
ACCEPT_MARGIN = 20.0
CONFIRM_SCORE = 55.0
# Emergency is checked first with high recall: a strong cue is acted on at once, a weak one is asked about.
EMERGENCY_ACCEPT = 85.0
EMERGENCY_DOUBT = 45.0
# Fuzzy spelling matches (split or misheard words) and sound matches (Chinese homophones) count a bit less.
FUZZY_FACTOR = 0.85
SOUND_FACTOR = 0.9
FUZZY_WORD_CUTOFF = 85.0
# Whole-phrase similarity below this says nothing; above it maps linearly onto 0-100.
PHRASE_FLOOR = 60.0
# "Yes" or "no" inside a request ("yes, I need a ride") is not the answer the request is.
DIALOGUE_DAMPING = 0.5
# Below this recogniser confidence (0-1) even a clear match is confirmed rather than acted on.
LOW_CONFIDENCE = 0.5
MAX_ALTERNATIVES = 3
ALTERNATIVE_FLOOR = 30.0


@dataclass(frozen=True)
class Hit:
    """A keyword found in the utterance, as a span of units."""

    intent: Intent
    start: int
    end: int
    weight: float
    plea: bool = False

    @property
    def length(self) -> int:
        """How many units the hit covers."""
        return self.end - self.start


def _scan(units: Sequence[str], index: Mapping[str, tuple[Keyword, ...]], factor: float) -> list[Hit]:
    hits: list[Hit] = []
    for i, unit in enumerate(units):
        for kw in index.get(unit, ()):
            n = len(kw.units)
            if tuple(units[i : i + n]) == kw.units:
                hits.append(Hit(kw.intent, i, i + n, kw.weight * factor, kw.plea))
    return hits


@cache
def _single_word_choices(locale: Locale) -> tuple[str, ...]:
    return tuple(load(locale).single_words)


def _fuzzy_words(units: Sequence[str], catalog: Catalog, covered: set[int]) -> list[Hit]:
    """Misheard or split words: "prescripshun", "ambu lance" -> one-word keywords (spaced languages)."""
    hits: list[Hit] = []
    choices = _single_word_choices(catalog.locale)
    for i, unit in enumerate(units):
        if unit == BREAK:
            continue
        if i + 1 < len(units) and units[i + 1] != BREAK:
            for kw in catalog.by_first.get(unit + units[i + 1], ()):
                if len(kw.units) == 1:
                    hits.append(Hit(kw.intent, i, i + 2, kw.weight * FUZZY_FACTOR))
        if i in covered or len(unit) < 5 or unit.isdigit():
            continue
        found = process.extractOne(unit, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD_CUTOFF)
        if found is not None and found[0] != unit:
            kw = catalog.single_words[found[0]]
            hits.append(Hit(kw.intent, i, i + 1, kw.weight * FUZZY_FACTOR))
    return hits


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep the most specific hits: "street light" (complaint) hides "light" (home repair) inside it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.length, -h.weight)):
        shadowed = any(
            k.start < hit.end
            and hit.start < k.end
            and (k.length > hit.length or (k.intent == hit.intent and k.start == hit.start))
            for k in kept
        )
        if not shadowed:
            kept.append(hit)
    return kept


def _noisy_or(weights: Sequence[float]) -> float:
    return 100.0 * (1.0 - math.prod(1.0 - w for w in weights))


@dataclass(frozen=True)
class Evidence:
    """Per-intent scores before the decision, and which intents were only mentioned negated."""

    scores: dict[Intent, float]
    negated: dict[Intent, float]
    weak_emergency: bool


def _phrase_scores(norm: Normalised, catalog: Catalog) -> dict[Intent, float]:
    scores: dict[Intent, float] = {}
    if not norm.flat:
        return scores
    choices = _phrase_choices(catalog.locale)
    for _, similarity, index in process.extract(
        norm.flat, choices, scorer=fuzz.ratio, limit=40, score_cutoff=PHRASE_FLOOR
    ):
        intent = catalog.phrases[index].intent
        mapped = (similarity - PHRASE_FLOOR) * 100.0 / (100.0 - PHRASE_FLOOR)
        scores[intent] = max(scores.get(intent, 0.0), mapped)
    return scores


@cache
def _phrase_choices(locale: Locale) -> tuple[str, ...]:
    return tuple(p.flat for p in load(locale).phrases)


def evidence(norm: Normalised, catalog: Catalog) -> Evidence:
    """Score every intent for a normalised utterance (no decision yet)."""
    units = norm.units
    hits = _scan(units, catalog.by_first, 1.0)
    if catalog.by_first_sound:
        hits += _scan(norm.sound, catalog.by_first_sound, SOUND_FACTOR)
    if catalog.locale in SPACED:
        covered = {i for h in hits for i in range(h.start, h.end)}
        hits += _fuzzy_words(units, catalog, covered)
    hits = _resolve(hits)
    if any(not h.plea and h.intent not in DIALOGUE and h.intent is not Intent.EMERGENCY for h in hits):
        # "Can someone help me with my pension" asks for a service; a bare "help me!" may be an emergency.
        hits = [h for h in hits if not h.plea]

    before, after = cues_for(units, catalog.negation)
    protected = [(h.start, h.end) for h in hits if h.intent not in DIALOGUE]
    positive: dict[Intent, list[float]] = {}
    negative: dict[Intent, list[float]] = {}
    used_cues: list[tuple[int, int]] = []
    for hit in hits:
        if hit.intent in DIALOGUE:
            continue
        cue = is_negated(units, (hit.start, hit.end), before, after, protected)
        if cue is None:
            positive.setdefault(hit.intent, []).append(hit.weight)
        else:
            negative.setdefault(hit.intent, []).append(hit.weight)
            used_cues.append(cue)
    silenced: set[Intent] = set()
    for hit in hits:
        if hit.intent not in DIALOGUE:
            continue
        # The "no" of "no necesito un médico" is the negation of a request, not the answer "no".
        if any(s < hit.end and hit.start < e for s, e in used_cues):
            silenced.add(hit.intent)
        else:
            positive.setdefault(hit.intent, []).append(hit.weight)

    phrase = _phrase_scores(norm, catalog)
    scores: dict[Intent, float] = {}
    negated_scores: dict[Intent, float] = {}
    for intent in Intent:
        kw = _noisy_or(positive.get(intent, ()))
        ph = phrase.get(intent, 0.0)
        if intent in silenced and intent not in positive:
            continue
        if intent in negative and intent not in positive:
            # "I don't need a doctor" is close to the phrase "I need a doctor": negation silences both.
            negated_scores[intent] = max(_noisy_or(negative[intent]), ph)
            continue
        score = max(kw, ph)
        if kw >= 50.0 and ph >= 25.0:
            score = min(100.0, score + 5.0)  # keywords and a similar whole phrase agree
        if score > 0.0:
            scores[intent] = score
    if any(i not in DIALOGUE and s >= 50.0 for i, s in scores.items() if i in positive):
        for intent in DIALOGUE:
            if intent in scores:
                scores[intent] *= DIALOGUE_DAMPING
    em_weights = positive.get(Intent.EMERGENCY, [])
    weak_emergency = bool(em_weights) and max(em_weights) < 0.85
    return Evidence(scores=scores, negated=negated_scores, weak_emergency=weak_emergency)


def _ranked(scores: dict[Intent, float], candidates: Collection[Intent]) -> list[tuple[Intent, float]]:
    order = {intent: n for n, intent in enumerate(Intent)}
    ranked = [(i, s) for i, s in scores.items() if i in candidates]
    return sorted(ranked, key=lambda pair: (-pair[1], order[pair[0]]))


def _alternatives(ranked: list[tuple[Intent, float]], chosen: Intent | None) -> tuple[Alternative, ...]:
    alts = [Alternative(i, round(s, 1)) for i, s in ranked if i != chosen and s >= ALTERNATIVE_FLOOR]
    return tuple(alts[:MAX_ALTERNATIVES])


def decide(ev: Evidence, candidates: Collection[Intent]) -> Match:
    """Turn per-intent scores into one decision, emergency first."""
    ranked = _ranked(ev.scores, candidates)
    em = ev.scores.get(Intent.EMERGENCY, 0.0)
    top_intent, top = ranked[0] if ranked else (None, 0.0)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0

    if em >= EMERGENCY_ACCEPT and not ev.weak_emergency:
        return Match(Intent.EMERGENCY, em, Decision.ACCEPT, _alternatives(ranked, Intent.EMERGENCY))
    if em >= EMERGENCY_DOUBT and (top_intent is Intent.EMERGENCY or em >= top - ACCEPT_MARGIN):
        # A doubtful emergency is asked about, never dropped.
        return Match(Intent.EMERGENCY, em, Decision.CONFIRM, _alternatives(ranked, Intent.EMERGENCY))
    if top_intent is not None and top >= CONFIRM_SCORE:
        accept = top >= ACCEPT_SCORE and top - runner_up >= ACCEPT_MARGIN and em < EMERGENCY_DOUBT
        decision = Decision.ACCEPT if accept else Decision.CONFIRM
        return Match(top_intent, top, decision, _alternatives(ranked, top_intent))

    negated = sorted(
        ((i, s) for i, s in ev.negated.items() if i in candidates), key=lambda p: (p[0] is not Intent.EMERGENCY, -p[1])
    )
    if negated:
        intent, score = negated[0]
        # "I'm not hurt" still deserves a question; "I don't need a doctor" is simply not a request.
        decision = Decision.CONFIRM if intent is Intent.EMERGENCY else Decision.REJECT
        return Match(intent, score, decision, _alternatives(ranked, intent), negated=True)
    return Match(None, top, Decision.REJECT, _alternatives(ranked, None))


def match(text: str, locale: Locale, expected: Collection[Intent] | None = None) -> Match:
    """Match one utterance in `locale`; `expected` narrows the candidates (emergency and operator always stay)."""
    catalog = load(locale)
    candidates: Collection[Intent] = set(Intent) if expected is None else set(expected) | ALWAYS_CONSIDERED
    norm = normalise(text, catalog.rules)
    if norm.empty:
        return Match(None, 0.0, Decision.REJECT, ())
    return decide(evidence(norm, catalog), candidates)


# Keypad: 0 always reaches a person (DESIGN.md) and * repeats; other digits are menu choices for the dialogue.
_KEYPAD = {"0": Intent.OPERATOR, "*": Intent.REPEAT}


def match_utterance(u: Utterance, expected: Collection[Intent] | None = None) -> Match:
    """Match the one input shape: keypad digits by table, speech and SMS by text (with recogniser confidence)."""
    if u.source is InputSource.KEYPAD:
        intent = _KEYPAD.get(u.text.strip())
        if intent is None:
            return Match(None, 0.0, Decision.REJECT, ())
        return Match(intent, 100.0, Decision.ACCEPT, ())
    result = match(u.text, u.locale, expected)
    low = u.confidence is not None and u.confidence < LOW_CONFIDENCE
    if low and result.decision is Decision.ACCEPT and result.intent is not Intent.EMERGENCY:
        return Match(result.intent, result.score, Decision.CONFIRM, result.alternatives, result.negated)
    return result


def vocabulary(locale: Locale, intents: Collection[Intent]) -> list[str]:
    """Words and phrases for a recogniser phrase list (Vosk grammar) covering `intents`, plus emergency and
    operator, which a caller can always say."""
    catalog = load(locale)
    words: set[str] = set()
    for intent in set(intents) | ALWAYS_CONSIDERED:
        for surface in catalog.surfaces.get(intent, ()):
            cleaned = " ".join(surface.casefold().replace("'", "").split())
            if cleaned:
                words.add(cleaned)
    return sorted(words)
