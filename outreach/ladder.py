"""The escalation ladder (pure): a senior not reached is called again, then their family, then staff.

State + one event -> new state + decisions (data), like the call dialogue; the edge (outreach.checkins)
carries the decisions out and writes every rung into the request's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from outreach.states import AttemptStatus


class Outcome(StrEnum):
    """How one outbound call ended, as the ladder reads it (Twilio's CallStatus and AnsweredBy, folded)."""

    ANSWERED = "answered"  # a person answered
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    MACHINE = "machine"  # voicemail or an answering machine: a short message was left, nobody reached

    @property
    def reached(self) -> bool:
        return self is Outcome.ANSWERED

    @classmethod
    def of(cls, status: AttemptStatus) -> Outcome | None:
        """The ladder's reading of a call attempt's final status (None: canceled or not final, nothing to climb)."""
        return _OUTCOME_OF.get(status)


_OUTCOME_OF = {
    AttemptStatus.COMPLETED: Outcome.ANSWERED,
    AttemptStatus.NO_ANSWER: Outcome.NO_ANSWER,
    AttemptStatus.BUSY: Outcome.BUSY,
    AttemptStatus.FAILED: Outcome.FAILED,
    AttemptStatus.MACHINE: Outcome.MACHINE,
}


class Status(StrEnum):
    """Where one day's check-in stands."""

    CALLING = "calling"  # calls to the senior are still on the ladder
    FAMILY = "family"  # the family was asked to check; waiting for a "1"
    STAFF = "staff"  # handed to staff as an urgent task
    SAFE = "safe"  # the senior answered, or someone confirmed they are fine: the ladder stopped
    STOPPED = "stopped"  # the plan was paused or removed while the round was open


class Rung(StrEnum):
    """What one step of the ladder did, as written into the history."""

    NOT_REACHED = "not_reached"
    RETRY = "retry"
    NO_RETRY = "no_retry"  # a retry was due but would break quiet hours or the daily cap
    FAMILY = "family"
    STAFF = "staff"
    REACHED = "reached"
    CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Policy:
    """The ladder's settings (care.settings cites the defaults)."""

    retries: int = 2
    retry_after: timedelta = timedelta(minutes=10)
    family_wait: timedelta = timedelta(minutes=30)
    max_calls_per_day: int = 6


@dataclass(frozen=True)
class LadderState:
    status: Status = Status.CALLING
    calls: int = 1  # calls placed to the senior for this check-in (the first one included)
    wait_until: datetime | None = None  # FAMILY: when staff take over if nobody confirmed


# --- decisions ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """Write a rung into the history."""

    rung: Rung
    note: str = ""


@dataclass(frozen=True)
class CallAgain:
    at: datetime


@dataclass(frozen=True)
class AskFamily:
    """Text and call the linked family: "please check on her and reply 1 when you have"."""


@dataclass(frozen=True)
class AlertStaff:
    """An urgent task for staff on the queue, saying why."""

    reason: str


@dataclass(frozen=True)
class StopLadder:
    """Nothing more is placed for this check-in (pending calls are cancelled)."""


Decision = Record | CallAgain | AskFamily | AlertStaff | StopLadder
Step = tuple[LadderState, list[Decision]]


def call_ended(
    state: LadderState,
    outcome: Outcome,
    now: datetime,
    policy: Policy,
    *,
    calls_today: int,
    has_family: bool,
    quiet_at: Callable[[datetime], bool],
) -> Step:
    """A call to the senior ended: reached stops the ladder; otherwise the next rung.

    `calls_today` counts every outbound call the senior got today (the cap); `quiet_at` tells whether a
    moment is in quiet hours, where the senior is not called again: the ladder moves on to the family instead
    of waiting for the morning (someone who did not answer at 8 p.m. should not wait until 8 a.m.).
    """
    if state.status is not Status.CALLING:
        return state, []  # a late report for a ladder that has moved on
    if outcome.reached:
        return replace(state, status=Status.SAFE), [Record(Rung.REACHED), StopLadder()]
    decisions: list[Decision] = [Record(Rung.NOT_REACHED, outcome.value)]
    next_at = now + policy.retry_after
    if state.calls <= policy.retries:
        if calls_today >= policy.max_calls_per_day:
            decisions.append(Record(Rung.NO_RETRY, "cap"))
        elif quiet_at(next_at):
            decisions.append(Record(Rung.NO_RETRY, "quiet"))
        else:
            decisions += [Record(Rung.RETRY, str(state.calls + 1)), CallAgain(next_at)]
            return replace(state, calls=state.calls + 1), decisions
    return _beyond_senior(state, now, policy, has_family=has_family, decisions=decisions)


def _beyond_senior(
    state: LadderState, now: datetime, policy: Policy, *, has_family: bool, decisions: list[Decision]
) -> Step:
    if has_family:
        wait = now + policy.family_wait
        return replace(state, status=Status.FAMILY, wait_until=wait), [*decisions, Record(Rung.FAMILY), AskFamily()]
    return _to_staff(state, "no_family", decisions)


def _to_staff(state: LadderState, reason: str, decisions: list[Decision]) -> Step:
    return replace(state, status=Status.STAFF, wait_until=None), [
        *decisions,
        Record(Rung.STAFF, reason),
        AlertStaff(reason),
        StopLadder(),
    ]


def family_wait_over(state: LadderState, now: datetime) -> Step:
    """Nobody in the family confirmed in time: staff take over."""
    if state.status is not Status.FAMILY or state.wait_until is None or now < state.wait_until:
        return state, []
    return _to_staff(state, "family_silent", [])


def confirmed(state: LadderState, who: str) -> Step:
    """Someone (the family by text or on the phone, staff) says the senior is fine: the ladder stops."""
    if state.status is Status.SAFE:
        return state, []
    return replace(state, status=Status.SAFE, wait_until=None), [Record(Rung.CONFIRMED, who), StopLadder()]
