"""Urgency beyond the intent (pure): wanting to die, a fall, no heating or cooling, living alone raise a request.

The rules are data (care/urgency_rules/): `rules.json` says what each reason does to a request (urgent or not,
how soon it is due) and each `<locale>.json` says how people put the text reasons in that language. Both are
loaded and checked when the app starts (`check_rules`), so a broken file stops the start, not a request.

A text reason holds when one of its patterns is found: a pattern is one or more groups of alternative wordings,
every group present in one clause (order free). A hit does not count when the intent catalog's negation reaches
it ("I didn't fall", "没摔倒", "안 넘어졌어요"), when one of the reason's exceptions covers it ("fell asleep"), or the
intent catalog's `not_emergency` cues do (a fall to prevent, "怕她滑倒"; "want to die of embarrassment"),
or when the problem is said to be over after it ("the heating was broken but it's fixed now").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from babel.lists import format_list

from i18n.messages import translate
from intents.catalog import SeqIndex, find_sequences, seq_index
from intents.catalog import load as load_intent_catalog
from intents.negation import cues_for, is_negated
from intents.normalise import BREAK, LanguageRules, normalise
from intents.types import Locale

Units = tuple[str, ...]
Span = tuple[int, int]


class Reason(StrEnum):
    """Why a request is more urgent than its intent alone makes it (a closed set: the console names each)."""

    SELF_HARM = "self_harm"
    HARMED = "harmed"
    FALL = "fall"
    NO_HEATING = "no_heating"
    NO_COOLING = "no_cooling"
    LIVES_ALONE = "lives_alone"


class UrgencyRulesError(ValueError):
    """A rules file is missing, malformed or disagrees with the reasons the code knows."""


@dataclass(frozen=True)
class Effect:
    """What one reason does: mark the request urgent, and bring its due time in (a cap, a fraction, or both)."""

    urgent: bool
    due_within: timedelta | None = None
    due_scale: float | None = None
    profile: str = ""  # a reason read from the senior's profile (a flag name), not from what they said


@dataclass(frozen=True)
class Wording:
    """How one text reason is said in one language."""

    patterns: tuple[tuple[SeqIndex, ...], ...]  # pattern -> groups -> alternative wordings
    exceptions: SeqIndex


@dataclass(frozen=True)
class LocaleRules:
    """One language's wordings of the text reasons, its "the problem is over" cues and its normaliser."""

    locale: Locale
    rules: LanguageRules
    wordings: Mapping[Reason, Wording]
    resolved: SeqIndex


@dataclass(frozen=True)
class Assessment:
    """The reasons found for one request, in the order of the Reason enum, and their combined effect."""

    reasons: tuple[Reason, ...]
    urgent: bool

    def due(self, created: datetime, routed_due: datetime) -> datetime:
        """The earliest due time any reason allows; the routed one when no reason brings it in."""
        effects = load_effects()
        due = routed_due
        for reason in self.reasons:
            effect = effects[reason]
            if effect.due_within is not None:
                due = min(due, created + effect.due_within)
            if effect.due_scale is not None:
                due = min(due, created + (routed_due - created) * effect.due_scale)
        return due


NONE = Assessment(reasons=(), urgent=False)
TEXT_REASONS = tuple(reason for reason in Reason if reason is not Reason.LIVES_ALONE)


