"""An ambulance the caller turns down is not called: "don't send an ambulance, I just need the nurse" is never dialled.

A nineteenth probe (7 December 2026, written by people who saw neither the corpus, the catalogs nor any set) had
"급한 건 아니에요, 구급차 같은 건 절대 부르지 마시고요. 그냥 발톱이 살을 파고들어서..." (not urgent, don't call an
ambulance or anything, my toenail has grown in) accepted as an emergency: the call would have dialled the emergency
number for an ingrown toenail. "부르지 마" reached two syllables, and "같은 건 절대" is five; Mandarin had no "别叫"
(don't call), English no "don't send" / "don't call". Every sentence here was written for these tests; each of the
"not dialled" cases is an emergency accepted by the matcher with the catalogs of the session's start (four of them by
the whole decision too). A refusal beside a danger
stays a danger: cutting one's wrists is now one of the self-harm patterns, where a "no" still brings a person.
"""

from __future__ import annotations

import pytest

from intents import Decision, InputSource, Intent, Locale, Utterance, enrich, match, match_utterance
from intents.semantic import SemanticOpinion

EN, ZH, KO, ES = Locale.EN, Locale.ZH, Locale.KO, Locale.ES

REFUSED = [
    (KO, "급한 건 아니에요, 구급차 같은 건 절대 부르지 마세요. 발톱 때문에 병원에 가 보고 싶어서요"),
    (KO, "구급차는 부르지 말고 발톱 좀 봐 주세요"),
    (KO, "구급차까지 부를 일은 아니고요 발톱이 아파요"),
    (KO, "구급차는 절대 부르지 마세요 발톱이 아파요"),
    (ZH, "不是急事，千万别叫救护车，就是脚指甲长肉里了想找大夫看看"),
    (ZH, "救护车就别叫了，就是脚疼想看个医生"),
    (EN, "It's not urgent, don't you dare send an ambulance, I just want the doctor to look at my toenail"),
    (EN, "No ambulance please, nothing like that, I just need the nurse for my dressing"),
    (ES, "No es urgente, no me vayan a mandar ambulancia, solo quiero que el médico me mire un lunar"),
    (ES, "No llamen a la ambulancia, solo quiero una cita con el médico"),
]


@pytest.mark.parametrize(("locale", "text"), REFUSED)
def test_an_ambulance_turned_down_is_not_dialled(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


@pytest.mark.parametrize(("locale", "text"), REFUSED)
def test_nor_with_the_model(model: SemanticOpinion, locale: Locale, text: str) -> None:
    """The whole decision: at most the quick emergency question, never a dial."""
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert not (result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT), (text, result)


STILL_DIALLED = [
    (KO, "구급차 불러 주세요 남편이 쓰러졌어요"),
    (ZH, "别挂电话，快叫救护车，我爸倒地上了"),
    (EN, "Don't call my daughter, call an ambulance, he's collapsed"),
    (ES, "No llamen a mi hija, manden una ambulancia, mi marido se ha desmayado"),
]


@pytest.mark.parametrize(("locale", "text"), STILL_DIALLED)
def test_an_ambulance_asked_for_is_still_dialled(locale: Locale, text: str) -> None:
    """Guards: a "don't" about something else leaves the ambulance asked for."""
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is Decision.ACCEPT, (text, result)


SELF_HARM_BESIDE_A_REFUSAL = [
    (ZH, "别叫救护车，我就是打个电话跟你们道个别，手腕已经划开了"),
    (EN, "Don't send an ambulance, I've cut my wrists, I just wanted to hear a voice"),
    (KO, "구급차 부르지 마세요. 손목을 그었어요. 그냥 목소리 듣고 싶어서요"),
    (ES, "No llamen a la ambulancia, me corté las venas, solo quería despedirme"),
]


@pytest.mark.parametrize(("locale", "text"), SELF_HARM_BESIDE_A_REFUSAL)
def test_self_harm_beside_a_refused_ambulance_is_a_danger_where_no_brings_a_person(locale: Locale, text: str) -> None:
    result = match(text, locale)
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
    assert result.danger and result.person, (text, result)


REFUSED_YET_AN_EMERGENCY = [
    (EN, "Don't call an ambulance, I've taken all my pills, I just wanted to say goodbye to someone"),
    (ZH, "别叫救护车了，我把药全吃了，就想跟你们说声再见"),
    (KO, "구급차 부르지 마세요, 약을 다 먹었어요, 그냥 목소리 듣고 싶어서요"),
    (ES, "No llamen a la ambulancia, me tomé todas las pastillas, solo quería despedirme"),
]


@pytest.mark.parametrize(("locale", "text"), REFUSED_YET_AN_EMERGENCY)
def test_an_ambulance_turned_down_in_what_reads_as_an_emergency_is_asked_and_no_brings_a_person(
    model: SemanticOpinion, locale: Locale, text: str
) -> None:
    """Before the refusal was heard, the word "ambulance" dialled these at once; now the model's reading makes them
    the quick question, and a "no" to it goes to a person, never back to the menu."""
    result = match_utterance(enrich(Utterance(text, InputSource.SMS, locale), model))
    assert result.intent is Intent.EMERGENCY and result.decision is not Decision.REJECT, (text, result)
    assert result.decision is Decision.ACCEPT or result.person, (text, result)
