"""The staff recording line end to end: signed webhooks, the Twilio stand-in's recordings, keep or redo."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pytest
import soundfile as sf
import soxr
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from care import directory
from care.models import StaffMember, utcnow
from i18n import messages
from prompts import catalog
from prompts.audio import PromptAudio
from prompts.models import RecordingState, StaffLineCall
from simulator.twilio_standin import TwilioStandIn
from tests.conftest import PUBLIC_BASE_URL
from tests.prompts.conftest import espeak_speech, wav_bytes
from tests.twiml import Verb, flatten, parse_twiml, signed_post
from web.context import EXTENSION_KEY, Hearthline

STAFF_PHONE = "+15550104242"
OTHER_PHONE = "+15550107777"
NON_ADMIN_PHONE = "+15550105151"
PIN = "4826"
NON_ADMIN_PIN = "7315"
PROMPT_KEY = "staffline.goodbye"


@dataclass
class Line:
    """One call to the staff line, driven as Twilio drives it."""

    client: FlaskClient
    hearthline: Hearthline
    caller: str
    call_sid: str = "CA" + "5" * 32

    def post(self, path: str, **params: str) -> list[Verb]:
        form = {"CallSid": self.call_sid, "From": self.caller, "To": "+15550100001", **params}
        verbs = parse_twiml(signed_post(self.client, self.hearthline, path, form))
        assert_every_play_serves_audio(self.client, verbs)
        return verbs

    def follow(self, verbs: list[Verb], **params: str) -> list[Verb]:
        """Do what Twilio does next: post to the action of the <Gather>/<Record>, or follow the <Redirect>."""
        target = next(v for v in flatten(verbs) if v.tag in {"Gather", "Record", "Redirect"})
        path = target.text if target.tag == "Redirect" else target.attrs["action"]
        return self.post(path, **params)


def assert_every_play_serves_audio(client: FlaskClient, verbs: list[Verb]) -> None:
    for play in (v for v in flatten(verbs) if v.tag == "Play"):
        assert play.text.startswith(PUBLIC_BASE_URL + "/prompts/audio/"), play.text
        response = client.get(play.text.removeprefix(PUBLIC_BASE_URL))
        assert response.status_code == 200 and response.mimetype == "audio/wav", play.text
        assert sf.info(io.BytesIO(response.data)).samplerate == 8000


def tags(verbs: list[Verb]) -> list[str]:
    return [v.tag for v in verbs]


def phone_recording(words: str) -> bytes:
    """What Twilio's <Record> gives: 8 kHz 16-bit mono WAV, here of real speech with silence around it."""
    speech, rate = espeak_speech(words, "ko")
    line = soxr.resample(speech, rate, 8000).astype(np.float32)
    padded = np.concatenate([np.zeros(8000, np.float32), line * 0.3, np.zeros(16000, np.float32)])
    return wav_bytes(padded, 8000)


@pytest.fixture
def staff_id(hearthline: Hearthline) -> int:
    """An admin with a registered phone (only admins put a recording live)."""
    with hearthline.db.transaction() as session:
        member = directory.add_staff(session, username="mina", name="Mina Park", phone=STAFF_PHONE, role="admin")
        directory.set_pin(member, PIN)
        return member.id


@pytest.fixture
def voice(hearthline: Hearthline) -> PromptAudio:
    assert isinstance(hearthline.prompt_voice, PromptAudio)
    return hearthline.prompt_voice


@pytest.fixture
def prompt_number() -> int:
    found = catalog.by_key(PROMPT_KEY)
    assert found is not None
    return found.number


def _to_menu(line: Line, locale_digit: str = "3", pin: str = PIN) -> list[Verb]:
    """From the start (a registered phone: asked for the PIN only) to the prompt-number menu (3 = Korean)."""
    verbs = line.post("/prompts/phone/start")
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/pin"
    verbs = line.follow(verbs, Digits=pin)
    assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/language"
    verbs = line.follow(verbs)
    gather = verbs[0]
    assert gather.tag == "Gather" and gather.attrs["numDigits"] == "1"
    assert len([c for c in gather.children if c.tag == "Play"]) == len(messages.LOCALES)  # one option per language
    verbs = line.follow(verbs, Digits=locale_digit)
    assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/menu"
    return line.follow(verbs)


