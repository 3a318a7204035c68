"""Match one utterance to an intent: keyword evidence, fuzzy phrase similarity, negation, then a decision."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from rapidfuzz import fuzz, process

from intents.catalog import Catalog, Keyword, SeqIndex, find_sequences, load
from intents.hearing import heard_match
from intents.negation import FoundCue, cues_for, is_negated
from intents.normalise import BREAK, SPACED, Normalised, normalise
from intents.opinion import combine
from intents.types import (
    ALWAYS_CONSIDERED,
    DIALOGUE,
    SERVICES,
    Alternative,
    Decision,
    InputSource,
    Intent,
    Locale,
    Match,
    Utterance,
)

# Decision thresholds on the 0-100 score, tuned on bench/data (python -m bench intents). Acting on the wrong
# intent costs more than one extra question, so accepting needs both a high score and a clear margin.
ACCEPT_SCORE = 85.0
ACCEPT_MARGIN = 20.0
CONFIRM_SCORE = 55.0
# Emergency is checked first with high recall: a strong cue is acted on at once, a weak one is asked about.
EMERGENCY_ACCEPT = 85.0
EMERGENCY_DOUBT = 45.0
# Fuzzy spelling matches (split or misheard words) and sound matches (Chinese homophones) count a bit less.
FUZZY_FACTOR = 0.85
SOUND_FACTOR = 0.9
FUZZY_WORD_CUTOFF = 85.0
# Whole-phrase similarity below this says nothing; above it maps linearly onto 0-100.
PHRASE_FLOOR = 60.0
# "Yes" or "no" inside a request ("yes, I need a ride") is not the answer the request is.
DIALOGUE_DAMPING = 0.5
# Below this recogniser confidence (0-1) even a clear match is confirmed rather than acted on.
LOW_CONFIDENCE = 0.5
# Rule 1: a dialogue answer inside a longer sentence ("la heladera no enfría") is a weak candidate only. An
# utterance is "essentially the answer" when it is short or the answer words cover at least half of it.
SHORT_WORDS = 2
SHORT_CHARS = 3
DIALOGUE_COVERAGE = 0.5
LENIENT_WORDS = 8
LENIENT_CHARS = 12
LENIENT_COVERAGE = 0.3
DIALOGUE_WEAK = 40.0
WHOLE_PHRASE = 75.0
OPERATOR_IN_SENTENCE = 60.0
# Rule 3: a status cue or a public place turns the other service into the topic; so does a ride's destination.
STRONG_HIT = 0.85
TOPIC_DAMPING = 0.6
STATUS_CUE_SCORE = 90.0
DESTINATION_GAP = 2
# Rule 2: a service named in the affirmed clause after a negation is at least worth a confirmation.
CONTRAST_SCORE = 70.0
# Rule 4: symptom clusters are as strong as the strongest single emergency keyword; a cluster marked "ask" (a
# danger whose words belong to a service: too many tablets, water on the wiring) is a doubtful emergency, asked
# about: below STRONG_HIT, and above EMERGENCY_DOUBT even against a strong service keyword (ACCEPT_MARGIN).
CLUSTER_WEIGHT = 0.97
ASK_CLUSTER_WEIGHT = 0.8
# Rule 5: one topic word in a long sentence without any request cue is confirmed, never accepted.
LONG_WORDS = 6
LONG_CHARS = 8
SINGLE_TOPIC_SCORE = 70.0
MAX_ALTERNATIVES = 3
# A word or two (a few characters in Chinese): the matcher's keyword outweighs a sentence model's reading of it.
BRIEF_WORDS = 2
BRIEF_CHARS = 4
ALTERNATIVE_FLOOR = 30.0


@dataclass(frozen=True)
class Hit:
    """A keyword found in the utterance, as a span of units."""

    intent: Intent
    start: int
    end: int
    weight: float
    plea: bool = False
    cluster: bool = False
    person: bool = False  # from a cluster whose "no" still goes to a person (Cluster.person)

    @property
    def length(self) -> int:
        """How many units the hit covers."""
        return self.end - self.start


def _scan(units: Sequence[str], index: Mapping[str, tuple[Keyword, ...]], factor: float) -> list[Hit]:
    hits: list[Hit] = []
    for i, unit in enumerate(units):
        for kw in index.get(unit, ()):
            n = len(kw.units)
            if tuple(units[i : i + n]) == kw.units:
                hits.append(Hit(kw.intent, i, i + n, kw.weight * factor, kw.plea))
    return hits


@cache
def _single_word_choices(locale: Locale) -> tuple[str, ...]:
    return tuple(load(locale).single_words)


def _fuzzy_words(units: Sequence[str], catalog: Catalog, covered: set[int]) -> list[Hit]:
    """Misheard or split words: "prescripshun", "ambu lance" -> one-word keywords (spaced languages)."""
    hits: list[Hit] = []
    choices = _single_word_choices(catalog.locale)
    for i, unit in enumerate(units):
        if unit == BREAK:
            continue
        if i + 1 < len(units) and units[i + 1] != BREAK:
            for kw in catalog.by_first.get(unit + units[i + 1], ()):
                if len(kw.units) == 1:
                    hits.append(Hit(kw.intent, i, i + 2, kw.weight * FUZZY_FACTOR))
        if i in covered or len(unit) < 5 or unit.isdigit():
            continue
        found = process.extractOne(unit, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD_CUTOFF)
        if found is not None and found[0] != unit:
            kw = catalog.single_words[found[0]]
            hits.append(Hit(kw.intent, i, i + 1, kw.weight * FUZZY_FACTOR))
    return hits


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep the most specific hits: "street light" (complaint) hides "light" (home repair) inside it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.length, -h.weight)):
        shadowed = any(
            k.start < hit.end
            and hit.start < k.end
            and (k.length > hit.length or (k.intent == hit.intent and k.start == hit.start))
            for k in kept
        )
        if not shadowed:
            kept.append(hit)
    return kept


def _noisy_or(weights: Sequence[float]) -> float:
    return 100.0 * (1.0 - math.prod(1.0 - w for w in weights))


@dataclass(frozen=True)
class Evidence:
    """Per-intent scores before the decision, and which intents were only mentioned negated."""

    scores: dict[Intent, float]
    negated: dict[Intent, float]
    weak_emergency: bool
    # An emergency was mentioned only to be denied ("I didn't fall, I just need a lift"): ask, never act blindly.
    doubt: bool = False
    # A danger pattern of the catalog (a symptom cluster) was heard, not only a word that may be a figure of speech.
    danger: bool = False
    # ...one whose "no" to the emergency question still goes to a person (Cluster.person).
    person: bool = False
    # Every emergency word was told of, none denied or said of now: the news, a story, a dream, the past, a drill,
    # a figure of speech, a scare that turned out to be nothing (the not_now, over_now, reported, long_ago cues).
    told_of: bool = False
    # An emergency word was denied or turned down ("I'm not hurt", "don't call an ambulance", "구급차 부르지 마").
    refused: bool = False


def _phrase_scores(norm: Normalised, catalog: Catalog) -> dict[Intent, float]:
    scores: dict[Intent, float] = {}
    if not norm.flat:
        return scores
    choices = _phrase_choices(catalog.locale)
    for _, similarity, index in process.extract(
        norm.flat, choices, scorer=fuzz.ratio, limit=40, score_cutoff=PHRASE_FLOOR
    ):
        intent = catalog.phrases[index].intent
        mapped = (similarity - PHRASE_FLOOR) * 100.0 / (100.0 - PHRASE_FLOOR)
        scores[intent] = max(scores.get(intent, 0.0), mapped)
    return scores


@cache
def _phrase_choices(locale: Locale) -> tuple[str, ...]:
    return tuple(p.flat for p in load(locale).phrases)


def _within(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `span` lies inside one of `spans`."""
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _cluster_hits(
    units: Sequence[str],
    catalog: Catalog,
    before: Sequence[FoundCue],
    after: Sequence[FoundCue],
    hidden: Sequence[tuple[int, int]],
) -> list[Hit]:
    """Serious symptom patterns (chest pain reaching the arm, FAST signs of a stroke, a door being forced):
    each part alone may be a doctor's matter, together they are an emergency to act on at once. In a plain
    (acted-on) cluster a part said only negated ("门没被撬", the door was not forced) does not count, nor in any
    cluster a part inside a "not_emergency" cue, `hidden` (the "can't get up" of "can't get up the ladder")."""
    hits: list[Hit] = []
    for cluster in catalog.clusters:
        found = (find_sequences(units, group) for group in cluster.groups)
        parts = ([sp for sp in part if not _within(sp, hidden)] for part in found)
        if not cluster.ask:
            parts = ([sp for sp in part if is_negated(units, sp, before, after, ()) is None] for part in parts)
        spans = [sp for sp in parts if sp]
        if len(spans) >= cluster.need:
            starts = [s for found in spans for s, _ in found]
            ends = [e for found in spans for _, e in found]
            weight = ASK_CLUSTER_WEIGHT if cluster.ask else CLUSTER_WEIGHT
            hits.append(Hit(Intent.EMERGENCY, min(starts), max(ends), weight, cluster=True, person=cluster.person))
    return hits


