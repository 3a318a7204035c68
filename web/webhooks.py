"""Twilio webhook authenticity: every webhook must carry a valid X-Twilio-Signature, else 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, request
from twilio.request_validator import RequestValidator

from care.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def public_url(settings: Settings) -> str:
    """The URL Twilio signed: the configured public base, the path, and the raw query string.

    Flask's request.url re-encodes non-ASCII query values and trusts the Host header, so neither is used.
    """
    query = request.environ.get("QUERY_STRING", "")
    url = settings.public_base_url.rstrip("/") + request.script_root + request.path
    return f"{url}?{query}" if query else url


def signature_is_valid(settings: Settings) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    # The MultiDict itself: the validator reads repeated keys with getlist(); a dict of lists breaks it.
    params = request.form if request.method == "POST" else {}
    url = public_url(settings)
    # During a rotation both tokens are valid (Twilio signs with whichever is primary at that moment).
    return any(RequestValidator(token).validate(url, params, signature) for token in settings.webhook_auth_tokens)


def stream_signature_is_valid(settings: Settings) -> bool:
    """A Media Stream's WebSocket upgrade: Twilio signs the wss:// URL it opened (a GET, so no parameters)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = ws_url(public_url(settings))
    return any(RequestValidator(token).validate(url, {}, signature) for token in settings.webhook_auth_tokens)


def ws_url(url: str) -> str:
    """An http(s) URL as the WebSocket URL at the same place (https -> wss, http -> ws)."""
    scheme, _, rest = url.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}"


def sign(settings: Settings, path_and_query: str, params: dict[str, str]) -> str:
    """The signature Twilio would send for a POST of `params` to our `path_and_query` (simulators use it)."""
    url = settings.public_base_url.rstrip("/") + path_and_query
    return cast(str, RequestValidator(settings.twilio_auth_token).compute_signature(url, params))


def twilio_signed(settings_of: Callable[[], Settings]) -> Callable[[F], F]:
    """Refuse (403) any request whose Twilio signature does not match our public URL and auth token."""

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not signature_is_valid(settings_of()):
                abort(403, description="Twilio signature missing or invalid")
            return view(*args, **kwargs)

        return cast(F, checked)

    return decorate
