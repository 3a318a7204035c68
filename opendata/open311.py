"""Service requests as GeoReport v2 sees them: the public view (scoped by key), the query filters, and POST."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from care.hours import ServiceHours
from care.lifecycle import OPEN_STATUSES
from care.models import Channel, RequesterKind, RequestStatus, Senior, ServiceRequest
from care.people import identify
from care.phones import BadPhoneNumber, to_e164
from care.requests import NewRequest, create_request
from i18n.clock import local, written_datetime
from i18n.messages import translate
from opendata.keys import Grant, Scope
from opendata.models import Open311Detail, RequestProvider
from opendata.services import NOT_OFFERED, BadAttribute, check_attributes, service_codes, service_name

# GeoReport v2, GET Service Requests: "Default query limit is a span of 90 days or first 1000 requests returned,
# whichever is smallest."
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
OPEN = "open"
CLOSED = "closed"
DESCRIPTION_MAX_CHARS = 4000


class Invalid(ValueError):
    """A parameter the specification defines was missing or wrong: an HTTP 400 in the standard's error format."""


def iso(moment: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 with the centre's UTC offset (the specification's w3 subset: seconds and an offset)."""
    return None if moment is None else local(moment, zone).isoformat(timespec="seconds")


def parse_iso(raw: str, zone: tzinfo, name: str) -> datetime:
    """A w3 date/time from a client, as naive UTC; one without an offset is read on the centre's clock."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise Invalid(f"{name} must be an ISO 8601 date/time such as 2026-12-04T09:30:00-05:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def open311_status(status: str) -> str:
    """open or closed: a request is closed only when the requester has confirmed (ours stays open until then)."""
    return CLOSED if status == RequestStatus.CLOSED else OPEN


def _statuses(choice: str) -> list[str]:
    return [RequestStatus.CLOSED.value] if choice == CLOSED else [s.value for s in RequestStatus if s in OPEN_STATUSES]


@dataclass(frozen=True)
class Listed:
    """What the Open311 view of one request reads: the request's columns, its senior's, its Open311 details' and
    its provider's, loaded as plain rows in one query (ORM objects cost most of a 1000-request answer)."""

    reference: str
    status: str
    intent: str
    transcript: str
    details: str
    team: str
    requester_phone: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    senior_name: str | None = None
    senior_address: str | None = None
    senior_area: str | None = None
    address_string: str | None = None
    lat: float | None = None
    long: float | None = None
    first_name: str | None = None
    last_name: str | None = None
    provider_name: str | None = None


LISTED_COLUMNS = (
    ServiceRequest.reference,
    ServiceRequest.status,
    ServiceRequest.intent,
    ServiceRequest.transcript,
    ServiceRequest.details,
    ServiceRequest.team,
    ServiceRequest.requester_phone,
    ServiceRequest.created_at,
    ServiceRequest.updated_at,
    ServiceRequest.due_at,
    Senior.name.label("senior_name"),
    Senior.address.label("senior_address"),
    Senior.area.label("senior_area"),
    Open311Detail.address_string,
    Open311Detail.lat,
    Open311Detail.long,
    Open311Detail.first_name,
    Open311Detail.last_name,
    RequestProvider.organization_name.label("provider_name"),
)


def _listed(where: list[ColumnElement[bool]]) -> Select[Any]:
    columns: tuple[Any, ...] = LISTED_COLUMNS
    return (
        select(*columns)
        .outerjoin(Senior, Senior.id == ServiceRequest.senior_id)
        .outerjoin(Open311Detail, Open311Detail.request_id == ServiceRequest.id)
        .outerjoin(RequestProvider, RequestProvider.request_id == ServiceRequest.id)
        .where(*where)
    )


def _pending(session: Session, model: type[Any], request_id: int) -> Any:
    """A row keyed by request id, from the session first: inside a flush it may not be written yet."""
    found = session.get(model, request_id)
    if found is None:
        found = next((o for o in session.new if isinstance(o, model) and o.request_id == request_id), None)
    return found


def listed(session: Session, request_id: int) -> Listed:
    """One request as the view reads it, from the session's objects (webhook payloads are built mid-flush, when
    the request's new status is in the session and not yet in the database)."""
    request = session.get(ServiceRequest, request_id)
    assert request is not None
    senior = request.senior
    detail: Open311Detail | None = _pending(session, Open311Detail, request_id)
    provider: RequestProvider | None = _pending(session, RequestProvider, request_id)
    return Listed(
        reference=request.reference,
        status=request.status,
        intent=request.intent,
        transcript=request.transcript,
        details=request.details,
        team=request.team,
        requester_phone=request.requester_phone,
        created_at=request.created_at,
        updated_at=request.updated_at,
        due_at=request.due_at,
        senior_name=senior.name if senior else None,
        senior_address=senior.address if senior else None,
        senior_area=senior.area if senior else None,
        address_string=detail.address_string if detail else None,
        lat=detail.lat if detail else None,
        long=detail.long if detail else None,
        first_name=detail.first_name if detail else None,
        last_name=detail.last_name if detail else None,
        provider_name=provider.organization_name if provider else None,
    )