def _clause_of(units: Sequence[str], i: int) -> tuple[int, int]:
    start = i
    while start > 0 and units[start - 1] != BREAK:
        start -= 1
    end = i
    while end < len(units) and units[end] != BREAK:
        end += 1
    return start, end


def _bare_pleas(hits: list[Hit], units: Sequence[str], catalog: Catalog) -> list[Hit]:
    """Drop "help" that is not a call for help: a service is asked for ("help me with my pension"), help is
    a noun ("thanks for your help", "any help"), or help with something follows ("needs help applying for")."""
    if any(not h.plea and h.intent not in DIALOGUE and h.intent is not Intent.EMERGENCY for h in hits):
        return [h for h in hits if not h.plea]
    cues = catalog.cues
    gratitude = find_sequences(units, cues.gratitude)
    kept: list[Hit] = []
    for h in hits:
        if h.plea:
            c_start, c_end = _clause_of(units, h.start)
            if any(c_start <= s and e <= c_end for s, e in gratitude):
                continue
            if any(e == h.start for _, e in find_sequences(units, cues.plea_before)):
                continue
            if any(s == h.end for s, _ in find_sequences(units, cues.plea_after)):
                continue
        kept.append(h)
    return kept


def _size(units: Sequence[str]) -> int:
    return sum(1 for u in units if u != BREAK)


