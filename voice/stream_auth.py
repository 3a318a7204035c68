"""The signed token that ties a Media Stream to its call, and the WebSocket address Twilio connects to."""

from __future__ import annotations

import hashlib
import hmac
import time

from care.settings import Settings
from web.webhooks import ws_url

STREAM_PATH = "/voice/stream"
# Twilio opens the stream as soon as it reads the <Connect> TwiML (well within a second); a token older than
# this was not issued for the call now starting, so it is refused.
TOKEN_SECONDS = 120


def stream_url(settings: Settings) -> str:
    """The wss:// (ws:// in development) address of the stream endpoint at our public base URL."""
    return ws_url(settings.public_base_url.rstrip("/") + STREAM_PATH)


def _mac(secret_key: str, call_sid: str, issued: int) -> str:
    message = f"media-stream:{call_sid}:{issued}".encode()
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def stream_token(settings: Settings, call_sid: str, now: float | None = None) -> str:
    """A token for the <Stream>'s custom parameters: Twilio hands it back in the stream's `start` message."""
    issued = int(time.time() if now is None else now)
    return f"{issued}.{_mac(settings.secret_key, call_sid, issued)}"


def token_is_valid(settings: Settings, call_sid: str, token: str, now: float | None = None) -> bool:
    """Whether `token` was issued by us for this call within TOKEN_SECONDS."""
    issued_text, _, mac = token.partition(".")
    if not issued_text.isdigit() or not mac:
        return False
    issued = int(issued_text)
    age = (time.time() if now is None else now) - issued
    if not -5 <= age <= TOKEN_SECONDS:
        return False
    return hmac.compare_digest(_mac(settings.secret_key, call_sid, issued), mac)
