"""Per-language text normalisation: regional spellings, case, punctuation, fillers, stutters, numbers, accents, pinyin
and jamo forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from pypinyin import Style, lazy_pinyin

from intents.dialect import StandardForms, standard
from intents.types import Locale

# Marks a clause boundary in unit sequences; negation never reaches across it.
BREAK = "|"
# Languages written with spaces between words: units are words. Chinese and Korean: units are characters,
# because recognisers and callers space (and drop particles) unpredictably there.
SPACED: frozenset[Locale] = frozenset({Locale.EN, Locale.ES})

_PUNCT_BREAK = re.compile(r"[.,;:!?¡¿…。，、；：！？\n\r\t]+")
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^\w|]+")


@dataclass(frozen=True)
class LanguageRules:
    """The language data normalisation needs, taken from a catalog file."""

    locale: Locale
    fillers: tuple[tuple[str, ...], ...]  # filler word sequences (spaced) or strings (zh)
    numbers: Mapping[str, str]
    clause_breaks: frozenset[str]
    standard_forms: StandardForms = field(default_factory=StandardForms)  # regional spellings (intents.dialect)


@dataclass(frozen=True)
class Normalised:
    """An utterance ready for matching: units (words or characters), a flat form and a sound form."""

    units: tuple[str, ...]  # BREAK marks clause boundaries
    flat: str  # for whole-utterance fuzzy comparison
    sound: tuple[str, ...]  # zh: loose pinyin per character; ko: jamo per character; en/es: same as units

    @property
    def empty(self) -> bool:
        """True when nothing matchable is left (silence, fillers only, punctuation)."""
        return not any(u != BREAK for u in self.units)


def strip_accents(text: str) -> str:
    """Remove combining accents (á -> a, ñ -> n, ü -> u): recognisers and phones drop them inconsistently."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    # A plural "s" is the commonest variation between a catalog word and what callers say (pill/pills).
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _collapse_repeats(units: list[str], max_len: int = 2, word_starts: Sequence[bool] | None = None) -> list[str]:
    # Hesitant speech repeats words ("the the", "on my on my"): drop an n-gram that repeats the one before.
    # With `word_starts` (Korean syllables: which begin a written word), only a repeat that begins a word is a
    # stutter ("아파 아파요"); inside a word it is the word itself: 심심 (bored), 적적 (lonely), 쓸쓸, 깜빡깜빡 would
    # otherwise shrink to one syllable that also sits in 조심, 적금, 쓸어, 심해요 (severe).
    out: list[str] = []
    begins: list[bool] = []
    for i, unit in enumerate(units):
        if unit != BREAK and len(out) >= 2 and out[-1] == BREAK and out[-2] == unit:
            out.pop()  # "I, I need": a comma inside a stutter is not a clause boundary
            begins.pop()
            continue
        out.append(unit)
        begins.append(True if word_starts is None else word_starts[i])
        for n in range(1, max_len + 1):
            if len(out) >= 2 * n and out[-n:] == out[-2 * n : -n] and BREAK not in out[-n:] and begins[-n]:
                del out[-n:]
                del begins[-n:]
                break
    return out


def _join_digits(units: list[str]) -> list[str]:
    # "nine one one" -> "9 1 1" -> "911": emergency numbers are spoken digit by digit. A three-digit number said
    # again at once ("nine one one nine one one") starts a new number rather than running on into "9119" "11".
    out: list[str] = []
    for i, unit in enumerate(units):
        repeated = len(out[-1]) == 3 and tuple(units[i : i + 3]) == tuple(out[-1]) if out else False
        if unit.isdigit() and out and out[-1].isdigit() and len(out[-1]) < 4 and len(unit) == 1 and not repeated:
            out[-1] += unit
        else:
            out.append(unit)
    return out


