"""Every GeoReport v2 method in XML and JSON against the real app: discovery, services, definitions, requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from care.lifecycle import RequestAction
from care.models import Notification, RequestEvent, ServiceRequest, utcnow
from care.requests import apply_action, find_by_reference
from opendata.models import Open311Detail
from tests.opendata.support import DAUGHTER_PHONE, add_mary, called_in, error_of, fetch, make_key, records
from web.context import Hearthline

FORMATS = ["xml", "json"]
WHERE = {"address_string": "12 Larch Road", "lat": "40.71", "long": "-74.0"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_v2_endpoint_and_both_formats(client: FlaskClient, fmt: str) -> None:
    status, body = fetch(client, "discovery", fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "discovery"
        endpoint = body.find("endpoints/endpoint")
        assert endpoint is not None
        assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint.findtext("url") == "https://hotline.example.org/open311/v2"
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    else:
        (endpoint,) = body["endpoints"]
        assert endpoint["url"] == "https://hotline.example.org/open311/v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_one_per_kind_with_keywords_group_and_metadata(client: FlaskClient, fmt: str) -> None:
    status, body = fetch(client, "services", fmt)
    assert status == 200
    services = {s["service_code"]: s for s in records(fmt, body, "services", "service")}
    assert "meals" in services and "transport" in services and "operator" in services
    assert "emergency" not in services  # never through an API: a person at once
    meals = services["meals"]
    assert meals["service_name"] == "meal delivery"
    assert meals["group"] == "meals"
    assert meals["type"] == "realtime"
    assert "meals on wheels" in meals["keywords"].split(", ")  # from intents/catalogs/en.json
    assert meals["metadata"] in (True, "true")
    assert services["benefits"]["metadata"] in (False, "false")


def test_services_follow_the_clients_language(client: FlaskClient) -> None:
    status, body = fetch(client, "services", "json", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    meals = next(s for s in body if s["service_code"] == "meals")
    assert meals["service_name"] == "식사 배달"
    assert status == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_attributes_with_values(client: FlaskClient, fmt: str) -> None:
    status, body = fetch(client, "services/home_repair", fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "service_definition"
        attribute = body.find("attributes/attribute")
        assert attribute is not None
        assert attribute.findtext("code") == "problem"
        assert attribute.findtext("datatype") == "singlevaluelist"
        assert attribute.findtext("required") == "true"
        assert attribute.findtext("variable") == "true"
        keys = [v.findtext("key") for v in attribute.findall("values/value")]
        assert keys[0] == "heating" and "other" in keys
    else:
        (attribute,) = body["attributes"]
        assert attribute["code"] == "problem" and attribute["required"] is True
        assert {"key": "heating", "name": "Heating"} in attribute["values"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_a_404_in_the_standard_format(client: FlaskClient, fmt: str) -> None:
    status, body = fetch(client, "services/potholes", fmt)
    assert status == 404
    assert error_of(fmt, body)[0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_enters_the_same_queue_history_and_notifications(
    client: FlaskClient, hearthline: Hearthline, fmt: str
) -> None:
    senior_id = add_mary(hearthline)
    token = make_key(hearthline, "city 311", "submit")
    status, body = fetch(
        client,
        "requests",
        fmt,
        data={
            "api_key": token,
            "service_code": "transport",
            "phone": "(555) 000-1001",
            "description": "needs a lift to the clinic on Friday",
            "attribute[destination]": "Eastside clinic",
            "attribute[mobility]": "walker",
            **WHERE,
        },
    )
    assert status == 201, body
    (answer,) = records(fmt, body)
    reference = answer["service_request_id"]
    assert "Due by" in answer["service_notice"]
    with hearthline.db.sessions() as s:
        request = find_by_reference(s, reference)
        assert (request.channel, request.intent, request.team) == ("open311", "transport", "transport")
        assert request.senior_id == senior_id and request.status == "new"
        assert "destination: Eastside clinic" in request.details
        history = s.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)).all()
        assert [e.kind for e in history] == ["created"] and history[0].actor == "open311:city 311"
        # The daughter is told, as she is when her mother calls.
        texts = s.scalars(select(Notification).where(Notification.request_id == request.id)).all()
        assert [n.to_phone for n in texts] == [DAUGHTER_PHONE]
        detail = s.get(Open311Detail, request.id)
        assert detail is not None and detail.attributes == {"destination": "Eastside clinic", "mobility": "walker"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"service_code": "meals", **WHERE}, 403, "api_key"),
        ({"api_key": "hl_not-a-key", "service_code": "meals", **WHERE}, 403, "api_key"),
        ({"service_code": "", **WHERE}, 400, "service_code was not provided"),
        ({"service_code": "potholes", **WHERE}, 400, "potholes"),
        ({"service_code": "meals"}, 400, "location"),
        ({"service_code": "meals", "lat": "40.7"}, 400, "lat and long"),
        ({"service_code": "home_repair", **WHERE}, 400, "attribute[problem] is required"),
        ({"service_code": "home_repair", "attribute[problem]": "roof", **WHERE}, 400, "not roof"),
        ({"service_code": "meals", "phone": "call me", **WHERE}, 400, "phone"),
    ],
)
def test_post_errors(
    client: FlaskClient, hearthline: Hearthline, fmt: str, form: dict[str, str], status: int, words: str
) -> None:
    token = make_key(hearthline, "city 311", "submit")
    data = {"api_key": token, **form} if "api_key" not in form and status != 403 else form
    got, body = fetch(client, "requests", fmt, data=data)
    assert got == status
    code, description = error_of(fmt, body)
    assert code == status and words in description
    with hearthline.db.sessions() as s:
        assert s.scalar(select(ServiceRequest.id)) is None  # nothing stored


def test_a_key_without_the_submit_scope_may_read_but_not_post(client: FlaskClient, hearthline: Hearthline) -> None:
    token = make_key(hearthline, "reader", "names")
    status, body = fetch(client, "requests", "json", data={"api_key": token, "service_code": "meals", **WHERE})
    assert status == 403 and "may not submit" in body[0]["description"]
    assert fetch(client, "requests", "json", query_string={"api_key": token})[0] == 200


def test_a_retried_post_with_the_same_idempotency_key_makes_one_request(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    token = make_key(hearthline, "city 311", "submit")
    form = {"api_key": token, "service_code": "meals", **WHERE}
    first = client.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "abc-1"})
    again = client.post("/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json[0]["service_request_id"] == again.json[0]["service_request_id"]  # type: ignore[index]


def _seed(hl: Hearthline) -> dict[str, str]:
    senior_id = add_mary(hl)
    refs = {
        "repair": called_in(hl, senior_id, "home_repair", "CA1"),
        "meals": called_in(hl, senior_id, "meals", "CA2"),
        "old": called_in(hl, senior_id, "meals", "CA3"),
        "emergency": called_in(hl, senior_id, "emergency", "CA4"),
    }
    with hl.db.transaction() as s:
        old = find_by_reference(s, refs["old"])
        old.created_at = utcnow() - timedelta(days=120)
        meals = find_by_reference(s, refs["meals"])
        apply_action(s, meals, RequestAction.RESOLVE, actor="staff:bo")
        apply_action(s, meals, RequestAction.CLOSE, actor="staff:bo", note="confirmed by phone")
    return refs


def _ids(fmt: str, body: Any) -> set[str]:
    return {r["service_request_id"] for r in records(fmt, body)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client: FlaskClient, hearthline: Hearthline, fmt: str) -> None:
    refs = _seed(hearthline)
    # Default: the last 90 days; emergencies are not an Open311 service and are not listed.
    assert _ids(fmt, fetch(client, "requests", fmt)[1]) == {refs["repair"], refs["meals"]}
    assert _ids(fmt, fetch(client, "requests", fmt, query_string={"status": "closed"})[1]) == {refs["meals"]}
    assert _ids(fmt, fetch(client, "requests", fmt, query_string={"status": "open"})[1]) == {refs["repair"]}
    assert _ids(fmt, fetch(client, "requests", fmt, query_string={"service_code": "meals"})[1]) == {refs["meals"]}
    old_window = {"start_date": (utcnow() - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    found = _ids(fmt, fetch(client, "requests", fmt, query_string=old_window)[1])
    assert found == {refs["repair"], refs["meals"], refs["old"]}
    before = {"end_date": (utcnow() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S-05:00")}
    assert _ids(fmt, fetch(client, "requests", fmt, query_string=before)[1]) == {refs["old"]}
    # A list of ids: the other filters are ignored, as the specification says.
    listed = {"service_request_id": f"{refs['old']},{refs['repair']}", "status": "closed"}
    assert _ids(fmt, fetch(client, "requests", fmt, query_string=listed)[1]) == {refs["old"], refs["repair"]}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [{"start_date": "last tuesday"}, {"status": "pending"}, {"service_code": "potholes"}, {"page_size": "5000"}],
)
def test_get_requests_bad_filters_are_400(client: FlaskClient, fmt: str, args: dict[str, str]) -> None:
    status, body = fetch(client, "requests", fmt, query_string=args)
    assert status == 400 and error_of(fmt, body)[0] == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request_with_status_notes_and_zoned_times(
    client: FlaskClient, hearthline: Hearthline, fmt: str
) -> None:
    refs = _seed(hearthline)
    status, body = fetch(client, f"requests/{refs['meals']}", fmt)
    assert status == 200
    (item,) = records(fmt, body)
    assert item["status"] == "closed" and item["status_notes"] == "closed"
    assert item["service_code"] == "meals" and item["agency_responsible"] == "meals"
    requested = datetime.fromisoformat(item["requested_datetime"])
    # The centre is in America/New_York: the offset is the zone's (-05:00 in December), never naive.
    assert requested.utcoffset() == timedelta(hours=-5)
    status, body = fetch(client, f"requests/{refs['repair']}", fmt)
    (item,) = records(fmt, body)
    assert item["status"] == "open" and item["status_notes"] == "new"
    assert fetch(client, "requests/999999", fmt)[0] == 404


def test_unknown_jurisdiction_is_404(make_app: Any) -> None:
    app = make_app(open311_jurisdiction_id="hearthline.example.org")
    client = app.test_client()
    status, body = fetch(client, "services", "xml", query_string={"jurisdiction_id": "elsewhere.gov"})
    assert status == 404 and error_of("xml", body) == (404, "jurisdiction_id 'elsewhere.gov' was not found")
    assert fetch(client, "services", "xml", query_string={"jurisdiction_id": "hearthline.example.org"})[0] == 200


def test_unsupported_format_is_an_error_in_xml(client: FlaskClient) -> None:
    response = client.get("/open311/v2/services.csv")
    assert response.status_code == 404
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<errors>')
