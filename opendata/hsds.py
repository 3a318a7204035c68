"""Import a directory of local providers in Open Referral HSDS 3.0 (its CSV datapackage or JSON), all or nothing."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from care.routing import ROUTES
from opendata.models import (
    HsdsLanguage,
    HsdsLocation,
    HsdsOrganization,
    HsdsSchedule,
    HsdsService,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    HsdsServiceIntent,
)

# HSDS 3.0 schema (openreferral/specification, datapackage.json): required fields and closed lists we check.
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
FREQUENCIES = ("", "WEEKLY", "MONTHLY")
DAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
# The tables Hearthline reads, by HSDS resource name (CSV file names come from the package's datapackage.json).
TABLES = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "service_area",
    "language",
    "schedule",
    "taxonomy_term",
    "attribute",
)


@dataclass(frozen=True)
class Problem:
    """One bad value: where (file and line, or JSON path), which field, and what is wrong."""

    where: str
    field: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.what}"


class ImportFailed(ValueError):
    """The package has bad rows; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing imported:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class Row:
    table: str
    where: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Summary:
    """What an import wrote."""

    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.counts.items())


# --- reading -------------------------------------------------------------------------------------------------
def _csv_rows(folder: Path) -> Iterator[Row]:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: r["path"] for r in package.get("resources", []) if isinstance(r, dict) and "path" in r}
    for table in TABLES:
        path = folder / paths.get(table, f"{table}s.csv")
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            _ = reader.fieldnames  # reads the header, so line_num counts from it
            start = reader.line_num + 1
            for values in reader:
                yield Row(table, f"{path.name} line {start}", {k: (v or "").strip() for k, v in values.items() if k})
                start = reader.line_num + 1


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_service(service: dict[str, Any], at: str, org_id: str | None) -> Iterator[Row]:
    if org_id is not None and not service.get("organization_id"):
        service = {**service, "organization_id": org_id}
    organization = service.get("organization")
    if isinstance(organization, dict):
        yield Row("organization", f"{at}/organization", organization)
        service = {**service, "organization_id": service.get("organization_id") or organization.get("id")}
    yield Row("service", at, service)
    sid = service.get("id")
    for kind, table in (("service_areas", "service_area"), ("languages", "language"), ("schedules", "schedule")):
        for n, item in enumerate(_as_list(service.get(kind))):
            yield Row(table, f"{at}/{kind}/{n}", {"service_id": sid, **item})
    for n, attribute in enumerate(_as_list(service.get("attributes"))):
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if isinstance(term, dict):
            yield Row("taxonomy_term", f"{at}/attributes/{n}/taxonomy_term", term)
        values = {"link_id": sid, "link_entity": "service", **attribute}
        if isinstance(term, dict):
            values["taxonomy_term_id"] = term.get("id")
        yield Row("attribute", f"{at}/attributes/{n}", values)
    for n, sal in enumerate(_as_list(service.get("service_at_locations"))):
        location = sal.get("location") if isinstance(sal, dict) else None
        if isinstance(location, dict):
            yield Row("location", f"{at}/service_at_locations/{n}/location", location)
        yield Row(
            "service_at_location",
            f"{at}/service_at_locations/{n}",
            {"id": sal.get("id"), "service_id": sid, "location_id": (location or {}).get("id")},
        )


def _json_rows(document: Any) -> Iterator[Row]:
    """An organization or service (HSDS "full" objects), a list of them, or a paged list ({"contents": [...]})."""
    items = document.get("contents") if isinstance(document, dict) and "contents" in document else document
    base = "/contents" if items is not document else ""
    for n, item in enumerate(items if isinstance(items, list) else [items]):
        at = f"{base}/{n}" if isinstance(items, list) else (base or "/")
        if not isinstance(item, dict):
            yield Row("service", at, {})
            continue
        # A service names its organization (or has a status, which HSDS requires of services only).
        is_service = "services" not in item and any(k in item for k in ("organization_id", "organization", "status"))
        if not is_service:
            yield Row("organization", at, item)
            for m, location in enumerate(_as_list(item.get("locations"))):
                yield Row("location", f"{at}/locations/{m}", {"organization_id": item.get("id"), **location})
            for m, service in enumerate(_as_list(item.get("services"))):
                yield from _json_service(service, f"{at}/services/{m}", item.get("id"))
        else:
            yield from _json_service(item, at, None)


