"""The Open311 service list: one service per kind of request, its team as group, keywords from the phrase catalogs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import intents
from care.routing import ROUTES
from i18n.messages import translate

CATALOGS = Path(intents.__file__).resolve().parent / "catalogs"
# Emergencies are not taken through an API: GeoReport is for non-emergency requests, and a fall or a fire must
# reach a person at once (the hotline's key 9, or the emergency number), not wait in a partner's retry queue.
# Daily check-ins that need staff ("wellbeing") are raised by the check-in programme about a senior who did not
# answer: not something an outside system asks for, and not for the public list either.
NOT_OFFERED = frozenset({"emergency", "wellbeing"})
# Enough words to tell the services apart in a client's search box, without copying the whole catalog.
KEYWORDS_PER_SERVICE = 8


class DataType(StrEnum):
    """GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"


@dataclass(frozen=True)
class Attribute:
    """One question a service asks (GeoReport v2 service definition attribute); texts are catalog keys."""

    code: str
    datatype: DataType
    required: bool
    order: int
    values: tuple[str, ...] = ()


# The questions staff ask first on the phone for these services; the others need nothing beyond the description.
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "transport": (
        Attribute("destination", DataType.STRING, True, 1),
        Attribute("pickup_time", DataType.DATETIME, False, 2),
        Attribute("mobility", DataType.SINGLE, False, 3, ("walks", "walker", "wheelchair")),
    ),
    "meals": (Attribute("diet", DataType.MULTI, False, 1, ("vegetarian", "diabetic", "soft", "halal", "kosher")),),
    "home_repair": (
        Attribute("problem", DataType.SINGLE, True, 1, ("heating", "water", "electrics", "doors_windows", "other")),
    ),
}


def service_codes() -> list[str]:
    return [code for code in ROUTES if code not in NOT_OFFERED]


@cache
def _catalog(locale: str) -> dict[str, Any]:
    with (CATALOGS / f"{locale}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def keywords(code: str, locale: str) -> list[str]:
    """The first strong keywords of the service in the locale's phrase catalog (what callers say for it)."""
    words = _catalog(locale).get("intents", {}).get(code, {}).get("strong", [])
    return [str(w) for w in words[:KEYWORDS_PER_SERVICE]]


def service_name(code: str, locale: str) -> str:
    return translate("common", f"service.{code}", locale)


def service(code: str, locale: str) -> dict[str, Any]:
    """One entry of services.xml/json, fields in the specification's order."""
    return {
        "service_code": code,
        "service_name": service_name(code, locale),
        "description": translate("common", f"open311.description.{code}", locale),
        "metadata": code in ATTRIBUTES,
        "type": "realtime",
        "keywords": ", ".join(keywords(code, locale)),
        "group": ROUTES[code].team,
    }


def definition(code: str, locale: str) -> dict[str, Any]:
    """services/{code}.xml/json: the service's attributes."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype.value,
                "required": attribute.required,
                "datatype_description": "",
                "order": attribute.order,
                "description": translate("common", f"open311.attribute.{attribute.code}", locale),
                "values": [
                    {"key": value, "name": translate("common", f"open311.value.{attribute.code}.{value}", locale)}
                    for value in attribute.values
                ],
            }
            for attribute in ATTRIBUTES.get(code, ())
        ],
    }


class BadAttribute(ValueError):
    """An attribute value a service does not take, or a required one missing."""


def check_attributes(code: str, given: dict[str, list[str]]) -> dict[str, Any]:
    """The attribute values of a POST, checked against the definition; unknown codes are refused."""
    known = {attribute.code: attribute for attribute in ATTRIBUTES.get(code, ())}
    for name in given:
        if name not in known:
            raise BadAttribute(f"attribute[{name}] is not an attribute of service {code}")
    checked: dict[str, Any] = {}
    for attribute in known.values():
        values = [v.strip() for v in given.get(attribute.code, []) if v.strip()]
        if not values:
            if attribute.required:
                raise BadAttribute(f"attribute[{attribute.code}] is required for service {code}")
            continue
        if attribute.values:
            wrong = [v for v in values if v not in attribute.values]
            if wrong:
                raise BadAttribute(f"attribute[{attribute.code}] takes {', '.join(attribute.values)}, not {wrong[0]}")
        if attribute.datatype is DataType.MULTI:
            checked[attribute.code] = values
        elif len(values) > 1:
            raise BadAttribute(f"attribute[{attribute.code}] takes one value")
        else:
            checked[attribute.code] = values[0][:500]
    return checked
