"""Staff hear the caller: spoken details of a keypad call reach the request page as a player, from any folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from care.retention import sweep_audio
from i18n.messages import translate
from simulator.twilio_standin import TwilioStandIn
from tests.console.html import parse_html
from tests.console.support import STAFF, login, seed_people
from tests.voice.conftest import Call
from tests.voice.test_routes import ALWAYS_OPEN, add_senior
from web.context import EXTENSION_KEY, Hearthline


def test_details_spoken_in_a_language_without_a_model_can_be_heard_with_a_relative_data_folder(
    make_app: Callable[..., Flask], standin: TwilioStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make run` uses the default data folder "instance", relative to the working folder.
    monkeypatch.chdir(tmp_path)
    app = make_app(data_dir=Path("instance"), vosk_model_dir=tmp_path / "no-models", **ALWAYS_OPEN)
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    seed_people(hl)
    add_senior(app, locale="en")  # English has no speech model here: the call runs on the keypad
    call = Call(app)
    call.start()
    call.press("2")  # daily help
    call.press("1")  # meals
    (request,) = call.requests()
    spoken = hl.synthesizer.synthesize("Please come before noon", "en", 140)
    call.record(standin.add_recording(spoken))
    hl.queue.run_pending_jobs()  # type: ignore[attr-defined]
    (request,) = call.requests()
    assert request.audio_path is not None and request.audio_expires_at is not None

    client = app.test_client()
    login(client, *STAFF)
    audio = client.get(f"/console/requests/{request.reference}/audio")
    assert audio.status_code == 200 and audio.data == spoken
    page = parse_html(client.get(f"/console/requests/{request.reference}").get_data(as_text=True))
    assert page.find("audio").attrs["src"] == f"/console/requests/{request.reference}/audio"
    kept_until = page.by_id("audio-kept-until").text
    assert kept_until.startswith("Kept until ")
    # Nothing was transcribed: the page says it was recorded and can be heard, never "not understood".
    history = page.by_id("history").text
    assert "not understood" not in page.by_id("main").text
    assert translate("web", "history.kind.detail_audio", "en") in history
    assert page.by_id("details-recorded").text == translate("web", "request.details_recorded", "en")

    # The retention sweep deletes the very file the page played, wherever the app was started from.
    stored = hl.settings.data_dir.resolve() / request.audio_path
    assert stored.is_file()
    assert sweep_audio(hl.db, hl.settings.data_dir, now=request.audio_expires_at) == 1
    assert not stored.exists()
    assert client.get(f"/console/requests/{request.reference}/audio").status_code == 404
