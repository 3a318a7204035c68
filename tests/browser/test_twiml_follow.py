"""simulator.twiml_follow: reading TwiML as Twilio runs it (pure)."""

from __future__ import annotations

import pytest

from simulator.twiml_follow import (
    BadTwiml,
    EndKind,
    ForeignUrl,
    PromptKind,
    WaitKind,
    local_path,
    parse,
    play_path,
    step,
)

BASE = "https://hotline.example.org"
LISTEN = """<?xml version="1.0" encoding="UTF-8"?><Response>
<Gather input="dtmf" numDigits="1" timeout="1" action="/voice/answer?t=1&amp;via=keys" method="POST"
 actionOnEmptyResult="false"><Play>https://hotline.example.org/prompts/audio/abc.wav</Play>
<Say language="en-US"><prosody rate="82%">Tell me what you need.</prosody></Say></Gather>
<Record action="/voice/answer?t=1&amp;via=speech" timeout="3" maxLength="30" finishOnKey="0123456789*#"/>
<Redirect method="POST">/voice/answer?t=1&amp;via=silence</Redirect></Response>"""


def test_a_listen_turn_plays_its_prompts_then_waits_for_one_key_and_keeps_the_record_for_no_input() -> None:
    first = step(parse(LISTEN))
    assert [p.kind for p in first.prompts] == [PromptKind.PLAY, PromptKind.SAY]
    assert first.prompts[1].text == "Tell me what you need." and first.prompts[1].language == "en-US"
    assert first.wait is not None and first.wait.kind is WaitKind.KEYS
    assert (first.wait.num_digits, first.wait.timeout, first.wait.action) == (1, 1, "/voice/answer?t=1&via=keys")
    assert first.wait.action_on_empty_result is False
    # No key pressed: Twilio runs the <Record>, and after an empty recording the <Redirect>.
    second = step(parse(first.rest))
    assert second.prompts == () and second.wait is not None and second.wait.kind is WaitKind.RECORD
    assert (second.wait.timeout, second.wait.max_length, second.wait.finish_on_key) == (3, 30, "0123456789*#")
    third = step(parse(second.rest))
    assert third.redirect == "/voice/answer?t=1&via=silence" and third.wait is None


def test_dial_hangup_and_the_end_of_the_document() -> None:
    dial = step(
        parse(
            '<Response><Say>One moment</Say><Dial action="/voice/dial?t=2">'
            "<Number>+15550100001</Number></Dial></Response>"
        )
    )
    assert dial.wait is not None and dial.wait.kind is WaitKind.DIAL and dial.wait.number == "+15550100001"
    assert step(parse("<Response><Say>Bye</Say><Hangup/></Response>")).end is EndKind.HANGUP
    assert step(parse("<Response><Say>Bye</Say></Response>")).end is EndKind.END_OF_DOCUMENT
    assert step(parse("<Response><Message>Thanks</Message></Response>")).messages == ("Thanks",)


def test_defaults_are_twilios_when_attributes_are_missing() -> None:
    wait = step(parse("<Response><Gather/></Response>")).wait
    assert wait is not None and (wait.timeout, wait.finish_on_key, wait.action, wait.num_digits) == (5, "#", None, None)


@pytest.mark.parametrize(
    "bad", ["not xml", "<html/>", "<Response><Enqueue>q</Enqueue></Response>", "<Response><Redirect/></Response>"]
)
def test_what_a_call_cannot_follow_is_refused(bad: str) -> None:
    with pytest.raises(BadTwiml):
        step(parse(bad))


def test_urls_resolve_against_the_document_and_never_leave_our_address() -> None:
    document = BASE + "/voice/answer?t=1&via=keys"
    assert local_path(BASE, document, "/voice/answer?t=2") == "/voice/answer?t=2"
    assert local_path(BASE, document, "dial?t=3") == "/voice/dial?t=3"
    assert local_path(BASE, document, None) == "/voice/answer?t=1&via=keys"
    assert local_path(BASE, document, BASE + "/sms/incoming") == "/sms/incoming"
    for foreign in ("https://evil.example/voice/answer", "http://hotline.example.org/voice/answer", "//evil.example/x"):
        with pytest.raises(ForeignUrl):
            local_path(BASE, document, foreign)
    assert play_path(BASE, BASE + "/prompts/audio/x.wav") == "/prompts/audio/x.wav"
    assert play_path(BASE, "https://cdn.example/x.wav") == "https://cdn.example/x.wav"


def test_the_follower_is_pure_so_any_simulator_can_use_it() -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    code = "import json, sys, simulator.twiml_follow; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert not loaded & {"flask", "werkzeug", "twilio", "sqlalchemy", "requests", "vosk"}
