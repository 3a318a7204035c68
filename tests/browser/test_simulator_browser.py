"""The phone simulator page in headless Chromium: a whole call by keypad, as a senior would make it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from care.models import CallState, ServiceRequest
from simulator.twilio_standin import TwilioStandIn
from tests.browser.conftest import Live, screenshot
from tests.browser.test_console_browser import log_in
from tests.console.support import ADMIN, SENIOR_PHONE, seed_people

pytestmark = pytest.mark.slow


def _request(live: Live) -> ServiceRequest | None:
    with live.hl.db.sessions() as db:
        return db.query(ServiceRequest).one_or_none()


def test_a_senior_calls_from_the_simulator_asks_for_meals_by_keypad_and_adds_details_by_voice(
    live: Live, page: Any, standin: TwilioStandIn
) -> None:
    seeded = seed_people(live.hl)
    page.goto(live.url + "/simulator/")
    assert page.locator("main").get_attribute("data-state") == "idle"
    page.get_by_label("Your phone number (caller ID)").fill(SENIOR_PHONE)
    page.get_by_label("Wait for me (no time-outs)").check()  # the test presses keys at its own pace
    page.get_by_role("button", name="Call", exact=True).click()
    page.wait_for_selector("main[data-state='waiting-keys']")
    # The greeting plays from our prompt audio URLs (a key press interrupts it, as on a phone).
    assert page.locator("#call-log li.hotline").count() >= 1
    with live.hl.db.sessions() as db:
        call = db.query(CallState).one()
        assert call.from_phone == SENIOR_PHONE
    # No English speech model here, so the hotline offers the keypad menu: 2 meals, rides, repairs; 1 meals.
    for key, pressed_before in (("2", 0), ("1", 1)):
        assert page.locator("#call-log li.caller").count() == pressed_before
        page.get_by_role("button", name=f"Key {key}").click()
        page.wait_for_function(
            "(n) => document.querySelectorAll('#call-log li.caller').length === n"
            " && document.querySelector('main').dataset.state.startsWith('waiting')",
            arg=pressed_before + 1,
        )
    deadline = time.monotonic() + 10
    while _request(live) is None:
        assert time.monotonic() < deadline, "no request was made"
        time.sleep(0.1)
    made = _request(live)
    assert made is not None
    assert (made.intent, made.understood_by, made.senior_id, made.channel) == (
        "meals",
        "keypad",
        seeded.senior_id,
        "voice",
    )
    # The reference is read out digit by digit, shown in the log as the hotline's words.
    spoken = page.locator("#call-log li.hotline").all_inner_texts()
    assert any(" ".join(made.reference) in line for line in spoken)
    # The hotline asks whether to add anything: the caller says it (typed here, spoken by espeak-ng, sent as
    # the recording of the <Record>); the voice webhook downloads it from the stand-in, keeps it, deletes it there.
    page.wait_for_selector("#say-text:not([disabled])")
    page.get_by_label("Or type what you would say").fill("Please come on Monday morning")
    page.get_by_role("button", name="Say it").click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#call-log li.caller'))"
        ".some(li => li.textContent === 'Said: Please come on Monday morning')"
    )
    page.wait_for_selector("main[data-state^='waiting']")
    assert page.locator("#call-log li.caller").all_inner_texts() == [
        "Pressed 2",
        "Pressed 1",
        "Said: Please come on Monday morning",
    ]
    live.hl.queue.run_pending_jobs()
    assert standin.deleted_recordings and not standin.recordings
    made = _request(live)
    assert made is not None and made.audio_path is not None
    screenshot(page, "simulator-call")
    # Staff hear that recording on the request's page in the console.
    console = page.context.new_page()
    log_in(console, live, *ADMIN, target=f"/console/requests/{made.reference}")
    src = console.locator("audio").get_attribute("src")
    assert src == f"/console/requests/{made.reference}/audio"
    assert console.request.get(live.url + src).body()[:4] == b"RIFF"
    # "Anything else?": this time the caller holds the talk button and speaks into the (fake) microphone.
    page.wait_for_selector("#talk:not([disabled])")
    talk = page.get_by_role("button", name="Hold to talk")
    talk.hover()
    page.mouse.down()
    page.wait_for_selector("#talk[aria-pressed='true']")
    page.wait_for_timeout(1200)
    page.mouse.up()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#call-log li.caller'))"
        ".some(li => li.textContent === 'Spoke (recording sent)')"
    )
    live.hl.queue.run_pending_jobs()
    assert len(standin.deleted_recordings) == 2  # fetched by the voice webhook, then deleted at "Twilio"
    page.get_by_role("button", name="Hang up").click()
    page.wait_for_selector("main[data-state='ended']")
    assert page.locator("#call-status").inner_text() == "The call has ended."
    assert page.get_by_role("button", name="Key 1").is_disabled()


def test_without_patience_the_page_times_out_like_twilio_and_the_hotline_asks_again(live: Live, page: Any) -> None:
    seed_people(live.hl)
    page.goto(live.url + "/simulator/")
    page.get_by_label("Your phone number (caller ID)").fill(SENIOR_PHONE)
    page.get_by_label("Prompt speed").select_option("4")
    page.get_by_role("button", name="Call", exact=True).click()
    page.wait_for_selector("main[data-state='waiting-keys']")
    # Nobody presses anything: after the prompts and the <Gather> timeout, the page reports silence.
    page.wait_for_selector("#call-log li.caller", timeout=60_000)
    assert page.locator("#call-log li.caller").first.inner_text() == "Said nothing"
    with live.hl.db.sessions() as db:
        assert db.query(CallState).one().turns >= 2
