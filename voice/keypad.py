"""Keypad menus for callers (pure): at most three choices a level, with the same escape keys everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intents import Intent

# Keys that mean the same on every menu and every prompt that waits for input.
PERSON_KEY = "0"
EMERGENCY_KEY = "9"
REPEAT_KEY = "*"
STAFF_KEY = "#"  # staff record prompts by phone; offered only at the language menu and the first question
MENU_KEY = "1"  # on the open question: "or press 1 for a menu"
YES_KEY = "1"
NO_KEY = "2"

# Older callers manage short menus far better than long ones: ETSI EG 202 116 §8.4.3 and the
# RNIB/Ofcom telephone accessibility guidance advise no more than 3-4 options per level; we use 3.
MAX_OPTIONS = 3

LANGUAGE_KEYS: dict[str, str] = {"1": "en", "2": "zh", "3": "ko", "4": "es"}


class MenuId(StrEnum):
    MAIN = "main"
    HEALTH = "health"
    DAILY = "daily"
    MORE = "more"
    OTHER = "other"


@dataclass(frozen=True)
class Option:
    """One key of a menu: it opens a sub-menu or chooses an intent."""

    digit: str
    submenu: MenuId | None = None
    intent: Intent | None = None


MENUS: dict[MenuId, tuple[Option, ...]] = {
    MenuId.MAIN: (
        Option("1", submenu=MenuId.HEALTH),
        Option("2", submenu=MenuId.DAILY),
        Option("3", submenu=MenuId.MORE),
    ),
    MenuId.HEALTH: (
        Option("1", intent=Intent.MEDICAL),
        Option("2", intent=Intent.MEDICATION),
        Option("3", intent=Intent.COMPANIONSHIP),
    ),
    MenuId.DAILY: (
        Option("1", intent=Intent.MEALS),
        Option("2", intent=Intent.TRANSPORT),
        Option("3", intent=Intent.HOME_REPAIR),
    ),
    MenuId.MORE: (
        Option("1", intent=Intent.BENEFITS),
        Option("2", intent=Intent.EVENTS),
        Option("3", submenu=MenuId.OTHER),
    ),
    MenuId.OTHER: (Option("1", intent=Intent.COMPLAINT), Option("2", intent=Intent.STATUS)),
}


class KeyMeaning(StrEnum):
    PERSON = "person"
    EMERGENCY = "emergency"
    REPEAT = "repeat"
    STAFF = "staff"
    SUBMENU = "submenu"
    INTENT = "intent"
    INVALID = "invalid"


@dataclass(frozen=True)
class KeyPress:
    """What a key means on a menu."""

    meaning: KeyMeaning
    submenu: MenuId | None = None
    intent: Intent | None = None


def escape_key(digits: str) -> KeyMeaning | None:
    """The keys that work on every prompt (person, emergency, repeat), or None."""
    first = digits[:1]
    if first == PERSON_KEY:
        return KeyMeaning.PERSON
    if first == EMERGENCY_KEY:
        return KeyMeaning.EMERGENCY
    if first == REPEAT_KEY:
        return KeyMeaning.REPEAT
    if first == STAFF_KEY:
        return KeyMeaning.STAFF
    return None


def press(menu: MenuId, digits: str) -> KeyPress:
    """Read the first key pressed on `menu` (a caller who presses two keys meant the first)."""
    escape = escape_key(digits)
    if escape is not None:
        return KeyPress(escape)
    for option in MENUS[menu]:
        if option.digit == digits[:1]:
            if option.submenu is not None:
                return KeyPress(KeyMeaning.SUBMENU, submenu=option.submenu)
            return KeyPress(KeyMeaning.INTENT, intent=option.intent)
    return KeyPress(KeyMeaning.INVALID)