def _essential(units: Sequence[str], spans: Sequence[tuple[int, int]], spaced: bool, lenient: bool) -> bool:
    """Is the utterance essentially a short answer ("yes please", "no no that's wrong") rather than a sentence
    that happens to contain one ("la heladera no enfría", "昨天赢了没有", "I've got the wrong number")?"""
    size = _size(units)
    covered = len({i for s, e in spans for i in range(s, e) if units[i] != BREAK})
    short, limit = (SHORT_WORDS, LENIENT_WORDS) if spaced else (SHORT_CHARS, LENIENT_CHARS)
    if size <= short or covered >= DIALOGUE_COVERAGE * size:
        return True
    if lenient:
        # Answering a yes/no question: a slightly longer answer is fine ("yes that would be lovely": the answer
        # leads), a long sentence about something else is not.
        leads = any(s == 0 for s, _ in spans)
        return size <= 2 * short or (size <= limit and (leads or covered >= LENIENT_COVERAGE * size))
    return False


def _heard(norm: Normalised, catalog: Catalog) -> list[Hit]:
    """The catalog's words in an utterance, by spelling, by sound and (spaced languages) fuzzily, overlaps resolved."""
    hits = _scan(norm.units, catalog.by_first, 1.0)
    if catalog.by_first_sound:
        hits += _scan(norm.sound, catalog.by_first_sound, SOUND_FACTOR)
    if catalog.locale in SPACED:
        covered = {i for h in hits for i in range(h.start, h.end)}
        hits += _fuzzy_words(norm.units, catalog, covered)
    return _resolve(hits)


def keywords_heard(text: str, locale: Locale) -> list[tuple[Intent, str, float]]:
    """The catalog's words heard in `text` before any rule weighs them: (intent, the words as normalised, weight).
    For auditing a catalog (`python -m bench keywords`): which words fire on sentences that mean something else."""
    catalog = load(locale)
    norm = normalise(text, catalog.rules)
    return [(h.intent, " ".join(norm.units[h.start : h.end]), h.weight) for h in _heard(norm, catalog)]


