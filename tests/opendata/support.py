"""What the open-data tests share: people on file, keys with scopes, requests, and parsing both formats."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from flask.testing import FlaskClient

from care import directory
from care.models import Channel, RequesterKind
from care.requests import NewRequest, create_request
from opendata import keys
from web.context import Hearthline

SENIOR_PHONE = "+15550001001"
SENIOR_NAME = "Mary Jones"
SENIOR_ADDRESS = "12 Larch Road, Flat 3"
SENIOR_AREA = "Northside"
DAUGHTER_PHONE = "+15550002001"
# A repair that raises no urgency rule (care/urgency_rules): one history entry per call, so events are countable.
TRANSCRIPT = "my kitchen tap drips all night"


def add_mary(hl: Hearthline, *, locale: str = "en", area: str = SENIOR_AREA) -> int:
    """A senior with a name, number, exact address and area, and a daughter linked with consent."""
    with hl.db.transaction() as s:
        mary = directory.add_senior(
            s, phone=SENIOR_PHONE, name=SENIOR_NAME, locale=locale, address=SENIOR_ADDRESS, area=area
        )
        ann = directory.add_family_member(s, phone=DAUGHTER_PHONE, name="Ann Jones", locale="en")
        directory.link_family(s, senior=mary, family=ann, consent_given_by="Mary Jones", relationship_label="daughter")
        return mary.id


def called_in(hl: Hearthline, senior_id: int | None, intent: str = "home_repair", key: str = "CA1") -> str:
    """A request as a call makes it; returns its reference."""
    with hl.db.transaction() as s:
        request, _ = create_request(
            s,
            NewRequest(
                intent=intent,
                channel=Channel.VOICE,
                requester_phone=SENIOR_PHONE,
                source_key=f"call:{key}",
                requester_kind=RequesterKind.SENIOR,
                senior_id=senior_id,
                transcript=TRANSCRIPT,
                understood_by="speech",
            ),
            zone=hl.settings.zone,
        )
        return request.reference


def make_key(hl: Hearthline, name: str, *scopes: str) -> str:
    with hl.db.transaction() as s:
        return keys.create_key(s, name=name, scopes=keys.parse_scopes(list(scopes)), created_by="test").token


def fetch(client: FlaskClient, path: str, fmt: str, **kwargs: Any) -> tuple[int, Any]:
    """GET (or POST with data=) an Open311 path in one format; the parsed body (XML root or JSON value)."""
    method = client.post if "data" in kwargs else client.get
    response = method(f"/open311/v2/{path}.{fmt}", **kwargs)
    if fmt == "xml":
        assert response.content_type == "text/xml; charset=utf-8"
        assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return response.status_code, ElementTree.fromstring(response.data)
    assert response.content_type == "application/json; charset=utf-8"
    return response.status_code, json.loads(response.data)


def records(fmt: str, body: Any, root: str = "service_requests", item: str = "request") -> list[dict[str, Any]]:
    """The items of a list response as dicts of text (XML) or values (JSON), so one assertion covers both."""
    if fmt == "json":
        assert isinstance(body, list)
        return body
    assert body.tag == root
    return [{child.tag: (child.text or "") for child in element} for element in body.findall(item)]


def error_of(fmt: str, body: Any) -> tuple[int, str]:
    """The standard's error: <errors><error><code/><description/></error></errors> or [{"code", "description"}]."""
    if fmt == "json":
        return int(body[0]["code"]), str(body[0]["description"])
    assert body.tag == "errors"
    error = body.find("error")
    assert error is not None
    return int(error.findtext("code") or 0), error.findtext("description") or ""
