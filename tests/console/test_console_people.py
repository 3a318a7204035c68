"""Seniors, family links with consent, staff numbers and PINs: through the console and care.directory."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from care import directory
from care.models import FamilyLink, FamilyMember, Senior, StaffMember
from care.people import identify, linked_seniors
from tests.console.html import parse_html
from tests.console.support import ADMIN, FAMILY_PHONE, SENIOR_PHONE, STAFF, Seeded, login
from web.context import Hearthline


def test_adding_a_senior_normalises_the_number_so_their_calls_are_recognised(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *STAFF)
    response = client.post(
        "/console/seniors",
        data={"csrf_token": token, "name": "  Ahn   Mi-ja ", "phone": "(202) 555-0133", "locale": "ko", "area": "East"},
    )
    assert response.status_code == 303
    with hearthline.db.sessions() as db:
        caller = identify(db, "+12025550133")
        assert caller.senior is not None and caller.senior.name == "Ahn Mi-ja" and caller.locale == "ko"
        assert response.location == f"/console/seniors/{caller.senior.id}"
    page = parse_html(client.get("/console/people").get_data(as_text=True))
    names = [row.find("th").text for row in page.by_id("seniors").find("tbody").find_all("tr")]
    assert names == ["Ahn Mi-ja", "May Lee"]


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"name": "X", "phone": "not a number"}, "is not a phone number"),
        ({"name": "", "phone": "+12025550144"}, "a name is required"),
        ({"name": "Twin", "phone": SENIOR_PHONE}, "already on file"),
        ({"name": "X", "phone": "+12025550145", "locale": "fr"}, "language must be one of"),
    ],
)
def test_a_bad_senior_is_refused_with_the_reason_and_nothing_is_stored(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded, form: dict[str, str], reason: str
) -> None:
    token = login(client, *STAFF)
    response = client.post("/console/seniors", data={"csrf_token": token, **form})
    assert response.status_code == 303 and response.location == "/console/people"
    message = parse_html(client.get("/console/people").get_data(as_text=True)).find("p", class_="flash-error").text
    assert reason in message
    with hearthline.db.sessions() as db:
        assert db.query(Senior).count() == 1


def test_linking_family_needs_consent_and_lets_them_act_for_the_senior_until_the_link_ends(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *STAFF)
    client.post("/console/family", data={"csrf_token": token, "name": "Jun Park", "phone": "+12025550166"})
    with hearthline.db.sessions() as db:
        son = db.query(FamilyMember).filter_by(phone="+12025550166").one()
    page_url = f"/console/seniors/{seeded.senior_id}"
    without_consent = {"csrf_token": token, "family_id": str(son.id), "relationship": "son", "consent_given_by": ""}
    client.post(f"{page_url}/links", data=without_consent)
    assert "consent" in parse_html(client.get(page_url).get_data(as_text=True)).find("p", class_="flash-error").text
    with hearthline.db.sessions() as db:
        assert linked_seniors(db, db.get(FamilyMember, son.id)) == []  # type: ignore[arg-type]

    client.post(f"{page_url}/links", data={**without_consent, "consent_given_by": "May Lee, by phone"})
    with hearthline.db.sessions() as db:
        assert [s.id for s in linked_seniors(db, db.get(FamilyMember, son.id))] == [seeded.senior_id]  # type: ignore[arg-type]
        link = db.query(FamilyLink).filter_by(family_member_id=son.id).one()
        assert link.consent_given_by == "May Lee, by phone" and link.relationship_label == "son"
    page = parse_html(client.get(page_url).get_data(as_text=True))
    assert [li.attrs["data-active"] for li in page.by_id("links").find_all("li")] == ["yes", "yes"]

    client.post(f"/console/links/{link.id}/end", data={"csrf_token": token})
    with hearthline.db.sessions() as db:
        assert linked_seniors(db, db.get(FamilyMember, son.id)) == []  # type: ignore[arg-type]
        assert db.get(FamilyLink, link.id) is not None  # the record of consent stays
    page = parse_html(client.get(page_url).get_data(as_text=True))
    assert sorted(li.attrs["data-active"] for li in page.by_id("links").find_all("li")) == ["no", "yes"]


def test_admin_adds_staff_and_sets_their_pin_and_staff_line_number(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *ADMIN)
    form = {
        "csrf_token": token,
        "username": "Rita",
        "name": "Rita Repairs",
        "role": "staff",
        "team": "repairs",
        "phone": "202-555-0188",
        "password": "repairs password",
    }
    assert client.post("/console/staff", data=form).status_code == 303
    with hearthline.db.sessions() as db:
        rita = db.query(StaffMember).filter_by(username="rita").one()
        assert (rita.team, rita.phone, rita.role) == ("repairs", "+12025550188", "staff")
    for bad in ("12", "1111", "12ab"):
        client.post(f"/console/staff/{rita.id}/pin", data={"csrf_token": token, "pin": bad})
        with hearthline.db.sessions() as db:
            assert db.get(StaffMember, rita.id).pin_hash == ""  # type: ignore[union-attr]
    client.post(f"/console/staff/{rita.id}/pin", data={"csrf_token": token, "pin": "4071"})
    with hearthline.db.sessions() as db:
        member = db.get(StaffMember, rita.id)
        assert member is not None and "4071" not in member.pin_hash
        assert directory.verify_pin(member, "4071") and not directory.verify_pin(member, "4072")
    client.post(f"/console/staff/{rita.id}/phone", data={"csrf_token": token, "phone": FAMILY_PHONE})
    with hearthline.db.sessions() as db:
        assert identify(db, FAMILY_PHONE).staff is not None
    taken = client.post("/console/staff", data={**form, "phone": "202-555-0189"})
    assert taken.status_code == 303
    errors = parse_html(client.get("/console/staff").get_data(as_text=True)).find_all("p", class_="flash-error")
    # Each refused PIN said why, and so did the taken username.
    assert [e.text for e in errors] == [
        "Not saved: a PIN is 4 to 8 digits",
        "Not saved: a PIN of one repeated digit is too easy to guess",
        "Not saved: a PIN is 4 to 8 digits",
        "Not saved: the username rita is taken",
    ]


def test_an_admin_cannot_deactivate_their_own_account(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = login(client, *ADMIN)
    client.post(f"/console/staff/{seeded.admin_id}/deactivate", data={"csrf_token": token})
    with hearthline.db.sessions() as db:
        assert db.get(StaffMember, seeded.admin_id).active  # type: ignore[union-attr]


def test_directory_refuses_short_passwords_and_duplicate_links(hearthline: Hearthline, seeded: Seeded) -> None:
    with hearthline.db.transaction() as db:
        with pytest.raises(directory.DirectoryError, match="at least 12"):
            directory.add_staff(db, username="shorty", name="Shorty", password="short")
        senior = db.get(Senior, seeded.senior_id)
        family = db.get(FamilyMember, seeded.family_id)
        assert senior is not None and family is not None
        with pytest.raises(directory.DirectoryError, match="already linked"):
            directory.link_family(db, senior=senior, family=family, consent_given_by="May Lee")
