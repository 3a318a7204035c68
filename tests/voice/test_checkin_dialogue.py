"""The daily check-in call as data: well, low, a need, an emergency, "stop calling me", nothing heard."""

from __future__ import annotations

import pytest

from intents import InputSource, Intent, Locale, Utterance
from voice.checkin_answers import Reading, read_answer
from voice.dialogue import (
    CallContext,
    CallDialogState,
    CheckinAnswer,
    CreateRequest,
    Dial,
    DialTarget,
    Gather,
    Hangup,
    InputKind,
    Listen,
    ListenKind,
    Phase,
    Speak,
    StopCalls,
    TurnInput,
    keypad_utterance,
    start_checkin,
    step,
)

SPEECH = CallContext(speech_locales=frozenset({"en", "es", "zh", "ko"}))
KEYS_ONLY = CallContext(speech_locales=frozenset())


def asked(locale: str = "en", ctx: CallContext = SPEECH) -> tuple[CallDialogState, list[object]]:
    return start_checkin(ctx, locale=locale, name="Mrs Kim")


def said(state: CallDialogState, text: str, ctx: CallContext = SPEECH) -> tuple[CallDialogState, list[object]]:
    utterance = Utterance(text, InputSource.SPEECH, Locale(state.locale), 0.95)
    return step(state, TurnInput(InputKind.UTTERANCE, utterance), ctx)


def keys(state: CallDialogState, digits: str, ctx: CallContext = SPEECH) -> tuple[CallDialogState, list[object]]:
    return step(state, TurnInput(InputKind.UTTERANCE, keypad_utterance(digits, state.locale)), ctx)


def answers(actions: list[object]) -> list[str]:
    return [a.answer for a in actions if isinstance(a, CheckinAnswer)]


def test_the_call_greets_by_name_and_asks_how_they_are() -> None:
    state, actions = asked()
    assert state.phase is Phase.CHECKIN
    [listen] = actions
    assert isinstance(listen, Listen) and listen.kind is ListenKind.CHECKIN
    assert listen.prompts[0] == Speak("voice.checkin.hello", (("name", "Mrs Kim"),))
    assert listen.prompts[1].key == "voice.checkin.question"


def test_a_language_without_a_speech_model_answers_by_keys() -> None:
    state, actions = asked("es", KEYS_ONLY)
    [gather] = actions
    assert isinstance(gather, Gather) and "voice.checkin.keys" in [p.key for p in gather.prompts]
    state, actions = keys(state, "1", KEYS_ONLY)
    assert answers(actions) == ["well"] and isinstance(actions[-1], Hangup)


@pytest.mark.parametrize(
    ("locale", "text"),
    [("en", "Yes, I'm fine thank you"), ("es", "Estoy bien, gracias"), ("zh", "我很好"), ("ko", "괜찮아요")],
)
def test_well_is_logged_with_a_warm_goodbye(locale: str, text: str) -> None:
    state, _ = asked(locale)
    state, actions = said(state, text)
    assert answers(actions) == ["well"]
    assert Speak("voice.checkin.glad") in actions and isinstance(actions[-1], Hangup)
    assert state.phase is Phase.ENDED


def test_a_need_goes_the_way_of_an_inbound_request() -> None:
    state, _ = asked()
    state, actions = said(state, "I ran out of food")
    assert answers(actions) == ["need"]
    made = [a for a in actions if isinstance(a, CreateRequest)]
    assert [m.intent for m in made] == [Intent.MEALS]
    assert state.phase is Phase.DETAILS  # then the reference and the details offer, as on an inbound call


def test_feeling_unwell_asks_and_is_counted_as_unwell() -> None:
    state, _ = asked()
    state, actions = said(state, "not so good, I feel sick")
    assert answers(actions) == ["unwell"]
    assert [a.intent for a in actions if isinstance(a, CreateRequest)] == [Intent.MEDICAL]


def test_low_is_met_kindly_and_asked_what_would_help() -> None:
    state, _ = asked()
    state, actions = said(state, "not great to be honest")
    assert answers(actions) == ["low"]
    assert state.phase is Phase.ANYTHING_ELSE
    assert [p.key for p in actions[-1].prompts] == ["voice.checkin.sorry", "voice.checkin.anything"]  # type: ignore[attr-defined]
    state, actions = said(state, "I need a ride to the doctor")  # the hotline's flow from here
    assert state.phase in (Phase.CONFIRM, Phase.DETAILS)


