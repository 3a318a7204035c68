"""Tamper-evident request history: each event is chained to the one before it by a SHA-256 hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.chain import GENESIS, event_digest
from care.models import RequestEvent, ServiceRequest


@dataclass(frozen=True)
class Problem:
    """One place where the stored history no longer matches its chain."""

    request_id: int
    event_id: int | None
    what: str

    def __str__(self) -> str:
        where = f"request {self.request_id}" + (f", event {self.event_id}" if self.event_id is not None else "")
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class AuditReport:
    """What `verify` found: how much it checked, the problems, and a digest to keep elsewhere as an anchor."""

    requests: int
    events: int
    problems: tuple[Problem, ...]
    anchor: str

    @property
    def intact(self) -> bool:
        return not self.problems


def check_chain(request_id: int, head: str | None, events: Iterable[RequestEvent]) -> list[Problem]:
    """Problems in one request's chain: an edited entry, a removed or inserted one, or a cut-off end."""
    problems: list[Problem] = []
    prev = GENESIS
    for event in events:
        if event.prev_hash != prev:
            problems.append(Problem(request_id, event.id, "does not follow the entry before it (removed or inserted)"))
        if event.hash != event_digest(event.prev_hash or "", event):
            problems.append(Problem(request_id, event.id, "was changed after it was written"))
        prev = event.hash or ""
    if (head or GENESIS) != prev:
        problems.append(Problem(request_id, None, "the last entries of its history are missing or were replaced"))
    return problems


def verify(session: Session) -> AuditReport:
    """Recompute every request's chain and compare it with what is stored."""
    problems: list[Problem] = []
    anchor = hashlib.sha256()
    requests = events = 0
    heads = session.execute(select(ServiceRequest.id, ServiceRequest.history_head).order_by(ServiceRequest.id))
    for request_id, head in heads:
        chain = session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
        ).all()
        problems.extend(check_chain(request_id, head, chain))
        anchor.update(f"{request_id}:{head or GENESIS}\n".encode())
        requests += 1
        events += len(chain)
    return AuditReport(requests, events, tuple(problems), anchor.hexdigest())
