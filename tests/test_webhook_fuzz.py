"""Property-based fuzzing: random, correctly signed webhook forms posted to every Twilio-facing route.

Whatever the fields hold (missing, empty, huge, any Unicode, NUL bytes), a route never answers 500: the hotline
answers TwiML in which the caller hears something and can reach a person, the staff line answers TwiML, SMS
answers a valid messaging TwiML; a 400 is allowed only for a form Twilio itself never sends (no CallSid/From,
no turn number in our own action URL, a sender that is not a phone number).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from urllib.parse import urlencode, urlsplit

import numpy as np
import pytest
import soundfile as sf
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from sqlalchemy import select
from werkzeug.test import TestResponse

from care import directory
from care.models import StaffMember
from care.phones import try_e164
from simulator.twilio_standin import TwilioStandIn
from sms.handling import MAX_BODY_CHARS
from tests.twiml import Verb, flatten, parse_twiml, signed_post
from web.context import EXTENSION_KEY, Hearthline

# Bounded so the whole file stays well under a minute on a busy 2-core machine (each example is 1-5 posts).
HOTLINE_EXAMPLES = 120
STAFF_LINE_EXAMPLES = 80
SMS_EXAMPLES = 80


def fuzz(examples: int) -> settings:
    # One app serves every example of a test (calls carry on across them), hence the fixture health check.
    return settings(
        max_examples=examples,
        deadline=None,  # one post may load a catalog or synthesise a prompt; speed is measured by benches
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# A placeholder the test swaps for a fresh recording at the Twilio stand-in (a real download, then a delete).
FRESH_RECORDING = "<fresh recording>"
CALL_SIDS = ("CA" + "f" * 32, "CA" + "e" * 32, "CA" + "d" * 32)
STAFF_PHONE, STAFF_PIN = "+15550104242", "4826"  # an admin, so the staff line's every step can be reached
PHONES = ("+15551234567", "+821012345678", "5551239876", STAFF_PHONE, "(555) 123-4567")
STAFF_LINE_PATHS = tuple(
    "/prompts/phone/" + name
    for name in (
        "start",
        "id",
        "pin",
        "language",
        "language-chosen",
        "menu",
        "pick",
        "record",
        "no-recording",
        "recorded",
        "review",
    )
)
HOTLINE_PATHS = ("/voice/incoming", "/voice/answer", "/voice/dial", "/voice/fallback")

# Field values: any Unicode (NUL and control characters included), empty or whitespace, and huge.
anything = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "0\x00", "\u202e1", "%2e%2e", "../..", "😀", "ㅇ", "０", "²"]),
)
huge = st.text(min_size=1, max_size=4).map(lambda s: s * 3000)


def field(values: st.SearchStrategy[str], plausible: int = 2) -> st.SearchStrategy[str | None]:
    """A form field: a plausible value (`plausible` times as often as each other kind), anything, huge, absent."""
    kinds: dict[str, st.SearchStrategy[str | None]] = {
        "plausible": values,
        "anything": anything,
        "huge": huge,
        "absent": st.none(),
    }
    return st.sampled_from(["plausible"] * plausible + ["anything", "huge", "absent"]).flatmap(kinds.__getitem__)


def essential(values: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """A field every real webhook has: mostly plausible, so most examples reach the logic behind it."""
    return field(values, plausible=12)


digits = st.one_of(st.text(alphabet="0123456789*#", min_size=1, max_size=6), st.sampled_from(["hangup", STAFF_PIN]))
speech = st.sampled_from(["식사 배달 부탁해요", "사람이랑 통화하고 싶어요", "I need a doctor", "help", "아니요", "네"])
recording_urls = st.one_of(
    st.just(FRESH_RECORDING),
    st.sampled_from(
        [
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            "{api}/2010-04-01/Accounts/{account}/Recordings/../Calls",
            "{api}/2010-04-01/Accounts/{account}/Recordings/%2e%2e/Calls/CA1",
            "{api}/2010-04-01/Accounts/{account}/Recordings/RE00000000000000000000000000000000?x=1",
            "file:///etc/passwd",
        ]
    ),
)
dial_statuses = st.sampled_from(["completed", "answered", "busy", "no-answer", "failed", "canceled"])
voice_forms = st.fixed_dictionaries(
    {"CallSid": essential(st.sampled_from(CALL_SIDS)), "From": essential(st.sampled_from(PHONES))},
    optional={
        "To": field(st.just("+15550100000")),
        "Digits": field(digits),
        "SpeechResult": field(speech),
        "RecordingUrl": field(recording_urls),
        "RecordingSid": field(st.just("RE" + "0" * 32)),
        "RecordingDuration": field(st.sampled_from(["0", "3", "-1", "99999"])),
        "DialCallStatus": field(dial_statuses),
        "CallStatus": field(st.sampled_from(["ringing", "in-progress", "completed"])),
        "StirVerstat": field(st.just("TN-Validation-Passed-A")),
    },
)
answer_queries = st.fixed_dictionaries(
    {"t": essential(st.integers(0, 12).map(str)), "via": essential(st.sampled_from(["keys", "speech", "silence"]))},
    optional={"target": field(st.sampled_from(["staff", "emergency"]))},
).map(lambda query: {name: value for name, value in query.items() if value is not None})


@dataclass(frozen=True)
class Post:
    """One webhook: to a route (or, with path None, to wherever the previous answer sends Twilio next)."""

    path: str | None
    query: dict[str, str]
    form: dict[str, str | None]


def posts(paths: tuple[str, ...]) -> st.SearchStrategy[list[Post]]:
    one = st.builds(Post, st.one_of(st.none(), st.sampled_from(paths)), answer_queries, voice_forms)
    return st.lists(one, min_size=1, max_size=5)


def _wav() -> bytes:
    """A second of quiet noise at 8 kHz, 16-bit mono: what Twilio's <Record> gives."""
    samples = (np.random.default_rng(7).standard_normal(8000) * 300).astype(np.int16)
    out = io.BytesIO()
    sf.write(out, samples, 8000, format="WAV", subtype="PCM_16")
    return out.getvalue()