def test_a_staff_member_records_redoes_and_keeps_a_prompt_by_phone(
    client: FlaskClient,
    hearthline: Hearthline,
    standin: TwilioStandIn,
    voice: PromptAudio,
    staff_id: int,
    prompt_number: int,
) -> None:
    line = Line(client, hearthline, STAFF_PHONE)
    menu = _to_menu(line)
    assert menu[0].tag == "Gather" and menu[0].attrs["finishOnKey"] == "#"
    assert tags(menu) == ["Gather", "Play", "Hangup"]  # silence: a goodbye, never a dead line

    verbs = line.follow(menu, Digits=str(prompt_number))
    # "Prompt N. The words are:", the Korean text as callers hear it now, "record after the beep", <Record>.
    assert tags(verbs) == ["Play", "Play", "Play", "Record", "Redirect"]
    record = verbs[3]
    assert record.attrs["action"] == "/prompts/phone/recorded"
    assert record.attrs["playBeep"] == "true" and record.attrs["finishOnKey"] == "#"
    assert verbs[4].text == "/prompts/phone/no-recording"
    synthesised = voice.audio_url(PROMPT_KEY, "ko", messages.translate("staffline", PROMPT_KEY, "ko"))
    assert verbs[1].text == synthesised

    # First take: Twilio posts before the file is ready (one 404), then serves it.
    first_url = standin.add_recording(phone_recording("안녕히 계세요"), not_ready_fetches=1)
    verbs = line.follow(verbs, RecordingUrl=first_url, RecordingDuration="3")
    first_sid = first_url.rsplit("/", 1)[1]
    assert first_sid in standin.deleted_recordings  # privacy: gone from Twilio once downloaded
    review = verbs[0]
    assert review.tag == "Gather" and review.attrs["action"] == "/prompts/phone/review"
    takes = voice.store.versions(PROMPT_KEY, "ko")
    assert [(t.version, t.state, t.recorded_by) for t in takes] == [(1, RecordingState.DRAFT, "mina")]
    played = [c.text for c in review.children if c.tag == "Play"]
    assert voice.url_for(takes[0].audio_id) in played  # listening back to the take itself
    assert voice.audio_url(PROMPT_KEY, "ko", messages.translate("staffline", PROMPT_KEY, "ko")) == synthesised

    # Twilio delivers the same webhook twice: the take is replayed, not downloaded again.
    again = line.post("/prompts/phone/recorded", RecordingUrl=first_url, RecordingDuration="3")
    assert again == verbs
    assert len(voice.store.versions(PROMPT_KEY, "ko")) == 1

    # 2: redo.
    verbs = line.follow(verbs, Digits="2")
    assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/record"
    verbs = line.follow(verbs)
    assert tags(verbs) == ["Play", "Record", "Redirect"]
    second_url = standin.add_recording(phone_recording("안녕히 계세요. 감사합니다"))
    verbs = line.follow(verbs, RecordingUrl=second_url, RecordingDuration="4")

    # 1: keep. Callers now hear the second take.
    verbs = line.follow(verbs, Digits="1")
    assert tags(verbs) == ["Play", "Redirect"] and verbs[1].text == "/prompts/phone/menu"
    takes = voice.store.versions(PROMPT_KEY, "ko")
    assert [(t.version, t.state, t.live) for t in takes] == [
        (1, RecordingState.DISCARDED, False),
        (2, RecordingState.APPROVED, True),
    ]
    heard = voice.audio_url(PROMPT_KEY, "ko", messages.translate("staffline", PROMPT_KEY, "ko"))
    assert heard == voice.url_for(takes[1].audio_id)
    stored = voice.store.path(takes[1].audio_id).read_bytes()
    assert client.get(heard.removeprefix(PUBLIC_BASE_URL)).data == stored  # type: ignore[union-attr]
    info = sf.info(io.BytesIO(stored))
    assert (info.samplerate, info.channels) == (8000, 1)
    assert info.frames / 8000 < 3.5  # the 3 s of silence around the speech were trimmed
    assert second_url.rsplit("/", 1)[1] in standin.deleted_recordings
    assert voice.audio_url(PROMPT_KEY, "en", messages.translate("staffline", PROMPT_KEY, "en")) != heard


def test_a_silent_take_is_refused_and_the_staff_member_records_again(
    client: FlaskClient,
    hearthline: Hearthline,
    standin: TwilioStandIn,
    voice: PromptAudio,
    staff_id: int,
    prompt_number: int,
) -> None:
    line = Line(client, hearthline, STAFF_PHONE)
    verbs = line.follow(_to_menu(line, "1"), Digits=str(prompt_number))
    silent = standin.add_recording(wav_bytes(np.zeros(8000 * 3, np.float32), 8000))
    verbs = line.follow(verbs, RecordingUrl=silent, RecordingDuration="3")
    assert tags(verbs) == ["Play", "Redirect"] and verbs[1].text == "/prompts/phone/record"
    assert voice.store.versions(PROMPT_KEY, "en") == []
    assert silent.rsplit("/", 1)[1] in standin.deleted_recordings


