"""What the requester reads when staff work a request quickly: one text in their language, with the staff's note."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from care.delivery import deliver_due
from care.models import Notification, Senior, ServiceRequest, utcnow
from care.notices import service_name
from i18n.messages import translate
from simulator.twilio_standin import TwilioStandIn
from tests.console.support import SENIOR_PHONE, STAFF, Seeded, login, make_request
from web.context import Hearthline

NOTE = "Volunteer Ana will visit Thursday 10am"


def test_assign_start_and_resolve_in_a_minute_send_one_text_with_the_note_in_the_requesters_language(
    client: FlaskClient, hearthline: Hearthline, standin: TwilioStandIn, seeded: Seeded
) -> None:
    with hearthline.db.transaction() as db:
        senior = db.get(Senior, seeded.senior_id)
        assert senior is not None
        senior.locale = "ko"
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    with hearthline.db.transaction() as db:  # the request speaks the senior's language, as a Korean call would
        db.query(ServiceRequest).filter_by(reference=reference).one().locale = "ko"
    token = login(client, *STAFF)
    hearthline.queue.deliver_now()  # type: ignore[attr-defined]
    before = len(standin.messages_to(SENIOR_PHONE))
    url = f"/console/requests/{reference}/action"
    for form in (
        {"action": "assign", "assignee": STAFF[0], "seen_status": "new"},
        {"action": "start", "seen_status": "assigned"},
        {"action": "resolve", "note": NOTE, "seen_status": "in_progress"},
    ):
        assert client.post(url, data={"csrf_token": token, **form}).status_code == 303
        hearthline.queue.deliver_now()  # type: ignore[attr-defined]
    # Later passes (the held notices' time has come) send nothing more.
    deliver_due(hearthline.db, hearthline.sender, None, now=lambda: utcnow() + timedelta(hours=1))
    texts = standin.messages_to(SENIOR_PHONE)[before:]
    expected = translate(
        "notify",
        "notify.status.resolved_note",
        "ko",
        reference=reference,
        service=service_name("meals", "ko"),
        note=NOTE,
    )
    assert texts == [expected]
    assert NOTE in expected and "요청" in expected
    # The staff note is set apart, so a note without a full stop does not run into the question after it.
    assert f'"{NOTE}". ' in texts[0]
    with hearthline.db.sessions() as db:
        statuses = sorted(n.status for n in db.query(Notification).filter_by(to_phone=SENIOR_PHONE))
    assert statuses == ["sent", "superseded", "superseded"]
