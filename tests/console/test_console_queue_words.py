"""The queue and the history in the reader's language: counts with their plurals, names instead of roles."""

from __future__ import annotations

from flask.testing import FlaskClient

from care.lifecycle import RequestAction
from care.requests import add_note, apply_action, find_by_reference
from tests.console.html import parse_html
from tests.console.support import (
    FAMILY_NAME,
    FAMILY_PHONE,
    SENIOR_NAME,
    STAFF,
    Seeded,
    csrf_of,
    login,
    make_request,
)
from web.context import Hearthline


def _in(client: FlaskClient, lang: str) -> None:
    token = csrf_of(client.get("/console/login"))
    client.post("/console/language", data={"csrf_token": token, "lang": lang, "next": "/console/login"})


def test_counts_agree_with_their_number_in_each_language(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    make_request(hearthline, senior_id=seeded.senior_id, intent="emergency", key="t:1")
    make_request(hearthline, senior_id=seeded.senior_id, key="t:2")
    expected = {
        "es": "2 en pantalla: 1 urgente, 0 atrasadas",
        "en": "2 shown: 1 urgent, 0 overdue",
        "ko": "2건 표시: 긴급 1건, 기한 지남 0건",
        "zh": "共 2 条：紧急 1 条，逾期 0 条",
    }
    for lang, text in expected.items():
        _in(client, lang)
        login(client, *STAFF)
        page = parse_html(client.get("/console/").get_data(as_text=True))
        assert page.by_id("queue-counts").text == text


def test_an_emergency_row_names_the_emergency_once(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id, intent="emergency")
    _in(client, "ko")
    login(client, *STAFF)
    page = parse_html(client.get("/console/").get_data(as_text=True))
    (row,) = page.by_id("queue-table").find("tbody").find_all("tr")
    assert row.attrs["data-reference"] == reference
    need = row.find_all("td")[0].text  # the service, then its team ("긴급당직(응급)")
    assert need.startswith("긴급 도움") and "긴급 긴급" not in need
    assert "urgent" in row.attrs["class"].split()  # still marked urgent, by the row's colour and rule


def test_history_shows_peoples_names_not_roles(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    reference = make_request(hearthline, senior_id=seeded.senior_id, phone=FAMILY_PHONE)
    with hearthline.db.transaction() as db:
        req = find_by_reference(db, reference)
        add_note(db, req, actor=f"caller:{FAMILY_PHONE}", note="She is diabetic", kind="detail")
        apply_action(db, req, RequestAction.ASSIGN, actor=f"staff:{STAFF[0]}", assignee=STAFF[0])
    login(client, *STAFF)
    page = parse_html(client.get(f"/console/requests/{reference}").get_data(as_text=True))
    who = [row.find_all("td")[1].text for row in page.by_id("history").find("tbody").find_all("tr")]
    assert who == [FAMILY_NAME, FAMILY_NAME, "Sam Staff"], who
    assert SENIOR_NAME in page.by_id("senior-profile").text


def test_search_by_reference_or_by_phone_in_any_format(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    mine = make_request(hearthline, senior_id=seeded.senior_id, phone=FAMILY_PHONE, key="t:1")
    other = make_request(hearthline, phone="+12025550199", key="t:2", transcript="")
    login(client, *STAFF)

    def found(query: str) -> list[str]:
        page = parse_html(client.get("/console/", query_string={"q": query}).get_data(as_text=True))
        tables = page.find_all("table")
        return [row.attrs["data-reference"] for row in tables[0].find("tbody").find_all("tr")] if tables else []

    assert found(mine) == [mine] and found(f" {other} ") == [other]
    for written in ("202-555-0122", "(202) 555-0122", "+1 202 555 0122", "2025550122", "+12025550122"):
        assert found(written) == [mine], written
    # The senior's own number finds the requests made for them by family.
    assert found("(202) 555-0111") == [mine]
    assert found("555-0000") == [] and found("nonsense") == []


def test_queue_rows_say_when_how_in_what_language_and_the_first_words(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    words = "My mother cannot cook any more since her operation and needs hot meals every day please"
    reference = make_request(hearthline, senior_id=seeded.senior_id, transcript=words)
    login(client, *STAFF)
    page = parse_html(client.get("/console/").get_data(as_text=True))
    headers = [th.text for th in page.by_id("queue-table").find("thead").find_all("th")]
    assert {"Received", "Channel", "Language", "First words"} <= set(headers)
    row = page.by_id("queue-table").find("tbody").find("tr")
    cells = dict(zip(headers[1:], [td.text for td in row.find_all("td")], strict=True))
    assert row.attrs["data-reference"] == reference
    assert cells["Channel"] == "phone call" and cells["Language"] == "English"
    assert cells["Received"].endswith(" ago"), cells["Received"]
    assert cells["First words"].startswith("My mother cannot cook") and cells["First words"].endswith("…")
    assert len(cells["First words"]) < len(words)


def test_a_seniors_profile_can_be_edited(client: FlaskClient, hearthline: Hearthline, seeded: Seeded) -> None:
    from care.models import Senior

    token = login(client, *STAFF)
    url = f"/console/seniors/{seeded.senior_id}"
    form = {"csrf_token": token, "name": "May Lee-Park", "locale": "ko", "address": "2 Oak Ave", "area": "South"}
    response = client.post(url + "/profile", data={**form, "notes": "Hard of hearing"})
    assert response.status_code == 303 and response.location == url
    with hearthline.db.sessions() as db:
        senior = db.get(Senior, seeded.senior_id)
        assert senior is not None
        assert (senior.name, senior.locale, senior.address, senior.area, senior.notes) == (
            "May Lee-Park",
            "ko",
            "2 Oak Ave",
            "South",
            "Hard of hearing",
        )
    page = parse_html(client.get(url).get_data(as_text=True))
    assert page.by_id("edit-senior-name").attrs["value"] == "May Lee-Park"
    # A blank name is refused and nothing changes.
    client.post(url + "/profile", data={**form, "name": " "})
    with hearthline.db.sessions() as db:
        senior = db.get(Senior, seeded.senior_id)
        assert senior is not None and senior.name == "May Lee-Park"
