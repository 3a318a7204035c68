"""Negation scope: is a keyword hit negated by a cue in its clause ("I don't need a doctor", "의사 필요 없어요")?"""

from __future__ import annotations

from collections.abc import Sequence

from intents.catalog import Negation, SeqIndex, find_sequences
from intents.normalise import BREAK

Span = tuple[int, int]
# A negation cue found in an utterance: (start, end, reach in units).
FoundCue = tuple[int, int, int]


def _a_not_a(units: Sequence[str], i: int) -> bool:
    # Chinese asks yes/no questions as "A not A": 有没有 (is there), 是不是, 吃没吃药. The 没/不 in the middle
    # of a repeated unit is a question, not a negation.
    return 0 < i < len(units) - 1 and units[i - 1] == units[i + 1] and units[i - 1] != BREAK


def _inside_look_alikes(units: Sequence[str], look_alikes: SeqIndex) -> frozenset[int]:
    """The positions covered by a look-alike word (the 안 of 동안), where no cue starts or ends."""
    return frozenset(i for start, end in find_sequences(units, look_alikes) for i in range(start, end))


def find_cues(
    units: Sequence[str],
    cues: Sequence[tuple[tuple[str, ...], int]],
    blocked: frozenset[int] = frozenset(),
) -> list[FoundCue]:
    """Every cue occurrence as (start, end, reach); longer cues win where cues overlap, and a cue over a `blocked`
    position (inside a look-alike word) is none."""
    found: list[FoundCue] = []
    taken: set[int] = set(blocked)
    for cue, reach in cues:  # sorted longest first by the catalog
        n = len(cue)
        for i in range(len(units) - n + 1):
            if _a_not_a(units, i):
                continue
            if tuple(units[i : i + n]) == cue and not taken.intersection(range(i, i + n)):
                found.append((i, i + n, reach))
                taken.update(range(i, i + n))
    return found


def _clear_gap(units: Sequence[str], start: int, end: int, reach: int) -> bool:
    gap = units[start:end]
    return BREAK not in gap and len(gap) <= reach


def is_negated(
    units: Sequence[str],
    hit: Span,
    before: Sequence[FoundCue],
    after: Sequence[FoundCue],
    protected: Sequence[Span],
) -> Span | None:
    """The cue that reaches the hit within its clause, or None; cues that start inside a protected span (a
    keyword such as "can't breathe" or "no me encuentro bien" that contains its own negation) do not count."""

    def free(cue: FoundCue) -> bool:
        # A cue that starts inside a keyword belongs to it; a keyword inside a cue ("불" in "안 불러도", the
        # complaint word "差" in "差点", nearly) does not protect the cue.
        return not any(
            p_start <= cue[0] < p_end and not (cue[0] <= p_start and p_end <= cue[1]) for p_start, p_end in protected
        )

    start, end = hit
    for c_start, c_end, reach in before:
        if c_end <= start and free((c_start, c_end, reach)) and _clear_gap(units, c_end, start, reach):
            return (c_start, c_end)
        # A cue that shares its last word with the hit ("no me" + "me caí") still negates it.
        if c_start < start < c_end <= end and free((c_start, c_end, reach)):
            return (c_start, c_end)
    for c_start, c_end, reach in after:
        if c_start >= end and free((c_start, c_end, reach)) and _clear_gap(units, end, c_start, reach):
            return (c_start, c_end)
    return None


def cues_for(units: Sequence[str], negation: Negation) -> tuple[list[FoundCue], list[FoundCue]]:
    """The before- and after-cues present in an utterance."""
    blocked = _inside_look_alikes(units, negation.look_alikes)  # once for both sides
    return find_cues(units, negation.before, blocked), find_cues(units, negation.after, blocked)