def read(path: Path) -> list[Row]:
    """Every row of a package: a folder or datapackage.json (CSV), or a .json file of HSDS objects."""
    if path.is_dir() or path.name == "datapackage.json":
        return list(_csv_rows(path if path.is_dir() else path.parent))
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportFailed([Problem(f"{path.name} line {exc.lineno}", "(file)", f"not JSON: {exc.msg}")]) from None
    return list(_json_rows(document))


# --- checking -------------------------------------------------------------------------------------------------
def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def _number(values: dict[str, Any], name: str, row: Row, problems: list[Problem]) -> float | None:
    raw = _text(values, name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(Problem(row.where, name, f"{raw!r} is not a number"))
        return None


def _intent_of(term: dict[str, Any]) -> str | None:
    """A taxonomy term names a Hearthline service by its code ("meals") or its name."""
    for candidate in (_text(term, "code"), _text(term, "name")):
        word = candidate.lower().replace(" ", "_").replace("-", "_")
        if word in ROUTES:
            return word
    return None


@dataclass
class _Checked:
    objects: list[Any] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def check(rows: list[Row]) -> _Checked:
    """Turn rows into table objects, or raise ImportFailed listing every problem (nothing is written)."""
    problems: list[Problem] = []
    seen: dict[str, dict[str, Row]] = {table: {} for table in TABLES}
    for row in rows:
        ident = _text(row.values, "id")
        if not ident:
            problems.append(Problem(row.where, "id", "is required"))
            continue
        earlier = seen[row.table].get(ident)
        if earlier is not None and earlier.values != row.values and row.table not in ("organization", "taxonomy_term"):
            problems.append(Problem(row.where, "id", f"{ident} is used twice (also {earlier.where})"))
            continue
        if earlier is None and len(ident) > 64:
            problems.append(Problem(row.where, "id", "is longer than 64 characters"))
            continue
        seen[row.table].setdefault(ident, row)

    def need(row: Row, name: str) -> str:
        value = _text(row.values, name)
        if not value:
            problems.append(Problem(row.where, name, "is required"))
        return value

    def refers(row: Row, name: str, table: str, required: bool = True) -> str | None:
        value = _text(row.values, name)
        if not value:
            if required:
                problems.append(Problem(row.where, name, "is required"))
            return None
        if value not in seen[table]:
            problems.append(Problem(row.where, name, f"{value} is not the id of any {table} in the package"))
        return value

    out = _Checked()
    for ident, row in seen["organization"].items():
        name, _ = need(row, "name"), need(row, "description")
        out.objects.append(
            HsdsOrganization(
                id=ident,
                name=name[:250],
                description=_text(row.values, "description"),
                email=_text(row.values, "email")[:200],
                website=_text(row.values, "website")[:500],
            )
        )
    for ident, row in seen["service"].items():
        org = refers(row, "organization_id", "organization")
        name = need(row, "name")
        status = need(row, "status")
        if status and status not in SERVICE_STATUSES:
            problems.append(Problem(row.where, "status", f"{status!r} is not one of {', '.join(SERVICE_STATUSES)}"))
        out.objects.append(
            HsdsService(
                id=ident,
                organization_id=org or "",
                name=name[:250],
                description=_text(row.values, "description"),
                status=status,
                email=_text(row.values, "email")[:200],
                url=_text(row.values, "url")[:500],
            )
        )
    for ident, row in seen["location"].items():
        kind = need(row, "location_type")
        if kind and kind not in LOCATION_TYPES:
            problems.append(Problem(row.where, "location_type", f"{kind!r} is not one of {', '.join(LOCATION_TYPES)}"))
        out.objects.append(
            HsdsLocation(
                id=ident,
                organization_id=refers(row, "organization_id", "organization", required=False),
                location_type=kind,
                name=_text(row.values, "name")[:250],
                latitude=_number(row.values, "latitude", row, problems),
                longitude=_number(row.values, "longitude", row, problems),
            )
        )
    for ident, row in seen["service_at_location"].items():
        service = refers(row, "service_id", "service")
        location = refers(row, "location_id", "location")
        out.objects.append(HsdsServiceAtLocation(id=ident, service_id=service or "", location_id=location or ""))
    for ident, row in seen["service_area"].items():
        service = refers(row, "service_id", "service")
        out.objects.append(
            HsdsServiceArea(
                id=ident,
                service_id=service or "",
                name=_text(row.values, "name")[:250],
                description=_text(row.values, "description"),
            )
        )
    for ident, row in seen["language"].items():
        code = _text(row.values, "code")
        if code and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
            problems.append(Problem(row.where, "code", f"{code!r} is not a language code (ISO 639, e.g. ko)"))
        out.objects.append(
            HsdsLanguage(
                id=ident,
                service_id=refers(row, "service_id", "service", required=False),
                location_id=refers(row, "location_id", "location", required=False),
                name=_text(row.values, "name")[:120],
                code=code[:20],
            )
        )
    for ident, row in seen["schedule"].items():
        freq = _text(row.values, "freq").upper()
        if freq not in FREQUENCIES:
            problems.append(Problem(row.where, "freq", f"{freq!r} is not WEEKLY or MONTHLY"))
        byday = _text(row.values, "byday").upper()
        bad_days = [d for d in byday.replace(" ", "").split(",") if d and d.lstrip("+-0123456789") not in DAYS]
        if bad_days:
            problems.append(Problem(row.where, "byday", f"{bad_days[0]!r} is not a day (MO, TU, ... SU)"))
        times = {}
        for name in ("opens_at", "closes_at"):
            value = _text(row.values, name)
            if value and not _TIME.fullmatch(value):
                problems.append(Problem(row.where, name, f"{value!r} is not a time (HH:MM or HH:MM:SS)"))
            times[name] = value[:8]
        out.objects.append(
            HsdsSchedule(
                id=ident,
                service_id=refers(row, "service_id", "service", required=False),
                location_id=refers(row, "location_id", "location", required=False),
                freq=freq,
                byday=byday[:40],
                opens_at=times["opens_at"],
                closes_at=times["closes_at"],
                description=_text(row.values, "description"),
            )
        )
    intents: set[tuple[str, str]] = set()
    for _ident, row in seen["attribute"].items():
        if _text(row.values, "link_entity") not in ("service", ""):
            continue
        term_id = _text(row.values, "taxonomy_term_id")
        term = seen["taxonomy_term"].get(term_id)
        if term is None:
            problems.append(Problem(row.where, "taxonomy_term_id", f"{term_id or '(empty)'} is not a taxonomy term"))
            continue
        service = refers(row, "link_id", "service")
        intent = _intent_of(term.values)
        if service and intent:
            intents.add((service, intent))
    out.objects.extend(HsdsServiceIntent(service_id=s, intent=i) for s, i in sorted(intents))
    if problems:
        raise ImportFailed(problems)
    for obj in out.objects:
        out.counts[obj.__tablename__] = out.counts.get(obj.__tablename__, 0) + 1
    return out


# Children before parents when clearing, parents before children when writing.
_ORDER = (
    HsdsServiceIntent,
    HsdsSchedule,
    HsdsLanguage,
    HsdsServiceArea,
    HsdsServiceAtLocation,
    HsdsLocation,
    HsdsService,
    HsdsOrganization,
)


def import_directory(session: Session, path: Path) -> Summary:
    """Replace the directory with the package at `path` in the caller's transaction; ImportFailed writes nothing."""
    checked = check(read(path))
    for model in _ORDER:
        session.execute(delete(model))
    session.flush()
    for model in reversed(_ORDER):
        session.add_all([obj for obj in checked.objects if isinstance(obj, model)])
        session.flush()
    return Summary(checked.counts)
