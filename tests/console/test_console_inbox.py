"""The inbox (issue 12): a text from a number nobody is linked to is answered politely and kept for staff, who make
a request of it, link its sender with consent, or dismiss it with a reason; its history is append-only."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from care.models import (
    FamilyLink,
    FamilyMember,
    HistoryIsAppendOnly,
    InboxEvent,
    InboxText,
    Senior,
    ServiceRequest,
)
from tests.console.html import parse_html
from tests.console.support import SENIOR_NAME, STAFF, Seeded, login
from tests.sms.people import text
from web.context import Hearthline

STRANGER = "+12025550199"
MR_BROWN = "Mr Brown (82) has had no heating for two days"


def _inbox(hl: Hearthline) -> list[InboxText]:
    with hl.db.sessions() as db:
        return list(db.scalars(select(InboxText).order_by(InboxText.id)))


def _history(hl: Hearthline, text_id: int) -> list[tuple[str, str, str]]:
    with hl.db.sessions() as db:
        events = db.scalars(select(InboxEvent).where(InboxEvent.text_id == text_id).order_by(InboxEvent.id))
        return [(e.kind, e.actor, e.note) for e in events]


def _nav_count(client: FlaskClient) -> str:
    link = parse_html(client.get("/console/").get_data(as_text=True)).by_id("nav-inbox")
    badges = link.find_all("span", class_="badge-inbox")
    return badges[0].text if badges else ""


def test_a_text_from_a_number_nobody_is_linked_to_is_answered_and_kept_in_the_inbox(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    answered = text(client, hearthline, STRANGER, MR_BROWN)
    assert "not on our list" in answered.reply  # the polite reply stays
    [kept] = _inbox(hearthline)
    assert (kept.from_phone, kept.body, kept.status) == (STRANGER, MR_BROWN, "open")
    assert _history(hearthline, kept.id) == [("received", f"unknown:{STRANGER}", "")]
    # Staff only: the page asks for a login first.
    assert client.get("/console/inbox").status_code == 302
    login(client, *STAFF)
    assert _nav_count(client) == "1"
    page = parse_html(client.get("/console/inbox").get_data(as_text=True))
    card = page.by_id(f"text-{kept.id}")
    assert card.find("blockquote").text == MR_BROWN
    assert "(202) 555-0199" in card.find("h3").text


def test_keywords_and_texts_from_people_on_file_stay_out_of_the_inbox(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    text(client, hearthline, STRANGER, "HELP")
    text(client, hearthline, STRANGER, "STOP")
    text(client, hearthline, "+12025550122", "Mum needs meals delivered please")  # Dana, linked to May
    assert _inbox(hearthline) == []


def test_staff_make_a_request_of_a_text_for_a_senior_put_on_file_there_and_then(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    text(client, hearthline, STRANGER, MR_BROWN)
    [kept] = _inbox(hearthline)
    token = login(client, *STAFF)
    form = {
        "csrf_token": token,
        "intent": "home_repair",
        "senior_id": "new",
        "new_name": "Arthur Brown",
        "new_phone": "(202) 555-0177",
        "new_locale": "en",
    }
    response = client.post(f"/console/inbox/{kept.id}/request", data=form)
    assert response.status_code == 303
    with hearthline.db.sessions() as db:
        request = db.scalar(select(ServiceRequest))
        assert request is not None and response.location == f"/console/requests/{request.reference}"
        brown = db.scalar(select(Senior).where(Senior.phone == "+12025550177"))
        assert brown is not None and brown.name == "Arthur Brown"
        assert (request.senior_id, request.intent, request.transcript) == (brown.id, "home_repair", MR_BROWN)
        assert request.requester_phone == STRANGER and request.channel == "sms"
        reference = request.reference
    [done] = _inbox(hearthline)
    assert done.status == "request" and done.request_id is not None
    assert [kind for kind, _, _ in _history(hearthline, kept.id)] == ["received", "request"]
    assert _history(hearthline, kept.id)[-1] == ("request", "staff:sam", f"{reference} for Arthur Brown")
    assert _nav_count(client) == ""
    page = parse_html(client.get("/console/inbox").get_data(as_text=True))
    assert page.by_id("inbox-empty") is not None
    assert reference in page.by_id(f"text-{kept.id}").text  # under "dealt with", with its request
    # Dealt with: a second attempt changes nothing.
    again = client.post(f"/console/inbox/{kept.id}/request", data={**form, "new_phone": "(202) 555-0178"})
    assert again.location == "/console/inbox"
    with hearthline.db.sessions() as db:
        assert len(list(db.scalars(select(ServiceRequest)))) == 1


def test_staff_make_a_request_for_a_senior_on_file(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    text(client, hearthline, STRANGER, "May Lee's neighbour here: her fridge is empty and she can't get out")
    [kept] = _inbox(hearthline)
    token = login(client, *STAFF)
    data = {"csrf_token": token, "intent": "meals", "senior_id": str(seeded.senior_id)}
    client.post(f"/console/inbox/{kept.id}/request", data=data)
    with hearthline.db.sessions() as db:
        request = db.scalar(select(ServiceRequest))
        assert request is not None and request.senior_id == seeded.senior_id and request.intent == "meals"


def test_linking_the_sender_records_consent_and_their_next_text_is_served(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    text(client, hearthline, STRANGER, "Hi, I'm May Lee's son Tom, can I text for her?")
    [kept] = _inbox(hearthline)
    token = login(client, *STAFF)
    form = {
        "csrf_token": token,
        "senior_id": str(seeded.senior_id),
        "name": "Tom Lee",
        "relationship": "son",
        "consent_given_by": SENIOR_NAME,
    }
    assert client.post(f"/console/inbox/{kept.id}/link", data=form).status_code == 303
    with hearthline.db.sessions() as db:
        tom = db.scalar(select(FamilyMember).where(FamilyMember.phone == STRANGER))
        assert tom is not None and tom.name == "Tom Lee"
        link = db.scalar(select(FamilyLink).where(FamilyLink.family_member_id == tom.id))
        assert link is not None and link.active and link.consent_given_by == SENIOR_NAME
        assert link.senior_id == seeded.senior_id and link.relationship_label == "son"
    assert _history(hearthline, kept.id)[-1] == (
        "linked",
        "staff:sam",
        f"Tom Lee → {SENIOR_NAME}; consent: {SENIOR_NAME}",
    )
    text(client, hearthline, STRANGER, "Mum needs a ride to the clinic on Friday")
    with hearthline.db.sessions() as db:
        request = db.scalar(select(ServiceRequest))
        assert request is not None and request.senior_id == seeded.senior_id and request.requester_kind == "family"
    assert len(_inbox(hearthline)) == 1  # the served text is not in the inbox


def test_linking_needs_who_gave_consent(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    text(client, hearthline, STRANGER, "Hi, I'm May Lee's son Tom, can I text for her?")
    [kept] = _inbox(hearthline)
    token = login(client, *STAFF)
    form = {"csrf_token": token, "senior_id": str(seeded.senior_id), "name": "Tom Lee", "consent_given_by": " "}
    client.post(f"/console/inbox/{kept.id}/link", data=form)
    with hearthline.db.sessions() as db:
        assert db.scalar(select(FamilyLink).where(FamilyLink.family_member.has(phone=STRANGER))) is None
    assert [kind for kind, _, _ in _history(hearthline, kept.id)] == ["received"]


def test_dismissing_needs_a_reason_and_keeps_it_in_the_history(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    text(client, hearthline, STRANGER, "Win a free cruise!!! Reply now to claim your prize")
    [kept] = _inbox(hearthline)
    token = login(client, *STAFF)
    refused = client.post(f"/console/inbox/{kept.id}/dismiss", data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 303
    flash = parse_html(client.get("/console/inbox").get_data(as_text=True)).find("p", class_="flash-error")
    assert "say why" in flash.text
    assert _inbox(hearthline)[0].status == "open"
    client.post(f"/console/inbox/{kept.id}/dismiss", data={"csrf_token": token, "reason": "Spam"})
    assert _inbox(hearthline)[0].status == "dismissed"
    assert _history(hearthline, kept.id) == [
        ("received", f"unknown:{STRANGER}", ""),
        ("dismissed", "staff:sam", "Spam"),
    ]


def test_the_inbox_history_cannot_be_rewritten(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    text(client, hearthline, STRANGER, MR_BROWN)
    with pytest.raises(HistoryIsAppendOnly), hearthline.db.transaction() as db:
        entry = db.scalar(select(InboxEvent))
        assert entry is not None
        entry.note = "nothing to see"
    with pytest.raises(HistoryIsAppendOnly), hearthline.db.transaction() as db:
        db.delete(db.scalar(select(InboxEvent)))
    assert _history(hearthline, _inbox(hearthline)[0].id) == [("received", f"unknown:{STRANGER}", "")]
