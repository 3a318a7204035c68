"""How training turns out-of-fold probabilities into per-locale thresholds (intents.train.thresholds, numpy)."""

from __future__ import annotations

import numpy as np

from intents.train import CLASSES, EMERGENCY_RANGE, thresholds
from intents.types import Intent

EM, MEALS, OOS = CLASSES.index(Intent.EMERGENCY), CLASSES.index(Intent.MEALS), len(CLASSES) - 1


def rows(*spec: tuple[int, dict[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(labels, probabilities): each row's named classes, the rest spread evenly over the others."""
    probs = np.zeros((len(spec), len(CLASSES)))
    for k, (_, named) in enumerate(spec):
        rest = (1.0 - sum(named.values())) / (len(CLASSES) - len(named))
        probs[k] = rest
        for c, p in named.items():
            probs[k, c] = p
    return np.array([label for label, _ in spec]), probs


def corpus(emergencies: list[dict[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    meals = [(MEALS, {MEALS: 0.9, EM: 0.01})] * 40
    small_talk = [(OOS, {OOS: 0.9, EM: 0.01})] * 40
    return rows(*meals, *small_talk, *[(EM, e) for e in emergencies])


def test_the_safety_net_with_the_matcher_catches_every_emergency_of_the_corpus() -> None:
    # The matcher hears none of them; the weakest reads 0.04 emergency (and is still a fair share of its top class).
    y, probs = corpus([{EM: 0.9}, {EM: 0.3, MEALS: 0.3}, {EM: 0.04, OOS: 0.3}])
    none = np.zeros(len(y), dtype=bool)
    th = thresholds(probs, y, none, none)
    assert th.emergency <= 0.04
    # Where the matcher accepts the weak one itself, the net could ask less often, but it must still catch 95 % of
    # the corpus's emergencies alone (MODEL_RECALL): the matcher's own figure on the corpus is in-sample.
    accepts = none.copy()
    accepts[-1] = True
    assert thresholds(probs, y, accepts, none).emergency <= 0.04
    many = [{EM: 0.9}] * 40 + [{EM: 0.3, MEALS: 0.3}, {EM: 0.04, OOS: 0.3}]
    y, probs = corpus(many)
    none = np.zeros(len(y), dtype=bool)
    accepts = none.copy()
    accepts[-1] = True
    assert thresholds(probs, y, none, none).emergency <= 0.04
    # 41 of 42 alone (97.6 %) at 0.3, but the bar never rises past the range's top (a held-out emergency the matcher
    # does not hear must still be asked about).
    assert thresholds(probs, y, accepts, none).emergency == EMERGENCY_RANGE[1] == 0.25


def test_an_emergency_no_bar_in_range_can_catch_does_not_drag_the_net_to_the_floor() -> None:
    # 62 emergencies; one hides what it is (a fraud in the fraudster's words, read 0.005 emergency out of fold) and
    # the matcher misses it. Requiring every one took each locale's bar to the floor on the corpus of 2026-12-06,
    # night, where many more requests and much more small talk were asked about as emergencies; 98 % keeps the bar.
    many = [{EM: 0.9}] * 60 + [{EM: 0.3, MEALS: 0.3}, {EM: 0.005, OOS: 0.5}]
    y, probs = corpus(many)
    none = np.zeros(len(y), dtype=bool)
    assert thresholds(probs, y, none, none).emergency == EMERGENCY_RANGE[1]
    # Two such (61 of 63 caught at best, 96.8 %) are more than 2 %: no bar reaches 98 %, the net falls to the floor.
    y, probs = corpus([*many, {EM: 0.004, OOS: 0.5}])
    none = np.zeros(len(y), dtype=bool)
    assert thresholds(probs, y, none, none).emergency == EMERGENCY_RANGE[0]


def test_the_matchers_doubt_gives_way_only_above_what_the_model_ever_read_into_an_emergency_it_asks_about() -> None:
    # An emergency only the matcher's question catches, read 0.85 home repair: a service must beat that to win.
    y, probs = corpus([{EM: 0.9}, {EM: 0.005, MEALS: 0.85}])
    none = np.zeros(len(y), dtype=bool)
    asked = none.copy()
    asked[-1] = True
    assert thresholds(probs, y, asked, asked).overrides_doubt >= 0.9
    # Nothing at risk: the bar is the model's "sure".
    th = thresholds(probs, y, none, none)
    assert th.overrides_doubt == th.sure


def test_a_model_sure_of_something_else_needs_more_to_raise_the_alarm_but_never_loses_a_corpus_emergency() -> None:
    # One emergency the model is unsure about (0.04) sets the plain bar. Two read as sure meals with 0.3 and 0.2
    # emergency need the net too: the bar there is half the lowest of them (SURE_EMERGENCY_MARGIN).
    y, probs = corpus([{EM: 0.9}, {EM: 0.04, OOS: 0.3}, {EM: 0.3, MEALS: 0.65}, {EM: 0.2, MEALS: 0.75}])
    none = np.zeros(len(y), dtype=bool)
    th = thresholds(probs, y, none, none)
    assert th.sure <= 0.65 and th.emergency <= 0.04
    assert th.emergency_if_sure == 0.1
    # The matcher catching the one read 0.2 changes nothing: its figures on the corpus are in-sample.
    caught = none.copy()
    caught[-1] = True
    assert thresholds(probs, y, caught, none).emergency_if_sure == 0.1
    # None of the corpus's emergencies is read as something else: the bar is the top of the range.
    y, probs = corpus([{EM: 0.9}, {EM: 0.6}])
    none = np.zeros(len(y), dtype=bool)
    assert thresholds(probs, y, none, none).emergency_if_sure == EMERGENCY_RANGE[1]
