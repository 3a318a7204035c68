"""Trends over several check-ins: low answers in a row, silence after always answering, the week's summary."""

from __future__ import annotations

from outreach.trends import Answer, Reason, TrendPolicy, flag_for, week_summary, worse

W, U, L, LO, N = Answer.WELL, Answer.UNWELL, Answer.LONELY, Answer.LOW, Answer.NOT_REACHED
POLICY = TrendPolicy(low_in_a_row=3, missed_in_a_row=2, answered_before=5)


def test_three_low_answers_in_a_row_are_flagged_once_when_the_streak_begins() -> None:
    assert flag_for([W, U, L], POLICY) is None
    flag = flag_for([W, U, L, LO], POLICY)
    assert flag is not None and flag.reason is Reason.LOW_STREAK and flag.answers == (U, L, LO)
    assert flag_for([W, U, L, LO, U], POLICY) is None  # the same streak: staff already have it
    assert flag_for([U, W, L, LO], POLICY) is None  # broken by a good day


def test_stopping_answering_after_always_answering_is_flagged() -> None:
    flag = flag_for([W, W, W, W, W, N, N], POLICY)
    assert flag is not None and flag.reason is Reason.STOPPED_ANSWERING
    assert flag_for([W, N, W, W, W, N, N], POLICY) is None  # never "always answered"
    assert flag_for([W, W, W, W, W, W, N], POLICY) is None  # one miss is not a trend
    assert flag_for([W, W, W, W, N, N, N], POLICY) is None  # already flagged the day before


def test_the_weekly_summary_counts_answered_calls() -> None:
    summary = week_summary([W, W, N, W, W, W, W])
    assert (summary.answered, summary.calls, summary.all_fine) == (6, 7, True)
    assert week_summary([W, LO, W]).all_fine is False
    assert week_summary([N, N]).all_fine is False


def test_the_most_concerning_answer_of_a_call_is_kept() -> None:
    assert worse(Answer.LOW, Answer.NEED) is Answer.LOW
    assert worse(Answer.LOW, Answer.UNWELL) is Answer.UNWELL
    assert worse(None, Answer.WELL) is Answer.WELL
    assert worse(Answer.EMERGENCY, Answer.WELL) is Answer.EMERGENCY
