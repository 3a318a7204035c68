"""API keys for Open311 clients and partners: create (shown once), hash, scopes, revoke, check, log each use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import utcnow
from opendata.models import ApiKey, ApiKeyUse

# 32 random bytes (256 bits): far beyond guessing, so one fast SHA-256 is the right hash (a slow password hash
# protects low-entropy secrets; this one has none to protect, and every API call checks it). OWASP ASVS 4.0.3
# V2.9 / V6.2: keys from a CSPRNG with at least 128 bits of entropy.
KEY_BYTES = 32
KEY_PREFIX = "hl_"
PREFIX_SHOWN = 10


class Scope(StrEnum):
    """What a key may do or see beyond the public view (which any client has, with or without a key)."""

    SUBMIT = "submit"  # POST service requests
    NAMES = "names"  # see the requester's and senior's names
    PHONES = "phones"  # see phone numbers
    TRANSCRIPTS = "transcripts"  # see the free text (transcript, details, description)
    ADDRESSES = "addresses"  # see the exact address (else only the area or the team)


class ApiKeyError(ValueError):
    """A key cannot be created or changed as asked."""


@dataclass(frozen=True)
class NewKey:
    """A key just created: the secret is in `token` and nowhere else (it is shown once)."""

    id: int
    name: str
    token: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class Grant:
    """Who is calling and what they may see: no key is the public, with no scopes."""

    key_id: int | None = None
    name: str = "public"
    scopes: frozenset[Scope] = frozenset()

    def may(self, scope: Scope) -> bool:
        return scope in self.scopes


PUBLIC = Grant()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(raw: str | list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """Scopes from "submit names" / "submit,names" / a list; an unknown scope is an error that names the known ones."""
    words = raw.replace(",", " ").split() if isinstance(raw, str) else [w for item in raw for w in item.split(",")]
    scopes = set()
    for word in (w.strip().lower() for w in words):
        if not word:
            continue
        try:
            scopes.add(Scope(word))
        except ValueError:
            raise ApiKeyError(f"unknown scope {word!r}; scopes are {', '.join(s.value for s in Scope)}") from None
    return frozenset(scopes)


def _scopes_text(scopes: frozenset[Scope]) -> str:
    return " ".join(sorted(s.value for s in scopes))


def create_key(session: Session, *, name: str, scopes: frozenset[Scope], created_by: str) -> NewKey:
    """Make a key; the token is returned once and only its hash is stored."""
    label = " ".join(name.split())
    if not label or len(label) > 80:
        raise ApiKeyError("a key needs a name of 1-80 characters (who it is for)")
    if session.scalar(select(ApiKey.id).where(ApiKey.name == label)) is not None:
        raise ApiKeyError(f"a key named {label!r} exists already")
    token = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    row = ApiKey(
        name=label,
        prefix=token[:PREFIX_SHOWN],
        key_hash=digest(token),
        scopes=_scopes_text(scopes),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return NewKey(row.id, label, token, scopes)


def scopes_of(row: ApiKey) -> frozenset[Scope]:
    return frozenset(Scope(word) for word in row.scopes.split() if word in Scope.__members__.values())


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke(session: Session, name_or_prefix: str) -> ApiKey:
    """Revoke a key by its name or shown prefix; a revoked key is refused from the next call on."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name_or_prefix.strip()))
    if row is None:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == name_or_prefix.strip()))
    if row is None:
        raise ApiKeyError(f"no key named {name_or_prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def check(session: Session, token: str) -> Grant | None:
    """The grant of a live key, or None for an unknown or revoked one."""
    if not token:
        return None
    wanted = digest(token.strip())
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == wanted))
    # compare_digest on the hash found: no early exit that a timing could reveal.
    if row is None or not hmac.compare_digest(row.key_hash, wanted) or row.revoked_at is not None:
        return None
    return Grant(key_id=row.id, name=row.name, scopes=scopes_of(row))


def log_use(session: Session, *, key_id: int | None, method: str, path: str, remote_addr: str, status: int) -> None:
    """Record one use of a key (or one attempt with a bad key, key_id None)."""
    session.add(ApiKeyUse(key_id=key_id, method=method, path=path[:200], remote_addr=remote_addr[:64], status=status))
    if key_id is not None:
        row = session.get(ApiKey, key_id)
        if row is not None:
            row.last_used_at = utcnow()


def uses(session: Session, key_id: int, limit: int = 50) -> list[ApiKeyUse]:
    return list(
        session.scalars(select(ApiKeyUse).where(ApiKeyUse.key_id == key_id).order_by(ApiKeyUse.id.desc()).limit(limit))
    )
