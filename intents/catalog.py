"""Load a locale's phrase catalog (intents/catalogs/<locale>.json) once and index it for fast matching."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from intents.dialect import StandardForms, standard
from intents.normalise import BREAK, SPACED, LanguageRules, holds_filler, normalise
from intents.types import DIALOGUE, SERVICES, Intent, Locale

# Evidence weights, combined per intent as a noisy-or: one strong keyword is enough to act on,
# one weak keyword is only a hint, two weak keywords together are worth a confirmation.
STRONG = 0.9
WEAK = 0.5


class CatalogError(ValueError):
    """A catalog file is missing an intent or is malformed."""


@dataclass(frozen=True)
class Keyword:
    """One catalog keyword: its units (words or characters), intent and evidence weight."""

    surface: str
    units: tuple[str, ...]
    intent: Intent
    weight: float
    plea: bool = False  # a bare call for help: emergency evidence only when nothing else is asked for


@dataclass(frozen=True)
class Phrase:
    """One whole example utterance, in the flat form used for fuzzy comparison."""

    surface: str
    flat: str
    intent: Intent


@dataclass(frozen=True)
class Negation:
    """Negation cues with their reach in units: `before` cues precede what they negate, `after` cues follow."""

    before: tuple[tuple[tuple[str, ...], int], ...]
    after: tuple[tuple[tuple[str, ...], int], ...]
    # Words that hold a cue without negating anything: Korean is matched without spaces, so the 안 (not) of
    # "안 먹어요" is also the end of 동안 (during), 편안 (at ease), 불안 (uneasy) ("반년 동안 모아 놨어요").
    look_alikes: SeqIndex = field(default_factory=dict)


Units = tuple[str, ...]
# Word sequences indexed by their first unit, so finding them costs one look-up per unit of the utterance.
SeqIndex = Mapping[str, tuple[Units, ...]]


def find_sequences(units: Sequence[str], index: SeqIndex) -> list[tuple[int, int]]:
    """Every occurrence in `units` of a sequence in `index`, as (start, end) spans."""
    found: list[tuple[int, int]] = []
    for i, unit in enumerate(units):
        for seq in index.get(unit, ()):
            n = len(seq)
            if n == 1 or tuple(units[i : i + n]) == seq:
                found.append((i, i + n))
    return found


def seq_index(seqs: list[Units]) -> SeqIndex:
    """Index word sequences by first unit, longest first."""
    index: dict[str, list[Units]] = {}
    for seq in seqs:
        if seq and seq not in index.get(seq[0], []):
            index.setdefault(seq[0], []).append(seq)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


@dataclass(frozen=True)
class Cluster:
    """A serious symptom pattern: at least `need` of its groups (each a set of alternative wordings) present.
    `ask`: together they are a danger to ask about ("took all my tablets", water dripping onto the fuse box), not
    to act on at once."""

    need: int
    groups: tuple[SeqIndex, ...]
    ask: bool = False
    # `person`: a "no" to the emergency question still puts the caller through to a person (wanting to die: the
    # danger is not always "right now", and a caller who says so should not be sent back to the menu).
    person: bool = False
    # Whole sayings of the pattern for a recogniser's phrase list (intents.matcher.vocabulary): a phrase list
    # hears only its own words, and a pattern none of whose words are on it cannot be heard by speech at all.
    phrase_list: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cues:
    """Word lists that steer the decision rather than name an intent (see the catalog's "cues" object)."""

    requests: SeqIndex  # need / want / can you / please / broken: the caller is asking for something
    contrast: SeqIndex  # just / only / solo / 只 / 만: the clause that follows carries the real request
    public_places: SeqIndex  # street / pavement / 路灯 / 가로등: a fault there is a complaint, not a repair
    gratitude: SeqIndex  # thanks / gracias / 谢谢 / 감사: "thanks for your help" is not a plea
    plea_before: SeqIndex  # "your help", "any help": help as a noun, not a call for help
    plea_after: SeqIndex  # "help with", "help applying": help with something, not a call for help
    courtesy: SeqIndex  # please / sorry / por favor / 不好意思: not content, so "sorry, what?" is an answer
    status: SeqIndex  # what happened with / any news / 有消息 / 어떻게 됐: asking about an earlier request
    # since the stroke / fire drill / nearly gave me a heart attack: an emergency word about the past, a drill or
    # a figure of speech, so it is asked about rather than acted on (optional: empty when a catalog has none)
    not_now: SeqIndex
    # wrong number / 打错了 / 잘못 걸었 / número equivocado: the yes/no word inside is not an answer ("wrong", "错了"),
    # so the remark is out of scope, not "no" (optional: empty when a catalog has none)
    not_an_answer: SeqIndex
    # no se preocupe / no se moleste: a polite no that holds a "not an answer" ("no sé", I don't know) and is still
    # the answer "no" (optional)
    still_an_answer: SeqIndex
    # can't get up the ladder / to the shops: the emergency words inside ("can't get up") are not a fall, neither
    # as a plain emergency phrase nor as a danger pattern's part; optional
    not_emergency: SeqIndex
    # home from hospital / 出院 / dado de alta / 퇴원: said after an emergency phrase, the emergency is over ("my
    # friend's husband had a fall, but he's home from hospital now"), so it is asked about rather than acted on
    # (optional)
    over_now: SeqIndex
    # on the news / 新闻里 / 뉴스에 / en las noticias: an emergency in the same clause happened to someone the news
    # told of ("awful about that fire at the flats on the news"), so it is asked about rather than acted on
    # (optional)
    reported: SeqIndex
    # years ago / 年轻的时候 / 젊었을 때 / de joven / God rest him: an emergency in the same clause is a memory ("the
    # year my husband had his stroke, God rest him"), so it is asked about rather than acted on; the next clause
    # ("and now Mum's face has dropped") is the caller's own (optional)
    long_ago: SeqIndex


@dataclass(frozen=True)
class Catalog:
    """A compiled catalog: keywords indexed by first unit (and by first sound for zh), phrases, negation."""

    locale: Locale
    rules: LanguageRules
    by_first: Mapping[str, tuple[Keyword, ...]]
    by_first_sound: Mapping[str, tuple[Keyword, ...]]
    single_words: Mapping[str, Keyword]  # one-word keywords long enough for fuzzy spelling matches (en/es)
    phrases: tuple[Phrase, ...]
    negation: Negation
    surfaces: Mapping[Intent, tuple[str, ...]]  # keywords and phrases as written, for recogniser phrase lists
    cues: Cues
    clusters: tuple[Cluster, ...]
    shared: frozenset[Units]  # strong keywords of one service that are also evidence for another ("rota")


def _read(locale: Locale) -> dict[str, Any]:
    path = resources.files("intents") / "catalogs" / f"{locale.value}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"no catalog for locale {locale.value}") from exc
    return data


def _keyword_units(units: tuple[str, ...]) -> tuple[str, ...]:
    # A clause break inside a keyword stays: the utterance is broken there too ("喘不过气" -> 喘 | 气, as 不过
    # "but" is a clause break), and without it the keyword would match other words ("喘气", breathing).
    start, end = 0, len(units)
    while start < end and units[start] == BREAK:
        start += 1
    while end > start and units[end - 1] == BREAK:
        end -= 1
    return units[start:end]


def _index(keywords: list[Keyword], sound: bool, rules: LanguageRules) -> dict[str, tuple[Keyword, ...]]:
    index: dict[str, list[Keyword]] = {}
    for kw in keywords:
        units = kw.units
        if sound:
            units = normalise(kw.surface, rules, drop_fillers=False).sound
            kw = Keyword(kw.surface, units, kw.intent, kw.weight, kw.plea)
        index.setdefault(units[0], []).append(kw)
    # Longest first, so the scan meets the most specific keyword first.
    return {k: tuple(sorted(v, key=lambda kw: -len(kw.units))) for k, v in index.items()}


def _standard_forms(locale: Locale, data: Any) -> StandardForms:
    """A catalog's "standard_forms": {"words" | "endings" | "anywhere": {regional: standard}}; CatalogError if
    malformed, or if a standard form would itself be rewritten (normalising twice must change nothing)."""
    kinds = ("words", "endings", "anywhere")
    if not isinstance(data, dict) or set(data) - {*kinds, "about"}:
        raise CatalogError(f"catalog {locale.value}: standard_forms takes only about, {', '.join(kinds)}")
    tables = {kind: data.get(kind, {}) for kind in kinds}
    for kind, table in tables.items():
        if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in table.items()):
            raise CatalogError(f"catalog {locale.value}: standard_forms.{kind} maps text to text")
    forms = StandardForms(**tables)
    for regional, spelt in (pair for table in tables.values() for pair in table.items()):
        if standard(spelt, forms) != spelt:
            raise CatalogError(f"catalog {locale.value}: {regional!r} -> {spelt!r} is rewritten again")
    return forms


