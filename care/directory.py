"""People on file: add seniors, family members and consented links, staff with passwords and PINs, and logins.

The staff console and the `flask people` commands both go through these functions, so a senior added on
the command line and one added in the browser are checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from care.models import FamilyLink, FamilyMember, Senior, StaffMember, StaffRole, utcnow
from care.phones import BadPhoneNumber, to_e164
from care.settings import LOCALES

# OWASP ASVS 4.0.3 V2.1.1: passwords of at least 12 characters; V2.1.2 accept at least 64 (NIST SP 800-63B
# §5.1.1.2 likewise), no composition rules. We refuse the absurdly long (hashing megabytes is a denial of service).
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
# ASVS V2.1.7: refuse breached passwords. Offline, from the list zxcvbn ships (the 30,000 most common passwords
# of leaked sets), and anything zxcvbn can guess in under 10^8 tries (its score below 3, "safely unguessable"
# being 10^10) — common words repeated, keyboard walks, a listed password with digits added.
BREACHED_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
MIN_PASSWORD_GUESSES = 10**8
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
    LOCKED = "locked"  # for the log and the staff page only: the person at the door hears the same as a bad login


class Secret(StrEnum):
    """What is being checked: each has its own failure counter and lock."""

    PASSWORD = "password"  # the console
    PIN = "pin"  # the staff phone line


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
    lives_alone: bool = False,
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
        lives_alone=lives_alone,
    )
    session.add(senior)
    session.flush()
    return senior


def update_senior(
    senior: Senior, *, name: str, locale: str, address: str, area: str, notes: str, lives_alone: bool
) -> None:
    """Correct a senior's profile (the phone stays: it is how the hotline knows them)."""
    senior.lives_alone = lives_alone
    senior.name = _name(name)
    senior.locale = _locale(locale)
    senior.address = address.strip()
    senior.area = area.strip()[:60]
    senior.notes = notes.strip()


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
    if password.lower() in BREACHED_PASSWORDS or zxcvbn(password)["guesses"] < MIN_PASSWORD_GUESSES:
        raise DirectoryError("this password appears in lists of breached passwords or is easy to guess; choose another")
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
    """Set a new console password, end the person's sessions, and clear the console lockout (an admin vouched)."""
    staff.password_hash = _password_hash(password)
    staff.failed_logins = 0
    staff.locked_until = None
    end_sessions(staff)


def end_sessions(staff: StaffMember) -> None:
    """End every console session the person has open (the next click of each asks for the password)."""
    staff.session_epoch = (staff.session_epoch or 0) + 1


def set_pin(staff: StaffMember, pin: str) -> None:
    """Set the keypad PIN the staff member uses on the staff phone line."""
    digits = pin.strip()
    low, high = PIN_DIGITS
    if not digits.isdecimal() or not low <= len(digits) <= high:
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


def may_approve(staff: StaffMember) -> bool:
    """Who may put a recording live (callers hear it): admins only, in the console and on the phone alike."""
    return staff.role == StaffRole.ADMIN


def verify_pin(staff: StaffMember, pin: str) -> bool:
    return bool(staff.pin_hash) and check_password_hash(staff.pin_hash, pin.strip())


def unlock(staff: StaffMember) -> None:
    """Clear both locks and both counters (an admin has vouched for the person)."""
    staff.failed_logins = 0
    staff.locked_until = None
    staff.failed_pins = 0
    staff.pin_locked_until = None


def _counter(secret: Secret) -> tuple[InstrumentedAttribute[int], InstrumentedAttribute[datetime | None]]:
    if secret is Secret.PIN:
        return StaffMember.failed_pins, StaffMember.pin_locked_until
    return StaffMember.failed_logins, StaffMember.locked_until


def is_locked(staff: StaffMember, secret: Secret, now: datetime | None = None) -> bool:
    until = staff.pin_locked_until if secret is Secret.PIN else staff.locked_until
    return until is not None and until > (now or utcnow())


