"""`flask export requests`: a date range on the centre's clock, a team, personal fields only when asked."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from flask import Flask

from care.models import utcnow
from care.requests import find_by_reference
from tests.console.test_console_commands import ok
from tests.opendata.support import SENIOR_NAME, SENIOR_PHONE, TRANSCRIPT, add_mary, called_in
from web.context import Hearthline


def test_cli_export_range_team_and_personal_fields(app: Flask, hearthline: Hearthline) -> None:
    senior_id = add_mary(hearthline)
    repair = called_in(hearthline, senior_id, "home_repair", "CA1")
    meals = called_in(hearthline, senior_id, "meals", "CA2")
    with hearthline.db.transaction() as s:
        find_by_reference(s, meals).created_at = utcnow() - timedelta(days=40)
    today = utcnow().date()
    window = ["--from", str(today - timedelta(days=7)), "--to", str(today + timedelta(days=1))]
    plain = list(csv.DictReader(io.StringIO(ok(app, "export", "requests", *window))))
    assert [r["reference"] for r in plain] == [repair]
    assert plain[0]["team"] == "repairs" and plain[0]["open311_status"] == "open" and plain[0]["area"] == "Northside"
    assert "senior_name" not in plain[0]
    wide = ["--from", str(today - timedelta(days=60)), "--to", str(today + timedelta(days=1))]
    assert [r["reference"] for r in json.loads(ok(app, "export", "requests", *wide, "--format", "json"))] == [
        meals,
        repair,
    ]
    only_meals = json.loads(ok(app, "export", "requests", *wide, "--team", "meals", "--format", "json"))
    assert [r["reference"] for r in only_meals] == [meals]
    (full,) = json.loads(ok(app, "export", "requests", *window, "--format", "json", "--personal"))
    assert (full["senior_name"], full["requester_phone"], full["transcript"]) == (SENIOR_NAME, SENIOR_PHONE, TRANSCRIPT)
