"""GeoReport v2 documents in XML (the standard's mandatory format) and JSON, from plain dicts and lists (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

# GeoReport v2 names the element of each item of a list after the list (services > service, ...).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Written out (ElementTree would write encoding='utf-8' in single quotes); the specification shows this form.
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """A UTF-8 document with the XML declaration, as the specification requires of every response."""
    element = ElementTree.Element(root)
    _fill(element, value)
    body = ElementTree.tostring(element, encoding="unicode")
    return (XML_DECLARATION + body).encode("utf-8")


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def errors(code: int, description: str) -> list[dict[str, Any]]:
    """The standard's error list: each error has its HTTP code and a description."""
    return [{"code": code, "description": description}]
