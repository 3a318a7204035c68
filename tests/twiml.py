"""Helpers to drive the app as Twilio does: signed form posts, and TwiML parsed into elements."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from web.context import Hearthline
from web.webhooks import sign


@dataclass(frozen=True)
class Verb:
    """One TwiML verb: its tag, attributes and text (nested verbs, e.g. <Gather><Say>, in children)."""

    tag: str
    attrs: dict[str, str]
    text: str
    children: tuple[Verb, ...]


def _verb(element: ET.Element) -> Verb:
    return Verb(
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        tuple(_verb(child) for child in element),
    )


def parse_twiml(response: TestResponse) -> list[Verb]:
    """The verbs of a TwiML answer; fails unless it is 200 XML with a <Response> root."""
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype in {"text/xml", "application/xml"}, response.mimetype
    root = ET.fromstring(response.get_data())
    assert root.tag == "Response", root.tag
    return [_verb(child) for child in root]


def flatten(verbs: list[Verb] | tuple[Verb, ...]) -> list[Verb]:
    """Every verb, nested ones included, in document order."""
    out: list[Verb] = []
    for verb in verbs:
        out.append(verb)
        out.extend(flatten(verb.children))
    return out


def signed_post(
    client: FlaskClient, hearthline: Hearthline, path: str, params: dict[str, str], *, signature: str | None = None
) -> TestResponse:
    """POST form params to `path` with the X-Twilio-Signature Twilio would compute (or the one given)."""
    header = signature if signature is not None else sign(hearthline.settings, path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": header})