def evidence(norm: Normalised, catalog: Catalog, lenient: bool = False) -> Evidence:
    """Score every intent for a normalised utterance (no decision yet); `lenient` when the caller is answering
    a yes/no question, so a short answer with a few extra words still counts as the answer."""
    units = norm.units
    spaced = catalog.locale in SPACED
    before, after = cues_for(units, catalog.negation)
    # An emergency's words inside a "not_emergency" cue are not one: the "can't get up" of "can't get up to the
    # shops", for the plain phrases here and for a danger pattern's parts in _cluster_hits.
    hidden = find_sequences(units, catalog.cues.not_emergency)
    hits = [
        h for h in _heard(norm, catalog) if h.intent is not Intent.EMERGENCY or not _within((h.start, h.end), hidden)
    ]
    hits += _cluster_hits(units, catalog, before, after, hidden)
    hits = _bare_pleas(hits, units, catalog)

    positive: dict[Intent, list[Hit]] = {}
    negative: dict[Intent, list[Hit]] = {}
    used_cues: list[tuple[int, int]] = []
    spans = [(h.start, h.end) for h in hits if h.intent not in DIALOGUE]
    not_now = find_sequences(units, catalog.cues.not_now)
    over_now = find_sequences(units, catalog.cues.over_now)
    told_of = find_sequences(units, catalog.cues.reported) + find_sequences(units, catalog.cues.long_ago)
    # Emergency words denied ("I didn't fall") against those only told of (a story, the past, a drill, a dream).
    refused = False
    for hit in hits:
        if hit.intent in DIALOGUE:
            continue
        own = (hit.start, hit.end)
        protected = [sp for sp in spans if sp != own]
        cue = is_negated(units, own, before, after, protected)
        if cue is not None and hit.intent is Intent.EMERGENCY:
            refused = True
        if cue is None and hit.intent is Intent.EMERGENCY and not hit.cluster:
            # "since the stroke", "a fire drill": counted like a denied emergency, asked about, never acted on.
            cue = next(((s, e) for s, e in not_now if s < hit.end and hit.start < e), None)
            # "...had a fall, but he's home from hospital now": told of when it is over. Only what the sentence
            # says after the emergency ends it: "he came home from hospital and now he's collapsed" is a new one.
            if cue is None:
                cue = next(((s, e) for s, e in over_now if s >= hit.end), None)
            # "awful about that fire at the flats on the news": it happened to someone the news told of, said in
            # the same clause, before or after; the next clause ("and now my kitchen's on fire") is the caller's.
            # Likewise a memory ("when I broke my hip years ago the ambulance took an hour").
            if cue is None:
                clause = _clause_of(units, hit.start)
                cue = next(((s, e) for s, e in told_of if clause[0] <= s and e <= clause[1]), None)
        if cue is None:
            positive.setdefault(hit.intent, []).append(hit)
        else:
            negative.setdefault(hit.intent, []).append(hit)
            used_cues.append(cue)
    silenced: set[Intent] = set()
    # "Wrong number" holds the word "wrong" and "打错了" the "错了" of "that's wrong": not answers.
    # "I don't know" ("no sé", "no idea") begins with a "no" and is not one; "no se preocupe" (don't worry) holds
    # "no se" and is.
    polite = find_sequences(units, catalog.cues.still_an_answer)
    unsure = [(s, e) for s, e in find_sequences(units, catalog.cues.not_an_answer) if not _within((s, e), polite)]
    not_answers = used_cues + unsure
    for hit in hits:
        if hit.intent not in DIALOGUE:
            continue
        # The "no" of "no necesito un médico" is the negation of a request, not the answer "no".
        if any(s < hit.end and hit.start < e for s, e in not_answers):
            silenced.add(hit.intent)
        else:
            positive.setdefault(hit.intent, []).append(hit)

    phrase = _phrase_scores(norm, catalog)
    scores: dict[Intent, float] = {}
    negated_scores: dict[Intent, float] = {}
    for intent in Intent:
        kw = _noisy_or([h.weight for h in positive.get(intent, ())])
        ph = phrase.get(intent, 0.0)
        if intent in silenced and intent not in positive:
            continue
        if intent in negative and intent not in positive:
            # "I don't need a doctor" is close to the phrase "I need a doctor": negation silences both.
            negated_scores[intent] = max(_noisy_or([h.weight for h in negative[intent]]), ph)
            continue
        score = max(kw, ph)
        if kw >= 50.0 and ph >= 25.0:
            score = min(100.0, score + 5.0)  # keywords and a similar whole phrase agree
        if score > 0.0:
            scores[intent] = score

    _answer_rule(scores, positive, phrase, units, spaced, lenient, catalog.cues.courtesy)
    _topic_rules(scores, positive, units, catalog)
    if used_cues:
        _contrast_rule(scores, positive, used_cues, units, catalog)
    _single_topic_rule(scores, positive, phrase, units, catalog, spaced)

    if any(i not in DIALOGUE and s >= 50.0 for i, s in scores.items() if i in positive):
        for intent in DIALOGUE:
            if intent in scores:
                scores[intent] *= DIALOGUE_DAMPING
    em_weights = [h.weight for h in positive.get(Intent.EMERGENCY, [])]
    weak_emergency = bool(em_weights) and max(em_weights) < 0.85
    doubt = Intent.EMERGENCY in negative and _best_weight(positive.get(Intent.EMERGENCY, [])) < STRONG_HIT
    danger = any(h.cluster for h in positive.get(Intent.EMERGENCY, []))
    person = any(h.person for h in positive.get(Intent.EMERGENCY, []))
    told = Intent.EMERGENCY in negative and Intent.EMERGENCY not in positive and not refused
    return Evidence(
        scores=scores,
        negated=negated_scores,
        weak_emergency=weak_emergency,
        doubt=doubt,
        danger=danger,
        person=person,
        told_of=told,
        refused=refused,
    )


