"""Issue 13, crisis calls: staff pick a group by area, team and tags, Hearthline calls it in order of risk over
the stand-in, the live board counts the answers, "needs help" and "unreachable" become exactly one urgent request
each, pause withdraws the queued calls and resume finishes, and the CLI does the same."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from care import directory
from care.audit import verify
from care.models import Senior, ServiceRequest, utcnow
from care.tags import Tag
from outreach import crisis
from outreach.attempts import attempts_for
from outreach.dialer import Dialer, DialerPolicy
from outreach.models import CallAttempt
from outreach.placer import TwilioCallPlacer
from outreach.service import DIAL_JOB
from outreach.states import AttemptStatus, Purpose
from simulator.standin_calls import Callee, Pickup
from simulator.twilio_standin import TwilioStandIn
from tests.care.test_care_jobs import Worker, _wait_for
from tests.conftest import base_config
from tests.console.support import STAFF, login
from tests.outreach.helpers import said, served, wait_for
from tests.outreach.test_outreach_confirm import noon_zone
from web.context import EXTENSION_KEY, Hearthline

AREA = "Riverside"
SAFE = "+15550007001"
HELP = "+15550007002"
NO_ANSWER = "+15550007003"
MACHINE = "+15550007004"
ELSEWHERE = "+15550007005"  # in another area: never called


def _settings(**extra: object) -> dict[str, object]:
    return {
        "dialer_calls_per_second": 50,
        "timezone": noon_zone(),
        "crisis_call_tries": 2,
        "crisis_call_retry_minutes": 1,
        **extra,
    }


def _dialer(hl: Hearthline, later: float = 0.0, **policy: object) -> Dialer:
    base = DialerPolicy.from_settings(hl.settings)
    return Dialer(
        hl.db,
        TwilioCallPlacer(hl.settings),
        hl.settings.public_base_url,
        replace(base, **policy) if policy else base,
        now=lambda: utcnow() + timedelta(seconds=later),
    )


def _people(hl: Hearthline) -> dict[str, int]:
    """Staff sam, and seniors in Riverside with tags (and one elsewhere); returns their ids by phone."""
    people = [
        (SAFE, "Ann Safe", "en", AREA, "befriending", [Tag.LIVES_ALONE]),
        (HELP, "Bo Help", "ko", AREA, "health", [Tag.USES_OXYGEN, Tag.LIVES_ALONE]),
        (NO_ANSWER, "Cy Away", "es", AREA, "befriending", []),
        (MACHINE, "Di Voicemail", "zh", AREA, "health", [Tag.AGED_85_PLUS]),
        (ELSEWHERE, "Ed South", "en", "South", "befriending", [Tag.USES_OXYGEN]),
    ]
    ids = {}
    with hl.db.transaction() as db:
        directory.add_staff(db, username=STAFF[0], name="Sam Staff", password=STAFF[1], role="staff", team="health")
        for phone, name, locale, area, team, tags in people:
            senior = Senior(phone=phone, name=name, locale=locale, area=area, team=team)
            db.add(senior)
            db.flush()
            crisis.set_tags(db, senior, tags)
            ids[phone] = senior.id
    return ids


def _plan(standin: TwilioStandIn) -> None:
    standin.calls.plan[SAFE] = Callee(Pickup.ANSWER, ("1",))
    standin.calls.plan[HELP] = Callee(Pickup.ANSWER, ("2",))
    standin.calls.plan[NO_ANSWER] = Callee(Pickup.NO_ANSWER)
    standin.calls.plan[MACHINE] = Callee(Pickup.MACHINE)


def _start(client: FlaskClient, token: str, message: str, **group: object) -> int:
    form = {"csrf_token": token, "message": message, "action": "start", **group}
    response = client.post("/console/broadcasts", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    found = re.search(r"/console/broadcasts/(\d+)$", response.headers["Location"])
    assert found is not None
    return int(found.group(1))


def _counts(client: FlaskClient, broadcast_id: int) -> dict[str, int]:
    page = client.get(f"/console/broadcasts/{broadcast_id}").get_data(as_text=True)
    assert 'aria-live="polite"' in page and "data-refresh-seconds" in page  # it refreshes itself
    return {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def _handled(hl: Hearthline, broadcast_id: int) -> int:
    with hl.db.sessions() as db:
        return sum(
            1
            for row in db.scalars(select(CallAttempt).where(CallAttempt.subject_id == broadcast_id))
            if row.handled_at is not None and row.status != AttemptStatus.CANCELED
        )


def _crisis_requests(hl: Hearthline, broadcast_id: int) -> list[ServiceRequest]:
    with hl.db.sessions() as db:
        rows = list(
            db.scalars(select(ServiceRequest).where(ServiceRequest.source_key.like(f"crisis:{broadcast_id}:%")))
        )
        for row in rows:
            _ = list(row.events)
        db.expunge_all()
        return rows


def test_the_group_is_picked_by_area_team_and_any_tag_most_at_risk_first(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(**_settings())
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    ids = _people(hl)
    with hl.db.sessions() as db:
        everyone = [p.senior.phone for p in crisis.pick(db, crisis.Group.of(AREA))]
        assert everyone == [HELP, SAFE, MACHINE, NO_ANSWER]  # oxygen+alone 80, alone 30, 85+ 10, none 0
        alone_or_oxygen = crisis.pick(db, crisis.Group.of("", "", ["lives_alone", "uses_oxygen"]))
        assert [p.senior.phone for p in alone_or_oxygen] == [HELP, ELSEWHERE, SAFE]
        assert [p.senior.phone for p in crisis.pick(db, crisis.Group.of(AREA, "health"))] == [HELP, MACHINE]
        assert crisis.pick(db, crisis.Group.of("Nowhere")) == []
    client = app.test_client()
    token = login(client, *STAFF)
    preview = client.post(
        "/console/broadcasts",
        data={"csrf_token": token, "area": AREA, "tags": ["uses_oxygen", "aged_85_plus"], "message": "Heat"},
    )
    assert preview.status_code == 200
    assert "2 seniors in this group" in preview.get_data(as_text=True)
    with hl.db.sessions() as db:
        assert db.scalar(select(CallAttempt)) is None  # a preview calls nobody
    # Nobody in the group: refused with a clear message, nothing queued.
    empty = client.post(
        "/console/broadcasts", data={"csrf_token": token, "area": "Nowhere", "message": "Heat", "action": "start"}
    )
    assert "Nobody is in this group" in empty.get_data(as_text=True)
    # Staff tag a senior on their page: Cy now uses oxygen and is called first among Riverside's.
    page = client.get(f"/console/seniors/{ids[NO_ANSWER]}").get_data(as_text=True)
    assert 'id="senior-tags"' in page and "Uses oxygen" in page
    saved = client.post(
        f"/console/seniors/{ids[NO_ANSWER]}/tags",
        data={"csrf_token": token, "tags": ["uses_oxygen", "limited_mobility"], "team": "health"},
    )
    assert saved.status_code == 303
    bad = client.post(f"/console/seniors/{ids[SAFE]}/tags", data={"csrf_token": token, "tags": ["rich"]})
    assert bad.status_code == 400
    with hl.db.sessions() as db:
        assert [p.senior.phone for p in crisis.pick(db, crisis.Group.of(AREA, "health"))] == [NO_ANSWER, HELP, MACHINE]
        # The safe senior keeps "lives alone" (the profile's flag), untouched by the bad post.
        assert crisis.tags_of(db, [ids[SAFE]])[ids[SAFE]] == {"lives_alone"}


def test_a_crisis_call_with_mixed_outcomes_fills_the_board_and_hands_help_and_unreachable_to_staff(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    _plan(standin)
    app = make_app(**_settings())
    with served(app, standin) as hl:
        _people(hl)
        client = app.test_client()
        token = login(client, *STAFF)
        broadcast_id = _start(client, token, "A heat wave is coming: drink water and stay indoors.", area=AREA)
        assert _counts(client, broadcast_id) == {
            "total": 4,
            "reached": 0,
            "safe": 0,
            "help": 0,
            "waiting": 4,
            "unreachable": 0,
        }
        assert _dialer(hl).run_pass().dialled == 4
        wait_for(lambda: _handled(hl, broadcast_id) == 4, "the first four calls to end")
        # Most at risk first: oxygen and alone, then alone, then 85+, then the rest.
        assert [c.to for c in standin.calls.calls[:4]] == [HELP, SAFE, MACHINE, NO_ANSWER]
        assert _counts(client, broadcast_id) == {
            "total": 4,
            "reached": 2,
            "safe": 1,
            "help": 1,
            "waiting": 2,
            "unreachable": 0,
        }
        assert _dialer(hl).run_pass().dialled == 0  # the second tries wait their minute
        assert _dialer(hl, later=90).run_pass().dialled == 2
        wait_for(lambda: _handled(hl, broadcast_id) == 6, "the second tries to end")
        assert _dialer(hl, later=600).run_pass().dialled == 0  # two tries, no third
        counts = _counts(client, broadcast_id)
        safe_words = said(hl, standin.calls.calls_to(SAFE)[0].sid)
        help_words = said(hl, standin.calls.calls_to(HELP)[0].sid)
    assert counts == {"total": 4, "reached": 2, "safe": 1, "help": 1, "waiting": 0, "unreachable": 2}
    assert {p: len(standin.calls.calls_to(p)) for p in (SAFE, HELP, NO_ANSWER, MACHINE, ELSEWHERE)} == {
        SAFE: 1,
        HELP: 1,
        NO_ANSWER: 2,
        MACHINE: 2,
        ELSEWHERE: 0,
    }
    # What they heard: the message, then the question, in their language; and the reply to their answer.
    assert "A heat wave is coming: drink water and stay indoors." in safe_words
    assert "If you are safe, press 1 or say yes." in safe_words and "glad you are safe" in safe_words
    assert "2번을 누르시거나" in help_words and "다시 전화드리겠습니다" in help_words
    # Exactly one urgent request each for the one who needs help and the two unreachable; none for the safe.
    requests = _crisis_requests(hl, broadcast_id)
    by_phone = {r.requester_phone: r for r in requests}
    assert sorted(by_phone) == sorted([HELP, NO_ANSWER, MACHINE]) and len(requests) == 3
    assert all(r.urgent for r in requests)
    assert "said on the call that they need help" in by_phone[HELP].transcript
    assert "could not be reached after 2 calls" in by_phone[NO_ANSWER].transcript
    assert any("A heat wave is coming" in e.note for e in by_phone[MACHINE].events)
    assert by_phone[HELP].team == "health"  # the senior's own team works it
    # The outcome handled again (a redelivered status) adds nothing: still one request each.
    programme = crisis.CrisisProgramme(hl.settings)
    with hl.db.transaction() as db:
        for view in attempts_for(db, Purpose.CRISIS, broadcast_id):
            programme.on_outcome(db, view)
    assert len(_crisis_requests(hl, broadcast_id)) == 3
    with hl.db.sessions() as db:
        assert verify(db).intact  # every history entry is on the chain
        assert db.get(crisis.Broadcast, broadcast_id).status == "finished"  # type: ignore[union-attr]
    # They are on the queue, marked urgent.
    queue = client.get("/console/").get_data(as_text=True)
    for request in requests:
        assert re.search(rf'<tr class="urgent[^"]*" data-reference="{request.reference}"', queue)


def test_pause_stops_further_dialling_and_resume_finishes(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    _plan(standin)
    standin.calls.plan[NO_ANSWER] = Callee(Pickup.ANSWER, ("1",))
    standin.calls.plan[MACHINE] = Callee(Pickup.ANSWER, ("1",))
    app = make_app(**_settings())
    with served(app, standin) as hl:
        _people(hl)
        client = app.test_client()
        token = login(client, *STAFF)
        broadcast_id = _start(client, token, "Storm warning tonight.", area=AREA)
        # One line only: the first (most at risk) call is placed, then staff pause.
        assert _dialer(hl, max_concurrent=1).run_pass().dialled == 1
        response = client.post(f"/console/broadcasts/{broadcast_id}/pause", data={"csrf_token": token})
        assert response.status_code == 303
        wait_for(lambda: _handled(hl, broadcast_id) == 1, "the call already placed to finish")
        assert _dialer(hl, later=600).run_pass().dialled == 0  # nothing more is dialled while paused
        assert len(standin.calls.calls) == 1
        page = client.get(f"/console/broadcasts/{broadcast_id}").get_data(as_text=True)
        assert "Paused" in page and _counts(client, broadcast_id)["waiting"] == 3
        assert client.post(f"/console/broadcasts/{broadcast_id}/resume", data={"csrf_token": token}).status_code == 303
        assert _dialer(hl).run_pass().dialled == 3
        wait_for(lambda: _handled(hl, broadcast_id) == 4, "the rest to answer")
        counts = _counts(client, broadcast_id)
    assert counts == {"total": 4, "reached": 4, "safe": 3, "help": 1, "waiting": 0, "unreachable": 0}
    assert sorted(c.to for c in standin.calls.calls) == sorted([SAFE, HELP, NO_ANSWER, MACHINE])  # once each
    with hl.db.sessions() as db:
        keys = [v.key for v in attempts_for(db, Purpose.CRISIS, broadcast_id)]
        canceled = [v for v in attempts_for(db, Purpose.CRISIS, broadcast_id) if v.status is AttemptStatus.CANCELED]
    assert len(canceled) == 3 and len(set(keys)) == 7  # resume asked with new keys
    assert len(_crisis_requests(hl, broadcast_id)) == 1  # only the one who pressed 2


def test_the_cli_starts_pauses_resumes_and_reports(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    standin.calls.drive = False
    app = make_app(**_settings())
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    _people(hl)
    runner = app.test_cli_runner()
    preview = runner.invoke(args=["broadcasts", "start", "--message", "Heat", "--tag", "uses_oxygen", "--preview"])
    assert preview.exit_code == 0 and "2 seniors in this group" in preview.output
    started = runner.invoke(args=["broadcasts", "start", "--message", "Heat wave", "--area", AREA])
    assert started.exit_code == 0, started.output
    broadcast_id = int(re.search(r"broadcast (\d+) started: calling 4 seniors", started.output).group(1))  # type: ignore[union-attr]
    paused = runner.invoke(args=["broadcasts", "pause", str(broadcast_id)])
    assert "4 queued calls withdrawn" in paused.output
    assert runner.invoke(args=["broadcasts", "pause", str(broadcast_id)]).exit_code != 0  # not running
    resumed = runner.invoke(args=["broadcasts", "resume", str(broadcast_id)])
    assert "4 seniors queued" in resumed.output
    status = runner.invoke(args=["broadcasts", "status", str(broadcast_id)])
    assert "not reached yet 4" in status.output and "Bo Help" in status.output
    wrong = runner.invoke(args=["broadcasts", "start", "--message", "", "--area", AREA])
    assert wrong.exit_code != 0 and "a message is needed" in wrong.output


def test_a_worker_killed_mid_broadcast_dials_nobody_twice(
    make_app: Callable[..., Flask], standin: TwilioStandIn, tmp_path: Path, backends: dict[str, Any]
) -> None:
    standin.calls.drive = False
    standin.call_delay_seconds = 30  # Twilio placed the first call; its 201 is still on the way when the worker dies
    settings = {**_settings(), "dialer_lease_seconds": 1}
    app = make_app(**settings)
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    _people(hl)
    config = {k: str(v) if isinstance(v, Path) else v for k, v in base_config(tmp_path, standin).items()}
    config.update(backends, **settings)
    path = tmp_path / "worker-config.json"
    path.write_text(json.dumps(config))
    first = Worker(path, tmp_path / "worker-0.log")
    second = None
    try:
        with hl.db.transaction() as db:  # its commit wakes the first worker's dialer
            broadcast_id = crisis.start(db, crisis.Group.of(AREA), "Storm tonight", actor="staff:sam").id
        _wait_for(lambda: standin.calls.calls_to(HELP) != [], "Twilio to take the first call", first)
        first.kill()
        standin.call_delay_seconds = 0
        second = Worker(path, tmp_path / "worker-1.log")
        hl.queue.enqueue(DIAL_JOB, {})  # as the next commit or the minutely sweep would
        _wait_for(lambda: len(standin.calls.calls) >= 4, "the rest of the group to be dialled", second)
        _wait_for(lambda: all(a.call_sid for a in _attempts(hl, broadcast_id)), "every dial to be settled", second)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert sorted(c.to for c in standin.calls.calls) == sorted([HELP, SAFE, MACHINE, NO_ANSWER])  # once each
    by_phone = {a.to_phone: a.call_sid for a in _attempts(hl, broadcast_id)}
    assert by_phone[HELP] == standin.calls.calls_to(HELP)[0].sid  # the orphaned dial was found, not repeated


def _attempts(hl: Hearthline, broadcast_id: int) -> list[CallAttempt]:
    with hl.db.sessions() as db:
        rows = list(db.scalars(select(CallAttempt).where(CallAttempt.subject_id == broadcast_id)))
        db.expunge_all()
        return rows