def _read(name: str) -> dict[str, Any]:
    path = resources.files("care") / "urgency_rules" / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UrgencyRulesError(f"care/urgency_rules/{name} is missing") from exc
    except json.JSONDecodeError as exc:
        raise UrgencyRulesError(f"care/urgency_rules/{name}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise UrgencyRulesError(f"care/urgency_rules/{name}: expected an object")
    return data


def _unknown(where: str, found: Iterable[str], known: Iterable[str]) -> None:
    extra = sorted(set(found) - set(known))
    if extra:
        raise UrgencyRulesError(f"{where}: unknown {', '.join(extra)} (known: {', '.join(sorted(known))})")


@cache
def load_effects() -> Mapping[Reason, Effect]:
    """rules.json, read once and checked."""
    return effects_from(_read("rules.json"))


def effects_from(data: Mapping[str, Any]) -> Mapping[Reason, Effect]:
    """rules.json: one effect per reason, every reason present, every number sensible."""
    _unknown("rules.json", data, ("about", "reasons"))
    reasons = data.get("reasons")
    if not isinstance(reasons, dict):
        raise UrgencyRulesError("care/urgency_rules/rules.json: no reasons")
    _unknown("rules.json reasons", reasons, [r.value for r in Reason])
    effects: dict[Reason, Effect] = {}
    for reason in Reason:
        entry = reasons.get(reason.value)
        if not isinstance(entry, dict):
            raise UrgencyRulesError(f"rules.json: reason {reason.value} is missing")
        where = f"rules.json {reason.value}"
        _unknown(where, entry, ("urgent", "due_within_minutes", "due_scale", "profile", "why"))
        minutes, scale = entry.get("due_within_minutes"), entry.get("due_scale")
        if minutes is None and scale is None:
            raise UrgencyRulesError(f"{where}: give due_within_minutes, due_scale or both")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0):
            raise UrgencyRulesError(f"{where}: due_within_minutes must be a whole number above 0")
        if scale is not None and (not isinstance(scale, int | float) or isinstance(scale, bool) or not 0 < scale < 1):
            raise UrgencyRulesError(f"{where}: due_scale must be between 0 and 1 (it brings the due time in)")
        if not isinstance(entry.get("urgent"), bool):
            raise UrgencyRulesError(f"{where}: urgent must be true or false")
        profile = entry.get("profile", "")
        if (reason is Reason.LIVES_ALONE) != (profile == "lives_alone"):
            raise UrgencyRulesError(f"{where}: only lives_alone is read from the profile (profile: lives_alone)")
        effects[reason] = Effect(
            urgent=entry["urgent"],
            due_within=timedelta(minutes=minutes) if minutes is not None else None,
            due_scale=float(scale) if scale is not None else None,
            profile=profile,
        )
    return effects


