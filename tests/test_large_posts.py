"""A 10 MB post to a webhook gets a clear refusal and stores nothing; anything past the limit gets a plain 413."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from care.models import CallState, InboundMessage, ServiceRequest
from tests.twiml import signed_post
from web.context import Hearthline

TEN_MB = "x" * (10 * 1024 * 1024)


def _stored(hearthline: Hearthline) -> tuple[int, int, int]:
    with hearthline.db.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(InboundMessage)) or 0,
            session.scalar(select(func.count()).select_from(ServiceRequest)) or 0,
            session.scalar(select(func.count()).select_from(CallState)) or 0,
        )


def test_a_ten_megabyte_text_is_refused_and_nothing_is_stored(client: FlaskClient, hearthline: Hearthline) -> None:
    params = {"MessageSid": "SM" + "a" * 32, "From": "+15551230001", "To": "+15550100000", "Body": TEN_MB}
    unsigned = client.post("/sms/incoming", data=params)
    assert unsigned.status_code == 403
    signed = signed_post(client, hearthline, "/sms/incoming", params)
    assert signed.status_code == 400
    assert _stored(hearthline) == (0, 0, 0)


def test_a_ten_megabyte_call_webhook_is_refused_and_nothing_is_stored(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    params = {"CallSid": "CA" + "b" * 32, "From": "+15551230001", "To": "+15550100000", "Digits": TEN_MB}
    assert client.post("/voice/incoming", data=params).status_code == 403
    assert _stored(hearthline) == (0, 0, 0)


def test_past_the_limit_the_answer_is_a_plain_413(client: FlaskClient, hearthline: Hearthline) -> None:
    huge = {"Body": "x" * (13 * 1024 * 1024)}
    # With a signature header the form must be read to check it, and reading stops at the limit.
    response = client.post("/sms/incoming", data=huge, headers={"X-Twilio-Signature": "c2lnbmF0dXJl"})
    assert response.status_code == 413
    assert response.mimetype == "text/plain"
    assert "Nothing was stored" in response.get_data(as_text=True)
    assert _stored(hearthline) == (0, 0, 0)