def _remove_sequences(units: list[str], sequences: Sequence[tuple[str, ...]]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(units):
        for seq in sequences:
            if tuple(units[i : i + len(seq)]) == seq:
                i += len(seq)
                break
        else:
            out.append(units[i])
            i += 1
    return out


def holds_filler(text: str, rules: LanguageRules) -> bool:
    """Would normalising `text` drop a filler from it, as `_spaced_units` and `_cjk_units` do (Chinese wherever one
    stands, other languages as whole words)? A catalog word that holds one can never be heard."""
    words = _basic(standard(text, rules.standard_forms), rules.locale).split()
    if rules.locale is Locale.ZH:
        joined = "".join(words)
        return any("".join(filler) in joined for filler in rules.fillers)
    return _remove_sequences(words, rules.fillers) != words


def _basic(text: str, locale: Locale) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    if locale is Locale.ES:
        text = strip_accents(text)
    text = _PUNCT_BREAK.sub(f" {BREAK} ", text)
    text = _NON_WORD.sub(" ", text.replace("_", " "))
    return text


def _spaced_units(text: str, rules: LanguageRules, drop_fillers: bool) -> list[str]:
    words = text.split()
    if drop_fillers:
        words = _remove_sequences(words, rules.fillers)
    words = [BREAK if w in rules.clause_breaks else rules.numbers.get(w, w) for w in words]
    words = _join_digits(words)
    words = _collapse_repeats(words)
    return [w if w == BREAK else _stem(w) for w in words]


def _digit_runs(text: str, numbers: Mapping[str, str]) -> str:
    # Chinese and Korean digits inside words are common ("一个人", "일어나"), so only a run of three or more
    # digit characters is read as a number ("一二零" -> "120", "일일구" -> "119").
    out: list[str] = []
    run: list[str] = []
    for ch in [*text, ""]:
        if ch and ch in numbers:
            run.append(ch)
            continue
        out.append("".join(numbers[c] for c in run) if len(run) >= 3 else "".join(run))
        run = []
        out.append(ch)
    return "".join(out)


def _cjk_units(text: str, rules: LanguageRules, drop_fillers: bool) -> list[str]:
    words = text.split()
    if rules.locale is Locale.KO:
        if drop_fillers:
            words = _remove_sequences(words, rules.fillers)
        words = _collapse_repeats(words)
        words = [BREAK if w in rules.clause_breaks else w for w in words]
        joined = "".join(words)
        first = set(accumulate((len(w) for w in words[:-1]), initial=0))  # where each word begins in `joined`
    else:
        joined = "".join(words)
        if drop_fillers:
            for filler in rules.fillers:
                joined = joined.replace("".join(filler), "")
        for word in rules.clause_breaks:
            joined = joined.replace(word, BREAK)
        first = set()  # Chinese is written without spaces: no word boundary to go by
    joined = _digit_runs(joined, rules.numbers)  # one digit for one syllable: positions keep their place
    units: list[str] = []
    starts: list[bool] = []
    for i, ch in enumerate(joined):
        if ch.isdigit() and units and units[-1].isdigit():
            units[-1] += ch
        else:
            units.append(ch)
            starts.append(i in first)
    if rules.locale is Locale.ZH:
        return _collapse_repeats(units, max_len=1)
    return _collapse_repeats(units, max_len=2, word_starts=starts)


_LOOSE_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"), ("f", "h"))
_LOOSE_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


@lru_cache(maxsize=16384)
def loose_pinyin(char: str) -> str:
    """Pinyin of one character with its tone (5: neutral), the confusions of southern accents and recognisers
    merged in the syllable.

    The tone is kept: a recogniser's homophones share it (医生 and 一生 are both yi1 sheng1, 药 and 要 yao4), but
    two ordinary words side by side that only sound like a keyword without their tones are not it ("座机就行",
    the landline will do, is zuo4 ji1 jiu4: not 急救 ji2 jiu4, first aid; 敲门, knocking, is not 撬门, forcing).
    """
    if not ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"):
        return char
    toned = lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True)[0]
    syllable, tone = (toned[:-1], toned[-1]) if toned[-1:].isdigit() else (toned, "")
    for old, new in _LOOSE_INITIALS:
        if syllable.startswith(old):
            syllable = new + syllable[len(old) :]
            break
    for old, new in _LOOSE_FINALS:
        if syllable.endswith(old):
            syllable = syllable[: -len(old)] + new
            break
    return syllable + tone


@lru_cache(maxsize=16384)
def jamo(char: str) -> str:
    """The jamo of one Hangul syllable (NFD), so that one misheard consonant or vowel is a small edit."""
    return unicodedata.normalize("NFD", char)


def _sound(units: Sequence[str], locale: Locale) -> tuple[str, ...]:
    if locale is Locale.ZH:
        return tuple(loose_pinyin(u) for u in units)
    if locale is Locale.KO:
        return tuple(jamo(u) for u in units)
    return tuple(units)


def normalise(text: str, rules: LanguageRules, drop_fillers: bool = True) -> Normalised:
    """Normalise an utterance (or, without dropping fillers, a catalog keyword) for its language."""
    basic = _basic(standard(text, rules.standard_forms), rules.locale)
    if rules.locale in SPACED:
        units = _spaced_units(basic, rules, drop_fillers)
    else:
        units = _cjk_units(basic, rules, drop_fillers)
    # Leading, trailing and doubled breaks carry no information.
    cleaned: list[str] = []
    for unit in units:
        if unit == BREAK and (not cleaned or cleaned[-1] == BREAK):
            continue
        cleaned.append(unit)
    if cleaned and cleaned[-1] == BREAK:
        cleaned.pop()
    words = [u for u in cleaned if u != BREAK]
    sound = _sound(words, rules.locale)
    if rules.locale in SPACED:
        flat = " ".join(words)
    elif rules.locale is Locale.ZH:
        flat = " ".join(sound)  # compare Chinese by sound: homophones are the commonest recognition error
    else:
        flat = "".join(sound)  # compare Korean by jamo: a syllable with one wrong jamo is still close
    return Normalised(units=tuple(cleaned), flat=flat, sound=_sound(cleaned, rules.locale))
