"""Phone numbers in one form (E.164) everywhere, via the phonenumbers library."""

from __future__ import annotations

import phonenumbers


class BadPhoneNumber(ValueError):
    """The text is not a phone number we can dial or text."""


def to_e164(raw: str, region: str = "US") -> str:
    """Normalise a number as typed or as Twilio sends it to E.164 ("+15551234567")."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise BadPhoneNumber(f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise BadPhoneNumber(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_e164(raw: str, region: str = "US") -> str | None:
    """Like to_e164, but None for withheld or unusable caller ids ("anonymous", "+266696687")."""
    try:
        return to_e164(raw, region)
    except BadPhoneNumber:
        return None
