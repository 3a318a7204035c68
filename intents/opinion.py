"""Two opinions, one decision (pure): the port for a semantic second opinion and how it joins the matcher's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Protocol

from intents.types import (
    ALWAYS_CONSIDERED,
    DIALOGUE,
    Alternative,
    Decision,
    InputSource,
    Intent,
    Locale,
    Match,
    Opinion,
    Utterance,
)

# Intents the semantic model is trained on; dialogue answers (yes/no/repeat/goodbye) stay the matcher's alone.
SEMANTIC_INTENTS: frozenset[Intent] = frozenset(Intent) - DIALOGUE
# Below this probability of the matcher's intent the model disagrees with it, even when unsure what it is instead.
DISAGREE = 0.2


class SecondOpinion(Protocol):
    """A semantic model that reads a whole sentence (the default: intents.semantic.E5Opinion)."""

    def opinion(self, text: str, locale: Locale) -> Opinion | None:
        """Probabilities for `text`, or None when the model cannot say (no model for this locale)."""
        ...


def enrich(utterance: Utterance, model: SecondOpinion | None) -> Utterance:
    """The utterance with the model's opinion added (the edge does this before the pure core); keypad digits and
    empty text need none."""
    if model is None or utterance.source is InputSource.KEYPAD or not utterance.text.strip():
        return utterance
    return replace(utterance, semantic=model.opinion(utterance.text, utterance.locale))


def _confirm(intent: Intent, score: float, result: Match) -> Match:
    """A confirmation of `intent`, keeping what the matcher thought as the first alternative."""
    alts = [a for a in result.alternatives if a.intent is not intent]
    if result.intent is not None and result.intent is not intent:
        alts.insert(0, Alternative(result.intent, round(result.score, 1)))
    return Match(intent, score, Decision.CONFIRM, tuple(alts[:3]))


def combine(result: Match, opinion: Opinion, candidates: Collection[Intent] | None = None) -> Match:
    """Join the matcher's result with the semantic opinion (DESIGN.md "Understanding you can trust").

    The matcher stays first. Agreement: as the matcher says. A rejection the model is sure about becomes a
    confirmation, never an accept; an accept it disagrees with becomes a confirmation; a doubtful service the
    model holds to be out of scope is rejected. Safety net: whatever is semantically close to an emergency is
    at least the quick emergency question, never a rejection and never another service. A clear emergency the
    matcher accepted (a strong phrase) still acts at once.
    """
    allowed = SEMANTIC_INTENTS if candidates is None else (set(candidates) | ALWAYS_CONSIDERED) & SEMANTIC_INTENTS
    th = opinion.thresholds
    best, p = opinion.best()
    if best is not None and best not in allowed:
        best, p = None, 0.0
    if result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT:
        return result
    answer = result.intent in DIALOGUE and result.decision is not Decision.REJECT
    em = opinion.probability(Intent.EMERGENCY)
    if em >= th.emergency and not answer:
        if result.intent is Intent.EMERGENCY:
            return result
        return _confirm(Intent.EMERGENCY, 100.0 * em, result)
    if answer:
        return result  # yes/no/repeat/goodbye: the model was not trained on them
    if result.decision is Decision.REJECT:
        if best is not None and p >= th.sure:
            return _confirm(best, 100.0 * p, result)
        return result
    if best == result.intent:
        return result
    if best is None and opinion.out_of_scope >= th.out_of_scope:
        if result.decision is Decision.ACCEPT:
            return _confirm(result.intent or Intent.OPERATOR, result.score, result)
        return Match(None, result.score, Decision.REJECT, result.alternatives)
    if best is not None and p >= th.sure and result.decision is Decision.CONFIRM:
        return _confirm(best, 100.0 * p, result)
    disagrees = result.intent is not None and opinion.probability(result.intent) < DISAGREE
    if result.decision is Decision.ACCEPT and result.intent is not None and disagrees:
        return _confirm(result.intent, result.score, result)
    return result
