"""Naming the directory's provider for a new request: the HSDS service for its kind, area and language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from care.lines import receives_texts
from care.models import RequestEvent, ServiceRequest
from care.outbox import Message, enqueue
from care.people import family_of
from i18n.messages import translate
from opendata.models import (
    HsdsLanguage,
    HsdsOrganization,
    HsdsService,
    HsdsServiceArea,
    HsdsServiceIntent,
    RequestProvider,
)

ACTIVE = "active"  # HSDS service.status; inactive, defunct and temporarily closed services are never named


@dataclass(frozen=True)
class Match:
    """A provider and why it was chosen."""

    service_id: str
    service_name: str
    organization_name: str
    reason: str


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def find_provider(session: Session, *, intent: str, area: str, locale: str) -> Match | None:
    """The best active service for the intent: it must serve the area (or list no area: it serves everywhere) and
    speak the language (or list none); one that names both the area and the language beats one that is silent."""
    candidates = session.execute(
        select(HsdsService, HsdsOrganization.name)
        .join(HsdsServiceIntent, HsdsServiceIntent.service_id == HsdsService.id)
        .join(HsdsOrganization, HsdsOrganization.id == HsdsService.organization_id)
        .where(HsdsServiceIntent.intent == intent, HsdsService.status == ACTIVE)
        .order_by(HsdsService.name, HsdsService.id)
    ).all()
    best: tuple[int, Match] | None = None
    wanted_area = _norm(area)
    for service, organization in candidates:
        areas = [
            _norm(a)
            for a in session.scalars(select(HsdsServiceArea.name).where(HsdsServiceArea.service_id == service.id))
        ]
        codes = [
            c.lower().split("-")[0]
            for c in session.scalars(select(HsdsLanguage.code).where(HsdsLanguage.service_id == service.id))
        ]
        if areas and (not wanted_area or wanted_area not in areas):
            continue
        if codes and locale not in codes:
            continue
        score = (2 if areas else 0) + (1 if codes else 0)
        reasons = []
        if areas:
            reasons.append(f"area {area}")
        if codes:
            reasons.append(f"language {locale}")
        match = Match(service.id, service.name, organization, ", ".join(reasons) or "serves everywhere")
        if best is None or score > best[0]:
            best = (score, match)
    return best[1] if best else None


def _recipients(session: Session, request: ServiceRequest) -> list[tuple[str, str]]:
    people: list[tuple[str, str]] = []
    if request.requester_phone and receives_texts(session, request.requester_phone)[0]:
        people.append((request.requester_phone, request.locale))
    if request.senior_id is not None:
        people.extend(
            (member.phone, member.locale)
            for member in family_of(session, request.senior_id)
            if member.phone != request.requester_phone
        )
    return people


def name_provider(session: Session, request: ServiceRequest) -> RequestProvider | None:
    """Record the provider on the request (history entry included) and tell the requester and family who will come."""
    senior = request.senior
    match = find_provider(
        session,
        intent=request.intent,
        area=senior.area if senior is not None else "",
        locale=senior.locale if senior is not None else request.locale,
    )
    if match is None:
        return None
    row = RequestProvider(
        request_id=request.id,
        hsds_service_id=match.service_id,
        service_name=match.service_name,
        organization_name=match.organization_name,
        matched_on=match.reason,
    )
    session.add(row)
    session.add(
        RequestEvent(
            request_id=request.id,
            actor="system",
            kind="provider",
            note=f"{match.organization_name}: {match.service_name} ({match.reason})",
        )
    )
    for phone, locale in _recipients(session, request):
        body = translate(
            "notify",
            "notify.provider",
            locale,
            reference=request.reference,
            service=translate("common", f"service.{request.intent}", locale),
            provider=match.organization_name,
        )
        enqueue(session, Message(f"request:{request.id}:provider", phone, body, kind="provider", request_id=request.id))
    return row


def _on_new_requests(session: Session, _context: Any, _instances: Any) -> None:
    """Before the flush that writes a request's "created" entry, name its provider (same transaction).

    Registered ahead of care's history listener (insert=True), so the provider entry is chained like any other.
    """
    created = [obj for obj in session.new if isinstance(obj, RequestEvent) and obj.kind == "created"]
    if not created:
        return
    with session.no_autoflush:
        if session.scalar(select(HsdsServiceIntent.service_id).limit(1)) is None:
            return  # no directory imported
        for entry in created:
            request = session.get(ServiceRequest, entry.request_id)
            if request is None or session.get(RequestProvider, request.id) is not None:
                continue
            name_provider(session, request)


def install() -> None:
    """Follow every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _on_new_requests):
        event.listen(Session, "before_flush", _on_new_requests, insert=True)
