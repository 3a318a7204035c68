"""Issue 12 on the console: staff say a number cannot receive texts; a resolved request is then confirmed by a
call, its calls show on the request, and once they ran their course staff close it with a note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from care.models import Notification, RequestStatus
from outreach.models import CallAttempt
from tests.console.html import parse_html
from tests.console.support import SENIOR_PHONE, STAFF, get_request, login, make_request, seed_people
from web.context import EXTENSION_KEY, Hearthline
from web.webhooks import sign


def _status(client: Any, hl: Hearthline, attempt_id: int, status: str) -> None:
    path = f"/voice/outbound/status?attempt={attempt_id}"
    form = {"CallSid": f"CA{attempt_id:032d}", "CallStatus": status}
    assert (
        client.post(path, data=form, headers={"X-Twilio-Signature": sign(hl.settings, path, form)}).status_code == 204
    )


def test_a_number_marked_no_texts_gets_a_confirmation_call_and_staff_close_it_after_the_calls(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(confirm_call_tries=1, confirm_close_after_days=0)
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    client = app.test_client()
    seeded = seed_people(hl)
    reference = make_request(hl, senior_id=seeded.senior_id)
    token = login(client, *STAFF)

    page = parse_html(client.get(f"/console/seniors/{seeded.senior_id}").get_data(as_text=True))
    assert "assumed" in page.by_id("texts").text  # a US number: the plan cannot tell, texts assumed
    response = client.post(f"/console/seniors/{seeded.senior_id}/texts", data={"csrf_token": token, "texts": "no"})
    assert response.status_code == 303
    page = parse_html(client.get(f"/console/seniors/{seeded.senior_id}").get_data(as_text=True))
    assert page.by_id("texts").text.startswith("Cannot receive texts (set by staff)")

    client.post(
        f"/console/requests/{reference}/action",
        data={"csrf_token": token, "action": "resolve", "note": "Meals start Monday", "seen_status": "new"},
    )
    with hl.db.sessions() as db:
        texts = [n.body for n in db.scalars(select(Notification).where(Notification.to_phone == SENIOR_PHONE))]
        [attempt_id] = db.scalars(select(CallAttempt.id))
    assert not any("Reply 1" in body for body in texts)  # the landline is called, not texted
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    assert "waiting to be called" in page.by_id("confirm-calls").text

    _status(client, hl, attempt_id, "no-answer")
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    section = page.by_id("confirm-calls").text
    assert "no answer" in section and "No answer to 1 calls" in section
    response = client.post(
        f"/console/requests/{reference}/close-unreached", data={"csrf_token": token, "note": "Her son says it is fine"}
    )
    assert response.status_code == 303
    closed = get_request(hl, reference)
    assert closed.status == RequestStatus.CLOSED
    assert closed.events[-1].note.endswith("Her son says it is fine")


def test_staff_cannot_close_unconfirmed_before_the_calls_ran_their_course(client: Any, hearthline: Hearthline) -> None:
    seeded = seed_people(hearthline)
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    client.post(f"/console/seniors/{seeded.senior_id}/texts", data={"csrf_token": token, "texts": "no"})
    client.post(
        f"/console/requests/{reference}/action",
        data={"csrf_token": token, "action": "resolve", "note": "", "seen_status": "new"},
    )
    response = client.post(
        f"/console/requests/{reference}/close-unreached", data={"csrf_token": token, "note": "guessing"}
    )
    assert response.status_code == 303
    assert get_request(hearthline, reference).status == RequestStatus.RESOLVED
    page = client.get(f"/console/requests/{reference}").get_data(as_text=True)
    assert "Not yet: the confirmation calls have not run their course." in page