def _never_heard(locale: Locale, data: dict[str, Any], rules: LanguageRules) -> list[str]:
    """Catalog words holding a filler that the normaliser drops from what people say, so they can never match:
    "嗯对" is heard as 对, "boil er" as boil. Chinese drops fillers wherever they stand, English and Spanish as whole
    words. Korean drops them only as whole spoken words while its keywords match across spaces ("숨 막" still meets
    "숨이 막혀"), so it is not checked."""
    if locale is Locale.KO:
        return []
    places = [
        (f"intents.{name}.{tier}", s)
        for name, entry in data.get("intents", {}).items()
        for tier in ("strong", "weak", "pleas")
        for s in entry.get(tier, [])
    ]
    places += [(f"clusters[{i}]", s) for i, c in enumerate(data.get("clusters", [])) for g in c["groups"] for s in g]
    places += [(f"negation.{side}", s) for side in ("before", "after") for s in data.get("negation", {}).get(side, {})]
    places += [(f"cues.{name}", s) for name, words in data.get("cues", {}).items() for s in words]
    return [f"{where} {surface!r}" for where, surface in places if holds_filler(surface, rules)]


def standard_text(text: str, locale: Locale) -> str:
    """`text` with the locale's regional spellings made standard, as the matcher and the sentence model read it."""
    return standard(text, load(locale).rules.standard_forms)


