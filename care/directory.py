"""People on file: add seniors, family members and consented links, staff with passwords and PINs, and logins.

The staff console and the `flask people` commands both go through these functions, so a senior added on
the command line and one added in the browser are checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from care.models import FamilyLink, FamilyMember, Senior, StaffMember, StaffRole, utcnow
from care.phones import BadPhoneNumber, to_e164
from care.settings import LOCALES

# NIST SP 800-63B §5.1.1.2: memorised secrets of at least 8 characters, accept at least 64, no composition
# rules. We refuse the shortest and the absurdly long (hashing megabytes is a denial of service).
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# A PIN is typed on a phone keypad on the staff line; 4-8 digits, as bank and voicemail PINs are.
PIN_DIGITS = (4, 8)
# OWASP ASVS 4.0 V2.2.1 and NIST SP 800-63B §5.2.2 ask for throttling of failed attempts; we lock an account
# for 15 minutes after 5 failures in a row (well under the 100 failures 800-63B allows before a lock).
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-hearthline")


class DirectoryError(ValueError):
    """A person or link cannot be added or changed as asked; the message says why, in plain words."""


class LoginOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user, wrong password, or no password set: never say which
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    staff: StaffMember | None = None
    locked_until: datetime | None = None


def _phone(raw: str, region: str) -> str:
    try:
        return to_e164(raw, region)
    except BadPhoneNumber:
        raise DirectoryError(f"{raw.strip() or '(empty)'} is not a phone number") from None


def _name(raw: str, what: str = "name") -> str:
    name = " ".join(raw.split())
    if not name:
        raise DirectoryError(f"a {what} is required")
    if len(name) > 120:
        raise DirectoryError(f"the {what} is longer than 120 characters")
    return name


def _locale(raw: str) -> str:
    locale = raw.strip().lower()
    if locale not in LOCALES:
        raise DirectoryError(f"language must be one of {', '.join(LOCALES)}")
    return locale


def _phone_taken(session: Session, phone: str, model: type[Senior] | type[FamilyMember] | type[StaffMember]) -> bool:
    return session.scalar(select(func.count()).select_from(model).where(model.phone == phone)) != 0


def add_senior(
    session: Session,
    *,
    phone: str,
    name: str,
    locale: str = "en",
    address: str = "",
    area: str = "",
    notes: str = "",
    region: str = "US",
) -> Senior:
    """Put a senior on file (their phone is how the hotline recognises them)."""
    e164 = _phone(phone, region)
    if _phone_taken(session, e164, Senior):
        raise DirectoryError(f"a senior with the number {e164} is already on file")
    senior = Senior(
        phone=e164,
        name=_name(name),
        locale=_locale(locale),
        address=address.strip(),
        area=area.strip()[:60],
        notes=notes.strip(),
    )
    session.add(senior)
    session.flush()
    return senior


def add_family_member(
    session: Session, *, phone: str, name: str, locale: str = "en", region: str = "US"
) -> FamilyMember:
    """Put a family member on file (they can act for a senior only once linked with consent)."""
    e164 = _phone(phone, region)
    if _phone_taken(session, e164, FamilyMember):
        raise DirectoryError(f"a family member with the number {e164} is already on file")
    member = FamilyMember(phone=e164, name=_name(name), locale=_locale(locale))
    session.add(member)
    session.flush()
    return member


def link_family(
    session: Session,
    *,
    senior: Senior,
    family: FamilyMember,
    consent_given_by: str,
    relationship_label: str = "",
    now: datetime | None = None,
) -> FamilyLink:
    """Let a family member act for a senior; who gave consent is required (an ended link is renewed)."""
    consent = _name(consent_given_by, "name of who gave consent")
    link = session.scalar(
        select(FamilyLink).where(FamilyLink.senior_id == senior.id, FamilyLink.family_member_id == family.id)
    )
    if link is not None and link.active:
        raise DirectoryError(f"{family.name} is already linked to {senior.name}")
    if link is None:
        link = FamilyLink(senior_id=senior.id, family_member_id=family.id)
        session.add(link)
    link.consent_given_by = consent
    link.consent_at = now or utcnow()
    link.relationship_label = " ".join(relationship_label.split())[:60]
    link.active = True
    session.flush()
    return link


def end_link(link: FamilyLink) -> None:
    """Stop a family member acting for a senior (consent withdrawn); the row stays as a record."""
    link.active = False


def _password_hash(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DirectoryError(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DirectoryError(f"a password may have at most {PASSWORD_MAX_LENGTH} characters")
    return generate_password_hash(password)


def add_staff(
    session: Session,
    *,
    username: str,
    name: str,
    password: str = "",
    role: str = StaffRole.STAFF,
    team: str = "",
    phone: str = "",
    region: str = "US",
) -> StaffMember:
    """Add a staff member; without a password they cannot log in to the console (only use the staff line)."""
    login = username.strip().lower()
    if not login or not login.replace(".", "").replace("-", "").replace("_", "").isalnum() or len(login) > 60:
        raise DirectoryError("a username is 1-60 letters, digits, dots, dashes or underscores")
    if session.scalar(select(StaffMember.id).where(StaffMember.username == login)) is not None:
        raise DirectoryError(f"the username {login} is taken")
    try:
        staff_role = StaffRole(role)
    except ValueError:
        raise DirectoryError("role must be staff or admin") from None
    e164 = _phone(phone, region) if phone.strip() else None
    if e164 is not None and _phone_taken(session, e164, StaffMember):
        raise DirectoryError(f"another staff member has the number {e164}")
    member = StaffMember(
        username=login,
        name=_name(name),
        role=staff_role,
        team=team.strip()[:60],
        phone=e164,
        password_hash=_password_hash(password) if password else "",
    )
    session.add(member)
    session.flush()
    return member


def set_password(staff: StaffMember, password: str) -> None:
    """Set a new console password (and clear any lockout: an admin has vouched for the person)."""
    staff.password_hash = _password_hash(password)
    staff.failed_logins = 0
    staff.locked_until = None


def set_pin(staff: StaffMember, pin: str) -> None:
    """Set the keypad PIN the staff member uses on the staff phone line."""
    digits = pin.strip()
    low, high = PIN_DIGITS
    if not digits.isdigit() or not low <= len(digits) <= high:
        raise DirectoryError(f"a PIN is {low} to {high} digits")
    if len(set(digits)) == 1:
        raise DirectoryError("a PIN of one repeated digit is too easy to guess")
    staff.pin_hash = generate_password_hash(digits)


def set_staff_phone(session: Session, staff: StaffMember, phone: str, *, region: str = "US") -> None:
    """Set (or, with an empty value, clear) the number a staff member calls the staff line from."""
    if not phone.strip():
        staff.phone = None
        return
    e164 = _phone(phone, region)
    other = session.scalar(select(StaffMember.id).where(StaffMember.phone == e164, StaffMember.id != staff.id))
    if other is not None:
        raise DirectoryError(f"another staff member has the number {e164}")
    staff.phone = e164


def verify_pin(staff: StaffMember, pin: str) -> bool:
    return bool(staff.pin_hash) and check_password_hash(staff.pin_hash, pin.strip())


def unlock(staff: StaffMember) -> None:
    staff.failed_logins = 0
    staff.locked_until = None


def check_login(session: Session, username: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a console login, counting failures and locking the account after MAX_FAILED_LOGINS in a row."""
    now = now or utcnow()
    staff = session.scalar(
        select(StaffMember).where(StaffMember.username == username.strip().lower(), StaffMember.active)
    )
    if staff is None or not staff.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if staff.locked_until is not None and staff.locked_until > now:
        # A correct password does not help while locked, else the lock would not slow a guesser down.
        return LoginResult(LoginOutcome.LOCKED, locked_until=staff.locked_until)
    if len(password) <= PASSWORD_MAX_LENGTH and check_password_hash(staff.password_hash, password):
        staff.failed_logins = 0
        staff.locked_until = None
        return LoginResult(LoginOutcome.OK, staff=staff)
    staff.failed_logins += 1
    if staff.failed_logins >= MAX_FAILED_LOGINS:
        staff.failed_logins = 0
        staff.locked_until = now + LOCKOUT
        return LoginResult(LoginOutcome.LOCKED, locked_until=staff.locked_until)
    return LoginResult(LoginOutcome.BAD_CREDENTIALS)
