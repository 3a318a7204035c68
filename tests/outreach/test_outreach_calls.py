"""Outbound calls end to end over HTTP: the dialer places them with the twilio client, the stand-in plays
Twilio's side (a number plan decides each outcome), our signed webhooks record the answer and the outcome."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask

from outreach.service import dialer_for
from outreach.states import AnswerVia, AttemptStatus
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.outreach.helpers import all_attempts, ask, attempt, recorder, said, served, wait_for
from web.context import Hearthline

FAST = {"dialer_calls_per_second": 50}


def _finished(hl: Hearthline, attempt_id: int) -> bool:
    return attempt(hl, attempt_id).handled_at is not None


def test_a_person_presses_1_the_answer_is_recorded_and_the_handler_runs_once(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan["+15550003001"] = Callee(Pickup.ANSWER, ("1",))
    with served(make_app(**FAST), standin) as hl:
        programme = recorder()  # after the app: building it registers the real scripts
        attempt_id = ask(hl, "+15550003001")
        report = dialer_for(hl).run_pass()
        assert report.dialled == 1
        wait_for(lambda: _finished(hl, attempt_id), "the outcome")
    row = attempt(hl, attempt_id)
    [call] = standin.calls.calls_to("+15550003001")
    assert (row.status, row.answer, row.answer_via, row.heard, row.call_sid) == (
        AttemptStatus.COMPLETED,
        "yes",
        AnswerVia.KEYS,
        "1",
        call.sid,
    )
    heard = said(hl, call.sid)
    assert "request 5 0 1 4 5 1: is it sorted? Press 1 if yes, 2 if not." in heard
    assert "To speak to a person, press 0." in heard
    assert "we have closed the request" in heard
    assert [(v.id, v.status, v.answer) for v in programme.outcomes] == [(attempt_id, AttemptStatus.COMPLETED, "yes")]
    # Every webhook the stand-in posted was signed and accepted.
    assert call.posts and all(code in (200, 204) for _path, code in call.posts)


def test_with_the_stream_voice_path_outbound_calls_stay_on_gather_and_record_on_purpose(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    """HEARTHLINE_VOICE_PATH=stream is the hotline's path; the calls Hearthline places keep <Gather>/<Record>
    (outreach/twiml.py says why): no <Connect><Stream>, no /voice/resume, and the answer is taken as before."""
    standin.calls.plan["+15550003002"] = Callee(Pickup.ANSWER, ("2",))
    with served(make_app(voice_path="stream", **FAST), standin) as hl:
        programme = recorder()
        attempt_id = ask(hl, "+15550003002")
        assert dialer_for(hl).run_pass().dialled == 1
        wait_for(lambda: _finished(hl, attempt_id), "the outcome")
    [call] = standin.calls.calls_to("+15550003002")
    row = attempt(hl, attempt_id)
    assert (row.status, row.answer, row.answer_via) == (AttemptStatus.COMPLETED, "no", AnswerVia.KEYS)
    assert [(v.id, v.answer) for v in programme.outcomes] == [(attempt_id, "no")]
    paths = [path.split("?")[0] for path, _code in call.posts]
    assert "/voice/outbound/reply" in paths and all(p.startswith("/voice/outbound/") for p in paths), paths
    assert all(code in (200, 204) for _path, code in call.posts)


@pytest.mark.parametrize(
    ("callee", "status", "answer", "via"),
    [
        (Callee(Pickup.NO_ANSWER), AttemptStatus.NO_ANSWER, None, ""),
        (Callee(Pickup.BUSY), AttemptStatus.BUSY, None, ""),
        (Callee(Pickup.FAIL), AttemptStatus.FAILED, None, ""),
        (Callee(Pickup.MACHINE), AttemptStatus.MACHINE, None, ""),
        (Callee(Pickup.HANG_UP), AttemptStatus.COMPLETED, None, ""),
        (Callee(Pickup.ANSWER, ()), AttemptStatus.COMPLETED, None, AnswerVia.SILENCE),
        (Callee(Pickup.ANSWER, ("7", "2")), AttemptStatus.COMPLETED, "no", AnswerVia.KEYS),
        (Callee(Pickup.ANSWER, ("0",)), AttemptStatus.COMPLETED, "person", AnswerVia.PERSON),
        (Callee(Pickup.ANSWER, ("9",)), AttemptStatus.COMPLETED, "help", AnswerVia.KEYS),
    ],
    ids=[
        "no-answer",
        "busy",
        "failed",
        "machine",
        "hang-up",
        "silence",
        "wrong-key-then-2",
        "zero",
        "choice-to-person",
    ],
)
def test_every_outcome_the_number_plan_can_give_reaches_the_handler_once(
    make_app: Callable[..., Flask],
    standin: TwilioStandIn,
    callee: Callee,
    status: AttemptStatus,
    answer: str | None,
    via: str,
) -> None:
    standin.calls.plan["+15550003101"] = callee
    with served(make_app(**FAST), standin) as hl:
        programme = recorder()  # after the app: building it registers the real scripts
        attempt_id = ask(hl, "+15550003101")
        dialer_for(hl).run_pass()
        wait_for(lambda: _finished(hl, attempt_id), "the outcome")
        standin.calls.wait_all()
        row = attempt(hl, attempt_id)
        [call] = standin.calls.calls_to("+15550003101")
        words = said(hl, call.sid)
    assert (row.status, row.answer, row.answer_via) == (status, answer, via)
    assert [(v.id, v.status) for v in programme.outcomes] == [(attempt_id, status)]
    if callee.pickup is Pickup.MACHINE:
        # A short message that names nobody and no request: anyone may play the tape back.
        assert words.startswith("Hello, this is Hearthline") and "1 5 5 5 0 1 0 0 0 0 0" in words
        assert "5 0 1 4 5 1" not in words and "meal" not in words
    if via == AnswerVia.SILENCE:
        assert words.count("is it sorted?") == 2  # asked twice, then goodbye
        assert words.endswith("Take care, goodbye.")
    if answer in ("person", "help"):
        # Put through to the staff line, then goodbye when that call ends.
        assert any(path == "/voice/outbound/dialled" for path, _ in call.posts)
    if answer == "no":
        assert words.count("Sorry, I did not catch that.") == 1  # the wrong key, then the question again
        assert "We have reopened the request" in words


def test_calls_go_in_risk_order_each_once_even_with_two_dialers_at_once(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    numbers = [f"+1555000320{n}" for n in range(8)]
    for number in numbers:
        standin.calls.plan[number] = Callee(Pickup.NO_ANSWER)
    with served(make_app(dialer_calls_per_second=20), standin) as hl:
        recorder()  # after the app: building it registers the real scripts
        for n, number in enumerate(numbers):
            ask(hl, number, priority=n % 4)  # priorities 0..3, twice each
        first, second = dialer_for(hl), dialer_for(hl)
        threads = [threading.Thread(target=d.run_pass) for d in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for _ in range(20):  # the pace leaves some for later passes (as the scheduled pass would take them)
            if all(r.dial_tries for r in all_attempts(hl)):
                break
            first.run_pass()
            time.sleep(0.05)
        standin.calls.wait_all()
        rows = all_attempts(hl)
    placed = [call.to for call in standin.calls.calls]
    assert sorted(placed) == sorted(numbers)  # every number once, none twice
    # Claimed (given their start slots) in risk order: highest priority first.
    in_slot_order = sorted(rows, key=lambda row: row.dialled_at or row.created_at)
    assert [row.priority for row in in_slot_order] == [3, 3, 2, 2, 1, 1, 0, 0]
    starts = sorted(row.dialled_at for row in rows if row.dialled_at)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.05 - 1e-6  # never faster than 20 calls a second, two dialers together
