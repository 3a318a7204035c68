"""The escalation ladder (pure): retries, the family, staff; quiet hours and the cap; stopping on a confirmation."""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach.ladder import (
    AlertStaff,
    AskFamily,
    CallAgain,
    LadderState,
    Outcome,
    Policy,
    Record,
    Rung,
    Status,
    StopLadder,
    call_ended,
    confirmed,
    family_wait_over,
)

NOW = datetime(2026, 12, 4, 15, 0)
POLICY = Policy()


def never_quiet(_moment: datetime) -> bool:
    return False


def rungs(decisions: list[object]) -> list[Rung]:
    return [d.rung for d in decisions if isinstance(d, Record)]


def test_not_reached_is_called_twice_more_ten_minutes_apart_then_the_family_then_staff() -> None:
    state = LadderState()
    for outcome, call in ((Outcome.NO_ANSWER, 2), (Outcome.BUSY, 3)):
        state, decisions = call_ended(
            state, outcome, NOW, POLICY, calls_today=call - 1, has_family=True, quiet_at=never_quiet
        )
        assert CallAgain(NOW + timedelta(minutes=10)) in decisions
        assert state == LadderState(Status.CALLING, call)
        assert rungs(decisions) == [Rung.NOT_REACHED, Rung.RETRY]
    state, decisions = call_ended(
        state, Outcome.MACHINE, NOW, POLICY, calls_today=3, has_family=True, quiet_at=never_quiet
    )
    assert AskFamily() in decisions and not any(isinstance(d, CallAgain) for d in decisions)
    assert state.status is Status.FAMILY and state.wait_until == NOW + timedelta(minutes=30)
    early, nothing = family_wait_over(state, NOW + timedelta(minutes=29))
    assert nothing == [] and early == state
    state, decisions = family_wait_over(state, NOW + timedelta(minutes=30))
    assert state.status is Status.STAFF
    assert AlertStaff("family_silent") in decisions and StopLadder() in decisions


def test_without_family_the_senior_goes_straight_to_staff() -> None:
    state = LadderState(calls=3)
    state, decisions = call_ended(
        state, Outcome.FAILED, NOW, POLICY, calls_today=3, has_family=False, quiet_at=never_quiet
    )
    assert state.status is Status.STAFF
    assert AlertStaff("no_family") in decisions


def test_a_retry_that_would_ring_in_quiet_hours_or_past_the_cap_is_skipped_for_the_family() -> None:
    quiet, decisions = call_ended(
        LadderState(),
        Outcome.NO_ANSWER,
        NOW,
        POLICY,
        calls_today=1,
        has_family=True,
        quiet_at=lambda moment: moment > NOW,
    )
    assert quiet.status is Status.FAMILY and Record(Rung.NO_RETRY, "quiet") in decisions
    capped, decisions = call_ended(
        LadderState(),
        Outcome.NO_ANSWER,
        NOW,
        Policy(max_calls_per_day=1),
        calls_today=1,
        has_family=True,
        quiet_at=never_quiet,
    )
    assert capped.status is Status.FAMILY and Record(Rung.NO_RETRY, "cap") in decisions


def test_reached_or_confirmed_stops_the_ladder_and_late_reports_change_nothing() -> None:
    state, decisions = call_ended(
        LadderState(calls=2), Outcome.ANSWERED, NOW, POLICY, calls_today=2, has_family=True, quiet_at=never_quiet
    )
    assert state.status is Status.SAFE and StopLadder() in decisions
    family = LadderState(Status.FAMILY, 3, NOW)
    state, decisions = confirmed(family, "family:+15550001111")
    assert state.status is Status.SAFE and Record(Rung.CONFIRMED, "family:+15550001111") in decisions
    assert confirmed(state, "again") == (state, [])
    assert family_wait_over(state, NOW + timedelta(hours=1)) == (state, [])
    late = call_ended(state, Outcome.NO_ANSWER, NOW, POLICY, calls_today=3, has_family=True, quiet_at=never_quiet)
    assert late == (state, [])


def test_staff_can_still_be_stood_down_by_a_confirmation() -> None:
    state, decisions = confirmed(LadderState(Status.STAFF, 3), "staff:alice")
    assert state.status is Status.SAFE and StopLadder() in decisions
