"""The GeoReport v2 endpoints under /open311/v2/: discovery, services, definitions, requests (GET and POST)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from care.hours import ServiceHours
from care.models import utcnow
from care.settings import LOCALES
from opendata import formats, keys
from opendata.keys import PUBLIC, Grant, Scope
from opendata.models import RequestProvider
from opendata.open311 import Invalid, find, notice, parse_post, parse_query, submit, view
from opendata.services import definition, service, service_codes
from web.context import current

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = ("xml", "json")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's shape last changed (discovery's changeset: clients cache by it).
CHANGESET = "2026-12-04T00:00:00Z"
ROOTS = {"services": "services", "requests": "service_requests", "definition": "service_definition"}


class Open311Error(Exception):
    """An answer in the standard's error format, with its HTTP code."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt", "xml")
    return fmt if fmt in FORMATS else "xml"


def _answer(root: str, value: Any, status: int = 200) -> Response:
    if _format() == "json":
        return Response(formats.to_json(value), status=status, content_type=formats.JSON_TYPE)
    return Response(formats.to_xml(root, value), status=status, content_type=formats.XML_TYPE)


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error) -> Response:
    return _answer("errors", formats.errors(error.code, error.description), error.code)


@bp.errorhandler(Invalid)
def _invalid(error: Invalid) -> Response:
    return _answer("errors", formats.errors(400, str(error)), 400)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    return _answer("errors", formats.errors(code, error.description or error.name), code)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Open311Error(404, f"format {fmt!r} is not offered; use xml or json")


def _locale() -> str:
    return request.accept_languages.best_match(LOCALES) or current().settings.default_locale


def _jurisdiction() -> None:
    given = request.values.get("jurisdiction_id", "").strip()
    ours = current().settings.open311_jurisdiction_id
    if given and ours and given != ours:
        raise Open311Error(404, f"jurisdiction_id {given!r} was not found")


def _grant(required: Scope | None = None) -> Grant:
    """The caller's grant from api_key (every use is logged); a bad key or a missing scope is a 403."""
    token = request.values.get("api_key", "").strip()
    if not token and required is None:
        return PUBLIC
    with current().db.sessions() as session:
        grant = keys.check(session, token)
    g.open311_key = (grant.key_id if grant else None, True)
    if grant is None:
        raise Open311Error(403, "api_key was not provided or is not valid" if required else "api_key is not valid")
    if required is not None and not grant.may(required):
        raise Open311Error(403, f"this api_key may not {required.value} requests")
    return grant


@bp.after_request
def _log_key_use(response: Response) -> Response:
    attempted = g.get("open311_key")
    if attempted is not None:
        key_id, _ = attempted
        try:
            with current().db.transaction() as session:
                keys.log_use(
                    session,
                    key_id=key_id,
                    method=request.method,
                    path=request.full_path.split("api_key=")[0].rstrip("?&"),
                    remote_addr=request.remote_addr or "",
                    status=response.status_code,
                )
        except Exception:  # the answer stands; the log line says the audit row is missing
            log.exception("could not record the use of API key %s", key_id)
    return response


@bp.get("/discovery.<fmt>")
def discovery(fmt: str) -> Response:
    _check_format(fmt)
    settings = current().settings
    base = f"{settings.public_base_url.rstrip('/')}{bp.url_prefix}"
    document = {
        "changeset": CHANGESET,
        "contact": settings.open311_contact,
        "key_service": settings.open311_key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production" if settings.is_production else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _answer("discovery", document)


@bp.get("/services.<fmt>")
def services(fmt: str) -> Response:
    _check_format(fmt)
    _jurisdiction()
    locale = _locale()
    return _answer("services", [service(code, locale) for code in service_codes()])


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str) -> Response:
    _check_format(fmt)
    _jurisdiction()
    if code not in service_codes():
        raise Open311Error(404, f"service_code {code!r} was not found")
    return _answer("service_definition", definition(code, _locale()))


@bp.get("/requests.<fmt>")
def list_requests(fmt: str) -> Response:
    _check_format(fmt)
    _jurisdiction()
    grant = _grant()
    settings = current().settings
    query = parse_query(request.args.to_dict(), settings.zone, utcnow())
    locale = _locale()
    with current().db.sessions() as session:
        found = find(session, query)
    items = [view(item, grant=grant, zone=settings.zone, locale=locale) for item in found]
    return _answer("service_requests", items)


@bp.get("/requests/<reference>.<fmt>")
def one_request(reference: str, fmt: str) -> Response:
    _check_format(fmt)
    _jurisdiction()
    grant = _grant()
    settings = current().settings
    query = parse_query({"service_request_id": reference}, settings.zone, utcnow())
    with current().db.sessions() as session:
        found = find(session, query)
    if not found:
        raise Open311Error(404, f"service_request_id {reference!r} was not found")
    item = view(found[0], grant=grant, zone=settings.zone, locale=_locale())
    return _answer("service_requests", [item])


def _attributes() -> dict[str, list[str]]:
    """attribute[code]=value and, for multivaluelist, attribute[code][]=value (as the specification writes them)."""
    given: dict[str, list[str]] = {}
    for name in request.form:
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute[") : name.index("]")]
            given.setdefault(code, []).extend(request.form.getlist(name))
    return given


@bp.post("/requests.<fmt>")
def post_request(fmt: str) -> tuple[Response, int] | Response:
    _check_format(fmt)
    grant = _grant(Scope.SUBMIT)
    _jurisdiction()
    hl = current()
    posted = parse_post(request.form.to_dict(), _attributes(), hl.settings.default_region)
    with hl.db.transaction() as session:
        created_request, created = submit(
            session,
            posted,
            grant=grant,
            zone=hl.settings.zone,
            hours=ServiceHours.from_settings(hl.settings),
            default_locale=hl.settings.default_locale,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        provider = session.get(RequestProvider, created_request.id)
        answer = [
            {
                "service_request_id": created_request.reference,
                "service_notice": notice(created_request, provider, _locale(), hl.settings.zone),
                "account_id": posted.account_id or None,
            }
        ]
    return _answer("service_requests", answer, 201 if created else 200)