def _phrases(value: Any, where: str, rules: LanguageRules) -> SeqIndex:
    """The phrases of a rules entry, normalised as the intent catalog's and indexed for `find_sequences`."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise UrgencyRulesError(f"{where}: expected a non-empty list of phrases")
    found: list[Units] = []
    for phrase in value:
        units = normalise(phrase, rules, drop_fillers=False).units
        if not units or BREAK in units:
            raise UrgencyRulesError(f"{where}: {phrase!r} is empty or spans two clauses once normalised")
        if units not in found:
            found.append(units)
    return seq_index(found)


@cache
def load_locale(locale: Locale) -> LocaleRules:
    """<locale>.json, read once and checked."""
    return locale_rules_from(locale, _read(f"{locale.value}.json"))


def locale_rules_from(locale: Locale, data: Mapping[str, Any]) -> LocaleRules:
    """<locale>.json: the wordings of every text reason (and nothing else), checked phrase by phrase."""
    name = f"{locale.value}.json"
    _unknown(name, data, ("locale", "about", "reasons", "resolved"))
    if data.get("locale") != locale.value:
        raise UrgencyRulesError(f"{name}: locale says {data.get('locale')!r}")
    rules = load_intent_catalog(locale).rules
    reasons = data.get("reasons")
    if not isinstance(reasons, dict):
        raise UrgencyRulesError(f"{name}: no reasons")
    _unknown(f"{name} reasons", reasons, [r.value for r in TEXT_REASONS])
    wordings: dict[Reason, Wording] = {}
    for reason in TEXT_REASONS:
        entry = reasons.get(reason.value)
        where = f"{name} {reason.value}"
        if not isinstance(entry, dict):
            raise UrgencyRulesError(f"{where}: missing")
        _unknown(where, entry, ("patterns", "except"))
        patterns = entry.get("patterns")
        if not isinstance(patterns, list) or not patterns:
            raise UrgencyRulesError(f"{where}: expected a non-empty list of patterns")
        compiled = []
        for n, pattern in enumerate(patterns):
            if not isinstance(pattern, list) or not pattern:
                raise UrgencyRulesError(f"{where} pattern {n}: expected a non-empty list of groups")
            compiled.append(tuple(_phrases(group, f"{where} pattern {n}", rules) for group in pattern))
        exceptions = _phrases(entry["except"], f"{where} except", rules) if "except" in entry else {}
        wordings[reason] = Wording(patterns=tuple(compiled), exceptions=exceptions)
    resolved = _phrases(data.get("resolved"), f"{name} resolved", rules)
    return LocaleRules(locale=locale, rules=rules, wordings=wordings, resolved=resolved)


def check_rules() -> None:
    """Load every rules file once (app start-up): a mistake in one is an error now, with where it is."""
    load_effects()
    for locale in Locale:
        load_locale(locale)


def _clauses(units: Units) -> list[Span]:
    spans, start = [], 0
    for i, unit in enumerate((*units, BREAK)):
        if unit == BREAK:
            if i > start:
                spans.append((start, i))
            start = i + 1
    return spans


def _holds(
    units: Units, wording: Wording, resolved: Sequence[Span], negation: tuple[Any, Any], not_emergency: Sequence[Span]
) -> bool:
    excepted = find_sequences(units, wording.exceptions) + list(not_emergency)
    before, after = negation

    def counts(span: Span) -> bool:
        if any(e_start <= span[0] and span[1] <= e_end for e_start, e_end in excepted):
            return False
        if any(r_start >= span[1] for r_start, _ in resolved):
            return False  # "... but it's fixed now": said to be over after it was said
        return is_negated(units, span, before, after, protected=[span]) is None

    for c_start, c_end in _clauses(units):
        clause_hits = []
        for pattern in wording.patterns:
            spans_per_group = [
                [
                    (c_start + s, c_start + e)
                    for s, e in find_sequences(units[c_start:c_end], group)
                    if counts((c_start + s, c_start + e))
                ]
                for group in pattern
            ]
            clause_hits.append(all(spans_per_group))
        if any(clause_hits):
            return True
    return False


def assess(text: str, locale: str, *, lives_alone: bool = False) -> Assessment:
    """The reasons that raise a request made with `text` in `locale` (and the requester's profile)."""
    effects = load_effects()
    found: list[Reason] = []
    known = {loc.value: loc for loc in Locale}
    # A locale without rules (none today: check_rules loads all) leaves only the profile to raise the request.
    rules = load_locale(known[locale]) if locale in known else None
    if rules is not None and text.strip():
        units = normalise(text, rules.rules, drop_fillers=False).units
        catalog = load_intent_catalog(rules.locale)
        negation = cues_for(units, catalog.negation)
        resolved = find_sequences(units, rules.resolved)
        hidden = find_sequences(units, catalog.cues.not_emergency)
        found.extend(r for r in TEXT_REASONS if _holds(units, rules.wordings[r], resolved, negation, hidden))
    if lives_alone:
        found.append(Reason.LIVES_ALONE)
    reasons = tuple(r for r in Reason if r in found)
    return Assessment(reasons=reasons, urgent=any(effects[r].urgent for r in reasons))


def parse_reasons(stored: str) -> tuple[Reason, ...]:
    """The reasons a request stores (comma-separated codes); codes no longer known are left out."""
    known = {r.value: r for r in Reason}
    return tuple(known[code] for code in stored.split(",") if code in known)


def store_reasons(reasons: Iterable[Reason]) -> str:
    return ",".join(reason.value for reason in reasons)


def describe(stored: str, locale: str) -> str:
    """The stored reasons as a reader says them: "a fall and no heating", "摔倒和没有暖气" (CLDR list patterns)."""
    names = [translate("common", f"urgency.{reason.value}", locale) for reason in parse_reasons(stored)]
    return format_list(names, locale=locale) if names else ""