def test_an_unknown_prompt_number_is_said_and_the_menu_offered_again(
    client: FlaskClient, hearthline: Hearthline, staff_id: int
) -> None:
    line = Line(client, hearthline, STAFF_PHONE)
    verbs = line.follow(_to_menu(line), Digits="999")
    assert tags(verbs) == ["Play", "Redirect"] and verbs[1].text == "/prompts/phone/menu"


def test_a_recording_twilio_never_serves_gets_an_answer_not_a_500(
    client: FlaskClient, hearthline: Hearthline, standin: TwilioStandIn, staff_id: int, prompt_number: int
) -> None:
    line = Line(client, hearthline, STAFF_PHONE)
    verbs = line.follow(_to_menu(line), Digits=str(prompt_number))
    never = standin.add_recording(b"", not_ready_fetches=100)
    verbs = line.follow(verbs, RecordingUrl=never, RecordingDuration="2")
    assert tags(verbs) == ["Play", "Redirect"] and verbs[1].text == "/prompts/phone/menu"


# --- who may record ----------------------------------------------------------------------------------------------
def _pin_attempt(line: Line, staff: int, pin: str) -> list[Verb]:
    verbs = line.post("/prompts/phone/start")
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/id"
    verbs = line.follow(verbs, Digits=str(staff))
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/pin"
    return line.follow(verbs, Digits=pin)


def test_an_unregistered_phone_gets_in_with_staff_number_and_pin(
    client: FlaskClient, hearthline: Hearthline, staff_id: int
) -> None:
    line = Line(client, hearthline, OTHER_PHONE)
    verbs = _pin_attempt(line, staff_id, PIN)
    assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/language"


def test_wrong_pins_hang_up_after_three_tries_and_lock_the_account_after_five(
    client: FlaskClient, hearthline: Hearthline, staff_id: int
) -> None:
    line = Line(client, hearthline, OTHER_PHONE)
    for _ in range(2):
        verbs = _pin_attempt(line, staff_id, "0000")
        assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/id"
    verbs = _pin_attempt(line, staff_id, "1111")
    assert tags(verbs) == ["Play", "Hangup"]
    # A new call gets three more tries, but the account locks at the fifth wrong PIN in a row...
    line = Line(client, hearthline, OTHER_PHONE, call_sid="CA" + "6" * 32)
    _pin_attempt(line, staff_id, "2222")
    _pin_attempt(line, staff_id, "3333")
    # ...and then even the right PIN does not open it.
    verbs = _pin_attempt(line, staff_id, PIN)
    assert tags(verbs) == ["Play", "Hangup"]
    with hearthline.db.sessions() as session:
        member = session.get(StaffMember, staff_id)
        assert member is not None and member.pin_locked_until is not None and member.pin_locked_until > utcnow()
        assert member.locked_until is None  # the console password is another lock
    line = Line(client, hearthline, OTHER_PHONE, call_sid="CA" + "7" * 32)
    verbs = _pin_attempt(line, staff_id, PIN)
    assert verbs[0].tag == "Gather"  # still refused while locked
    with hearthline.db.transaction() as session:
        member = session.get(StaffMember, staff_id)
        assert member is not None
        member.pin_locked_until = utcnow() - timedelta(seconds=1)
    line = Line(client, hearthline, OTHER_PHONE, call_sid="CA" + "8" * 32)
    assert tags(_pin_attempt(line, staff_id, PIN)) == ["Redirect"]


def test_a_staff_number_that_does_not_exist_is_just_a_wrong_pin(client: FlaskClient, hearthline: Hearthline) -> None:
    line = Line(client, hearthline, OTHER_PHONE)
    verbs = _pin_attempt(line, 987654, "4826")
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/id"


def test_later_steps_refuse_a_call_that_never_signed_in(
    client: FlaskClient, hearthline: Hearthline, staff_id: int, prompt_number: int
) -> None:
    line = Line(client, hearthline, OTHER_PHONE)
    for path in ("/prompts/phone/pick", "/prompts/phone/recorded", "/prompts/phone/review", "/prompts/phone/menu"):
        verbs = line.post(path, Digits=str(prompt_number), RecordingUrl="https://example.org/x")
        assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/start", path


