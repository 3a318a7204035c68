"""Reminders on the console's check-ins page: staff see each senior's active reminders and can remove one."""

from __future__ import annotations

from datetime import time

from flask.testing import FlaskClient
from sqlalchemy import select

from care.models import Senior
from outreach.reminder_tables import Reminder, ReminderChannel, ReminderKind
from outreach.reminders import ReminderRequest, add_reminder
from tests.console.html import parse_html
from tests.console.support import STAFF, Seeded, login
from web.context import Hearthline


def test_staff_see_a_reminder_on_the_check_ins_page_and_remove_it(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *STAFF)
    page = parse_html(client.get("/console/checkins").get_data(as_text=True))
    assert "No reminders yet." in page.text
    with hearthline.db.transaction() as db:
        senior = db.get(Senior, seeded.senior_id)
        assert senior is not None
        request = ReminderRequest(ReminderKind.MEDICATION, ReminderChannel.SMS, (time(20, 0), time(8, 0)))
        reminder_id = add_reminder(db, senior, request, actor="staff:sam").id
    row = parse_html(client.get("/console/checkins").get_data(as_text=True)).by_id("reminders").find("tbody").find("tr")
    assert "Medication · by text" in row.text and "08:00, 20:00" in row.text
    response = client.post(f"/console/reminders/{reminder_id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    with hearthline.db.sessions() as db:
        removed = db.scalar(select(Reminder).where(Reminder.id == reminder_id))
        assert removed is not None and not removed.active and removed.note == "removed by staff:sam"
    assert "No reminders yet." in parse_html(client.get("/console/checkins").get_data(as_text=True)).text
