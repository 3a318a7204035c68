"""The console's open-data pages: API keys (admins only), exports (personal fields for admins), the provider."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from opendata.models import ApiKey
from tests.console.support import ADMIN, SENIOR_NAME, SENIOR_PHONE, STAFF, Seeded, login, make_request, seed_people
from tests.console.test_console_commands import ok
from web.context import Hearthline

SAMPLES = Path(__file__).resolve().parent.parent / "opendata" / "hsds"


def test_only_admins_manage_keys_and_a_key_is_shown_once(client: FlaskClient, hearthline: Hearthline) -> None:
    seed_people(hearthline)
    token = login(client, *STAFF)
    assert client.get("/console/apikeys").status_code == 403
    assert client.post("/console/apikeys", data={"csrf_token": token, "name": "x"}).status_code == 403
    assert 'href="/console/apikeys"' not in client.get("/console/").get_data(as_text=True)
    client.post("/console/logout", data={"csrf_token": token})
    token = login(client, *ADMIN)
    page = client.post(
        "/console/apikeys", data={"csrf_token": token, "name": "County 311", "scope": ["submit", "names"]}
    ).get_data(as_text=True)
    shown = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert shown.startswith("hl_")
    with hearthline.db.sessions() as db:
        row = db.scalars(select(ApiKey)).one()
        assert (row.name, row.scopes, row.created_by) == ("County 311", "names submit", "staff:ada")
    # It opens the API, and the list never shows it again.
    assert client.get(f"/open311/v2/requests.json?api_key={shown}").status_code == 200
    listing = client.get("/console/apikeys").get_data(as_text=True)
    assert shown not in listing and "County 311" in listing and row.prefix in listing
    assert client.post(f"/console/apikeys/{row.id}/revoke", data={"csrf_token": token}).status_code == 303
    assert client.get(f"/open311/v2/requests.json?api_key={shown}").status_code == 403
    assert "County 311" in client.get("/console/apikeys").get_data(as_text=True)


def _export(client: FlaskClient, fmt: str, **args: str) -> str:
    response = client.get(f"/console/exports/requests.{fmt}", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data(as_text=True)


def test_exports_by_range_and_team_with_personal_fields_only_for_admins(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    make_request(hearthline, intent="meals", senior_id=seeded.senior_id, key="a")
    make_request(hearthline, intent="transport", senior_id=seeded.senior_id, key="b", transcript="=HYPERLINK(x)")
    today = date.today()
    day = {"start": str(today - timedelta(days=30)), "end": str(today + timedelta(days=1))}
    login(client, *STAFF)
    plain = list(csv.DictReader(io.StringIO(_export(client, "csv", **day))))
    assert {r["service_code"] for r in plain} == {"meals", "transport"}
    assert "senior_name" not in plain[0] and SENIOR_NAME not in _export(client, "json", **day)
    assert SENIOR_PHONE not in _export(client, "csv", **day)
    meals = json.loads(_export(client, "json", team="meals", **day))
    assert [r["service_code"] for r in meals] == ["meals"] and meals[0]["area"] == "North"
    assert json.loads(_export(client, "json", start="2000-01-01", end="2000-01-02")) == []
    assert client.get("/console/exports/requests.csv", query_string={"start": "x", "end": "y"}).status_code == 400
    over_a_year = {"start": "2000-01-01", "end": "2099-12-31"}
    assert client.get("/console/exports/requests.csv", query_string=over_a_year).status_code == 400
    client.post("/console/logout", data={"csrf_token": login(client, *STAFF)})
    login(client, *ADMIN)
    personal = list(csv.DictReader(io.StringIO(_export(client, "csv", **day))))
    assert {r["senior_name"] for r in personal} == {SENIOR_NAME}
    assert {r["requester_phone"] for r in personal} == {SENIOR_PHONE}
    # A transcript that a spreadsheet would run as a formula is written as text.
    assert "'=HYPERLINK(x)" in {r["transcript"] for r in personal}


def test_the_request_page_shows_the_provider(app: Flask, client: FlaskClient, hearthline: Hearthline) -> None:
    seeded = seed_people(hearthline)
    ok(app, "directory", "import", str(SAMPLES / "good"))
    with hearthline.db.transaction() as db:
        from care.models import Senior

        senior = db.get(Senior, seeded.senior_id)
        assert senior is not None
        senior.area = "Northside"
    reference = make_request(hearthline, intent="meals", senior_id=seeded.senior_id)
    login(client, *STAFF)
    page = client.get(f"/console/requests/{reference}").get_data(as_text=True)
    assert 'id="provider"' in page and "Northside Meals Co-op" in page
    assert "Provider named" in page  # the history entry, labelled
