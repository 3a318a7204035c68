"""The voice catalog: every sentence the dialogue can speak exists in all four languages, with its parameters."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from care.settings import LOCALES
from i18n import messages
from i18n.messages import translate

VOICE_DIR = Path(__file__).parents[2] / "voice"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_used_in_code() -> set[str]:
    found: set[str] = set()
    for path in VOICE_DIR.glob("*.py"):
        found |= set(re.findall(r'"(voice\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    found.discard("voice.menu.")
    return {k for k in found if not k.endswith(".")}


def test_every_key_in_code_is_in_the_catalog() -> None:
    from voice.keypad import MenuId

    needed = keys_used_in_code() | {f"voice.menu.{m.value}" for m in MenuId}
    assert needed <= set(messages.keys("voice")), needed - set(messages.keys("voice"))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_every_key_with_the_same_parameters(locale: str) -> None:
    messages.reload()
    for key in messages.keys("voice"):
        english = translate("voice", key, "en")
        text = messages._texts(locale, "voice")[key]
        assert text.strip(), (locale, key)
        assert placeholders(text) == placeholders(english), (locale, key)
        # A key that is nothing but what staff typed (a crisis call's message: "{message}") has no words of its own.
        only_placeholders = not re.sub(r"\{[a-z_]+\}", "", english).strip()
        if locale != "en" and not only_placeholders:
            assert text != english, f"{key} is untranslated in {locale}"
