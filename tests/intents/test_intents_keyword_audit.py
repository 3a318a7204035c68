"""The catalog audit (`python -m bench keywords`): the words the matcher hears before any rule, and which strong
words fire more on sentences of other meanings than on their own."""

from __future__ import annotations

from collections import Counter

from bench.keywords_bench import suspects, tally
from intents.catalog import STRONG, _never_heard, _read, load
from intents.corpus import Example
from intents.matcher import keywords_heard
from intents.types import Intent, Locale


def test_the_words_heard_are_the_catalogs_with_their_weight() -> None:
    heard = keywords_heard("I need a plumber, the kitchen tap is leaking", Locale.EN)
    assert (Intent.HOME_REPAIR, "plumber", STRONG) in heard
    # The longer phrase hides the shorter one inside it ("street light" is a complaint, not the light of a repair).
    assert all(words != "light" for _, words, _ in keywords_heard("the street light is out", Locale.EN))


def test_a_doubled_korean_syllable_is_heard_only_as_itself() -> None:
    assert [i for i, _, _ in keywords_heard("고맙심더", Locale.KO)] == []
    assert (Intent.COMPANIONSHIP, "심 심", STRONG) in keywords_heard("요즘 심심해요", Locale.KO)


def test_a_word_firing_mostly_on_other_sentences_is_a_suspect() -> None:
    def ex(intent: Intent | None, text: str) -> Example:
        return Example(intent, "plain", text, Locale.EN)

    examples = [
        ex(Intent.HOME_REPAIR, "I need a plumber, the tap is leaking"),
        ex(None, "the plumber came yesterday and it's all fixed, thanks"),
        ex(None, "my grandson is training to be a plumber"),
        ex(Intent.MEDICAL, "the plumber said I looked poorly, can I see a doctor"),
        ex(None, "the plumber's van is parked outside again"),
    ]
    own, other, talk = tally(examples)
    key = (Intent.HOME_REPAIR, "plumber")
    assert (own[key], other[key], talk[key]) == (1, 1, 3)
    assert [row[0] for row in suspects(own, other, talk)] == [key]
    # More than half as many of its own as of the rest: not a suspect.
    assert suspects(Counter({key: 3}), Counter({key: 1}), Counter({key: 3})) == []


def test_a_catalog_word_holding_a_dropped_filler_is_refused_when_the_catalog_loads() -> None:
    """The normaliser drops fillers from what people say (嗯, 这个, 吧; "er", "uh"; "pues", "este"), so a catalog word
    holding one can never match: "嗯对" was heard as 对, "boil er" as boil. The loader names every such word; Korean,
    whose fillers go only as whole spoken words while its keywords match across spaces, is not checked."""
    zh = {"intents": {"yes": {"strong": ["对", "嗯对"]}}, "cues": {"reported": ["听说那个"]}}
    unheard = _never_heard(Locale.ZH, zh, load(Locale.ZH).rules)
    assert unheard == ["intents.yes.strong '嗯对'", "cues.reported '听说那个'"]
    en = {"intents": {"home_repair": {"weak": ["boiler", "boil er"]}}, "negation": {"before": {"dont need": 3}}}
    assert _never_heard(Locale.EN, en, load(Locale.EN).rules) == ["intents.home_repair.weak 'boil er'"]
    ko = {"intents": {"emergency": {"strong": ["숨 막"]}}}
    assert _never_heard(Locale.KO, ko, load(Locale.KO).rules) == []
    for locale in Locale:  # and the catalogs as committed load, so hold none
        assert _never_heard(locale, _read(locale), load(locale).rules) == []
