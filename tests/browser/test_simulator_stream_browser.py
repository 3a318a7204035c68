"""The phone simulator page on a Media Stream in headless Chromium: the microphone is a WAV (Chromium's fake
capture device) streamed as 8 kHz μ-law to the app, the hotline's audio plays back, keys go as `dtmf`."""

from __future__ import annotations

import io
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from flask import Flask
from werkzeug.serving import make_server

from care.models import CallState, ServiceRequest
from prompts.tts import EspeakSynthesizer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Live, screenshot
from tests.voice.conftest import ko_model_root
from tests.voice.test_routes import ALWAYS_OPEN, add_senior
from web.context import EXTENSION_KEY

pytestmark = pytest.mark.slow

__all__ = ["ko_model_root"]

CALLER = "+12025550111"
# What the senior says into the microphone: the details of a meal delivery, in Korean (the model installed).
DETAILS = "내일 점심에 와 주세요"


@pytest.fixture
def microphone(tmp_path: Path) -> Path:
    """A WAV Chromium plays as the microphone, over and over: half a second of quiet, the sentence, 3 s quiet."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    data, rate = soundfile.read(io.BytesIO(EspeakSynthesizer().synthesize(DETAILS, "ko", 140)), dtype="int16")
    quiet = np.zeros(int(rate * 0.5), dtype="int16")
    path = tmp_path / "microphone.wav"
    soundfile.write(path, np.concatenate([quiet, data, np.zeros(rate * 3, dtype="int16")]), rate, subtype="PCM_16")
    return path


@pytest.fixture
def mic_page(browser: Any, microphone: Path) -> Iterator[Any]:
    """A page in a Chromium whose microphone is `microphone` (a browser of its own: the flag is per process)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    own = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={microphone}"],
        headless=True,
    )
    context = own.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    own.close()
    assert errors == [], f"JavaScript errors in the page: {errors}"


@pytest.fixture
def streaming(make_app: Callable[..., Flask], ko_model_root: Path) -> Iterator[Live]:
    app = make_app(vosk_model_dir=ko_model_root, voice_path="stream", **ALWAYS_OPEN)
    add_senior(app, locale="ko", phone=CALLER)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Live(app, f"http://127.0.0.1:{server.server_port}", app.extensions[EXTENSION_KEY])
    server.shutdown()
    server.server_close()


def _turns(live: Live) -> int:
    with live.hl.db.sessions() as db:
        row = db.query(CallState).one_or_none()
        return 0 if row is None else int(row.turns)


def _request(live: Live) -> ServiceRequest | None:
    with live.hl.db.sessions() as db:
        return db.query(ServiceRequest).one_or_none()


def _wait(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_senior_on_the_stream_presses_keys_over_prompts_and_speaks_the_details_into_the_microphone(
    streaming: Live, mic_page: Any
) -> None:
    page = mic_page
    page.goto(streaming.url + "/simulator/")
    page.get_by_label("Your phone number (caller ID)").fill(CALLER)
    page.get_by_role("button", name="Call", exact=True).click()
    page.wait_for_selector("main[data-stream='open']")
    page.get_by_label("Mute my microphone").check()  # keys first; the microphone keeps saying the details
    stats = "() => window.HearthlineStream.current && window.HearthlineStream.current.stats"

    def when(condition: str) -> None:  # a function, not an expression: the page's CSP forbids eval
        page.wait_for_function(f"() => {{ const s = ({stats})(); return !!s && ({condition}); }}")

    # The greeting (the open question) arrives as μ-law frames and plays; the microphone's frames go out.
    when("s.received > 25 && s.sent > 25")
    assert page.evaluate(stats)["mic"] is True
    # The menu, daily help, meals: each key sent as dtmf while its prompt plays, which the hotline stops.
    for n, key in enumerate(("1", "2", "1"), start=2):
        received = page.evaluate(stats)["received"]  # the app sends a prompt's frames at once; Twilio buffers them
        page.get_by_role("button", name=f"Key {key}").click()
        _wait(lambda n=n: _turns(streaming) >= n, f"turn {n}")
        when(f"s.received > {received + 10}")  # the next prompt has come and is playing
    page.wait_for_function("() => document.querySelector('#main').dataset.turns === '4'")
    assert page.evaluate(stats)["clears"] >= 1, "a key over a prompt did not stop its playback"
    made = _request(streaming)
    assert made is not None and (made.intent, made.understood_by, made.locale) == ("meals", "keypad", "ko")
    assert not made.details
    # The senior unmutes and speaks the details: heard on the stream while spoken, written onto the request.
    page.get_by_label("Mute my microphone").uncheck()
    _wait(lambda: _turns(streaming) >= 5, "the details to be heard", 60)
    page.wait_for_function("() => document.querySelector('#main').dataset.turns === '5'")
    made = _request(streaming)
    assert made is not None and made.details.strip() and not made.details.startswith("(")
    with streaming.hl.db.sessions() as db:
        row = db.query(CallState).one()
        heard = row.state["last"]["heard"]
    assert heard["source"] == "speech" and heard["text"]
    log = page.locator("#call-log").inner_text()
    assert "Pressed 1" in log and "The hotline heard: " + heard["text"] in log
    path = screenshot(page, "simulator-stream-call")
    assert path.stat().st_size > 10_000
    page.get_by_label("Mute my microphone").check()
    page.get_by_role("button", name="Hang up").click()
    page.wait_for_selector("main[data-state='ended']")
    assert page.locator("main").get_attribute("data-stream") == "closed"