def _answer_rule(
    scores: dict[Intent, float],
    positive: Mapping[Intent, list[Hit]],
    phrase: Mapping[Intent, float],
    units: Sequence[str],
    spaced: bool,
    lenient: bool,
    courtesy: SeqIndex,
) -> None:
    """Rule 1: a dialogue answer (and a one-word "person"/"staff") counts only when the utterance is essentially
    that answer; inside a longer sentence it stays a weak candidate that can neither be accepted nor win."""
    spans = [(h.start, h.end) for i in DIALOGUE for h in positive.get(i, ())] + find_sequences(units, courtesy)
    whole = any(phrase.get(i, 0.0) >= WHOLE_PHRASE for i in DIALOGUE)
    if not whole and not _essential(units, spans, spaced, lenient):
        for intent in DIALOGUE:
            if intent in scores:
                scores[intent] = min(scores[intent], DIALOGUE_WEAK)
    yes = positive.get(Intent.YES, [])
    bye = [h for h in positive.get(Intent.GOODBYE, []) if h.weight >= STRONG_HIT]
    if yes and bye and Intent.YES in scores and min(h.start for h in yes) < min(h.start for h in bye):
        scores[Intent.YES] *= DIALOGUE_DAMPING  # "okay, bye then": the okay acknowledges, the bye ends the call
    op_hits = positive.get(Intent.OPERATOR, [])
    short_word = 2 if spaced else 3
    if (
        op_hits
        and all(h.length <= short_word for h in op_hits)
        and phrase.get(Intent.OPERATOR, 0.0) < WHOLE_PHRASE
        and not _essential(units, [(h.start, h.end) for h in op_hits], spaced, lenient)
    ):
        scores[Intent.OPERATOR] = min(scores[Intent.OPERATOR], OPERATOR_IN_SENTENCE)


def _best_weight(hits: Sequence[Hit]) -> float:
    return max((h.weight for h in hits), default=0.0)


def _topic_rules(
    scores: dict[Intent, float], positive: Mapping[Intent, list[Hit]], units: Sequence[str], catalog: Catalog
) -> None:
    """Rule 3: what the caller wants beats the topic word. A status cue ("any news about", "有消息",
    "어떻게 됐") makes the service it names a topic; a fault in a public place is a complaint, not a repair;
    the place a ride goes to ("take me to the doctor") is a destination, not a request of its own."""
    services = [i for i in SERVICES if i is not Intent.STATUS and i in scores]
    if find_sequences(units, catalog.cues.status):
        topic = max((scores[i] for i in services), default=0.0)
        for intent in services:
            scores[intent] *= TOPIC_DAMPING
        scores[Intent.STATUS] = max(scores.get(Intent.STATUS, 0.0), topic, STATUS_CUE_SCORE)
    repair = positive.get(Intent.HOME_REPAIR, [])
    places = find_sequences(units, catalog.cues.public_places)
    if Intent.HOME_REPAIR in scores and any(_same_clause(units, p, (h.start, h.end)) for p in places for h in repair):
        complaint = max(scores.get(Intent.COMPLAINT, 0.0), scores[Intent.HOME_REPAIR])
        scores[Intent.COMPLAINT] = complaint
        scores[Intent.HOME_REPAIR] *= TOPIC_DAMPING
    rides = [h for h in positive.get(Intent.TRANSPORT, []) if h.weight >= STRONG_HIT]
    if rides:
        for intent in (Intent.MEDICAL, Intent.MEDICATION, Intent.EVENTS, Intent.BENEFITS, Intent.MEALS):
            hits = positive.get(intent, [])
            if intent in scores and hits and all(_destination(units, r, h) for h in hits for r in rides[:1]):
                scores[intent] *= TOPIC_DAMPING


