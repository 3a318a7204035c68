"""A plain, frozen copy of an attempt row: what scripts and outcome handlers receive."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from outreach.models import CallAttempt
from outreach.states import AnswerVia, AttemptStatus, Purpose


@dataclass(frozen=True)
class AttemptView:
    id: int
    key: str
    purpose: Purpose
    subject_id: int | None
    senior_id: int | None
    to_phone: str
    locale: str
    priority: int
    status: AttemptStatus
    answer: str | None
    answer_via: AnswerVia | None
    heard: str
    answered_by: str
    call_sid: str | None
    created_at: datetime
    finished_at: datetime | None
    context: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: CallAttempt) -> AttemptView:
        return cls(
            id=row.id,
            key=row.key,
            purpose=Purpose(row.purpose),
            subject_id=row.subject_id,
            senior_id=row.senior_id,
            to_phone=row.to_phone,
            locale=row.locale,
            priority=row.priority,
            status=AttemptStatus(row.status),
            answer=row.answer,
            answer_via=AnswerVia(row.answer_via) if row.answer_via else None,
            heard=row.heard,
            answered_by=row.answered_by,
            call_sid=row.call_sid,
            created_at=row.created_at,
            finished_at=row.finished_at,
            context=dict(row.context or {}),
        )
