"""What each key sees: the public view has no name, phone, transcript or exact address; scopes open each one."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from opendata.models import ApiKey, ApiKeyUse
from tests.console.test_console_commands import fails, ok
from tests.opendata.support import (
    SENIOR_ADDRESS,
    SENIOR_AREA,
    SENIOR_NAME,
    SENIOR_PHONE,
    TRANSCRIPT,
    add_mary,
    called_in,
    make_key,
)
from web.context import Hearthline

SECRETS = {"names": SENIOR_NAME, "phones": SENIOR_PHONE, "transcripts": TRANSCRIPT, "addresses": SENIOR_ADDRESS}
# The phone also appears in E.164 digits and the address in part; any of these in a body is a leak.
LEAKS = {
    "names": ["Mary", "Jones"],
    "phones": ["5550001001"],
    "transcripts": ["kitchen tap"],
    "addresses": ["Larch"],
}


def _bodies(client: FlaskClient, reference: str, token: str | None) -> list[str]:
    """Every read of the request, both formats, list and single, as text."""
    args = {"api_key": token} if token else {}
    out = []
    for path in ("requests", f"requests/{reference}"):
        for fmt in ("xml", "json"):
            response = client.get(f"/open311/v2/{path}.{fmt}", query_string=args)
            assert response.status_code == 200
            out.append(response.data.decode("utf-8"))
    return out


@pytest.mark.parametrize("scopes", [(), ("names",), ("phones",), ("transcripts",), ("addresses",), tuple(SECRETS)])
def test_each_key_sees_exactly_what_its_scopes_grant(
    client: FlaskClient, hearthline: Hearthline, scopes: tuple[str, ...]
) -> None:
    reference = called_in(hearthline, add_mary(hearthline))
    token = make_key(hearthline, "partner", *scopes) if scopes else None
    for body in _bodies(client, reference, token):
        for scope, words in LEAKS.items():
            for word in words:
                assert (word in body) == (scope in scopes), (scope, word, body)
        # Without the address scope the location is the area on file, never the door.
        assert SENIOR_AREA in body or "addresses" in scopes


def test_the_json_fields_a_full_key_sees(client: FlaskClient, hearthline: Hearthline) -> None:
    reference = called_in(hearthline, add_mary(hearthline))
    token = make_key(hearthline, "case system", "names", "phones", "transcripts", "addresses")
    (item,) = json.loads(client.get(f"/open311/v2/requests/{reference}.json?api_key={token}").data)
    assert item["senior_name"] == SENIOR_NAME and item["requester_phone"] == SENIOR_PHONE
    assert item["description"] == TRANSCRIPT and item["address"] == SENIOR_ADDRESS
    (public,) = json.loads(client.get(f"/open311/v2/requests/{reference}.json").data)
    assert public["description"] is None and public["address"] == SENIOR_AREA
    assert "senior_name" not in public and "requester_phone" not in public


def test_a_posted_location_is_private_too(client: FlaskClient, hearthline: Hearthline) -> None:
    token = make_key(hearthline, "city", "submit")
    form = {"api_key": token, "service_code": "meals", "address_string": "7 Secret Lane", "lat": "40.7", "long": "-74"}
    reference = client.post("/open311/v2/requests.json", data=form).json[0]["service_request_id"]  # type: ignore[index]
    public = client.get(f"/open311/v2/requests/{reference}.json").data.decode()
    assert "Secret" not in public and "40.7" not in public
    scoped = make_key(hearthline, "dispatcher", "addresses")
    (item,) = json.loads(client.get(f"/open311/v2/requests/{reference}.json?api_key={scoped}").data)
    assert item["address"] == "7 Secret Lane" and item["lat"] == 40.7


def test_keys_are_stored_hashed_revocable_and_every_use_is_logged(app: Flask, hearthline: Hearthline) -> None:
    out = ok(app, "apikeys", "create", "county case system", "--scope", "names", "--scope", "submit")
    token = next(line for line in out.splitlines() if line.startswith("hl_"))
    assert token.startswith("hl_") and len(token) > 40
    with hearthline.db.sessions() as s:
        row = s.scalars(select(ApiKey)).one()
        assert token not in (row.key_hash, row.prefix) and row.scopes == "names submit"
    listed = ok(app, "apikeys", "list")
    assert "county case system" in listed and "live" in listed and token not in listed
    client = app.test_client()
    assert client.get(f"/open311/v2/requests.json?api_key={token}").status_code == 200
    assert client.get("/open311/v2/requests.json?api_key=hl_wrong").status_code == 403
    ok(app, "apikeys", "revoke", "county case system")
    assert client.get(f"/open311/v2/requests.json?api_key={token}").status_code == 403
    assert "revoked" in ok(app, "apikeys", "list")
    fails(app, "apikeys", "revoke", "nobody")
    fails(app, "apikeys", "create", "x", "--scope", "everything")
    with hearthline.db.sessions() as s:
        uses = s.scalars(select(ApiKeyUse).order_by(ApiKeyUse.id)).all()
        assert [(u.key_id is not None, u.status) for u in uses] == [(True, 200), (False, 403), (False, 403)]
        assert all("api_key" not in u.path and token not in u.path for u in uses)  # the secret is never logged