def _same_clause(units: Sequence[str], a: tuple[int, int], b: tuple[int, int]) -> bool:
    lo, hi = min(a[0], b[0]), max(a[1], b[1])
    return BREAK not in units[lo:hi]


def _destination(units: Sequence[str], ride: Hit, hit: Hit) -> bool:
    gap = units[ride.end : hit.start]
    return 0 <= len(gap) <= DESTINATION_GAP and BREAK not in gap


def _contrast_rule(
    scores: dict[Intent, float],
    positive: Mapping[Intent, list[Hit]],
    used_cues: Sequence[tuple[int, int]],
    units: Sequence[str],
    catalog: Catalog,
) -> None:
    """Rule 2: "not X, (but/only/just) Y": the affirmed clause after a negation carries the request, so a service
    named there is a candidate worth confirming even when named by a weak word ("我不要车，我要我的药")."""
    last = max(e for _, e in used_cues)
    markers = find_sequences(units, catalog.cues.contrast)
    post_verbal = catalog.locale is Locale.KO  # 필요없고 / 안 가도 되고 / 말고 end their clause
    for intent, hits in positive.items():
        if intent not in SERVICES or intent not in scores:
            continue
        for h in hits:
            if h.start < last:
                continue
            between = units[last : h.start]
            if post_verbal or BREAK in between or any(last <= s and e <= h.start for s, e in markers):
                scores[intent] = max(scores[intent], CONTRAST_SCORE)
                break


def _single_topic_rule(
    scores: dict[Intent, float],
    positive: Mapping[Intent, list[Hit]],
    phrase: Mapping[Intent, float],
    units: Sequence[str],
    catalog: Catalog,
    spaced: bool,
) -> None:
    """Rule 5: one topic word in a long sentence with no request in it ("the cat sat in the window all day",
    "I told my neighbour butter went up") is chit-chat until the caller confirms: never accepted on its own."""
    for intent in SERVICES:
        hits = positive.get(intent, [])
        # A word that is evidence for two services ("rota": a broken tap or a broken pavement) cannot alone
        # decide between them.
        shared = bool(hits) and all(tuple(units[h.start : h.end]) in catalog.shared for h in hits)
        if intent in scores and shared and phrase.get(intent, 0.0) < WHOLE_PHRASE:
            scores[intent] = min(scores[intent], SINGLE_TOPIC_SCORE)
    if _size(units) < (LONG_WORDS if spaced else LONG_CHARS) or find_sequences(units, catalog.cues.requests):
        return
    short_word = 1 if spaced else 2
    for intent in SERVICES:
        hits = positive.get(intent, [])
        single = len(hits) == 1 and hits[0].length <= short_word
        if intent in scores and single and phrase.get(intent, 0.0) < WHOLE_PHRASE:
            scores[intent] = min(scores[intent], SINGLE_TOPIC_SCORE)


def _ranked(scores: dict[Intent, float], candidates: Collection[Intent]) -> list[tuple[Intent, float]]:
    order = {intent: n for n, intent in enumerate(Intent)}
    ranked = [(i, s) for i, s in scores.items() if i in candidates]
    return sorted(ranked, key=lambda pair: (-pair[1], order[pair[0]]))


def _alternatives(ranked: list[tuple[Intent, float]], chosen: Intent | None) -> tuple[Alternative, ...]:
    alts = [Alternative(i, round(s, 1)) for i, s in ranked if i != chosen and s >= ALTERNATIVE_FLOOR]
    return tuple(alts[:MAX_ALTERNATIVES])


