"""The outreach contract: enqueue is idempotent per key, cancel withdraws only queued attempts, scripts refuse key 0."""

from __future__ import annotations

import pytest

from intents import Intent
from outreach.attempts import attempts_for, cancel, enqueue
from outreach.models import CallAttempt
from outreach.script import Choice, Question
from outreach.states import AttemptStatus, Purpose
from voice.dialogue import Speak
from web.context import Hearthline


def test_enqueue_twice_with_one_key_asks_for_one_call(hearthline: Hearthline) -> None:
    with hearthline.db.transaction() as session:
        first = enqueue(
            session,
            key="crisis:7:+15550001111",
            purpose=Purpose.CRISIS,
            to_phone="+15550001111",
            locale="ko",
            subject_id=7,
            priority=5,
            context={"message": "heat"},
        )
        again = enqueue(
            session,
            key="crisis:7:+15550001111",
            purpose=Purpose.CRISIS,
            to_phone="+15550001111",
            locale="ko",
            subject_id=7,
            priority=9,
        )
        assert again.id == first.id
    with hearthline.db.sessions() as session:
        views = attempts_for(session, Purpose.CRISIS, 7)
    assert [(v.status, v.priority, v.context["message"]) for v in views] == [(AttemptStatus.QUEUED, 5, "heat")]


def test_cancel_withdraws_queued_attempts_but_not_a_call_under_way(hearthline: Hearthline) -> None:
    with hearthline.db.transaction() as session:
        for n in range(3):
            enqueue(
                session,
                key=f"crisis:8:{n}",
                purpose=Purpose.CRISIS,
                to_phone=f"+1555000200{n}",
                locale="en",
                subject_id=8,
            )
        session.flush()
        ringing = session.query(CallAttempt).filter_by(key="crisis:8:0").one()
        ringing.status = AttemptStatus.RINGING
    with hearthline.db.transaction() as session:
        assert cancel(session, purpose=Purpose.CRISIS, subject_id=8) == 2
    with hearthline.db.sessions() as session:
        statuses = [v.status for v in attempts_for(session, Purpose.CRISIS, 8)]
    assert statuses == [AttemptStatus.RINGING, AttemptStatus.CANCELED, AttemptStatus.CANCELED]


def test_a_question_never_gives_key_0_or_one_key_twice() -> None:
    with pytest.raises(ValueError, match="person"):
        Choice(digit="0", answer="yes")
    with pytest.raises(ValueError, match="distinct"):
        Question(
            prompts=(Speak("voice.outreach.press_zero"),),
            choices=(Choice("1", "yes", Intent.YES), Choice("1", "no", Intent.NO)),
        )
    question = Question(prompts=(), choices=(Choice("1", "yes", Intent.YES), Choice("2", "no", Intent.NO)))
    assert question.by_intent(Intent.NO) == Choice("2", "no", Intent.NO)
    assert question.by_digit("3") is None