class Fuzzer:
    """Posts signed forms as Twilio would and follows answers as Twilio would."""

    def __init__(self, app: Flask, standin: TwilioStandIn) -> None:
        self.hl: Hearthline = app.extensions[EXTENSION_KEY]
        self.client = app.test_client()
        self.standin = standin
        self.wav = _wav()
        self.examples = 0

    def new_example(self) -> None:
        """Give this example calls and messages of its own: one app serves every example, and a webhook repeated
        with a known CallSid or MessageSid is (rightly) answered from what was stored the first time. Wrong PINs
        of earlier examples do not keep the staff member locked out of this one."""
        self.examples += 1
        with self.hl.db.transaction() as session:
            for member in session.scalars(select(StaffMember)):
                directory.unlock(member)

    def value(self, name: str, raw: str) -> str:
        if name in {"CallSid", "MessageSid"} and raw.strip():
            return f"{raw[:2]}{self.examples:05d}{raw[2:]}"
        if raw == FRESH_RECORDING:
            return self.standin.add_recording(self.wav)
        if not raw.startswith("{api}"):
            return raw
        return raw.replace("{api}", self.standin.base_url).replace("{account}", self.hl.settings.twilio_account_sid)

    def post(self, path_and_query: str, form: dict[str, str | None]) -> TestResponse:
        params = {name: self.value(name, raw) for name, raw in form.items() if raw is not None}
        response = signed_post(self.client, self.hl, path_and_query, params)
        assert response.status_code != 403, "a correctly signed webhook was refused"
        assert response.status_code < 500, (path_and_query, params, response.get_data(as_text=True)[:300])
        if currently_in_test_context():  # what was reached, shown by pytest --hypothesis-show-statistics
            event(f"{path_and_query.partition('?')[0]} answered {response.status_code}")
        return response


def next_target(verbs: list[Verb]) -> str | None:
    """Where Twilio posts next: the first <Gather>/<Record> action, else a <Redirect> (path and query)."""
    for verb in flatten(verbs):
        url = verb.attrs.get("action") if verb.tag in {"Gather", "Record"} else None
        url = url or (verb.text if verb.tag == "Redirect" else None)
        if url:
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def hears_something(verbs: list[Verb]) -> bool:
    return any(v.tag in {"Say", "Play"} for v in flatten(verbs))