def _record_failure(session: Session, staff_id: int, secret: Secret, now: datetime) -> bool:
    """Count one failure in the database itself (UPDATE … SET n = n + 1), so concurrent failures all count.

    A read-modify-write in Python loses counts when attempts race (30 at once counted as 12). Failures keep
    counting while locked; from the MAX_FAILED_LOGINS-th in a row each one (re)sets the lock, until a success.
    Returns whether the account is now locked for this secret.
    """
    counter, until = _counter(secret)
    count = session.execute(
        update(StaffMember)
        .where(StaffMember.id == staff_id)
        .values({counter: counter + 1})
        .returning(counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if count < MAX_FAILED_LOGINS:
        return False
    session.execute(
        update(StaffMember)
        .where(StaffMember.id == staff_id)
        .values({until: now + LOCKOUT})
        .execution_options(synchronize_session=False)
    )
    return True


def _record_success(session: Session, staff_id: int, secret: Secret) -> None:
    counter, until = _counter(secret)
    session.execute(
        update(StaffMember)
        .where(StaffMember.id == staff_id)
        .values({counter: 0, until: None})
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class LoginCandidate:
    """Who a login names (None: nobody active with a password) and the hash to check the password against."""

    staff_id: int | None
    password_hash: str


def login_candidate(session: Session, username: str) -> LoginCandidate:
    """Step 1 of a login: look the name up (an unknown one gets a dummy hash, so every login checks one hash)."""
    staff = session.scalar(
        select(StaffMember).where(StaffMember.username == username.strip().lower(), StaffMember.active)
    )
    if staff is None or not staff.password_hash:
        return LoginCandidate(None, _DUMMY_HASH)
    return LoginCandidate(staff.id, staff.password_hash)


def password_matches(candidate: LoginCandidate, password: str) -> bool:
    """Step 2, outside any transaction: the deliberately slow hash must not hold a database connection."""
    matches = len(password) <= PASSWORD_MAX_LENGTH and check_password_hash(candidate.password_hash, password)
    return matches and candidate.staff_id is not None


def record_login(
    session: Session, candidate: LoginCandidate, right: bool, *, now: datetime | None = None
) -> LoginResult:
    """Step 3: count a failure (atomically) or clear the counter; refuse a right password while locked.

    An unknown name, a wrong password and a locked account all cost one hash check; the caller must answer
    the last two alike (only OK differs), so nobody learns which usernames exist.
    """
    now = now or utcnow()
    if candidate.staff_id is None:
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if not right:
        locked = _record_failure(session, candidate.staff_id, Secret.PASSWORD, now)
        return LoginResult(LoginOutcome.LOCKED if locked else LoginOutcome.BAD_CREDENTIALS)
    staff = session.get(StaffMember, candidate.staff_id)
    if staff is None or not staff.active:
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if is_locked(staff, Secret.PASSWORD, now):
        # A correct password does not help while locked, else the lock would not slow a guesser down.
        return LoginResult(LoginOutcome.LOCKED, locked_until=staff.locked_until)
    _record_success(session, staff.id, Secret.PASSWORD)
    return LoginResult(LoginOutcome.OK, staff=staff)


def check_pin(session: Session, staff_id: int, pin: str, *, now: datetime | None = None) -> StaffMember | None:
    """Check a staff-line PIN on its own counter and lock; the staff member when right (and not locked)."""
    now = now or utcnow()
    staff = session.get(StaffMember, staff_id) if staff_id else None
    if staff is None or not staff.active or not staff.pin_hash:
        check_password_hash(_DUMMY_HASH, pin)
        return None
    if not verify_pin(staff, pin):
        _record_failure(session, staff.id, Secret.PIN, now)
        return None
    if is_locked(staff, Secret.PIN, now):
        return None
    _record_success(session, staff.id, Secret.PIN)
    return staff
