"""Request exports for reporting (CSV and JSON, a date range, a team); personal fields only for admins."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from care.models import ServiceRequest, StaffRole
from opendata.models import RequestProvider
from opendata.open311 import iso, open311_status

# Everyone who may export sees these: enough to count, chart and follow up by reference.
_E164 = re.compile(r"\+[1-9]\d{6,14}")
PLAIN_FIELDS = (
    "reference",
    "service_code",
    "status",
    "open311_status",
    "team",
    "channel",
    "locale",
    "urgent",
    "area",
    "provider",
    "requested",
    "updated",
    "due",
    "closed",
    "rating",
)
# Only roles that may see people's details (admins): names, numbers, addresses, what they said.
PERSONAL_FIELDS = ("senior_name", "requester_phone", "requester_kind", "address", "transcript", "details")
# One export at a time stays a file a spreadsheet opens (Excel's limit is 1,048,576 rows).
MAX_ROWS = 200_000


def may_see_personal(role: str) -> bool:
    """Who may export personal fields: admins (who already manage people's records); staff get the plain fields."""
    return role == StaffRole.ADMIN


@dataclass(frozen=True)
class ExportQuery:
    start: date
    end: date  # inclusive: the whole last day, on the centre's clock
    team: str = ""


def _bounds(query: ExportQuery, zone: tzinfo) -> tuple[datetime, datetime]:
    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return utc(query.start), utc(query.end + timedelta(days=1))


def rows(session: Session, query: ExportQuery, *, zone: tzinfo, personal: bool) -> Iterator[dict[str, Any]]:
    """The requests created in the range (and team), oldest first, as flat records."""
    start, end = _bounds(query, zone)
    statement = (
        select(ServiceRequest, RequestProvider.organization_name)
        .outerjoin(RequestProvider, RequestProvider.request_id == ServiceRequest.id)
        .where(ServiceRequest.created_at >= start, ServiceRequest.created_at < end)
        .options(selectinload(ServiceRequest.senior))
        .order_by(ServiceRequest.created_at, ServiceRequest.id)
        .limit(MAX_ROWS)
    )
    if query.team:
        statement = statement.where(ServiceRequest.team == query.team)
    for request, provider in session.execute(statement):
        record: dict[str, Any] = {
            "reference": request.reference,
            "service_code": request.intent,
            "status": request.status,
            "open311_status": open311_status(request.status),
            "team": request.team,
            "channel": request.channel,
            "locale": request.locale,
            "urgent": request.urgent,
            "area": request.senior.area if request.senior is not None else "",
            "provider": provider or "",
            "requested": iso(request.created_at, zone),
            "updated": iso(request.updated_at, zone),
            "due": iso(request.due_at, zone),
            "closed": iso(request.closed_at, zone),
            "rating": request.rating,
        }
        if personal:
            record.update(
                senior_name=request.senior.name if request.senior is not None else "",
                requester_phone=request.requester_phone,
                requester_kind=request.requester_kind,
                address=request.senior.address if request.senior is not None else "",
                transcript=request.transcript,
                details=request.details,
            )
        yield record


def fields(personal: bool) -> tuple[str, ...]:
    return PLAIN_FIELDS + (PERSONAL_FIELDS if personal else ())


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection, OWASP): quote it as text. A
    # phone number in E.164 (+ and digits only) is no formula and stays as it is.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _E164.fullmatch(value):
        return "'" + value
    return "" if value is None else value


def to_csv(records: Iterator[dict[str, Any]], personal: bool) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields(personal), lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({name: _cell(value) for name, value in record.items()})
    return out.getvalue()


def to_json(records: Iterator[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=1)
