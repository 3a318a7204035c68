"""Every catalog complete in every locale; keys used in code exist; stable prompt numbers; extraction."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from i18n import messages
from i18n.grammar import Word
from prompts import catalog, extract

PO_FILES = sorted(messages.LOCALES_DIR.glob("*/LC_MESSAGES/*.po"))
DOMAINS_PRESENT = sorted({po.stem for po in PO_FILES})


def _po(locale: str, domain: str) -> dict[str, str]:
    path = messages.catalog_path(locale, domain)
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale, domain=domain)
    return {str(m.id): str(m.string) for m in parsed if m.id}


def test_the_catalogs_the_product_needs_exist() -> None:
    assert {"common", "notify", "staffline"} <= set(DOMAINS_PRESENT)
    assert {po.parts[-3] for po in PO_FILES} == set(messages.LOCALES)


@pytest.mark.parametrize("domain", DOMAINS_PRESENT)
@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_key_is_translated_in_every_locale_with_the_same_placeholders(locale: str, domain: str) -> None:
    english = _po("en", domain)
    assert english, f"{domain} has no English keys"
    path = messages.catalog_path(locale, domain)
    assert path.exists(), f"{path} is missing: a locale must never fall back to English silently"
    translated = _po(locale, domain)
    assert sorted(translated) == sorted(english), f"{locale}/{domain}: keys differ from English"
    for key, text in english.items():
        assert translated[key].strip(), f"{locale}/{domain}: {key} is empty"
        assert catalog.placeholders(translated[key]) == catalog.placeholders(text), f"{locale}/{domain}: {key}"
        # The text formats with its own parameters (no stray braces; only known particle specs, i18n.grammar).
        translated[key].format(**dict.fromkeys(catalog.placeholders(text), Word("x")))


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parts[-3]}/{p.stem}")
def test_every_catalog_compiles_and_the_compiled_form_reads_back_the_same(po: Path) -> None:
    with po.open("rb") as handle:
        parsed = read_po(handle, locale=po.parts[-3], domain=po.stem)
    assert not [m.id for m in parsed if m.id and m.fuzzy], "fuzzy entries would be dropped silently"
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    compiled = {str(m.id): str(m.string) for m in read_mo(buffer) if m.id}
    assert compiled == {str(m.id): str(m.string) for m in parsed if m.id}


def test_translate_raises_for_a_missing_key_and_a_missing_locale_instead_of_using_english() -> None:
    with pytest.raises(messages.MissingTranslation):
        messages.translate("staffline", "staffline.no_such_key", "ko")
    with pytest.raises(messages.MissingTranslation):
        messages.translate("staffline", "staffline.welcome", "fr")
    assert messages.translate("staffline", "staffline.welcome", "ko") != messages.translate(
        "staffline", "staffline.welcome", "en"
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("zh", "zh"), ("zh_Hans_CN", "zh"), ("es-419", "es"), ("ko-KR", "ko"), ("EN", "en")]
)
def test_locale_names_are_normalised_before_catalogs_are_loaded(raw: str, expected: str) -> None:
    assert messages.normalise_locale(raw) == expected
    assert messages.translate("staffline", "staffline.goodbye", raw) == messages.translate(
        "staffline", "staffline.goodbye", expected
    )


@pytest.mark.parametrize("raw", ["fr", "", "not a locale"])
def test_unknown_locales_are_refused(raw: str) -> None:
    with pytest.raises(messages.MissingTranslation):
        messages.normalise_locale(raw)


def test_every_key_the_code_uses_exists_in_its_catalog() -> None:
    uses = extract.uses_in_code()
    assert any(u.key == "staffline.enter_pin" for u in uses), "the extractor must find the staff line's keys"
    missing = extract.missing_keys(uses)
    assert not missing, "\n".join(f"{u.domain}:{u.key} at {u.path}:{u.line}" for u in missing)


def test_catalog_keys_no_code_uses_are_reported() -> None:
    unused = extract.unused_keys(extract.uses_in_code())
    # Warning level: a key may be about to be used by code being written. The staff line uses all of its own.
    assert "staffline" not in unused
    for domain, keys in unused.items():
        warnings.warn(f"catalog keys no code uses ({domain}): {', '.join(keys)}", stacklevel=1)


def test_the_extractor_finds_marked_calls_literal_keys_and_fstring_prefixes() -> None:
    source = (
        "from i18n.messages import translate, N_\n"
        "translate('common', 'service.meals', 'en')\n"
        "x = N_('sms', 'sms.help')\n"
        "say('voice.greeting')\n"
        "translate('common', f'status.{s}', 'en')\n"
        "label = f'voice.menu.{n}'\n"
        "not_a_key = 'voice greeting'\n"
        "version = 'v1.2'\n"
    )
    found = {(u.domain, u.key, u.prefix) for u in extract.uses_in_source(source)}
    assert found == {
        ("common", "service.meals", False),
        ("sms", "sms.help", False),
        ("voice", "voice.greeting", False),
        ("common", "status.", True),
        ("voice", "voice.menu.", True),
    }


def test_make_extract_writes_a_template_per_domain(tmp_path: Path) -> None:
    counts = extract.write_templates(out_dir=tmp_path)
    assert counts["staffline"] >= 15
    with (tmp_path / "staffline.pot").open("rb") as handle:
        template = read_po(handle)
    assert "staffline.record_after_beep" in template
    assert template["staffline.record_after_beep"].locations[0][0] == "prompts/routes.py"


# --- stable prompt numbers -------------------------------------------------------------------------------------
def test_every_static_prompt_has_exactly_one_number_and_numbers_never_repeat() -> None:
    numbers = catalog.read_numbers()  # raises on a repeated number or key
    assert not catalog.unnumbered(), "run `python -m prompts.catalog` (make extract) to number new prompts"
    prompts = catalog.static_prompts()
    assert len({p.number for p in prompts}) == len(prompts)
    assert all(numbers[p.key] == p.number for p in prompts)
    for p in prompts:
        assert p.number in catalog.NUMBER_RANGES[p.domain]
        assert not catalog.placeholders(messages.translate(p.domain, p.key, "en"))


def test_prompts_with_parameters_are_not_static() -> None:
    keys = catalog.static_keys("staffline")
    assert "staffline.welcome" in keys
    assert "staffline.current_text" not in keys  # "Prompt {number}. ..." changes with the prompt


def test_numbers_are_appended_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "numbers.tsv"
    # A key that left the catalog keeps its number, so 900 is never handed to anyone else.
    path.write_text("900\tstaffline.retired_prompt\n901\tstaffline.welcome\n", encoding="utf-8")
    added = catalog.assign_numbers(path)
    numbers = catalog.read_numbers(path)
    assert numbers["staffline.retired_prompt"] == 900
    assert numbers["staffline.welcome"] == 901
    assert {p.number for p in added}.isdisjoint({900, 901})
    assert min(p.number for p in added if p.domain == "staffline") == 902
    assert catalog.assign_numbers(path) == []  # idempotent


@pytest.mark.parametrize(
    "content",
    ["900\tstaffline.a\n900\tstaffline.b\n", "900\tstaffline.a\n901\tstaffline.a\n", "nine\tstaffline.a\n"],
)
def test_a_malformed_numbers_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "numbers.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(catalog.NumberingError):
        catalog.read_numbers(path)


def test_the_extractor_reads_console_helpers_and_jinja_templates() -> None:
    source = "flash(t('people.senior_added'), 'ok')\nlabel = t(f'sim.status.{state}')\n"
    found = {(u.domain, u.key, u.prefix) for u in extract.uses_in_source(source)}
    assert found == {("web", "people.senior_added", False), ("web", "sim.status.", True)}
    template = '<h1>{{ t("queue.title") }}</h1>\n<td>{{ t("status." ~ row.status) }}</td>\n'
    uses = extract.uses_in_template(template, "x.html")
    assert [(u.domain, u.key, u.prefix, u.line) for u in uses] == [
        ("web", "queue.title", False, 1),
        ("web", "status.", True, 2),
    ]