def _address(item: Listed, grant: Grant) -> str:
    """The exact address for a key with the scope; otherwise the area on file, or the team (never the door)."""
    if grant.may(Scope.ADDRESSES):
        exact = item.senior_address or item.address_string
        if exact:
            return exact
    return item.senior_area or item.team


def view(item: Listed, *, grant: Grant, zone: tzinfo, locale: str) -> dict[str, Any]:
    """One <request>, fields in the specification's order, then the extensions a key's scopes open up."""
    located = grant.may(Scope.ADDRESSES)
    out: dict[str, Any] = {
        "service_request_id": item.reference,
        "status": open311_status(item.status),
        # Our richer state, where GeoReport implementers put it: new, assigned, in_progress, resolved, reopened...
        "status_notes": item.status,
        "service_name": service_name(item.intent, locale),
        "service_code": item.intent,
        "description": item.transcript if grant.may(Scope.TRANSCRIPTS) else None,
        "agency_responsible": item.provider_name or item.team,
        "service_notice": None,
        "requested_datetime": iso(item.created_at, zone),
        "updated_datetime": iso(item.updated_at, zone),
        "expected_datetime": iso(item.due_at, zone),
        "address": _address(item, grant),
        "address_id": None,
        "zipcode": None,
        "lat": item.lat if located else None,
        "long": item.long if located else None,
        "media_url": None,
    }
    if grant.may(Scope.NAMES):
        out["senior_name"] = item.senior_name
        out["requester_name"] = f"{item.first_name or ''} {item.last_name or ''}".strip() or None
    if grant.may(Scope.PHONES):
        out["requester_phone"] = item.requester_phone or None
    if grant.may(Scope.TRANSCRIPTS):
        out["details"] = item.details or None
    return out


@dataclass(frozen=True)
class Query:
    """GET requests filters, already checked."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    page: int = 1
    page_size: int = MAX_RESULTS


def parse_query(args: dict[str, str], zone: tzinfo, now: datetime) -> Query:
    """Read the standard's filters (and the common page/page_size extension); a bad one is Invalid."""
    ids = tuple(part.strip() for part in args.get("service_request_id", "").split(",") if part.strip())
    if ids:
        # "If this parameter is provided, the other parameters are ignored" (GET Service Requests).
        return Query(ids=ids[:MAX_RESULTS])
    codes = tuple(part.strip() for part in args.get("service_code", "").split(",") if part.strip())
    unknown = [code for code in codes if code not in service_codes()]
    if unknown:
        raise Invalid(f"service_code {unknown[0]!r} is not a service of this endpoint")
    start = parse_iso(args["start_date"], zone, "start_date") if args.get("start_date") else None
    end = parse_iso(args["end_date"], zone, "end_date") if args.get("end_date") else None
    if start is None and end is None:
        start = now - DEFAULT_SPAN
    elif start is None and end is not None:
        start = end - DEFAULT_SPAN
    if start is not None and end is not None and end < start:
        raise Invalid("end_date is before start_date")
    statuses = tuple(part.strip().lower() for part in args.get("status", "").split(",") if part.strip())
    if any(s not in (OPEN, CLOSED) for s in statuses):
        raise Invalid("status must be open or closed")
    try:
        page = int(args.get("page", "1"))
        page_size = int(args.get("page_size", str(MAX_RESULTS)))
    except ValueError:
        raise Invalid("page and page_size must be whole numbers") from None
    if page < 1 or not 1 <= page_size <= MAX_RESULTS:
        raise Invalid(f"page starts at 1 and page_size is 1 to {MAX_RESULTS}")
    return Query(codes=codes, start=start, end=end, statuses=statuses, page=page, page_size=page_size)


def _where(query: Query) -> list[ColumnElement[bool]]:
    if query.ids:
        return [ServiceRequest.reference.in_(query.ids)]
    clauses: list[ColumnElement[bool]] = []
    if query.codes:
        clauses.append(ServiceRequest.intent.in_(query.codes))
    else:
        # "not emergency" rather than "in (every other code)": the planner then walks the created_at index.
        clauses.append(ServiceRequest.intent.not_in(NOT_OFFERED))
    if query.start is not None:
        clauses.append(ServiceRequest.created_at >= query.start)
    if query.end is not None:
        clauses.append(ServiceRequest.created_at <= query.end)
    if len(set(query.statuses)) == 1:
        clauses.append(ServiceRequest.status.in_(_statuses(query.statuses[0])))
    return clauses


