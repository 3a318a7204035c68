"""CSRF tokens for the pages a browser posts from (the staff console, the phone simulator)."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from typing import Any

SESSION_KEY = "csrf"


def new_token() -> str:
    """An unguessable token (256 bits, as OWASP's CSRF cheat sheet asks for at least 128)."""
    return secrets.token_urlsafe(32)


def session_token(session: MutableMapping[str, Any]) -> str:
    """The token kept in the signed session cookie, made on first use (synchroniser-token pattern)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = new_token()
        session[SESSION_KEY] = token
    return token


def tokens_match(expected: object, sent: str) -> bool:
    """Whether a posted token is the one we issued; constant time, and never true without an issued token."""
    return isinstance(expected, str) and bool(expected) and secrets.compare_digest(expected, sent)