def decide(ev: Evidence, candidates: Collection[Intent]) -> Match:
    """Turn per-intent scores into one decision, emergency first."""
    ranked = _ranked(ev.scores, candidates)
    em = ev.scores.get(Intent.EMERGENCY, 0.0)
    top_intent, top = ranked[0] if ranked else (None, 0.0)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0

    if em >= EMERGENCY_ACCEPT and not ev.weak_emergency and not ev.doubt:
        return Match(
            Intent.EMERGENCY,
            em,
            Decision.ACCEPT,
            _alternatives(ranked, Intent.EMERGENCY),
            danger=ev.danger,
            person=ev.person,
        )
    if em >= EMERGENCY_DOUBT and (top_intent is Intent.EMERGENCY or em >= top - ACCEPT_MARGIN):
        # A doubtful emergency is asked about, never dropped.
        alternatives = _alternatives(ranked, Intent.EMERGENCY)
        return Match(Intent.EMERGENCY, em, Decision.CONFIRM, alternatives, danger=ev.danger, person=ev.person)
    if top_intent is not None and top >= CONFIRM_SCORE:
        accept = top >= ACCEPT_SCORE and top - runner_up >= ACCEPT_MARGIN and em < EMERGENCY_DOUBT
        decision = Decision.ACCEPT if accept else Decision.CONFIRM
        return Match(top_intent, top, decision, _alternatives(ranked, top_intent))

    negated = sorted(
        ((i, s) for i, s in ev.negated.items() if i in candidates), key=lambda p: (p[0] is not Intent.EMERGENCY, -p[1])
    )
    if negated:
        intent, score = negated[0]
        # "I'm not hurt" still deserves a question; "I don't need a doctor" is simply not a request.
        decision = Decision.CONFIRM if intent is Intent.EMERGENCY else Decision.REJECT
        return Match(intent, score, decision, _alternatives(ranked, intent), negated=True)
    return Match(None, top, Decision.REJECT, _alternatives(ranked, None))


def match(text: str, locale: Locale, expected: Collection[Intent] | None = None) -> Match:
    """Match one utterance in `locale`; `expected` narrows the candidates (emergency and operator always stay)."""
    catalog = load(locale)
    candidates: Collection[Intent] = set(Intent) if expected is None else set(expected) | ALWAYS_CONSIDERED
    norm = normalise(text, catalog.rules)
    if norm.empty:
        return Match(None, 0.0, Decision.REJECT, ())
    lenient = expected is not None and all(i in DIALOGUE or i in ALWAYS_CONSIDERED for i in expected)
    ev = evidence(norm, catalog, lenient)
    result = decide(ev, candidates)
    denied = frozenset(i for i in ev.negated if i in SERVICES)
    if denied or ev.told_of or ev.refused:
        return replace(result, denied=denied, told_of=ev.told_of, refused=ev.refused)
    return result


# Keypad: 0 always reaches a person (DESIGN.md) and * repeats; other digits are menu choices for the dialogue.


def match_utterance(u: Utterance, expected: Collection[Intent] | None = None) -> Match:
    """Match speech and SMS text (with recogniser confidence), joined with the semantic second opinion when the
    edge added one. Keys never come here: the call's keypad maps them (voice.keypad)."""
    result = match(u.text, u.locale, expected)
    if u.semantic is not None:
        norm = normalise(u.text, load(u.locale).rules)
        # Fillers alone ("음 그러니까 저기요", "um, well") say nothing either opinion could act on.
        if not norm.empty:
            brief = _size(norm.units) <= (BRIEF_WORDS if u.locale in SPACED else BRIEF_CHARS)
            result = combine(result, u.semantic, expected, brief=brief, speech=u.source is InputSource.SPEECH)
    # Last: whatever the text means, a decision resting on forced or unsure words is not acted on.
    result = heard_match(result, u.hearing, lambda text: match(text, u.locale, expected))
    low = u.confidence is not None and u.confidence < LOW_CONFIDENCE
    if low and result.decision is Decision.ACCEPT and result.intent is not Intent.EMERGENCY:
        return replace(result, decision=Decision.CONFIRM)
    return result


def vocabulary(locale: Locale, intents: Collection[Intent]) -> list[str]:
    """Words and phrases for a recogniser phrase list (Vosk grammar) covering `intents`, plus emergency and
    operator, which a caller can always say."""
    catalog = load(locale)
    words: set[str] = set()
    for intent in set(intents) | ALWAYS_CONSIDERED:
        for surface in catalog.surfaces.get(intent, ()):
            cleaned = " ".join(surface.casefold().replace("'", "").split())
            if cleaned:
                words.add(cleaned)
    return sorted(words)