def test_an_emergency_takes_the_emergency_flow() -> None:
    state, _ = asked()
    state, actions = said(state, "I fell and cannot get up")
    assert answers(actions) == ["emergency"]
    assert Dial(DialTarget.EMERGENCY) in actions
    assert [a.intent for a in actions if isinstance(a, CreateRequest)] == [Intent.EMERGENCY]
    state, _ = asked()
    _, actions = keys(state, "9")
    assert Dial(DialTarget.EMERGENCY) in actions


def test_stop_calling_me_is_confirmed_before_the_plan_is_paused() -> None:
    state, _ = asked()
    state, actions = said(state, "Please stop calling me")
    assert state.phase is Phase.CHECKIN_STOP and not any(isinstance(a, StopCalls) for a in actions)
    _stopped, actions = said(state, "yes")
    assert StopCalls() in actions and answers(actions) == ["stop"]
    assert Speak("voice.checkin.stopped") in actions and isinstance(actions[-1], Hangup)
    kept, actions = said(state, "no")
    assert kept.phase is Phase.CHECKIN and not any(isinstance(a, StopCalls) for a in actions)
    assert "voice.checkin.keep" in [p.key for p in actions[-1].prompts]  # type: ignore[attr-defined]
    # Silence never stops the calls.
    kept, actions = step(state, TurnInput(InputKind.SILENCE), SPEECH)
    assert kept.phase is Phase.CHECKIN and not any(isinstance(a, StopCalls) for a in actions)


def test_nothing_heard_is_asked_again_with_the_keys_then_a_kind_goodbye() -> None:
    state, _ = asked()
    state, actions = step(state, TurnInput(InputKind.SILENCE), SPEECH)
    assert state.phase is Phase.CHECKIN and "voice.checkin.keys" in [p.key for p in actions[-1].prompts]  # type: ignore[attr-defined]
    state, actions = said(state, "purple elephant")
    assert answers(actions) == ["unclear"] and Speak("voice.checkin.unclear") in actions
    assert isinstance(actions[-1], Hangup)


def test_zero_reaches_a_person_on_a_check_in_too() -> None:
    state, _ = asked()
    _, actions = keys(state, "0")
    assert Dial(DialTarget.STAFF) in actions


@pytest.mark.parametrize(
    ("locale", "text", "reading"),
    [
        ("en", "not bad at all", Reading.WELL),
        ("en", "not good", Reading.LOW),
        ("en", "don't call me any more", Reading.STOP),
        ("es", "no estoy bien", Reading.LOW),
        ("es", "no me llamen más", Reading.STOP),
        ("zh", "不太好", Reading.LOW),
        ("zh", "别再打电话了", Reading.STOP),
        ("ko", "안 괜찮아요", Reading.LOW),
        ("ko", "전화하지 마세요", Reading.STOP),
        ("ko", "잘 지내요", Reading.WELL),
        ("en", "hello there", None),
    ],
)
def test_check_in_answers_are_read_longest_phrase_first(locale: str, text: str, reading: Reading | None) -> None:
    assert read_answer(text, locale) is reading


def test_by_keys_2_opens_the_service_menu_and_3_asks_whether_to_stop() -> None:
    state, _ = asked("zh", KEYS_ONLY)
    menu, actions = keys(state, "2", KEYS_ONLY)
    assert answers(actions) == ["low"] and menu.phase is Phase.MENU
    assert [p.key for p in actions[-1].prompts][:2] == ["voice.checkin.sorry", "voice.menu.main"]  # type: ignore[attr-defined]
    asking, actions = keys(state, "3", KEYS_ONLY)
    assert asking.phase is Phase.CHECKIN_STOP and not any(isinstance(a, StopCalls) for a in actions)
    _, actions = keys(asking, "1", KEYS_ONLY)
    assert StopCalls() in actions


@pytest.mark.parametrize(
    ("locale", "answer", "no"),
    [
        ("en", "Not good. I don't want to live anymore", "no"),
        ("ko", "죽고 싶어요", "아니요"),
        ("zh", "我不想活了", "不是"),
    ],
)
def test_answering_the_check_in_with_wanting_to_die_is_asked_about_and_a_no_reaches_a_person(
    locale: str, answer: str, no: str
) -> None:
    state, _ = asked(locale)
    state, actions = said(state, answer)
    assert state.phase is Phase.EMERGENCY_CHECK and state.pending_person, (state, actions)
    state, actions = said(state, no)
    assert state.phase is Phase.TRANSFER and actions[-1] == Dial(DialTarget.STAFF), actions
