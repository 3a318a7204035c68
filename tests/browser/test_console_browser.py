"""The staff console in headless Chromium: log in, work a request to closed, upload a prompt, accessibility."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from care.models import ServiceRequest, utcnow
from care.notices import service_name
from i18n.messages import translate
from prompts import catalog
from prompts.audio import PromptAudio
from simulator.twilio_standin import TwilioStandIn
from tests.browser.checks import contrast_failures, scrolls_sideways, tab_reaches, unlabelled_controls
from tests.browser.conftest import Live, screenshot
from tests.console.support import (
    ADMIN,
    FAMILY_PHONE,
    SENIOR_NAME,
    SENIOR_PHONE,
    Seeded,
    get_request,
    make_request,
    seed_activity,
    seed_people,
)

pytestmark = pytest.mark.slow


def log_in(page: Any, live: Live, username: str, password: str, target: str = "/console/") -> None:
    page.goto(live.url + target)
    assert "/console/login" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{target}*")


def _notice(reference: str, status: str, note: str = "") -> str:
    key = "notify.status.resolved_note" if note else f"notify.status.{status}"
    return translate("notify", key, "en", reference=reference, service=service_name("meals", "en"), note=note)


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_staff_work_a_request_to_closed_while_the_requester_is_texted_and_confirms_by_sms(
    live: Live, page: Any, standin: TwilioStandIn
) -> None:
    seeded: Seeded = seed_people(live.hl)
    reference = make_request(live.hl, senior_id=seeded.senior_id, transcript="I cannot cook any more, I need meals")
    live.hl.queue.deliver_now()  # type: ignore[attr-defined]
    log_in(page, live, *ADMIN)
    row = page.locator(f"tr[data-reference='{reference}']")
    assert "I cannot cook any more" in row.inner_text() and "May Lee" in row.inner_text()  # first words (issue 12)
    screenshot(page, "console-queue")
    row.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/console/requests/{reference}")
    assert page.locator("#transcript").inner_text() == "I cannot cook any more, I need meals"

    def step(button: str, status: str, note: str = "") -> None:
        if note:
            page.locator(f"#note-{button}").fill(note)
        page.locator(f"#do-{button}").click()
        page.wait_for_selector(f"#status-value[data-status='{status}']")
        assert page.get_by_role("status").first.inner_text().startswith("Saved: the request is now")
        live.hl.queue.deliver_now()  # type: ignore[attr-defined]
        if status == "resolved":  # "assigned" and "started" were held and replaced: one text, with the note
            assert standin.messages_to(SENIOR_PHONE)[-1] == _notice(reference, status, note)

    page.get_by_label("Assign to").select_option("sam")
    step("assign", "assigned")
    assert page.locator("#assignee-value").inner_text() == "sam"
    step("start", "in_progress")
    step("resolve", "resolved", note="Meals on wheels from Monday")
    screenshot(page, "console-request")

    # The requester confirms by text, from the simulator's texting panel in a second tab.
    phone = page.context.new_page()
    phone.goto(live.url + "/simulator/")
    phone.get_by_label("Your mobile number").fill(SENIOR_PHONE)
    phone.get_by_label("Message").fill("1")
    phone.get_by_role("button", name="Send text").click()
    reply = phone.locator("#sms-thread li.reply")
    reply.wait_for()
    assert reply.inner_text() == "Hotline: " + translate("sms", "sms.confirmed", "en", reference=reference)
    _wait_for(lambda: get_request(live.hl, reference).status == "closed")
    page.reload()
    assert page.locator("#status-value").get_attribute("data-status") == "closed"
    # The requester heard back in the reply; the outbox tells the linked family.
    live.hl.queue.deliver_now()  # type: ignore[attr-defined]
    assert standin.messages_to(FAMILY_PHONE)[-1] == _notice(reference, "closed")
    assert standin.messages_to(SENIOR_PHONE)[-1] == _notice(reference, "resolved", "Meals on wheels from Monday")
    # The simulator's phone shows the texts the hotline sent it on its own, as a phone's inbox would.
    phone.wait_for_function(
        "(text) => Array.from(document.querySelectorAll('#sms-thread li.notification'))"
        ".some(li => li.textContent.endsWith(text))",
        arg=_notice(reference, "resolved", "Meals on wheels from Monday"),
    )
    screenshot(phone, "simulator-sms")
    history = page.locator("#history tbody tr")
    actors = [history.nth(i).locator("td").nth(1).inner_text() for i in range(history.count())]
    # People by name (the role and number are in each cell's title).
    assert actors == [SENIOR_NAME, "Ada Admin", "Ada Admin", "Ada Admin", SENIOR_NAME]
    with live.hl.db.sessions() as db:
        assert db.query(ServiceRequest).filter_by(reference=reference).one().closed_at is not None


MAIN_PAGES = [
    ("/console/", "a[href^='/console/requests/']"),
    ("/console/people", "#add-senior button[type=submit]"),
    ("/console/staff", "#add-staff button[type=submit]"),
    ("/console/prompts", "#prompts a"),
    ("/console/summary", "#days"),
]


def test_main_pages_have_labels_contrast_keyboard_reach_and_no_sideways_scroll_at_200_percent(
    live: Live, page: Any, browser: Any
) -> None:
    seeded = seed_people(live.hl)
    reference = make_request(live.hl, senior_id=seeded.senior_id)
    make_request(live.hl, intent="emergency", key="urgent-1", transcript="I fell")
    seed_activity(live.hl)
    make_request(
        live.hl, intent="home_repair", key="late-1", now=utcnow() - timedelta(days=3), transcript="Leaking roof"
    )
    pages = [
        *MAIN_PAGES,
        (f"/console/requests/{reference}", "#do-assign"),
        (f"/console/seniors/{seeded.senior_id}", "#link-family button, #links button"),
    ]
    log_in(page, live, *ADMIN)
    for path, main_action in pages:
        page.goto(live.url + path)
        assert unlabelled_controls(page) == [], path
        checked, failures = contrast_failures(page)
        assert checked > 10 and failures == [], (path, failures)
        assert tab_reaches(page, main_action), (path, main_action)
    # 200 % zoom of a 1280 px window: the page lays out in 640 CSS px at twice the pixel density.
    zoomed = browser.new_context(viewport={"width": 640, "height": 720}, device_scale_factor=2)
    zoomed_page = zoomed.new_page()
    log_in(zoomed_page, live, *ADMIN)
    for path, _ in pages:
        zoomed_page.goto(live.url + path)
        assert not scrolls_sideways(zoomed_page), path
    zoomed_page.goto(live.url + f"/console/requests/{reference}")
    screenshot(zoomed_page, "console-request-200pct")
    zoomed_page.goto(live.url + "/console/summary")
    screenshot(zoomed_page, "console-summary-200pct")
    zoomed.close()
    page.goto(live.url + "/console/")
    # The roof (3 days, due in 2) and the seeded doctor visit (2 days, due in 1) are late; the fall is urgent.
    assert page.locator("tr.overdue").count() == 2 and page.locator("tr.urgent").count() == 1
    screenshot(page, "console-queue-busy")
    page.goto(live.url + "/console/people")
    screenshot(page, "console-people")
    page.goto(live.url + "/console/summary")
    screenshot(page, "console-summary")


def test_login_page_and_simulator_pass_the_same_checks(live: Live, page: Any) -> None:
    page.goto(live.url + "/console/login")
    assert unlabelled_controls(page) == []
    assert contrast_failures(page)[1] == []
    assert tab_reaches(page, "button[type=submit]")
    screenshot(page, "console-login")
    page.goto(live.url + "/simulator/")
    assert unlabelled_controls(page) == []
    assert contrast_failures(page)[1] == []
    assert tab_reaches(page, "#call")


def test_an_admin_uploads_a_prompt_recording_and_callers_hear_it(live: Live, page: Any, tmp_path: Path) -> None:
    seed_people(live.hl)
    prompt = catalog.static_prompts()[0]
    text = translate(prompt.domain, prompt.key, "en")
    wav = tmp_path / "greeting.wav"
    wav.write_bytes(live.hl.synthesizer.synthesize(text, "en", 140))
    log_in(page, live, *ADMIN, target="/console/prompts")
    page.locator(f"tr[data-key='{prompt.key}'] a").click()
    page.wait_for_url(f"**/console/prompts/en/{prompt.key}")
    assert page.locator("#live-version").inner_text() == "computer voice"
    page.get_by_label("Sound file").set_input_files(str(wav))
    page.get_by_label("Callers hear it at once").check()
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("li[data-version='1'][data-live='yes']")
    assert page.get_by_role("status").first.inner_text() == "Saved as version 1; callers hear it now."
    voice = live.hl.prompt_voice
    assert isinstance(voice, PromptAudio)
    live_version = voice.store.live(prompt.key, "en")
    assert live_version is not None and live_version.recorded_by == "staff:ada"
    assert voice.audio_url(prompt.key, "en", text) == voice.url_for(live_version.audio_id)
    # The page's player fetches the recording from the console.
    src = page.locator("#listen-heading ~ audio").first.get_attribute("src")
    assert src is not None and page.request.get(live.url + src).body()[:4] == b"RIFF"
    screenshot(page, "console-prompt")


def test_a_prompt_recorded_with_the_browsers_microphone_becomes_a_draft(live: Live, page: Any) -> None:
    seed_people(live.hl)
    prompt = catalog.static_prompts()[0]
    log_in(page, live, *ADMIN, target=f"/console/prompts/en/{prompt.key}")
    page.locator("#record-start").click()
    page.wait_for_selector("#record-stop:not([disabled])")
    page.wait_for_timeout(1500)  # Chromium's fake microphone plays a beep tone
    page.locator("#record-stop").click()
    page.wait_for_selector("li[data-version='1'][data-state='draft']")
    voice = live.hl.prompt_voice
    assert isinstance(voice, PromptAudio)
    [version] = voice.store.versions(prompt.key, "en")
    assert version.source.value == "upload" and 0.3 <= version.seconds <= 3.0


def test_a_crisis_message_recorded_with_the_browsers_microphone_is_played_by_the_calls(
    live: Live, page: Any, standin: TwilioStandIn
) -> None:
    """The crisis page's "record here" puts the recording into the form; Start calling sends it with the group."""
    from outreach.crisis_tables import Broadcast
    from outreach.models import CallAttempt
    from tests.outreach.test_crisis import AREA, _people

    _people(live.hl)
    log_in(page, live, "sam", "staff password 1", target="/console/broadcasts")
    page.get_by_label("Area").select_option(AREA)
    page.locator("#record-start").click()
    page.wait_for_selector("#record-stop:not([disabled])")
    page.wait_for_timeout(1500)  # Chromium's fake microphone plays a beep tone
    page.locator("#record-stop").click()
    page.wait_for_selector("#recorder-status:has-text('Recorded.')")  # in the form's file field now
    assert page.locator("#recorder-status").inner_text().startswith("Recorded. Press Start calling")
    page.get_by_role("button", name="Start calling").click()
    page.wait_for_url("**/console/broadcasts/*")
    assert page.locator("#broadcast-recording audio").count() == 1
    with live.hl.db.sessions() as db:
        [broadcast] = db.scalars(select(Broadcast)).all()
        contexts = [a.context for a in db.scalars(select(CallAttempt))]
    assert broadcast.message == "" and broadcast.audio_url.endswith(".wav")
    assert len(contexts) == 4 and {c["audio_url"] for c in contexts} == {broadcast.audio_url}