def find(session: Session, query: Query) -> list[Listed]:
    """The requests matching the filters, newest first."""
    statement = (
        _listed(_where(query))
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    return [Listed(**row._mapping) for row in session.execute(statement)]


@dataclass(frozen=True)
class Posted:
    """What a client POSTed, checked: everything create_request needs and the Open311 details kept beside it."""

    service_code: str
    description: str
    attributes: dict[str, Any]
    phone: str
    address_string: str = ""
    address_id: str = ""
    lat: float | None = None
    long: float | None = None
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    account_id: str = ""
    device_id: str = ""
    media_url: str = ""


def _float(raw: str, name: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number") from None
    if not low <= value <= high:
        raise Invalid(f"{name} must be between {low:g} and {high:g}")
    return value


def parse_post(form: dict[str, str], attributes: dict[str, list[str]], region: str) -> Posted:
    """Check a POST as the specification lays it out: service_code, a location, attributes; phone if given."""
    code = form.get("service_code", "").strip()
    if not code:
        raise Invalid("service_code was not provided")
    if code not in service_codes():
        raise Invalid(f"service_code {code!r} is not a service of this endpoint")
    lat_raw, long_raw = form.get("lat", "").strip(), form.get("long", "").strip()
    address_string = form.get("address_string", "").strip()
    address_id = form.get("address_id", "").strip()
    if bool(lat_raw) != bool(long_raw):
        raise Invalid("lat and long are given together")
    if not (lat_raw or address_string or address_id):
        # "A full location parameter must be submitted": lat & long, address_string or address_id.
        raise Invalid("a location is required: lat and long, address_string or address_id")
    lat = _float(lat_raw, "lat", -90, 90) if lat_raw else None
    lon = _float(long_raw, "long", -180, 180) if long_raw else None
    try:
        checked = check_attributes(code, attributes)
    except BadAttribute as exc:
        raise Invalid(str(exc)) from None
    phone = ""
    if form.get("phone", "").strip():
        try:
            phone = to_e164(form["phone"], region)
        except BadPhoneNumber:
            raise Invalid("phone is not a phone number") from None
    return Posted(
        service_code=code,
        description=form.get("description", "").strip()[:DESCRIPTION_MAX_CHARS],
        attributes=checked,
        phone=phone,
        address_string=address_string[:500],
        address_id=address_id[:120],
        lat=lat,
        long=lon,
        email=form.get("email", "").strip()[:200],
        first_name=form.get("first_name", "").strip()[:120],
        last_name=form.get("last_name", "").strip()[:120],
        account_id=form.get("account_id", "").strip()[:120],
        device_id=form.get("device_id", "").strip()[:120],
        media_url=form.get("media_url", "").strip()[:500],
    )


def _details_text(attributes: dict[str, Any]) -> str:
    parts = [f"{name}: {', '.join(v) if isinstance(v, list) else v}" for name, v in attributes.items()]
    return "\n".join(parts)


def submit(
    session: Session,
    posted: Posted,
    *,
    grant: Grant,
    zone: tzinfo,
    hours: ServiceHours,
    default_locale: str,
    idempotency_key: str = "",
) -> tuple[ServiceRequest, bool]:
    """Create the request through the one path every channel takes (queue, routing, history, notifications)."""
    caller = identify(session, posted.phone) if posted.phone else None
    senior_id, kind, locale = None, RequesterKind.UNKNOWN, default_locale
    if caller is not None and caller.senior is not None:
        senior_id, kind, locale = caller.senior.id, RequesterKind.SENIOR, caller.senior.locale
    elif caller is not None and caller.family is not None:
        kind, locale = RequesterKind.FAMILY, caller.family.locale
    key = idempotency_key.strip()[:60] or uuid.uuid4().hex
    request, created = create_request(
        session,
        NewRequest(
            intent=posted.service_code,
            channel=Channel.OPEN311,
            requester_phone=posted.phone,
            source_key=f"open311:{grant.key_id}:{key}",
            requester_kind=kind,
            senior_id=senior_id,
            locale=locale,
            transcript=posted.description,
            understood_by="open311",
            actor=f"open311:{grant.name}"[:80],
        ),
        zone=zone,
        hours=hours,
    )
    if created:
        request.details = _details_text(posted.attributes)
        session.add(
            Open311Detail(
                request_id=request.id,
                key_id=grant.key_id,
                address_string=posted.address_string,
                address_id=posted.address_id,
                lat=posted.lat,
                long=posted.long,
                email=posted.email,
                first_name=posted.first_name,
                last_name=posted.last_name,
                account_id=posted.account_id,
                device_id=posted.device_id,
                media_url=posted.media_url,
                attributes=posted.attributes,
            )
        )
        session.flush()
    return request, created


def notice(request: ServiceRequest, provider: RequestProvider | None, locale: str, zone: tzinfo) -> str:
    """The service_notice of a POST answer: who will come (when the directory names them) and by when."""
    due = written_datetime(request.due_at, locale, zone)
    if provider is not None:
        return translate("common", "open311.notice.provider", locale, provider=provider.organization_name, due=due)
    return translate("common", "open311.notice.team", locale, due=due)
