"""What check-in answers say over time (pure): low answers in a row, or silence after always answering.

Korea's AI care calls for seniors living alone flag a senior whose answers change, not one bad day; the
numbers of calls that make a trend are settings (care.settings cites them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Answer(StrEnum):
    """What one day's check-in came to."""

    WELL = "well"
    UNWELL = "unwell"
    LONELY = "lonely"
    LOW = "low"  # low in mood ("not great", "so-so")
    NEED = "need"  # asked for a service: a request was made
    EMERGENCY = "emergency"
    STOP = "stop"  # asked us to stop calling
    UNCLEAR = "unclear"  # answered, but we could not tell
    NOT_REACHED = "not_reached"


# Answers that, repeated, mean a senior is not doing well even when each call alone was fine to end.
CONCERNING = frozenset({Answer.UNWELL, Answer.LONELY, Answer.LOW})


# When one call gave several answers ("not so good" then "I ran out of food"), the day is the most concerning.
RANK = (
    Answer.EMERGENCY,
    Answer.UNWELL,
    Answer.LONELY,
    Answer.LOW,
    Answer.NEED,
    Answer.STOP,
    Answer.UNCLEAR,
    Answer.WELL,
    Answer.NOT_REACHED,
)


def worse(a: Answer | None, b: Answer) -> Answer:
    """The more concerning of two answers of one call."""
    return b if a is None or RANK.index(b) < RANK.index(a) else a


class Reason(StrEnum):
    LOW_STREAK = "low_streak"
    STOPPED_ANSWERING = "stopped_answering"


@dataclass(frozen=True)
class TrendPolicy:
    low_in_a_row: int = 3
    missed_in_a_row: int = 2
    answered_before: int = 5  # "always answered": this many answered calls before the misses


@dataclass(frozen=True)
class Flag:
    reason: Reason
    calls: int  # how many calls the trend spans
    answers: tuple[Answer, ...]  # the concerning answers, oldest first


def flag_for(history: Sequence[Answer], policy: TrendPolicy) -> Flag | None:
    """The trend the newest answer starts, if any (`history` oldest first, one entry a check-in).

    A trend is flagged once, on the call that makes it: a fourth low answer in a row is the same trend, and
    staff already have it.
    """
    if len(history) >= policy.low_in_a_row:
        recent = tuple(history[-policy.low_in_a_row :])
        starts = len(history) == policy.low_in_a_row or history[-policy.low_in_a_row - 1] not in CONCERNING
        if starts and all(answer in CONCERNING for answer in recent):
            return Flag(Reason.LOW_STREAK, len(recent), recent)
    span = policy.missed_in_a_row + policy.answered_before
    if len(history) >= span:
        misses = history[-policy.missed_in_a_row :]
        before = history[-span : -policy.missed_in_a_row]
        if all(a is Answer.NOT_REACHED for a in misses) and all(a is not Answer.NOT_REACHED for a in before):
            return Flag(Reason.STOPPED_ANSWERING, span, tuple(misses))
    return None


@dataclass(frozen=True)
class WeekSummary:
    """A week of check-ins as the family's short text tells it."""

    answered: int
    calls: int
    all_fine: bool  # every answered call was "well"


def week_summary(history: Sequence[Answer]) -> WeekSummary:
    answered = [a for a in history if a is not Answer.NOT_REACHED]
    return WeekSummary(len(answered), len(history), bool(answered) and all(a is Answer.WELL for a in answered))
