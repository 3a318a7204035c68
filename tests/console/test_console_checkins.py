"""Daily check-ins in the console: staff put a senior on calls with their consent, see today's state, pause."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach import checkins
from outreach.checkin_tables import CheckinPlan, PlanStatus
from tests.console.html import parse_html
from tests.console.support import STAFF, Seeded, login
from web.context import Hearthline


def plan_row(hl: Hearthline) -> CheckinPlan | None:
    with hl.db.sessions() as db:
        found = db.scalar(select(CheckinPlan))
        if found is not None:
            db.expunge(found)
        return found


def test_staff_add_a_plan_with_consent_and_pause_it(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *STAFF)
    page = parse_html(client.get("/console/checkins").get_data(as_text=True))
    assert "Nobody is on daily check-in calls yet." in page.text
    form = {
        "csrf_token": token,
        "senior": str(seeded.senior_id),
        "days": ["0", "2", "4"],
        "start": "09:30",
        "end": "11:00",
        "locale": "ko",
        "team": "",
        "consent_by": "May Lee",
        "consent_how": "in_person",
        "weekly": "1",
    }
    response = client.post("/console/checkins", data=form)
    assert response.status_code == 303
    plan = plan_row(hearthline)
    assert plan is not None
    assert (plan.days, plan.locale, plan.team, plan.consent_by, plan.consent_how, plan.weekly_summary) == (
        "0,2,4",
        "ko",
        "North",  # the senior's own team (area)
        "May Lee",
        "in_person",
        True,
    )
    assert plan.created_by == "staff:sam"
    row = parse_html(client.get("/console/checkins").get_data(as_text=True)).by_id("checkins").find("tbody").find("tr")
    assert "May Lee" in row.text and "09:30–11:00" in row.text and "in person" in row.text
    assert "Mon, Wed, Fri" in row.text and "No call today yet" in row.text
    response = client.post(f"/console/checkins/{plan.id}/pause", data={"csrf_token": token})
    assert response.status_code == 303
    paused = plan_row(hearthline)
    assert paused is not None and paused.status == PlanStatus.PAUSED and paused.status_note == "paused by staff:sam"
    with hearthline.db.transaction() as db:
        assert checkins.plan_today(db, hearthline.settings) == 0


def test_a_plan_without_consent_or_days_is_refused_and_nothing_is_stored(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *STAFF)
    base = {"csrf_token": token, "senior": str(seeded.senior_id), "start": "09:30", "end": "11:00"}
    response = client.post(
        "/console/checkins",
        data={**base, "days": ["1"], "consent_by": " ", "consent_how": "phone"},
        follow_redirects=True,
    )
    assert "Not saved: record who gave consent" in response.get_data(as_text=True)
    response = client.post(
        "/console/checkins", data={**base, "consent_by": "May", "consent_how": "phone"}, follow_redirects=True
    )
    assert "Not saved: choose at least one day" in response.get_data(as_text=True)
    response = client.post(
        "/console/checkins",
        data={**base, "days": ["1"], "start": "22:00", "end": "23:00", "consent_by": "May", "consent_how": "phone"},
        follow_redirects=True,
    )
    assert "quiet hours" in response.get_data(as_text=True)
    assert plan_row(hearthline) is None


def test_the_page_needs_a_login(client: FlaskClient, seeded: Seeded) -> None:
    response = client.get("/console/checkins")
    assert response.status_code in (302, 303) and "/console/login" in response.location
