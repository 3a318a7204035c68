"""A service the sentence names only to turn it down ("不用车接我，你们帮我买了送来就行", "no necesita transporte,
lo que necesita es ayuda con el recibo") is not what the model's reading may confirm: the second opinion is read
without it (Opinion.without), the emergency's probability untouched so the safety net reads the same.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, match, match_utterance
from tests.intents.test_intents_opinion import opinion  # the same made-up opinions and thresholds


def test_without_shares_a_denied_services_probability_out_and_keeps_the_emergencys() -> None:
    before = opinion(0.1, transport=0.6, meals=0.2, emergency=0.05)
    after = before.without({Intent.TRANSPORT})
    assert after.probability(Intent.TRANSPORT) == 0.0
    assert after.probability(Intent.EMERGENCY) == pytest.approx(0.05)
    total = after.out_of_scope + sum(p for _, p in after.probabilities)
    assert total == pytest.approx(1.0)
    # The others keep their proportions: meals stays twice out of scope.
    assert after.probability(Intent.MEALS) / after.out_of_scope == pytest.approx(2.0)
    assert after.best() == (Intent.MEALS, pytest.approx(after.probability(Intent.MEALS)))


def test_without_nothing_denied_or_only_the_emergency_is_the_same_opinion() -> None:
    before = opinion(0.1, transport=0.6, emergency=0.2)
    assert before.without(()) is before
    assert before.without({Intent.EMERGENCY}) is before  # never taken out: "I'm not hurt" is still asked about


@pytest.mark.parametrize(
    ("locale", "text", "denied", "wanted"),
    [
        (Locale.ZH, "不用车接我去菜市场，你们直接帮我买好送过来就行", Intent.TRANSPORT, Intent.MEALS),
        (
            Locale.ES,
            "A mi padre no le hace falta transporte, lo que necesita es ayuda con la pensión",
            Intent.TRANSPORT,
            Intent.BENEFITS,
        ),
        (Locale.KO, "도시락은 필요 없고 난방비 지원 받을 수 있는지 알고 싶어요", Intent.MEALS, Intent.BENEFITS),
    ],
)
def test_the_model_reading_the_turned_down_service_is_not_confirmed(
    locale: Locale, text: str, denied: Intent, wanted: Intent
) -> None:
    alone = match(text, locale)
    assert denied in alone.denied and not (alone.intent is denied and alone.decision is Decision.ACCEPT), alone
    # A model that reads the topic and not the "not": the turned-down service most, the wanted one next.
    reading = opinion(0.02, **{denied.value: 0.78, wanted.value: 0.18})
    both = match_utterance(Utterance(text, InputSource.SMS, locale, semantic=reading))
    assert both.intent is wanted and both.decision is not Decision.REJECT, both


def test_a_service_said_only_in_the_negative_is_no_rescue_for_a_rejection() -> None:
    text = "I don't need a lift, thanks"
    alone = match(text, Locale.EN)
    assert alone.decision is Decision.REJECT and Intent.TRANSPORT in alone.denied
    both = match_utterance(Utterance(text, InputSource.SMS, Locale.EN, semantic=opinion(0.2, transport=0.75)))
    assert both.decision is Decision.REJECT, both


def test_a_denied_emergency_is_still_the_safety_nets() -> None:
    # The emergency is never taken out of the opinion: a denial of one is still asked about.
    text = "I haven't fallen, I just feel a bit dizzy and odd"
    both = match_utterance(Utterance(text, InputSource.SMS, Locale.EN, semantic=opinion(0.1, emergency=0.6)))
    assert both.intent is Intent.EMERGENCY and both.decision is not Decision.REJECT, both


@pytest.mark.parametrize(
    ("locale", "text", "wanted"),
    [
        # Not that I have no money for groceries: the shop is too far (the "not" is about the money).
        (Locale.ZH, "我不是没钱买菜，是超市离得太远，你们能帮我带点米面吗", Intent.MEALS),
        # Nobody visits me any more: the "no" says what is missing, not what is turned down.
        (Locale.ES, "Ya no me visita nadie, paso las semanas sin hablar con una persona", Intent.COMPANIONSHIP),
    ],
)
def test_a_model_all_but_certain_of_the_service_keeps_it_whatever_the_matcher_heard_negated(
    locale: Locale, text: str, wanted: Intent
) -> None:
    assert wanted in match(text, locale).denied
    both = match_utterance(Utterance(text, InputSource.SMS, locale, semantic=opinion(0.0, **{wanted.value: 0.99})))
    assert both.intent is wanted and both.decision is not Decision.REJECT, both