def twilio_sends(path: str, query: dict[str, str], form: dict[str, str | None]) -> bool:
    """Whether Twilio could send this hotline webhook: both call fields, and our own turn query on a turn."""
    for name in ("CallSid", "From"):
        if not (form.get(name) or "").strip():
            return False
    call_sid = form.get("CallSid") or ""
    if len(call_sid) > 64 or not call_sid.isascii():  # Twilio's CallSid is 34 ASCII characters
        return False
    if path == "/voice/answer" and (query.get("via") not in {"keys", "speech", "silence"}):
        return False
    return path not in {"/voice/answer", "/voice/dial"} or query.get("t", "").isdecimal()


def check_hotline(response: TestResponse, sendable: bool) -> list[Verb] | None:
    """The hotline invariant; returns the verbs of a TwiML answer (None for an allowed 400)."""
    if response.status_code == 400:
        assert not sendable, response.get_data(as_text=True)[:300]
        return None
    verbs = parse_twiml(response)
    tags = [v.tag for v in flatten(verbs)]
    if tags == ["Hangup"]:
        return verbs  # the call ends after a person (or the emergency line) answered it
    if tags == ["Redirect"] and verbs[0].text.startswith("/prompts/phone/"):
        return verbs  # staff on to the staff line (followed and checked by the caller of this function)
    assert hears_something(verbs), tags
    # A person (<Dial>), a question whose 0 reaches one (checked by pressing it below), the next step of the
    # same call (<Redirect>), or a deliberate end after speaking (goodbye, or a callback promised).
    assert {"Dial", "Gather", "Record", "Redirect", "Hangup"} & set(tags), tags
    return verbs


@pytest.fixture
def fuzzer(make_app: Callable[..., Flask], standin: TwilioStandIn) -> Fuzzer:
    # Staff answer at every hour, so pressing 0 always dials (outside hours it leaves a callback request).
    app = make_app(opening_time=time(0, 0), closing_time=time(23, 59, 59), opening_days=tuple(range(7)))
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    with hl.db.transaction() as session:
        admin = directory.add_staff(session, username="fuzz", name="Fuzz Admin", role="admin", phone=STAFF_PHONE)
        directory.set_pin(admin, STAFF_PIN)
    return Fuzzer(app, standin)


@fuzz(HOTLINE_EXAMPLES)
@given(steps=posts(HOTLINE_PATHS))
def test_the_hotline_answers_every_signed_form_with_speech_and_a_person(fuzzer: Fuzzer, steps: list[Post]) -> None:
    fuzzer.new_example()
    last: tuple[str, list[Verb], dict[str, str | None]] | None = None
    for step in steps:
        query = step.query
        if step.path is None:  # follow the previous answer, as Twilio does, on the same call
            target = next_target(last[1]) if last else None
            if target is None or last is None:
                continue
            path, _, raw_query = target.partition("?")
            path_and_query = target
            form = {**step.form, "CallSid": last[2].get("CallSid"), "From": last[2].get("From")}
            query = dict(pair.split("=", 1) for pair in raw_query.split("&") if "=" in pair)
        else:
            path, form = step.path, step.form
            path_and_query = path + (f"?{urlencode(query)}" if query and path != "/voice/incoming" else "")
            query = query if path != "/voice/incoming" else {}
        verbs = check_hotline(fuzzer.post(path_and_query, form), twilio_sends(path, query, form))
        if path == "/voice/fallback":
            assert verbs is None or "Dial" in [v.tag for v in flatten(verbs)]
        if verbs is not None and [v.tag for v in verbs] == ["Redirect"]:
            # Staff pressed the staff key: Twilio follows at once to the staff line, where they hear what to do.
            assert verbs[0].text == "/prompts/phone/start", verbs
            staff_line = fuzzer.post(verbs[0].text, {k: form.get(k) for k in ("CallSid", "From")})
            assert hears_something(parse_twiml(staff_line))
            return
        last = (path, verbs, form) if verbs is not None else None
    if last is None:
        return
    # Pressing 0 at whatever the caller was last asked reaches a person. A random post above may have carried a
    # turn number the call has moved past (Twilio never does): that answer re-asks the call's current question,
    # and 0 pressed there must reach a person.
    verbs = last[1]
    for _attempt in range(2):
        target = next_target(verbs)
        if (
            target is None
            or "/voice/answer" not in target
            or not any(v.tag in {"Gather", "Record"} for v in flatten(verbs))
        ):
            return
        event("pressed 0 at a question")
        press = {"CallSid": last[2].get("CallSid"), "From": last[2].get("From"), "Digits": "0"}
        answer = check_hotline(fuzzer.post(target, press), True)
        assert answer is not None
        if "Dial" in [v.tag for v in flatten(answer)]:
            return
        verbs = answer
    raise AssertionError(f"0 pressed twice did not reach a person: {[v.tag for v in flatten(verbs)]}")