@cache
def load(locale: Locale) -> Catalog:
    """Load and compile the catalog of `locale` (cached: each process reads each file once)."""
    data = _read(locale)
    rules = LanguageRules(
        locale=locale,
        fillers=tuple(sorted((tuple(f.split()) for f in data.get("fillers", [])), key=len, reverse=True)),
        numbers=dict(data.get("numbers", {})),
        clause_breaks=frozenset(data.get("clause_breaks", [])),
        standard_forms=_standard_forms(locale, data.get("standard_forms", {})),
    )
    if locale not in SPACED:
        fillers = tuple(("".join(f),) for f in rules.fillers)
        rules = LanguageRules(locale, fillers, rules.numbers, rules.clause_breaks, rules.standard_forms)
    intents_data = data.get("intents")
    if not isinstance(intents_data, dict):
        raise CatalogError(f"catalog {locale.value}: no intents")
    unheard = _never_heard(locale, data, rules)
    if unheard:
        raise CatalogError(f"catalog {locale.value}: a filler is dropped from what people say: {'; '.join(unheard)}")
    missing = {i.value for i in Intent} - set(intents_data)
    if missing:
        raise CatalogError(f"catalog {locale.value}: missing intents {sorted(missing)}")

    keywords: list[Keyword] = []
    phrases: list[Phrase] = []
    surfaces: dict[Intent, tuple[str, ...]] = {}
    seen: set[tuple[tuple[str, ...], Intent]] = set()
    for intent in Intent:
        entry = intents_data[intent.value]
        for tier, weight in (("strong", STRONG), ("weak", WEAK), ("pleas", WEAK)):
            for surface in entry.get(tier, []):
                units = _keyword_units(normalise(surface, rules, drop_fillers=False).units)
                if not units or (units, intent) in seen:
                    continue
                seen.add((units, intent))
                if locale not in SPACED and len(units) == 1 and intent in DIALOGUE:
                    # A one-character yes/no (是, 对, 네, 응) is inside too many other words: whole answers only.
                    phrases.append(Phrase(surface, normalise(surface, rules).flat, intent))
                    continue
                keywords.append(Keyword(surface, units, intent, weight, plea=tier == "pleas"))
        for surface in entry.get("phrases", []):
            flat = normalise(surface, rules).flat
            if flat:
                phrases.append(Phrase(surface, flat, intent))
        surfaces[intent] = tuple(dict.fromkeys([*entry.get("strong", []), *entry.get("phrases", [])]))

    negation_data: dict[str, Any] = data.get("negation", {})

    def cues(side: str) -> tuple[tuple[tuple[str, ...], int], ...]:
        found = []
        for surface, reach in negation_data.get(side, {}).items():
            units = tuple(u for u in normalise(surface, rules, drop_fillers=False).units if u != "|")
            if units:
                found.append((units, int(reach)))
        return tuple(sorted(found, key=lambda c: -len(c[0])))

    def units_of(surface: str) -> Units:
        return tuple(u for u in normalise(surface, rules, drop_fillers=False).units if u != "|")

    cue_data: dict[str, list[str]] = data.get("cues", {})

    def cue_list(name: str) -> SeqIndex:
        return seq_index([units_of(s) for s in cue_data.get(name, [])])

    cue_lists = Cues(
        requests=cue_list("requests"),
        contrast=cue_list("contrast"),
        public_places=cue_list("public_places"),
        gratitude=cue_list("gratitude"),
        plea_before=cue_list("plea_before"),
        plea_after=cue_list("plea_after"),
        courtesy=cue_list("courtesy"),
        status=cue_list("status"),
        not_now=cue_list("not_now"),
        not_an_answer=cue_list("not_an_answer"),
        still_an_answer=cue_list("still_an_answer"),
        not_emergency=cue_list("not_emergency"),
        over_now=cue_list("over_now"),
        reported=cue_list("reported"),
        long_ago=cue_list("long_ago"),
    )
    clusters = tuple(
        Cluster(
            need=int(c["need"]),
            groups=tuple(seq_index([units_of(s) for s in group]) for group in c["groups"]),
            ask=bool(c.get("ask", False)),
            person=bool(c.get("person", False)),
            phrase_list=tuple(c.get("phrase_list", [])),
        )
        for c in data.get("clusters", [])
    )
    heard_only_here = tuple(s for cluster in clusters for s in cluster.phrase_list)
    surfaces[Intent.EMERGENCY] = tuple(dict.fromkeys([*surfaces[Intent.EMERGENCY], *heard_only_here]))

    owners: dict[Units, set[Intent]] = {}
    for kw in keywords:
        if kw.intent in SERVICES:
            owners.setdefault(kw.units, set()).add(kw.intent)
    shared = frozenset(units for units, intents in owners.items() if len(intents) > 1)

    single = {kw.units[0]: kw for kw in keywords if locale in SPACED and len(kw.units) == 1 and len(kw.units[0]) >= 5}
    # Chinese also matches by sound (homophones); one-character keywords are too ambiguous by sound alone.
    sound_keywords = [kw for kw in keywords if locale is Locale.ZH and len(kw.units) >= 2]
    return Catalog(
        locale=locale,
        rules=rules,
        by_first=_index(keywords, sound=False, rules=rules),
        by_first_sound=_index(sound_keywords, sound=True, rules=rules) if sound_keywords else {},
        single_words=single,
        phrases=tuple(phrases),
        negation=Negation(
            before=cues("before"),
            after=cues("after"),
            look_alikes=seq_index([units_of(w) for w in negation_data.get("look_alikes", [])]),
        ),
        surfaces=surfaces,
        cues=cue_lists,
        clusters=clusters,
        shared=shared,
    )
