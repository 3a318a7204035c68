"""Outbound SMS through the real `twilio` REST client (pointed at a local stand-in in tests)."""

from __future__ import annotations

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from care.ports import SendFailed
from care.settings import Settings

# Twilio answers within a second or two when healthy; a worker must not hang on a dead connection.
SEND_TIMEOUT_SECONDS = 10


def twilio_client(settings: Settings) -> Client:
    """A REST client for our account, talking to settings.twilio_api_base."""
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS),
    )
    client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client


class TwilioSender:
    """Send one SMS from the hotline number."""

    def __init__(self, settings: Settings) -> None:
        self._client = twilio_client(settings)
        self._from = settings.hotline_number

    def send(self, to: str, body: str) -> str:
        try:
            message = self._client.messages.create(to=to, from_=self._from, body=body)
        except TwilioRestException as exc:
            # 4xx means this message will never go (bad number, blocked by STOP: code 21610); 5xx and 429 pass.
            transient = exc.status >= 500 or exc.status == 429
            raise SendFailed(f"Twilio {exc.status} ({exc.code}): {exc.msg}", transient=transient) from exc
        except (TwilioException, OSError) as exc:
            raise SendFailed(f"Twilio unreachable: {exc}", transient=True) from exc
        return str(message.sid)
