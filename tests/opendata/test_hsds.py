"""HSDS import (CSV datapackage and JSON), all or nothing with each bad value named; routing names the provider."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from care.models import Notification, RequestEvent
from care.requests import find_by_reference
from opendata.models import HsdsService, HsdsServiceIntent, RequestProvider
from tests.console.test_console_commands import fails, ok
from tests.opendata.support import DAUGHTER_PHONE, add_mary, called_in, make_key
from web.context import Hearthline

SAMPLES = Path(__file__).resolve().parent / "hsds"


def _services(hl: Hearthline) -> int:
    with hl.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(HsdsService)) or 0)


def test_a_good_csv_package_imports_every_table(app: Flask, hearthline: Hearthline) -> None:
    out = ok(app, "directory", "import", str(SAMPLES / "good"))
    assert "3 hsds_organizations" in out and "4 hsds_services" in out and "4 hsds_languages" in out
    assert "1 hsds_schedules" in out and "3 hsds_service_areas" in out and "1 hsds_locations" in out
    with hearthline.db.sessions() as s:
        intents = set(s.execute(select(HsdsServiceIntent.service_id, HsdsServiceIntent.intent)).all())
        assert ("5e7d0a10-0002-4000-8000-000000000001", "meals") in intents
        assert len(intents) == 4


def test_bad_rows_are_reported_by_line_and_field_and_nothing_is_imported(app: Flask, hearthline: Hearthline) -> None:
    ok(app, "directory", "import", str(SAMPLES / "good"))
    result = app.test_cli_runner().invoke(args=["directory", "import", str(SAMPLES / "bad")])
    assert result.exit_code != 0
    out = result.output
    # services.csv: the first row's quoted description runs over two lines, so the next rows are lines 4, 5, 6.
    assert "services.csv line 4: status: 'open' is not one of active" in out
    assert "services.csv line 5: organization_id: 8c1b2f4e-0001-4000-8000-000000000099 is not the id of any" in out
    assert "services.csv line 6: name: is required" in out
    assert "languages.csv line 2: code: 'korean language' is not a language code" in out
    assert "schedules.csv line 2: freq: 'DAILY' is not WEEKLY or MONTHLY" in out
    assert "schedules.csv line 2: byday: 'XX' is not a day" in out
    assert "schedules.csv line 2: opens_at: '11am' is not a time" in out
    assert "nothing was imported" in out
    # The directory imported before is untouched: not a row of the bad package went in, not a row was lost.
    assert _services(hearthline) == 4
    with hearthline.db.sessions() as s:
        assert s.scalar(select(HsdsService.status).where(HsdsService.name == "Citywide meals")) == "active"


def test_json_import_and_its_errors_name_the_path(app: Flask, hearthline: Hearthline, tmp_path: Path) -> None:
    out = ok(app, "directory", "import", str(SAMPLES / "directory.json"))
    assert "1 hsds_services" in out and "1 hsds_service_intents" in out
    broken = json.loads((SAMPLES / "directory.json").read_text())
    broken[0]["services"][0]["status"] = "maybe"
    del broken[0]["services"][0]["languages"][0]["id"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    out = fails(app, "directory", "import", str(path))
    assert "/0/services/0: status: 'maybe' is not one of" in out
    assert "/0/services/0/languages/0: id: is required" in out
    (tmp_path / "notjson.json").write_text("[{,]")
    assert "not JSON" in fails(app, "directory", "import", str(tmp_path / "notjson.json"))
    assert _services(hearthline) == 1


def test_routing_names_the_provider_for_area_and_language_and_tells_the_family(
    app: Flask, hearthline: Hearthline
) -> None:
    ok(app, "directory", "import", str(SAMPLES / "good"))
    senior_id = add_mary(hearthline, locale="ko", area="Northside")
    reference = called_in(hearthline, senior_id, "meals")
    with hearthline.db.sessions() as s:
        request = find_by_reference(s, reference)
        provider = s.get(RequestProvider, request.id)
        # Northside + Korean: the co-op (its area and language), not the citywide kitchen (no Korean).
        assert provider is not None and provider.organization_name == "Northside Meals Co-op"
        history = s.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)).all()
        assert [e.kind for e in history] == ["created", "provider"]
        assert "Northside Meals Co-op" in history[1].note and history[1].hash  # chained like every entry
        told = s.scalars(
            select(Notification).where(Notification.request_id == request.id, Notification.kind == "provider")
        ).all()
        assert {n.to_phone for n in told} >= {DAUGHTER_PHONE}
        assert all("Northside Meals Co-op" in n.body for n in told)
    # Open311 names the provider as the agency responsible.
    item = app.test_client().get(f"/open311/v2/requests/{reference}.json").json[0]  # type: ignore[index]
    assert item["agency_responsible"] == "Northside Meals Co-op"


def test_no_provider_outside_its_area_or_language_and_never_a_defunct_one(app: Flask, hearthline: Hearthline) -> None:
    ok(app, "directory", "import", str(SAMPLES / "good"))
    senior_id = add_mary(hearthline, locale="zh", area="Southside")
    meals = called_in(hearthline, senior_id, "meals", "CA1")
    repair = called_in(hearthline, senior_id, "home_repair", "CA2")
    with hearthline.db.sessions() as s:
        for reference in (meals, repair):
            assert s.get(RequestProvider, find_by_reference(s, reference).id) is None


def test_an_open311_post_is_told_who_will_come(app: Flask, hearthline: Hearthline) -> None:
    ok(app, "directory", "import", str(SAMPLES / "good"))
    add_mary(hearthline, locale="en", area="Northside")
    token = make_key(hearthline, "city", "submit")
    form = {
        "api_key": token,
        "service_code": "home_repair",
        "attribute[problem]": "heating",
        "phone": "+15550001001",
        "address_id": "senior-on-file",
    }
    answer = app.test_client().post("/open311/v2/requests.json", data=form).json[0]  # type: ignore[index]
    assert answer["service_notice"].startswith("Handy Neighbours will help.")
