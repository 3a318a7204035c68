"""Finding people by phone: seniors, family members and their consented links, staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.models import FamilyLink, FamilyMember, Senior, StaffMember


@dataclass(frozen=True)
class Caller:
    """Who a phone number belongs to, as far as the records say."""

    phone: str
    senior: Senior | None = None
    family: FamilyMember | None = None
    staff: StaffMember | None = None

    @property
    def locale(self) -> str | None:
        if self.senior is not None:
            return self.senior.locale
        if self.family is not None:
            return self.family.locale
        return None


def identify(session: Session, phone: str) -> Caller:
    """Look a number up among seniors, family members and staff."""
    return Caller(
        phone=phone,
        senior=session.scalar(select(Senior).where(Senior.phone == phone)),
        family=session.scalar(select(FamilyMember).where(FamilyMember.phone == phone)),
        staff=session.scalar(select(StaffMember).where(StaffMember.phone == phone, StaffMember.active)),
    )


def linked_seniors(session: Session, family: FamilyMember) -> list[Senior]:
    """The seniors this family member may act for (active links with consent recorded)."""
    rows = session.scalars(
        select(Senior)
        .join(FamilyLink, FamilyLink.senior_id == Senior.id)
        .where(FamilyLink.family_member_id == family.id, FamilyLink.active)
        .order_by(Senior.name)
    )
    return list(rows)


def family_of(session: Session, senior_id: int) -> list[FamilyMember]:
    """Family members linked (actively, with consent) to a senior."""
    rows = session.scalars(
        select(FamilyMember)
        .join(FamilyLink, FamilyLink.family_member_id == FamilyMember.id)
        .where(FamilyLink.senior_id == senior_id, FamilyLink.active)
        .order_by(FamilyMember.name)
    )
    return list(rows)


def staff_for_team(session: Session, team: str) -> list[StaffMember]:
    """Active staff with a phone on a team; admins stand in when a team has nobody."""
    members = list(
        session.scalars(
            select(StaffMember).where(StaffMember.team == team, StaffMember.active, StaffMember.phone.is_not(None))
        )
    )
    if members:
        return members
    return list(
        session.scalars(
            select(StaffMember).where(StaffMember.role == "admin", StaffMember.active, StaffMember.phone.is_not(None))
        )
    )
