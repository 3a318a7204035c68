"""Never twice for one attempt: an unknown dial outcome (a timeout, a worker killed mid-dial) is checked with
Twilio before anything is dialled again; refusals fail or retry as they should."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import update

from care.models import utcnow
from outreach.dialer import Dialer, DialerPolicy
from outreach.models import CallAttempt
from outreach.placer import TwilioCallPlacer
from outreach.service import dialer_for
from outreach.states import AttemptStatus, Purpose
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.care.test_care_jobs import Worker, _wait_for
from tests.conftest import base_config
from tests.outreach.helpers import ask, attempt, recorder, served, wait_for
from web.context import EXTENSION_KEY, Hearthline


def _dialer(hl: Hearthline, *, timeout: float = 10, later: float = 0.0) -> Dialer:
    """A dialer on the app's settings whose clock runs `later` seconds ahead (a lease has run out)."""
    return Dialer(
        hl.db,
        TwilioCallPlacer(hl.settings, timeout_seconds=timeout),
        hl.settings.public_base_url,
        DialerPolicy.from_settings(hl.settings),
        now=lambda: utcnow() + timedelta(seconds=later),
        sleep=lambda _s: None,
    )


def test_a_dial_that_timed_out_is_looked_up_at_twilio_and_never_placed_twice(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.drive = False  # Twilio takes the call but tells us nothing (no callbacks)
    standin.call_delay_seconds = 3  # and answers the create after our client gave up
    hl = make_app(dialer_calls_per_second=50).extensions[EXTENSION_KEY]
    programme = recorder()  # after the app: building it registers the real scripts
    attempt_id = ask(hl, "+15550004001")
    report = _dialer(hl, timeout=1).run_pass()
    assert (report.dialled, report.unknown) == (0, 1)
    assert attempt(hl, attempt_id).status == AttemptStatus.UNKNOWN
    standin.call_delay_seconds = 0
    # Before the check is due nothing happens; after it, Twilio is asked and the call it has is adopted.
    assert _dialer(hl).run_pass().adopted == 0
    report = _dialer(hl, later=60).run_pass()
    [call] = standin.calls.calls_to("+15550004001")
    row = attempt(hl, attempt_id)
    assert (report.adopted, report.dialled, report.requeued) == (1, 0, 0)
    assert (row.status, row.call_sid) == (AttemptStatus.DIALLING, call.sid)
    assert any(method == "GET" and path.endswith("/Calls.json") for method, path, _ in standin.log)
    # Its final callback never comes: once the call must have ended, it is fetched by sid and settled.
    call.status = "no-answer"
    policy = DialerPolicy.from_settings(hl.settings)
    _dialer(hl, later=60 + policy.live_check.total_seconds() + 60).run_pass()
    assert attempt(hl, attempt_id).status == AttemptStatus.NO_ANSWER
    assert [(v.id, v.status) for v in programme.outcomes] == [(attempt_id, AttemptStatus.NO_ANSWER)]
    assert len(standin.calls.calls_to("+15550004001")) == 1


def test_a_claim_whose_worker_died_before_twilio_heard_of_it_is_dialled_once(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.calls.plan["+15550004002"] = Callee(Pickup.NO_ANSWER)
    with served(make_app(dialer_calls_per_second=50), standin) as hl:
        recorder()  # after the app: building it registers the real scripts
        attempt_id = ask(hl, "+15550004002")
        # A worker claimed it and died before calls.create went out: DIALLING, lease over, no call anywhere.
        with hl.db.transaction() as session:
            session.execute(
                update(CallAttempt)
                .where(CallAttempt.id == attempt_id)
                .values(
                    status=AttemptStatus.DIALLING,
                    claimed_until=utcnow() - timedelta(seconds=1),
                    dialled_at=utcnow() - timedelta(seconds=70),
                    dial_tries=1,
                )
            )
        report = dialer_for(hl).run_pass()
        assert (report.requeued, report.dialled) == (1, 1)
        wait_for(lambda: attempt(hl, attempt_id).status == AttemptStatus.NO_ANSWER, "the outcome")
    assert len(standin.calls.calls_to("+15550004002")) == 1


def test_a_number_twilio_refuses_fails_at_once_and_a_5xx_is_retried_later(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    standin.refused_numbers.add("+15550004003")
    standin.calls.drive = False
    hl = make_app(dialer_calls_per_second=50).extensions[EXTENSION_KEY]
    programme = recorder()  # after the app: building it registers the real scripts
    refused = ask(hl, "+15550004003", priority=5)
    report = dialer_for(hl).run_pass()
    assert report.failed == 1
    row = attempt(hl, refused)
    assert row.status == AttemptStatus.FAILED and "21211" in row.error
    assert [(v.id, v.status) for v in programme.outcomes] == [(refused, AttemptStatus.FAILED)]

    standin.fail_next = 1
    retried = ask(hl, "+15550004004")
    report = dialer_for(hl).run_pass()
    assert (report.retrying, report.dialled) == (1, 0)
    assert attempt(hl, retried).not_before > utcnow() + timedelta(seconds=30)
    assert _dialer(hl, later=120).run_pass().dialled == 1
    assert len(standin.calls.calls_to("+15550004004")) == 1


def test_a_worker_killed_mid_dial_does_not_cause_a_second_call(
    make_app: Callable[..., Flask], standin: TwilioStandIn, tmp_path: Path, backends: dict[str, Any]
) -> None:
    standin.calls.drive = False
    standin.call_delay_seconds = 30  # Twilio placed the call; its 201 is still on the way when the worker dies
    settings = {"dialer_calls_per_second": 50, "dialer_lease_seconds": 1}
    hl: Hearthline = make_app(**settings).extensions[EXTENSION_KEY]
    config = {k: str(v) if isinstance(v, Path) else v for k, v in base_config(tmp_path, standin).items()}
    config.update(backends, **settings)
    path = tmp_path / "worker-config.json"
    path.write_text(json.dumps(config))
    first = Worker(path, tmp_path / "worker-0.log")
    second = None
    try:
        killed = ask(hl, "+15550004005", purpose=Purpose.CONFIRM)
        _wait_for(lambda: standin.calls.calls_to("+15550004005") != [], "Twilio to take the call", first)
        first.kill()
        row = attempt(hl, killed)
        assert row.status == AttemptStatus.DIALLING and row.call_sid is None  # the sid never reached our books
        standin.call_delay_seconds = 0
        second = Worker(path, tmp_path / "worker-1.log")
        ask(hl, "+15550004006", purpose=Purpose.CONFIRM)  # its commit wakes the second worker's dialer
        _wait_for(lambda: attempt(hl, killed).call_sid is not None, "the orphaned dial to be settled", second)
        _wait_for(lambda: standin.calls.calls_to("+15550004006") != [], "the next call", second)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    [call] = standin.calls.calls_to("+15550004005")
    assert attempt(hl, killed).call_sid == call.sid
