"""Two opinions, one decision: how the pure core joins the matcher with a semantic opinion (given as a value)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from intents import (
    Decision,
    InputSource,
    Intent,
    Locale,
    Opinion,
    SemanticThresholds,
    Utterance,
    enrich,
    match,
    match_utterance,
)

THRESHOLDS = SemanticThresholds(sure=0.6, emergency=0.3, out_of_scope=0.8)
EN, ZH = Locale.EN, Locale.ZH


def opinion(out_of_scope: float = 0.0, **probabilities: float) -> Opinion:
    """An opinion as a model would give it: the rest of the probability spread thinly over the other intents."""
    named = {Intent(k): v for k, v in probabilities.items()}
    others = [i for i in Intent if i not in named and i not in Intent.DIALOGUE]
    rest = max(0.0, 1.0 - out_of_scope - sum(named.values())) / len(others)
    pairs = tuple((i, named.get(i, rest)) for i in Intent if i not in Intent.DIALOGUE)
    return Opinion(pairs, out_of_scope, THRESHOLDS, "test")


def heard(text: str, semantic: Opinion | None, locale: Locale = EN) -> Utterance:
    return Utterance(text, InputSource.SMS, locale, semantic=semantic)


def test_agreement_is_as_the_matcher_says() -> None:
    alone = match_utterance(heard("I need meals delivered to my home", None))
    both = match_utterance(heard("I need meals delivered to my home", opinion(meals=0.9)))
    assert alone.decision is Decision.ACCEPT and alone.intent is Intent.MEALS
    assert both == alone


def test_a_rejection_the_model_is_sure_about_is_rescued_as_a_confirmation_never_an_accept() -> None:
    text = "the cupboards are bare"
    assert match(text, EN).decision is Decision.REJECT
    rescued = match_utterance(heard(text, opinion(meals=0.8)))
    assert (rescued.intent, rescued.decision) == (Intent.MEALS, Decision.CONFIRM)
    unsure = match_utterance(heard(text, opinion(meals=0.5)))
    assert unsure.decision is Decision.REJECT


def test_a_rejection_is_not_rescued_when_the_model_also_sees_small_talk_in_it() -> None:
    # Out of fold, rescues with small talk at 0.2 or more were right 38 % of the time, not the 90 % a rescue needs.
    text = "the cupboards are bare"
    doubted = match_utterance(heard(text, opinion(out_of_scope=0.25, meals=0.7)))
    assert doubted.decision is Decision.REJECT
    clear = match_utterance(heard(text, opinion(out_of_scope=0.05, meals=0.7)))
    assert (clear.intent, clear.decision) == (Intent.MEALS, Decision.CONFIRM)
    # An emergency the model is sure of is never dropped for the small talk it also reads.
    alarm = match_utterance(heard(text, opinion(out_of_scope=0.3, emergency=0.65)))
    assert (alarm.intent, alarm.decision) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_an_accept_the_model_disagrees_with_becomes_a_confirmation() -> None:
    text = "I need meals delivered to my home"
    other = match_utterance(heard(text, opinion(transport=0.8)))
    assert other.decision is Decision.CONFIRM
    assert Intent.MEALS in {other.intent, *(a.intent for a in other.alternatives)}
    doubtful = match_utterance(heard(text, opinion(out_of_scope=0.5, meals=0.1)))
    assert (doubtful.intent, doubtful.decision) == (Intent.MEALS, Decision.CONFIRM)


def test_a_doubtful_service_the_model_holds_out_of_scope_is_rejected() -> None:
    text = "my cat sat in the window all day watching the birds"
    alone = match_utterance(heard(text, None))
    kept_out = match_utterance(heard(text, opinion(out_of_scope=0.9)))
    assert kept_out.decision is Decision.REJECT
    assert alone.decision is Decision.CONFIRM  # the matcher alone would have asked about a service


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("I need meals delivered to my home", EN),  # the matcher accepts a service
        ("the weather is lovely today", EN),  # the matcher rejects
        ("我想跟真人说话", ZH),  # the matcher names another intent
    ],
)
def test_safety_net_whatever_is_close_to_an_emergency_is_the_emergency_question(text: str, locale: Locale) -> None:
    result = match_utterance(heard(text, opinion(emergency=0.35, meals=0.4), locale))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_one_strong_word_outweighs_a_model_that_only_leans_to_emergency() -> None:
    said = heard("말동무", opinion(emergency=0.35, companionship=0.3), Locale.KO)  # "a companion"
    assert match("말동무", Locale.KO).decision is Decision.ACCEPT
    result = match_utterance(said)
    assert (result.intent, result.decision) == (Intent.COMPANIONSHIP, Decision.CONFIRM)
    sure = match_utterance(heard("말동무", opinion(emergency=0.8), Locale.KO))
    assert (sure.intent, sure.decision) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_a_clear_emergency_phrase_still_acts_at_once_unless_the_model_is_sure_of_small_talk() -> None:
    text = "help I fell and I can't get up"
    assert match(text, EN).decision is Decision.ACCEPT
    for unsure in (opinion(out_of_scope=0.7), opinion(out_of_scope=0.5, meals=0.3), opinion(emergency=0.2)):
        result = match_utterance(heard(text, unsure))
        assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.ACCEPT)
    # Sure it is small talk, yet reading some emergency in it: asked, and a yes, silence or hanging up still dials
    # (voice.dialogue). Under 0.03 (intents.opinion.SMALL_TALK_NO_EMERGENCY) such a text is rejected: no emergency of
    # the corpus is read that way (the lowest, out of fold, 0.056).
    result = match_utterance(heard(text, opinion(out_of_scope=0.85, emergency=0.04)))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    sure_of_emergency = match_utterance(heard(text, opinion(out_of_scope=0.3, emergency=0.65)))
    assert sure_of_emergency.decision is Decision.ACCEPT


def test_small_talk_with_an_emergency_word_is_the_quick_question_not_a_dial() -> None:
    """Out-of-fold over the corpus (2026-12-04): 26 such lines dialled at once ("we had a fire drill at the centre
    this morning, all good", "una vez me caí, hace años"); 2 real emergencies are asked instead."""
    text = "there was a fire at the old mill"
    assert (match(text, EN).intent, match(text, EN).decision) == (Intent.EMERGENCY, Decision.ACCEPT)
    result = match_utterance(heard(text, opinion(out_of_scope=0.85, emergency=0.05)))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    brief = match_utterance(heard("fire!", opinion(out_of_scope=0.85, emergency=0.05)))
    assert brief.decision is Decision.ACCEPT  # a word or two is the matcher's keyword alone


def test_a_text_the_model_is_sure_is_small_talk_with_no_emergency_in_it_is_rejected_but_speech_is_asked() -> None:
    """Out of fold over the corpus (2026-12-06, late): 25 memories, news and figures of speech with one emergency
    word were asked "is this an emergency?" ("Electric blanket caught fire under me in 1974"); no emergency and no
    request is read that way (the corpus's clear emergencies the model reads as small talk read 0.056 or more)."""
    text = "there was a fire at the old mill"
    told = opinion(out_of_scope=0.9, emergency=0.005)
    result = match_utterance(heard(text, told))
    assert (result.intent, result.decision) == (None, Decision.REJECT)
    assert result.alternatives[0].intent is Intent.EMERGENCY  # what the matcher read stays visible
    spoken = match_utterance(Utterance(text, InputSource.SPEECH, EN, confidence=0.95, semantic=told))
    assert (spoken.intent, spoken.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    some = match_utterance(heard(text, opinion(out_of_scope=0.9, emergency=0.04)))
    assert (some.intent, some.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    # "I've been smoke-free six months now" read small talk 0.98 and emergency 0.011: asked before 2026-12-07.
    next_to_none = match_utterance(heard(text, opinion(out_of_scope=0.9, emergency=0.02)))
    assert (next_to_none.intent, next_to_none.decision) == (None, Decision.REJECT)
    unsure = match_utterance(heard(text, opinion(out_of_scope=0.6, emergency=0.005)))  # small talk under its bar
    assert (unsure.intent, unsure.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    brief = match_utterance(heard("fire!", told))
    assert brief.decision is Decision.ACCEPT  # a word or two is the matcher's keyword alone


def test_an_emergency_phrase_the_model_is_sure_asks_for_a_repair_is_the_emergency_question_not_a_dial() -> None:
    """A false emergency (CV over the corpus): the matcher accepts "fire" (the heater) in a sentence that denies a
    gas leak ("won't fire up" itself is now a not-now cue, so the corpus line no longer reaches the model)."""
    text = "it's not a gas leak, the fire in the lounge just won't light"
    assert (match(text, EN).intent, match(text, EN).decision) == (Intent.EMERGENCY, Decision.ACCEPT)
    result = match_utterance(heard(text, opinion(home_repair=0.95, emergency=0.01)))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)  # asked, never another service
    leaning = match_utterance(heard(text, opinion(home_repair=0.6, emergency=0.32)))
    assert (leaning.intent, leaning.decision) == (Intent.EMERGENCY, Decision.ACCEPT)  # the model sees an emergency


def test_a_service_in_talk_the_model_is_sure_is_small_talk_is_rejected() -> None:
    text = "I watched a programme about meals on wheels last night, very interesting"
    assert match(text, EN).intent is Intent.MEALS and match(text, EN).decision is not Decision.REJECT
    sure = match_utterance(heard(text, opinion(out_of_scope=0.85, meals=0.1)))
    assert sure.decision is Decision.REJECT
    unsure = match_utterance(heard(text, opinion(out_of_scope=0.7, meals=0.25)))
    assert (unsure.intent, unsure.decision) == (Intent.MEALS, Decision.CONFIRM)


def test_a_keyword_of_a_word_or_two_is_not_rejected_as_small_talk() -> None:
    said = heard("말동무", opinion(out_of_scope=0.9), Locale.KO)  # "a companion": the keyword is the request
    result = match_utterance(said)
    assert result.intent is Intent.COMPANIONSHIP and result.decision is not Decision.REJECT


def test_answers_to_a_yes_no_question_stay_the_matchers() -> None:
    expected = {Intent.YES, Intent.NO}
    result = match_utterance(heard("yes please", opinion(out_of_scope=0.95)), expected)
    assert (result.intent, result.decision) == (Intent.YES, Decision.ACCEPT)


def test_a_turn_that_expects_some_intents_is_not_rescued_onto_others() -> None:
    expected = {Intent.YES, Intent.NO}
    result = match_utterance(heard("the cupboards are bare", opinion(meals=0.9)), expected)
    assert result.intent is not Intent.MEALS


class Fixed:
    """A second opinion that always says the same (the port is a Protocol: any model plugs in)."""

    def __init__(self, said: Opinion | None) -> None:
        self.said = said
        self.asked: list[tuple[str, Locale]] = []

    def opinion(self, text: str, locale: Locale) -> Opinion | None:
        self.asked.append((text, locale))
        return self.said


def test_enrich_adds_the_opinion_to_text_but_not_to_keypad_digits() -> None:
    model = Fixed(opinion(meals=0.9))
    spoken = enrich(Utterance("the cupboards are bare", InputSource.SPEECH, EN, 0.9), model)
    assert spoken.semantic == model.said and spoken.confidence == 0.9
    keyed = enrich(Utterance("9", InputSource.KEYPAD, EN), model)
    assert keyed.semantic is None
    assert model.asked == [("the cupboards are bare", EN)]
    assert enrich(spoken, None) is spoken


def test_fillers_alone_are_not_read_by_the_model() -> None:
    result = match_utterance(heard("음 그러니까 저기요", opinion(emergency=0.4, operator=0.4), Locale.KO))
    assert result.decision is Decision.REJECT


def test_a_doubtful_emergency_from_the_matcher_is_never_turned_into_another_service() -> None:
    text = "请帮帮我爸爸"  # "please help my dad": the matcher asks whether it is an emergency
    assert match(text, ZH).intent is Intent.EMERGENCY
    result = match_utterance(heard(text, opinion(status=0.3, emergency=0.05), ZH))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    # Even a model sure of a repair that reads no emergency at all does not turn the question into a repair: a
    # rotten-egg smell (gas) read 0.85 home repair, 0.01 emergency.
    sure = match_utterance(heard(text, opinion(home_repair=0.95, emergency=0.01), ZH))
    assert (sure.intent, sure.decision) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_a_doubtful_emergency_gives_way_only_to_a_service_the_model_is_surer_of_than_for_any_emergency() -> None:
    text = "厨房的插座进水了"  # "water got into the kitchen socket": the matcher asks about an emergency
    assert match(text, ZH).intent is Intent.EMERGENCY
    th = replace(THRESHOLDS, overrides_doubt=0.9)

    def decided(**probabilities: float) -> tuple[Intent | None, Decision]:
        found = match_utterance(heard(text, replace(opinion(**probabilities), thresholds=th), ZH))
        return found.intent, found.decision

    assert decided(home_repair=0.95, emergency=0.01) == (Intent.HOME_REPAIR, Decision.CONFIRM)
    # Below the bar (a gas smell read 0.85 home repair) or with the emergency above the net's: the question stays.
    assert decided(home_repair=0.85, emergency=0.01) == (Intent.EMERGENCY, Decision.CONFIRM)
    assert decided(home_repair=0.6, emergency=0.35) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_an_accept_the_model_agrees_with_but_is_not_sure_of_is_confirmed() -> None:
    text = "I need a ride to the hospital on Tuesday"
    assert match(text, EN).decision is Decision.ACCEPT
    unsure = match_utterance(heard(text, opinion(transport=0.4, out_of_scope=0.3)))
    assert (unsure.intent, unsure.decision) == (Intent.TRANSPORT, Decision.CONFIRM)
    sure = match_utterance(heard(text, opinion(transport=0.9)))
    assert (sure.intent, sure.decision) == (Intent.TRANSPORT, Decision.ACCEPT)


def test_an_accept_the_model_agrees_with_but_sees_small_talk_in_is_confirmed() -> None:
    # Out of fold, "我每个月的退休金都按时到账，一分不少，够花" (my pension comes in on time, it is enough) was benefits
    # 0.80 and small talk 0.19: the matcher's accept of benefits was acted on, a wrong accept.
    text = "我每个月的退休金都按时到账，一分不少，够花"
    alone = match(text, ZH)
    assert alone.decision is Decision.ACCEPT
    doubted = match_utterance(heard(text, opinion(out_of_scope=0.19, **{alone.intent.value: 0.8}), ZH))
    assert (doubted.intent, doubted.decision) == (alone.intent, Decision.CONFIRM)
    clear = match_utterance(heard(text, opinion(out_of_scope=0.03, **{alone.intent.value: 0.9}), ZH))
    assert (clear.intent, clear.decision) == (alone.intent, Decision.ACCEPT)


def test_an_accept_is_acted_on_only_when_the_model_is_clearly_sure_and_sees_next_to_no_small_talk() -> None:
    # Out of fold over the corpus (2026-12-06): "家里已经请了保姆做饭，我妈那边送餐就先不订了" (a cook at home, no meals
    # for now) read meals 0.90 and small talk 0.09; "I'm managing my pills alright, it's the cooking I can't do"
    # read medication 0.65, over the locale's `sure` bar (0.5 in English). Both were accepted: wrong services.
    declined = "家里已经请了保姆做饭，我妈那边送餐就先不订了"
    alone = match(declined, ZH)
    assert (alone.intent, alone.decision) == (Intent.MEALS, Decision.ACCEPT)
    doubted = match_utterance(heard(declined, opinion(out_of_scope=0.09, meals=0.9), ZH))
    assert (doubted.intent, doubted.decision) == (Intent.MEALS, Decision.CONFIRM)
    pills = "I'm managing my pills alright, it's the cooking I can't do"
    alone = match(pills, EN)
    assert (alone.intent, alone.decision) == (Intent.MEDICATION, Decision.ACCEPT)
    low_sure = replace(THRESHOLDS, sure=0.5)
    leaning = replace(opinion(out_of_scope=0.01, medication=0.65), thresholds=low_sure)
    assert match_utterance(heard(pills, leaning)).decision is Decision.CONFIRM
    # A plain request the model is clearly sure of still acts at once.
    plain = "I need meals delivered to my home"
    sure = replace(opinion(out_of_scope=0.02, meals=0.85), thresholds=low_sure)
    assert match_utterance(heard(plain, sure)).decision is Decision.ACCEPT


def test_a_keyword_of_a_word_or_two_keeps_its_accept_when_the_model_sees_some_small_talk() -> None:
    found = match_utterance(heard("meals please", opinion(out_of_scope=0.3, meals=0.65)))
    assert (found.intent, found.decision) == (Intent.MEALS, Decision.ACCEPT)


def test_digits_and_emoji_are_not_given_to_the_model() -> None:
    model = Fixed(opinion(emergency=0.9))
    for text in ("1", "👍", "?!"):
        assert enrich(Utterance(text, InputSource.SMS, EN), model).semantic is None
    assert model.asked == []


def test_a_model_sure_of_a_service_or_of_small_talk_needs_more_to_raise_the_alarm() -> None:
    text = "I need meals delivered to my home"
    raised = replace(THRESHOLDS, emergency_if_sure=0.5)

    def decided(
        th: SemanticThresholds, out_of_scope: float = 0.0, **probabilities: float
    ) -> tuple[Intent | None, Decision]:
        found = match_utterance(heard(text, replace(opinion(out_of_scope, **probabilities), thresholds=th)))
        return found.intent, found.decision

    assert decided(THRESHOLDS, meals=0.6, emergency=0.35) == (Intent.EMERGENCY, Decision.CONFIRM)  # the plain bar
    # Not raised to an emergency: the meals the model reads, confirmed (0.6 is under AGREEMENT_SURE).
    assert decided(raised, meals=0.6, emergency=0.35) == (Intent.MEALS, Decision.CONFIRM)
    assert decided(raised, meals=0.4, emergency=0.55) == (Intent.EMERGENCY, Decision.CONFIRM)
    # Unsure of anything: the plain bar.
    assert decided(raised, meals=0.45, emergency=0.35) == (Intent.EMERGENCY, Decision.CONFIRM)
    # A plain-bar emergency the model reads in sure small talk is not asked about either.
    talk = "what a lovely day it is"
    low = replace(THRESHOLDS, emergency=0.1)
    sure_talk = opinion(0.82, emergency=0.15)
    assert match_utterance(heard(talk, replace(sure_talk, thresholds=low))).intent is Intent.EMERGENCY
    raised_talk = replace(sure_talk, thresholds=replace(low, emergency_if_sure=0.5))
    assert match_utterance(heard(talk, raised_talk)).decision is Decision.REJECT


def test_an_emergency_phrase_the_model_sees_no_emergency_in_at_all_is_asked_not_dialled() -> None:
    """The dev set (2026-12-04): "my teeth are no good" said with the strong 不行了 dialled; the model read
    meals 0.48 and emergency 0.001. The catalog now knows "牙口不行了" (and legs, eyes, ears that are "no good") as
    everyday words; the rule still guards a wording it does not know ("我这牙不行了")."""
    text = "饭菜送来都挺好，就是能不能换成软和一点的，我这牙不行了。"
    assert (match(text, ZH).intent, match(text, ZH).decision) == (Intent.EMERGENCY, Decision.ACCEPT)
    result = match_utterance(heard(text, opinion(0.12, meals=0.48, emergency=0.001), ZH))
    assert (result.intent, result.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
    seen = match_utterance(heard(text, opinion(0.12, meals=0.48, emergency=0.05), ZH))
    assert seen.decision is Decision.ACCEPT


def test_a_doubtful_emergency_in_what_reads_as_small_talk_is_rejected_only_when_no_emergency_is_read_in_it() -> None:
    text = "厨房的插座进水了"  # "water got into the kitchen socket": the matcher asks about an emergency
    assert (match(text, ZH).intent, match(text, ZH).decision) == (Intent.EMERGENCY, Decision.CONFIRM)

    def decided(out_of_scope: float, emergency: float) -> tuple[Intent | None, Decision]:
        found = match_utterance(heard(text, opinion(out_of_scope=out_of_scope, emergency=emergency), ZH))
        return found.intent, found.decision

    # Sure of small talk (0.85 >= 0.8) but reading an emergency at half the net's bar (0.15 of 0.3): still asked.
    assert decided(0.85, 0.15) == (Intent.EMERGENCY, Decision.CONFIRM)
    # Small talk on top but not sure of it: asked, whatever the emergency probability.
    assert decided(0.6, 0.01) == (Intent.EMERGENCY, Decision.CONFIRM)
    # Sure of small talk and next to no emergency in it: water in a socket is a danger pattern of the catalog, asked
    # about whatever the model reads (below).
    assert decided(0.9, 0.01) == (Intent.EMERGENCY, Decision.CONFIRM)


def test_a_doubtful_emergency_without_a_danger_pattern_gives_way_to_sure_small_talk() -> None:
    text = "that match nearly gave me a heart attack"  # a figure of speech: the matcher asks
    alone = match(text, EN)
    assert (alone.intent, alone.decision, alone.danger) == (Intent.EMERGENCY, Decision.CONFIRM, False)
    found = match_utterance(heard(text, opinion(out_of_scope=0.9, emergency=0.01)))
    assert (found.intent, found.decision) == (None, Decision.REJECT)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        # Out of fold over the corpus of 2026-12-06 these were read as small talk (0.60 and 0.95) with an emergency
        # probability of 0.01 and 0.03, and rejected: sudden confusion, and a stove's fumes with a dizzy head.
        ("Dad rang me and he thinks it's 1975 and he's waiting for his mother, he was fine yesterday", EN),
        ("那个味儿那个炉子那个味儿好大呛得慌头晕晕乎乎的", ZH),
    ],
)
def test_a_danger_pattern_is_asked_about_even_when_the_model_reads_small_talk(text: str, locale: Locale) -> None:
    alone = match(text, locale)
    assert (alone.intent, alone.decision, alone.danger) == (Intent.EMERGENCY, Decision.CONFIRM, True)
    found = match_utterance(heard(text, opinion(out_of_scope=0.95, emergency=0.01), locale))
    assert (found.intent, found.decision) == (Intent.EMERGENCY, Decision.CONFIRM)
