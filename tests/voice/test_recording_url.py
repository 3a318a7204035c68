"""A signed webhook's RecordingUrl can only ever name one of our own recordings at Twilio, never anything else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from simulator.twilio_standin import API, TwilioStandIn
from tests.conftest import ACCOUNT_SID
from tests.voice.conftest import Call
from tests.voice.test_routes import ALWAYS_OPEN, add_senior


def _escapes(standin: TwilioStandIn) -> list[str]:
    """RecordingUrls that start like ours but name something else, or another account, host or scheme."""
    ours = f"{standin.base_url}{API}{ACCOUNT_SID}/Recordings/"
    other = "AC" + "2" * 32
    host = standin.base_url.removeprefix("http://")
    return [
        ours + "../Messages",
        ours + "RE" + "0" * 32 + "/../../Messages",
        ours + "%2e%2e/Messages",
        ours + "%2E%2E/%2E%2E/" + other + "/Recordings/RE" + "1" * 32,
        ours + "RE" + "0" * 32 + "/..%2f..%2fMessages",
        ours + "RE" + "0" * 32 + "?x=../../Messages",
        ours + "RE" + "0" * 32 + "#/../../Messages",
        ours + ".",
        f"{standin.base_url}{API}{other}/Recordings/RE" + "1" * 32,
        f"http://user@{host}{API}{ACCOUNT_SID}/Recordings/RE" + "1" * 32,
        f"http://127.0.0.1.nip.io:{host.split(':')[1]}{API}{ACCOUNT_SID}/Recordings/RE" + "1" * 32,
    ]


@pytest.mark.parametrize("index", range(11))
def test_a_recording_url_that_escapes_our_recordings_is_never_fetched_or_deleted(
    voice_app: Callable[..., Flask], standin: TwilioStandIn, index: int
) -> None:
    url = _escapes(standin)[index]
    app = voice_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")  # a Korean caller is asked an open question: <Record> at once
    call = Call(app)
    call.start()
    call.record(url)  # parse_twiml inside: the caller still hears a valid answer
    touched = [(method, path) for method, path, _status in standin.log]
    assert touched == [], (url, touched)


def test_our_own_recording_is_still_fetched_and_deleted(
    voice_app: Callable[..., Flask], standin: TwilioStandIn, say: Callable[[str, str], bytes]
) -> None:
    url = standin.add_recording(say("도시락 배달해 주세요", "ko"))
    app = voice_app(**ALWAYS_OPEN)
    add_senior(app, locale="ko")
    call = Call(app)
    call.start()
    call.record(url)
    sid = url.rsplit("/", 1)[1]
    assert ("GET", f"{API}{ACCOUNT_SID}/Recordings/{sid}.wav") in [(m, p) for m, p, _ in standin.log]
    assert sid in standin.deleted_recordings