@fuzz(STAFF_LINE_EXAMPLES)
@given(steps=posts(STAFF_LINE_PATHS))
def test_the_staff_line_answers_every_signed_form_with_twiml(fuzzer: Fuzzer, steps: list[Post]) -> None:
    fuzzer.new_example()
    last: tuple[list[Verb], dict[str, str | None]] | None = None
    for step in steps:
        if step.path is None:
            target = next_target(last[0]) if last else None
            if target is None or last is None:
                continue
            path, form = target, {**step.form, "CallSid": last[1].get("CallSid"), "From": last[1].get("From")}
        else:
            path, form = step.path, step.form
        response = fuzzer.post(path, form)
        if response.status_code == 400:
            call_sid, caller = (form.get("CallSid") or ""), (form.get("From") or "")
            assert not call_sid or len(call_sid) > 64 or not call_sid.isascii() or not caller, response.get_data(
                as_text=True
            )[:300]
            last = None
            continue
        verbs = parse_twiml(response)
        tags = [v.tag for v in flatten(verbs)]
        # Staff hear what to do next, or are sent to the step that says it; an ended call says goodbye first.
        assert hears_something(verbs) or tags == ["Redirect"], tags
        last = (verbs, form)


SMS_BODIES = ["help", "STOP", "1", "5", "엄마 병원 예약 부탁해요", "请帮我爸爸订午餐", "Mum's heating is broken", ""]
sms_forms = st.fixed_dictionaries(
    {
        "MessageSid": essential(st.text(alphabet="0123456789abcdef", min_size=4, max_size=8).map(lambda s: "SM" + s)),
        "From": essential(st.sampled_from(PHONES)),
        "Body": essential(st.sampled_from(SMS_BODIES)),
    },
    optional={
        "To": field(st.just("+15550100000")),
        "NumMedia": field(st.sampled_from(["0", "1", "x"])),
    },
)


@fuzz(SMS_EXAMPLES)
@given(form=sms_forms)
def test_sms_answers_every_signed_form_with_valid_twiml(fuzzer: Fuzzer, form: dict[str, str | None]) -> None:
    fuzzer.new_example()
    response = fuzzer.post("/sms/incoming", form)
    if response.status_code == 400:
        sid, sender, text = (form.get("MessageSid") or ""), (form.get("From") or ""), form.get("Body")
        malformed = not sid.strip() or not sender.strip() or text is None or len(text) > MAX_BODY_CHARS
        refused = try_e164(sender.strip(), fuzzer.hl.settings.default_region) is None
        assert malformed or refused, response.get_data(as_text=True)[:300]
        return
    verbs = parse_twiml(response)
    assert all(v.tag == "Message" for v in verbs), [v.tag for v in verbs]
    assert all(v.text for v in verbs), "an empty <Message> sends a blank text"


def test_fuzzer_sees_what_twilio_sees(fuzzer: Fuzzer) -> None:
    """The helpers above read real answers: a known-good start is TwiML with a question and speech."""
    verbs = check_hotline(fuzzer.post("/voice/incoming", {"CallSid": CALL_SIDS[0], "From": PHONES[0]}), True)
    assert verbs is not None and next_target(verbs) == "/voice/answer?t=1&via=keys"
    fallback = parse_twiml(fuzzer.post("/voice/fallback", {"CallSid": "CA1", "From": "+1"}))
    assert "Dial" in [v.tag for v in flatten(fallback)]