def test_unsigned_or_malformed_webhooks_are_refused_and_store_nothing(
    client: FlaskClient, hearthline: Hearthline
) -> None:
    form = {"CallSid": "CA" + "9" * 32, "From": STAFF_PHONE}
    assert client.post("/prompts/phone/start", data=form).status_code == 403
    forged = signed_post(client, hearthline, "/prompts/phone/start", form, signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    assert signed_post(client, hearthline, "/prompts/phone/start", {"From": STAFF_PHONE}).status_code == 400
    with hearthline.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StaffLineCall)) == 0


def test_a_registered_phone_of_a_deactivated_staff_member_must_use_a_pin(
    client: FlaskClient, hearthline: Hearthline, staff_id: int
) -> None:
    with hearthline.db.transaction() as session:
        member = session.get(StaffMember, staff_id)
        assert member is not None
        member.active = False
    verbs = Line(client, hearthline, STAFF_PHONE).post("/prompts/phone/start")
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/id"


def test_staff_line_call_state_is_forgotten_after_a_day(
    client: FlaskClient, hearthline: Hearthline, voice: PromptAudio, staff_id: int
) -> None:
    Line(client, hearthline, STAFF_PHONE).post("/prompts/phone/start")
    Line(client, hearthline, STAFF_PHONE, call_sid="CA" + "4" * 32).post("/prompts/phone/start")
    with hearthline.db.transaction() as session:
        old = session.get(StaffLineCall, "CA" + "5" * 32)
        assert old is not None
        old.updated_at = utcnow() - timedelta(days=2)
    voice.prune()
    with hearthline.db.sessions() as session:
        assert session.get(StaffLineCall, "CA" + "5" * 32) is None
        assert session.get(StaffLineCall, "CA" + "4" * 32) is not None


# --- caller ID is a hint, approval is for admins -------------------------------------------------------------------
@pytest.mark.parametrize("attestation", ["", "TN-Validation-Passed-A"])
def test_a_registered_phone_is_always_asked_for_the_pin(
    client: FlaskClient, hearthline: Hearthline, staff_id: int, prompt_number: int, attestation: str
) -> None:
    """Caller ID can be spoofed; even Twilio's StirVerstat full attestation does not say who holds the phone."""
    line = Line(client, hearthline, STAFF_PHONE)
    extra = {"StirVerstat": attestation} if attestation else {}
    verbs = line.post("/prompts/phone/start", **extra)
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/pin"
    verbs = line.follow(verbs, Digits="0000", **extra)  # a spoofer who does not know the PIN
    assert verbs[0].tag == "Gather" and verbs[0].attrs["action"] == "/prompts/phone/id"
    for path in ("/prompts/phone/language", "/prompts/phone/menu", "/prompts/phone/pick"):
        verbs = line.post(path, Digits=str(prompt_number), **extra)
        assert tags(verbs) == ["Redirect"] and verbs[0].text == "/prompts/phone/start", path


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_a_non_admin_keeping_a_take_leaves_a_draft_and_is_told_so(
    make_app: Callable[..., Flask],
    standin: TwilioStandIn,
    prompt_number: int,
    locale: str,
) -> None:
    app = make_app(default_locale=locale)
    hearthline: Hearthline = app.extensions[EXTENSION_KEY]
    with hearthline.db.transaction() as session:
        member = directory.add_staff(session, username="joon", name="Joon Kim", phone=NON_ADMIN_PHONE)
        directory.set_pin(member, NON_ADMIN_PIN)
    voice = hearthline.prompt_voice
    assert isinstance(voice, PromptAudio)
    line = Line(app.test_client(), hearthline, NON_ADMIN_PHONE)
    verbs = line.follow(_to_menu(line, "3", pin=NON_ADMIN_PIN), Digits=str(prompt_number))
    verbs = line.follow(verbs, RecordingUrl=standin.add_recording(phone_recording("안녕히 계세요")))

    def said(key: str) -> str | None:
        return voice.audio_url(key, locale, messages.translate("staffline", key, locale))

    played = [v.text for v in flatten(verbs) if v.tag == "Play"]
    assert said("staffline.keep_for_approval") in played and said("staffline.keep_or_redo") not in played
    verbs = line.follow(verbs, Digits="1")
    assert tags(verbs) == ["Play", "Redirect"] and verbs[1].text == "/prompts/phone/menu"
    assert verbs[0].text == said("staffline.kept_for_approval")
    takes = voice.store.versions(PROMPT_KEY, "ko")
    assert [(t.state, t.live) for t in takes] == [(RecordingState.DRAFT, False)]  # nothing went live
    heard = voice.audio_url(PROMPT_KEY, "ko", messages.translate("staffline", PROMPT_KEY, "ko"))
    assert heard != voice.url_for(takes[0].audio_id)
