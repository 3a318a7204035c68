"""Outbound SMS through the real `twilio` REST client (pointed at a local stand-in in tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from care.delivery import ProviderUnreachable
from care.ports import SendFailed
from care.settings import Settings

# How far back we look when asking whether a message already went (Twilio lists newest first).
LOOKUP_LIMIT = 200

# Twilio answers within a second or two when healthy; a worker must not hang on a dead connection.
SEND_TIMEOUT_SECONDS = 10


def twilio_client(settings: Settings, timeout_seconds: float = SEND_TIMEOUT_SECONDS) -> Client:
    """A REST client for our account, talking to settings.twilio_api_base."""
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=timeout_seconds),
    )
    client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client


def never_connected(exc: BaseException) -> bool:
    """True when the request cannot have reached Twilio: the TCP (or TLS) connection was never made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(exc, requests.exceptions.ReadTimeout):
        reason = str(exc)
        return "NewConnectionError" in reason or "Failed to establish a new connection" in reason
    return False


class TwilioSender:
    """Send one SMS from the hotline number."""

    def __init__(self, settings: Settings, timeout_seconds: float = SEND_TIMEOUT_SECONDS) -> None:
        self._client = twilio_client(settings, timeout_seconds)
        self._from = settings.hotline_number

    def send(self, to: str, body: str) -> str:
        try:
            message = self._client.messages.create(to=to, from_=self._from, body=body)
        except TwilioRestException as exc:
            # 4xx means this message will never go (bad number, blocked by STOP: code 21610); 5xx and 429 pass.
            transient = exc.status >= 500 or exc.status == 429
            raise SendFailed(f"Twilio {exc.status} ({exc.code}): {exc.msg}", transient=transient) from exc
        except (TwilioException, OSError) as exc:
            # Only a connection that never opened is known not to have sent anything. A timeout waiting for the
            # answer, or a connection lost after the request went out, may hide a 201: the outcome is unknown.
            raise SendFailed(
                f"Twilio unreachable: {exc}", transient=True, outcome_unknown=not never_connected(exc)
            ) from exc
        return str(message.sid)

    def count_sent(self, to: str, body: str, since: datetime) -> int:
        """How many messages from our number to `to` with exactly `body` Twilio accepted since `since` (UTC).

        Used before re-sending a message whose worker died mid-send (care.delivery explains why).
        """
        try:
            found = self._client.messages.list(to=to, from_=self._from, limit=LOOKUP_LIMIT)
        except (TwilioException, OSError) as exc:
            raise ProviderUnreachable(f"cannot list messages at Twilio: {exc}") from exc
        since_utc = since.replace(tzinfo=UTC) if since.tzinfo is None else since
        return sum(
            1
            for message in found
            if message.body == body and (message.date_created is None or message.date_created >= since_utc)
        )
