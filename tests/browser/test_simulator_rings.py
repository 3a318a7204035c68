"""The hotline calls the simulator page's number: the dialer's call rings the page, which answers or declines
through the simulator endpoints; the outcome comes back through the stand-in's signed status callbacks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from outreach.ladder import Status
from outreach.service import dialer_for
from outreach.states import AnswerVia, AttemptStatus
from simulator.twilio_standin import TwilioStandIn
from tests.outreach.checkin_people import SENIOR, rounds
from tests.outreach.helpers import ask, attempt, recorder, served, wait_for
from tests.outreach.test_checkins_calls import centre, plan
from web.context import Hearthline

PAGE_PHONE = "+15550007001"
FAST = {"dialer_calls_per_second": 50}


def _token(client: FlaskClient) -> dict[str, str]:
    match = re.search(r'data-token="([^"]+)"', client.get("/simulator/").get_data(as_text=True))
    assert match
    return {"X-Simulator-Token": match.group(1)}


def _ringing(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get(f"/simulator/ringing?phone={PAGE_PHONE}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()["calls"])


def _ring_the_page(hl: Hearthline, client: FlaskClient) -> tuple[int, dict[str, Any]]:
    """The page is at its number (it asked), a crisis call is enqueued and dialled: it rings the page."""
    assert _ringing(client) == []
    attempt_id = ask(hl, PAGE_PHONE)
    assert dialer_for(hl).run_pass().dialled == 1
    found: list[dict[str, Any]] = []
    wait_for(lambda: bool(found.extend(_ringing(client)) or found), "the page to ring")
    return attempt_id, found[0]


def test_the_page_answers_the_dialers_call_presses_1_and_the_answer_is_recorded(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    app = make_app(**FAST)
    programme = recorder()  # after the app: building it registers the real scripts
    with served(app, standin) as hl:
        client = app.test_client()
        headers = _token(client)
        attempt_id, ringing = _ring_the_page(hl, client)
        assert ringing["purpose"] == "crisis"
        assert ringing["announce"] == "The hotline is calling you: a safety call in an emergency"
        assert attempt(hl, attempt_id).status == AttemptStatus.RINGING  # the stand-in's ringing callback
        answered = client.post(f"/simulator/ringing/{ringing['sid']}/answer", headers=headers).get_json()
        assert answered["wait"]["kind"] == "keys" and not answered["ended"]
        # The same prompts and captions the page shows for an inbound call: the question, and key 0 for a person.
        words = " ".join(answered["captions"])
        assert "Press 1 if yes, 2 if not." in words and "To speak to a person, press 0." in words
        assert answered["log"][0].startswith("You answered the call from")
        assert attempt(hl, attempt_id).status == AttemptStatus.IN_PROGRESS
        # Nobody else can answer it twice.
        assert client.post(f"/simulator/ringing/{ringing['sid']}/answer", headers=headers).status_code == 409
        after = client.post(f"/simulator/call/{ringing['sid']}/keys", data={"digits": "1"}, headers=headers)
        assert after.status_code == 200
        assert "we have closed the request" in " ".join(after.get_json()["captions"])
        wait_for(lambda: attempt(hl, attempt_id).handled_at is not None, "the outcome")
    row = attempt(hl, attempt_id)
    [placed] = standin.calls.calls_to(PAGE_PHONE)
    assert (row.status, row.answer, row.answer_via, row.heard, row.call_sid) == (
        AttemptStatus.COMPLETED,
        "yes",
        AnswerVia.KEYS,
        "1",
        placed.sid,
    )
    assert [(v.id, v.status, v.answer) for v in programme.outcomes] == [(attempt_id, AttemptStatus.COMPLETED, "yes")]
    # The stand-in posted the status callbacks (ringing, answered, completed), signed and accepted.
    statuses = [code for path, code in placed.posts if path == "/voice/outbound/status"]
    assert len(statuses) >= 3 and all(code == 204 for code in statuses)


def test_declining_the_call_is_no_answer(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    app = make_app(**FAST)
    programme = recorder()  # after the app: building it registers the real scripts
    with served(app, standin) as hl:
        client = app.test_client()
        headers = _token(client)
        attempt_id, ringing = _ring_the_page(hl, client)
        declined = client.post(f"/simulator/ringing/{ringing['sid']}/decline", headers=headers)
        assert declined.status_code == 200
        wait_for(lambda: attempt(hl, attempt_id).handled_at is not None, "the outcome")
        assert _ringing(client) == []
    row = attempt(hl, attempt_id)
    assert (row.status, row.answer, row.answered_at) == (AttemptStatus.NO_ANSWER, None, None)
    assert [(v.status, v.answer) for v in programme.outcomes] == [(AttemptStatus.NO_ANSWER, None)]


def test_a_call_nobody_answers_stops_ringing_after_the_ring_timeout_as_no_answer(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    app = make_app(dialer_ring_seconds=5, **FAST)
    recorder()  # after the app: building it registers the real scripts
    with served(app, standin) as hl:
        client = app.test_client()
        attempt_id, ringing = _ring_the_page(hl, client)
        wait_for(lambda: attempt(hl, attempt_id).handled_at is not None, "the ring timeout", seconds=15)
        assert _ringing(client) == []
        headers = _token(client)
        assert client.post(f"/simulator/ringing/{ringing['sid']}/answer", headers=headers).status_code == 409
    assert attempt(hl, attempt_id).status == AttemptStatus.NO_ANSWER


def test_a_number_no_page_is_at_follows_the_number_plan(make_app: Callable[..., Flask], standin: TwilioStandIn) -> None:
    """Without a page at the number the stand-in still plays the callee (the default: answers, says nothing)."""
    with served(make_app(**FAST), standin) as hl:
        recorder()  # after the app: building it registers the real scripts
        attempt_id = ask(hl, "+15550007002")
        dialer_for(hl).run_pass()
        wait_for(lambda: attempt(hl, attempt_id).handled_at is not None, "the outcome")
    assert attempt(hl, attempt_id).answer_via == AnswerVia.SILENCE


def test_a_check_in_round_rings_the_page_and_key_1_is_logged_as_well(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    """The daily check-in call (the hotline's check-in dialogue after the hand-over) answered on the page."""
    with centre(make_app, standin) as (app, hl):
        client = app.test_client()
        headers = _token(client)
        assert client.get(f"/simulator/ringing?phone={SENIOR}").get_json() == {"calls": []}
        plan(hl)
        assert dialer_for(hl).run_pass().dialled == 1
        found: list[dict[str, Any]] = []
        wait_for(
            lambda: bool(found.extend(client.get(f"/simulator/ringing?phone={SENIOR}").get_json()["calls"]) or found),
            "the page to ring",
        )
        assert found[0]["announce"] == "The hotline is calling you: the daily check-in call"
        answered = client.post(f"/simulator/ringing/{found[0]['sid']}/answer", headers=headers).get_json()
        assert " ".join(answered["captions"]).startswith("Hello Mrs Kim, this is Hearthline's daily call.")
        assert answered["wait"] is not None
        after = client.post(f"/simulator/call/{found[0]['sid']}/keys", data={"digits": "1"}, headers=headers)
        assert "I'm glad to hear that." in " ".join(after.get_json()["captions"])
        wait_for(lambda: rounds(hl)[0].status == Status.SAFE, "the round to be safe")
    assert rounds(hl)[0].answer == "well"


def test_staff_press_call_now_on_a_check_in_plan_and_the_page_rings(
    make_app: Callable[..., Flask], standin: TwilioStandIn
) -> None:
    """Trying a check-in by hand: a signed-in staff member presses "Call now" on the console's check-ins page;
    the dialer rings the simulator page at the senior's number; the answer and who asked are in the history."""
    from care import directory
    from tests.console.html import parse_html
    from tests.console.support import login
    from tests.outreach.checkin_people import history

    def requests_of(hl: Hearthline) -> list[Any]:
        from care.models import ServiceRequest

        with hl.db.sessions() as session:
            return [r.reference for r in session.query(ServiceRequest).all()]

    with centre(make_app, standin) as (app, hl):
        with hl.db.transaction() as session:
            directory.add_staff(session, username="sam", name="Sam", password="staff password 1", team="befriending")
        client = app.test_client()
        headers = _token(client)
        assert client.get(f"/simulator/ringing?phone={SENIOR}").get_json() == {"calls": []}  # the page is there
        token = login(client, "sam", "staff password 1")
        page = parse_html(client.get("/console/checkins").get_data(as_text=True))
        form = page.by_id("checkins").find("form", class_="call-now")
        assert form.find("button").text == "Call now"
        action = form.attrs["action"]
        response = client.post(action, data={"csrf_token": token})
        assert response.status_code == 303
        after = parse_html(client.get("/console/checkins").get_data(as_text=True))
        assert "Calling Mrs Kim now." in after.text
        [reference] = requests_of(hl)
        history_link = after.by_id("checkins").find("a", href=f"/console/requests/{reference}")
        assert history_link.text == "history"
        assert dialer_for(hl).run_pass().dialled == 1
        found: list[dict[str, Any]] = []
        wait_for(
            lambda: bool(found.extend(client.get(f"/simulator/ringing?phone={SENIOR}").get_json()["calls"]) or found),
            "the page to ring",
        )
        # Pressed again while it rings: refused, no second call.
        client.post(action, data={"csrf_token": token})
        assert "A call to them is ringing or under way" in client.get("/console/checkins").get_data(as_text=True)
        assert found[0]["announce"] == "The hotline is calling you: the daily check-in call"
        answered = client.post(f"/simulator/ringing/{found[0]['sid']}/answer", headers=headers).get_json()
        assert " ".join(answered["captions"]).startswith("Hello Mrs Kim, this is Hearthline's daily call.")
        client.post(f"/simulator/call/{found[0]['sid']}/keys", data={"digits": "1"}, headers=headers)
        wait_for(lambda: rounds(hl)[0].status == Status.SAFE, "the round to be safe")
        with hl.db.transaction() as session:  # today's round is made: the minutely planner adds no second call
            from outreach import checkins

            assert checkins.plan_today(session, hl.settings) == 0
    [round_] = rounds(hl)
    assert round_.answer == "well" and round_.request_id is not None
    steps = history(hl, round_.request_id)
    assert "checkin:call now asked by staff:sam" in steps
    assert "checkin:reached on call 1" in steps
    assert len(standin.calls.calls_to(SENIOR)) == 1
