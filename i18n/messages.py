"""Every sentence Hearthline speaks or texts, by key, from the Babel gettext catalogs of each locale."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from i18n.grammar import Word
from intents import types as intent_types

LOCALES_DIR = Path(__file__).parent / "locales"
LOCALES: tuple[str, ...] = tuple(locale.value for locale in intent_types.Locale)  # listed once, as intents.Locale
# One catalog (gettext domain) per part of the product, so each part's sentences live together; "staffline"
# is the staff prompt-recording phone line.
DOMAINS = ("common", "voice", "sms", "notify", "web", "staffline")


class MissingTranslation(LookupError):
    """A key has no text in a locale: a catalog is incomplete (a test failure, never a silent fallback)."""


def catalog_path(locale: str, domain: str, suffix: str = ".po") -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}{suffix}"


@cache
def _texts(locale: str, domain: str) -> dict[str, str]:
    """Key -> text for one catalog; the compiled .mo when it is current, else the .po itself."""
    po = catalog_path(locale, domain)
    mo = catalog_path(locale, domain, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            catalog = read_mo(handle)
    elif po.exists():
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=domain)
    else:
        raise MissingTranslation(f"no {domain} catalog for locale {locale!r} ({po})")
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translate(domain: str, key: str, locale: str, **params: object) -> str:
    """The text of `key` in `locale` (any spelling: ko, ko-KR, zh_Hans_CN), with {named} parameters filled in."""
    if locale not in LOCALES:
        locale = normalise_locale(locale)
    text = _texts(locale, domain).get(key)
    if text is None:
        raise MissingTranslation(f"{domain}:{key} has no {locale} text")
    if not params:
        return text
    # Values may carry a Korean particle chosen by their last sound: "{service:이/가}" (i18n.grammar).
    return text.format(**{name: Word(value) for name, value in params.items()})


def normalise_locale(name: str) -> str:
    """One of LOCALES for a locale name as people and systems write it (zh_Hans_CN, es-419, ko-KR, EN)."""
    try:
        parsed = Locale.parse(name.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise MissingTranslation(f"unknown locale {name!r}") from exc
    if parsed.language not in LOCALES:
        raise MissingTranslation(f"no catalogs for locale {name!r} (have {', '.join(LOCALES)})")
    return str(parsed.language)


def available_domains(locale: str = "en") -> list[str]:
    """Domains that have a catalog for `locale` (the web domain comes later)."""
    return [d for d in DOMAINS if catalog_path(locale, d).exists() or catalog_path(locale, d, ".mo").exists()]


def N_(domain: str, key: str) -> str:
    """Mark a key for extraction where it is stored and translated later; returns the key."""
    return key


def keys(domain: str, locale: str = "en") -> list[str]:
    """Every key of a domain (English is the reference catalog)."""
    return sorted(_texts(locale, domain))


def reload() -> None:
    """Forget loaded catalogs (after `make` recompiles them or a test writes one)."""
    _texts.cache_clear()
