"""How well an utterance was heard joins the decision: unsure or forced words are confirmed, never acted on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from intents.types import SERVICES, Alternative, Decision, HeardWord, Hearing, Intent, Match

# Below this word confidence (0-1) Vosk was unsure of a word: a decision resting on it is confirmed. Vosk's
# confidences are posterior probabilities; 0.5 is the usual "more likely wrong than right" line.
SURE_WORD = 0.5
# Decisions that start something (a request, the emergency flow) or that end the fail-safe emergency question.
WEIGHED = SERVICES | {Intent.EMERGENCY, Intent.NO, Intent.OPERATOR}


def in_doubt(hearing: Hearing | None) -> bool:
    """Whether the words rest on anything uncertain: a phrase list, a decoding cut off, a word the recogniser was
    unsure of (typed text and keys: never)."""
    if hearing is None:
        return False
    return hearing.forced or hearing.partial or any(w.confidence < SURE_WORD for w in hearing.words)


def _capped(result: Match) -> Match:
    """The same reading, to be asked about rather than acted on."""
    if result.decision is not Decision.ACCEPT:
        return result
    return replace(result, decision=Decision.CONFIRM)


def _dropped(result: Match, instead: Match | None = None) -> Match:
    """What is left when the words that carried `result` were forced; an emergency stays an alternative, so
    the caller is reminded of key 9 (voice.dialogue) rather than asked a question that silence would answer."""
    keep = (Alternative(Intent.EMERGENCY, result.score),) if result.intent is Intent.EMERGENCY else ()
    if instead is not None and instead.decision is not Decision.REJECT and instead.intent is not None:
        capped = _capped(instead)
        # replace, not a new Match: a danger pattern's "no brings a person" (Match.person) must survive the drop.
        return replace(capped, alternatives=(*keep, *capped.alternatives)[:3])
    return Match(None, 0.0, Decision.REJECT, (*keep, *result.alternatives)[:3])


def _weakly_heard(words: tuple[HeardWord, ...], rematch: Callable[[str], Match]) -> bool:
    """Whether the words that the free decoding's best or next-best readings support still say emergency."""
    kept = [w.text for w in words if w.supported or w.in_alternatives]
    if not kept:
        return False
    again = rematch(" ".join(kept))
    return again.intent is Intent.EMERGENCY and again.decision is not Decision.REJECT


def _asked(result: Match) -> Match:
    """A weakly heard emergency: the one fast emergency question, where only a clear no goes back."""
    return replace(result, intent=Intent.EMERGENCY, decision=Decision.CONFIRM)


def heard_match(result: Match, hearing: Hearing | None, rematch: Callable[[str], Match]) -> Match:
    """Weigh a match of recognised speech by how its words were heard (DESIGN.md, "Understanding you can trust").

    - Words a free decoding of the same audio does not support were forced by the phrase list: they are
      dropped, and what the supported words say is at most confirmed (the forced "불이 났어요" of a meal
      request never reaches the emergency flow). An emergency that the free decoding's next-best readings
      support (Vosk's alternatives: "넘어져" over a lesser reading "넘어") is weakly heard: it gets the quick
      emergency question, never the dial at once and never a drop.
    - A phrase-list decoding nobody checked (the free decoding ran out of time) may be forced throughout: a
      service is confirmed; an emergency is dropped, because its fail-safe question would count the silence
      or "yes" of a caller who asked for a meal as a call for help (the caller is reminded of key 9). Asking
      instead was measured (python -m bench speech, 4 December 2026, machine loaded ~5x): 8 of 52 non-emergency
      answers got the emergency question, the meal request among them, and no real emergency more was caught.
    - A checked one is acted on only when the free decoding by itself says the same thing.
    - A decision that needs a word the recogniser was unsure of is confirmed.
    - A request for a person is weighed like a service but never dropped: at worst it is asked about ("did you
      say you need a call back from staff?"), so forced words do not end the call in a callback, and a caller
      who did ask reaches someone with one yes.
    - A free decoding cut off by its time budget heard only the start of the answer: confirmed, never acted on
      (an emergency there gets the quick emergency question: its words were really heard, not forced).
    `rematch` matches other text the way `result` was matched (same locale and expected intents).
    """
    if hearing is None or result.intent not in WEIGHED or result.decision is Decision.REJECT:
        return result
    if hearing.partial:
        return _capped(result)
    words = hearing.words
    if hearing.forced:
        if not hearing.checked:
            return _dropped(result) if result.intent is Intent.EMERGENCY else _capped(result)
        supported = [w for w in words if w.supported]
        if len(supported) < len(words):
            again = rematch(" ".join(w.text for w in supported)) if supported else None
            if again is None or again.intent is not result.intent or again.decision is Decision.REJECT:
                if result.intent is Intent.EMERGENCY and _weakly_heard(words, rematch):
                    return _asked(result)
                if result.intent is Intent.OPERATOR:
                    return _capped(result)  # asked, never dropped: a caller who wants a person must reach one
                return _dropped(result, again)
            words = tuple(supported)
        free = rematch(hearing.free_text) if hearing.free_text else None
        if free is None or free.intent is not result.intent or free.decision is not Decision.ACCEPT:
            result = _capped(result)
    sure = [w for w in words if w.confidence >= SURE_WORD]
    if len(sure) < len(words):
        again = rematch(" ".join(w.text for w in sure)) if sure else None
        if again is None or again.intent is not result.intent or again.decision is Decision.REJECT:
            return _capped(result)
    return result
