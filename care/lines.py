"""Whether a number can receive texts: what staff set on the profile, else the numbering plan's guess."""

from __future__ import annotations

from enum import StrEnum

import phonenumbers
from sqlalchemy.orm import Session

from care.models import PhoneLine, utcnow


class TextsBy(StrEnum):
    """Where the answer to "can this number receive texts?" comes from (shown to staff)."""

    STAFF = "staff"  # staff set it on the profile
    FIXED_LINE = "fixed_line"  # the numbering plan says fixed line: no texts
    GUESS = "guess"  # mobile, or a plan that cannot tell (US/CA "fixed line or mobile"): texts assumed


def plan_says_landline(e164: str) -> bool:
    """True only where the numbering plan says fixed line for certain (phonenumbers' FIXED_LINE)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


def receives_texts(session: Session, phone: str) -> tuple[bool, TextsBy]:
    """Whether texts reach this number, and why we think so."""
    row = session.get(PhoneLine, phone)
    if row is not None:
        return row.receives_texts, TextsBy.STAFF
    if plan_says_landline(phone):
        return False, TextsBy.FIXED_LINE
    return True, TextsBy.GUESS


def set_receives_texts(session: Session, phone: str, value: bool | None, *, actor: str) -> None:
    """Staff say whether the number can receive texts; None goes back to the numbering plan's guess."""
    row = session.get(PhoneLine, phone)
    if value is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(PhoneLine(phone=phone, receives_texts=value, set_by=actor, updated_at=utcnow()))
    else:
        row.receives_texts, row.set_by, row.updated_at = value, actor, utcnow()
