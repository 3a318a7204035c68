"""A problem in the neighbourhood told as it is, with no word for "complain" or "report", is a complaint to pass on.

The complaint service is "a report about a problem" ("Report a problem in the neighbourhood or with a service", as
the Open311 export describes it). A probe written on 7 December 2026 by writers who saw neither the corpus nor any
set found the model reading such reports as small talk and overruling the matcher: "The street light outside number
12 has been out for a fortnight, it's pitch black" (out of scope 0.85), "우리 골목 가로등이 일주일째 꺼져 있어요", "Hace
diez días que no pasa el camión de la basura" were rejected. The corpus had no street light in a complaint line in
English or Spanish, and a round of grumbles about the council, the bus and a neighbour's dog had been labelled out of
scope. Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

REPORTS: list[tuple[Locale, str]] = [
    (EN, "The street lamp by the post office has been dark all week, I can't see the kerb at night"),
    (EN, "Nobody's emptied the bins on Park Avenue for a fortnight and the foxes have had them"),
    (ZH, "小区垃圾站好几天没清了，臭气熏天"),
    (KO, "우리 아파트 앞 가로등이 열흘째 안 켜져요"),
    (KO, "쓰레기를 일주일째 안 걷어 가서 골목에 냄새가 진동해요"),
    (ES, "El camión de la basura no pasa desde el viernes y los contenedores están desbordados"),
]

# The same neighbourhood with nothing to report: still small talk.
NOTHING_TO_REPORT: list[tuple[Locale, str]] = [
    (EN, "They've put new street lamps in on our road, ever so bright, I love them"),
    (ZH, "街道前两天把路灯修好了，现在晚上可亮堂了"),
    (ES, "Por fin arreglaron la farola de mi calle, qué gusto da salir de noche"),
]


# Written with the others before the model was retrained, and still wrong after it (7 December 2026): a dog howling
# all night is read as small talk (out of scope 0.83), the dark street lamp "de la esquina" as a home repair (0.62,
# a confirmation of the wrong service), thanks for a new street lamp as a complaint (0.88, confirmed). Kept as
# expected failures, strict: the day they pass, the test says so. The Mandarin dark street lamp passed until the
# rebuild of 7 December, evening (Korean training sentences in standard spelling): home repair 0.46 against
# complaint 0.42 since, where it had been complaint 0.44 against 0.40; the matcher still hears the complaint.
STILL_MISSED: list[tuple[Locale, str, Intent | None]] = [
    (ZH, "我们楼下那盏路灯黑了一个礼拜了，晚上下楼啥也看不见", Intent.COMPLAINT),
    (EN, "Next door's dog howls from midnight till dawn, every single night", Intent.COMPLAINT),
    (ES, "La farola de la esquina lleva una semana apagada y no se ve nada por la noche", Intent.COMPLAINT),
    (KO, "구청에서 가로등을 새로 달아 줘서 밤길이 환해졌어요", None),
]


@pytest.mark.parametrize(("locale", "text"), REPORTS)
def test_a_problem_told_as_it_is_is_a_complaint(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.COMPLAINT and result.decision is not Decision.REJECT, result


@pytest.mark.parametrize(("locale", "text"), NOTHING_TO_REPORT)
def test_a_problem_already_fixed_is_not_filed(model: SemanticOpinion, locale: Locale, text: str) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.decision is Decision.REJECT, result


@pytest.mark.xfail(strict=True, reason="still missed after round fifteen (see STILL_MISSED)")
@pytest.mark.parametrize(("locale", "text", "intent"), STILL_MISSED)
def test_still_missed(model: SemanticOpinion, locale: Locale, text: str, intent: Intent | None) -> None:
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    if intent is None:
        assert result.decision is Decision.REJECT, result
    else:
        assert result.intent is intent and result.decision is not Decision.REJECT, result
