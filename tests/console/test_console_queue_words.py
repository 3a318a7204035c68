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
