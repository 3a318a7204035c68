"""Working a request in the console: the queue, the request page, every action through the domain code."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from care.models import RequestEvent, ServiceRequest, utcnow
from care.notices import service_name
from i18n.messages import translate
from simulator.twilio_standin import TwilioStandIn
from tests.console.html import parse_html
from tests.console.support import (
    FAMILY_PHONE,
    SENIOR_PHONE,
    STAFF,
    Seeded,
    csrf_of,
    get_request,
    login,
    make_request,
)
from web.context import Hearthline


def _status_text(reference: str, status: str) -> str:
    return translate(
        "notify", f"notify.status.{status}", "en", reference=reference, service=service_name("meals", "en")
    )


def test_staff_work_a_request_from_new_to_closed_and_the_requester_and_family_are_texted_each_step(
    client: FlaskClient, hearthline: Hearthline, standin: TwilioStandIn, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    hearthline.queue.deliver_now()  # type: ignore[attr-defined]
    already = len(standin.messages)
    url = f"/console/requests/{reference}"
    steps = [
        ({"action": "assign", "assignee": STAFF[0], "seen_status": "new"}, "assigned"),
        ({"action": "start", "seen_status": "assigned"}, "in_progress"),
        ({"action": "resolve", "note": "Meals start Monday", "seen_status": "in_progress"}, "resolved"),
        ({"action": "close", "note": "She said on the phone it is fine", "seen_status": "resolved"}, "closed"),
    ]
    for form, status in steps:
        response = client.post(url + "/action", data={"csrf_token": token, **form})
        assert response.status_code == 303 and response.location == url
        page = parse_html(client.get(url).get_data(as_text=True))
        assert page.by_id("status-value").attrs["data-status"] == status
        hearthline.queue.deliver_now()  # type: ignore[attr-defined]
        if status in ("assigned", "in_progress"):
            continue  # held a few minutes: the resolve that followed replaced them (one text, not three)
        key = "notify.status.resolved_note" if status == "resolved" else f"notify.status.{status}"
        expected = translate(
            "notify", key, "en", reference=reference, service=service_name("meals", "en"), note=form.get("note")
        )
        assert standin.messages_to(SENIOR_PHONE)[-1] == expected
        assert standin.messages_to(FAMILY_PHONE)[-1] == expected
    assert len(standin.messages) == already + 2 * 2

    saved = get_request(hearthline, reference)
    assert saved.assignee == STAFF[0] and saved.closed_at is not None
    changes = [(e.actor, e.from_status, e.to_status) for e in saved.events if e.kind == "status"]
    assert changes == [
        ("staff:sam", "new", "assigned"),
        ("staff:sam", "assigned", "in_progress"),
        ("staff:sam", "in_progress", "resolved"),
        ("staff:sam", "resolved", "closed"),
    ]
    close_note = next(e.note for e in saved.events if e.to_status == "closed")
    assert "confirmed by phone" in close_note and "She said on the phone it is fine" in close_note
    history = parse_html(client.get(url).get_data(as_text=True)).by_id("history")
    assert [row.attrs["data-to"] for row in history.find_all("tr") if "data-to" in row.attrs] == [
        "new",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
    ]
    # Once closed, the only step offered is reopening it.
    page = parse_html(client.get(url).get_data(as_text=True))
    assert [f.attrs["id"] for f in page.find_all("form", class_="action-form")] == ["form-reopen"]
    client.post(url + "/action", data={"csrf_token": token, "action": "reopen", "seen_status": "closed"})
    hearthline.queue.deliver_now()  # type: ignore[attr-defined]
    assert standin.messages_to(SENIOR_PHONE)[-1] == _status_text(reference, "reopened")


def test_closing_needs_a_note_saying_how_the_requester_confirmed(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    url = f"/console/requests/{reference}"
    client.post(url + "/action", data={"csrf_token": token, "action": "resolve", "seen_status": "new"})
    response = client.post(url + "/action", data={"csrf_token": token, "action": "close", "note": "  "})
    assert response.status_code == 303
    page = parse_html(client.get(url).get_data(as_text=True))
    assert page.by_id("status-value").attrs["data-status"] == "resolved"
    assert page.find("p", class_="flash-error").text.startswith("Say how the requester confirmed")
    # The close form is labelled honestly and its note is required.
    close_form = page.by_id("form-close")
    assert close_form.find("h3").text == "Requester confirmed (by phone)"
    assert "required" in close_form.by_id("note-close").attrs


def test_an_action_on_a_page_that_is_out_of_date_is_not_applied(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    url = f"/console/requests/{reference}"
    client.post(url + "/action", data={"csrf_token": token, "action": "resolve", "seen_status": "new"})
    # A second tab still showing "new" asks to start work: refused, the state is shown instead.
    client.post(url + "/action", data={"csrf_token": token, "action": "start", "seen_status": "new"})
    assert get_request(hearthline, reference).status == "resolved"
    message = parse_html(client.get(url).get_data(as_text=True)).find("p", class_="flash-error").text
    assert "changed this request meanwhile" in message


def test_an_action_the_life_cycle_does_not_allow_is_refused_with_a_message(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    url = f"/console/requests/{reference}"
    client.post(url + "/action", data={"csrf_token": token, "action": "close", "note": "x"})
    assert get_request(hearthline, reference).status == "new"
    assert "does not apply" in parse_html(client.get(url).get_data(as_text=True)).find("p", class_="flash-error").text
    assert client.post(url + "/action", data={"csrf_token": token, "action": "delete"}).status_code == 400
    response = client.post(url + "/action", data={"csrf_token": token, "action": "assign", "assignee": "ghost"})
    assert response.status_code == 303 and get_request(hearthline, reference).status == "new"


def test_a_note_goes_into_the_history_with_who_wrote_it(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    token = login(client, *STAFF)
    url = f"/console/requests/{reference}"
    assert client.post(url + "/note", data={"csrf_token": token, "note": "Called back, no answer"}).status_code == 303
    client.post(url + "/note", data={"csrf_token": token, "note": "   "})
    notes = [(e.actor, e.note) for e in get_request(hearthline, reference).events if e.kind == "note"]
    assert notes == [("staff:sam", "Called back, no answer")]
    with hearthline.db.sessions() as db:
        assert db.query(RequestEvent).count() == 2  # created + the one note


def test_the_request_page_shows_transcript_caller_senior_and_family(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id, transcript="<b>I need meals</b>")
    login(client, *STAFF)
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    assert page.by_id("transcript").text == "<b>I need meals</b>"  # shown as text, never as markup
    assert page.find_all("b") == []
    assert page.by_id("caller-phone").text == "(202) 555-0111"  # as staff dial it
    profile = page.by_id("senior-profile")
    assert "May Lee" in profile.text and "1 Elm St" in profile.text
    assert any("Dana Lee" in li.text and "daughter" in li.text for li in page.find_all("li"))
    assert client.get("/console/requests/999999").status_code == 404


def test_the_queue_puts_urgent_first_then_overdue_and_marks_overdue_rows(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    now = utcnow()
    later = make_request(hearthline, intent="events", key="k-events", now=now)
    overdue = make_request(hearthline, intent="meals", key="k-meals", now=now - timedelta(days=2))
    urgent = make_request(hearthline, intent="emergency", key="k-emergency", now=now)
    login(client, *STAFF)
    page = parse_html(client.get("/console/").get_data(as_text=True))
    rows = page.by_id("queue-table").find("tbody").find_all("tr")
    assert [row.attrs["data-reference"] for row in rows] == [urgent, overdue, later]
    classes = {row.attrs["data-reference"]: row.attrs["class"].split() for row in rows}
    assert classes[urgent] == ["urgent"] and classes[overdue] == ["overdue"] and classes[later] == []
    assert page.by_id("queue-counts").text == "3 shown: 1 urgent, 1 overdue"
    by_team = parse_html(client.get("/console/?team=activities").get_data(as_text=True))
    assert [r.attrs["data-reference"] for r in by_team.by_id("queue-table").find("tbody").find_all("tr")] == [later]


def test_the_callers_audio_is_served_only_while_kept_and_only_from_the_data_folder(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, tmp_path: Path
) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id)
    wav = hearthline.synthesizer.synthesize("I need meals", "en", 140)
    kept = hearthline.settings.data_dir / "audio" / "call.wav"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(wav)
    outside = tmp_path.parent / "outside.wav"
    outside.write_bytes(wav)
    login(client, *STAFF)
    url = f"/console/requests/{reference}/audio"

    def set_audio(path: str | None, expires_in: timedelta) -> None:
        with hearthline.db.transaction() as db:
            row = db.query(ServiceRequest).filter_by(reference=reference).one()
            row.audio_path, row.audio_expires_at = path, utcnow() + expires_in

    set_audio("audio/call.wav", timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 200 and response.data == wav and response.mimetype == "audio/wav"
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    assert page.find("audio").attrs["src"] == url
    set_audio("audio/call.wav", timedelta(seconds=-1))
    assert client.get(url).status_code == 404
    assert parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True)).find_all("audio") == []
    for escape in (str(outside), "../outside.wav", "/etc/passwd"):
        set_audio(escape, timedelta(days=1))
        assert client.get(url).status_code == 404, escape


@pytest.mark.parametrize(
    ("lang", "received"),
    [
        ("ko", "3월 3일 (화) 오후 2:05"),
        ("zh", "3月3日周二 14:05"),
        ("es", "mar, 3 mar, 14:05"),
        ("en", "Tue, Mar 3, 2:05 PM"),
    ],
)
def test_dates_on_a_page_are_in_its_language_and_on_the_centres_clock(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, lang: str, received: str
) -> None:
    # 19:05 UTC is 2:05 PM in New York (the default centre), a Tuesday in early March (EST, UTC-5).
    assert hearthline.settings.timezone == "America/New_York"
    reference = make_request(hearthline, senior_id=seeded.senior_id, now=datetime(2026, 3, 3, 19, 5))
    token = csrf_of(client.get("/console/login"))
    client.post("/console/language", data={"csrf_token": token, "lang": lang, "next": "/console/login"})
    login(client, *STAFF)
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    facts = page.find("dl").find_all("dd")
    assert any(dd.text.startswith(f"{received} · ") for dd in facts), [dd.text for dd in facts]
    if lang != "en":
        assert not {"Tue", "Mar"} & set(page.by_id("main").text.replace(",", " ").split())
