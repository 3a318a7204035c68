"""The console as staff live it, in headless Chromium: the caller's recording plays; the queue updates itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from care import directory
from care.models import ServiceRequest, utcnow
from tests.browser.checks import scrolls_sideways
from tests.browser.conftest import Live
from tests.browser.test_console_browser import log_in
from tests.console.support import ADMIN, Seeded, make_request, seed_people

pytestmark = pytest.mark.slow


def test_the_callers_recording_plays_in_the_browser(live: Live, page: Any) -> None:
    seeded: Seeded = seed_people(live.hl)
    reference = make_request(live.hl, senior_id=seeded.senior_id, understood_by="keypad", transcript="")
    wav = live.hl.synthesizer.synthesize("Please bring the meals before noon", "en", 140)
    folder = live.hl.settings.data_dir / "call_audio"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "details.wav").write_bytes(wav)
    with live.hl.db.transaction() as db:
        row = db.query(ServiceRequest).filter_by(reference=reference).one()
        row.audio_path, row.audio_expires_at = "call_audio/details.wav", utcnow() + timedelta(days=30)
    log_in(page, live, *ADMIN, target=f"/console/requests/{reference}")
    player = page.locator("audio")
    assert player.get_attribute("aria-labelledby") == "audio-heading"
    # Play it as staff would; Chromium decodes it, reports its length and moves through it.
    duration = player.evaluate(
        """async (audio) => {
            await audio.play();
            await new Promise((done) => setTimeout(done, 400));
            return [audio.duration, audio.currentTime, audio.error === null];
        }"""
    )
    length, position, no_error = duration
    assert no_error and 1.0 < length < 10.0 and position > 0
    assert page.locator("#audio-kept-until").inner_text().startswith("Kept until ")


def test_an_urgent_request_arriving_while_the_queue_is_open_is_announced_without_a_reload(
    live: Live, page: Any
) -> None:
    seeded: Seeded = seed_people(live.hl)
    make_request(live.hl, senior_id=seeded.senior_id, key="t:old")
    log_in(page, live, *ADMIN)
    page.evaluate("window.notReloaded = true")
    announce = page.locator("#queue-announce")
    assert announce.get_attribute("aria-live") == "assertive" and announce.is_hidden()
    urgent = make_request(live.hl, senior_id=seeded.senior_id, intent="emergency", key="t:new")
    announce.wait_for(state="visible", timeout=20_000)
    assert announce.inner_text() == f"New urgent request: {urgent}"
    row = page.locator(f"tr[data-reference='{urgent}']")
    assert "arrived" in (row.get_attribute("class") or "").split() and "urgent" in row.get_attribute("class")
    assert page.locator("#queue-counts").inner_text() == "2 shown: 1 urgent, 0 overdue"
    assert page.evaluate("window.notReloaded") is True  # the same page, updated in place


def test_a_long_unbroken_name_does_not_push_the_queue_columns_off_screen(live: Live, page: Any) -> None:
    seed_people(live.hl)
    with live.hl.db.transaction() as db:
        senior = directory.add_senior(db, phone="+12025550177", name="Wolfeschlegelsteinhausenbergerdorff" * 3)
        senior_id = senior.id
    make_request(live.hl, senior_id=senior_id, phone="+12025550177", transcript="x" * 200)
    log_in(page, live, *ADMIN)
    wrap = page.locator(".table-wrap").first
    # The table fits its box: nothing to scroll sideways, so the last column is on screen.
    assert wrap.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
    assert not scrolls_sideways(page)


WIDEST_WORD_FITS = """(th) => {
  const style = getComputedStyle(th);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const widest = Math.max(...th.innerText.split(/\\s+/).filter(Boolean).map((w) => ctx.measureText(w).width));
  const room = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return room + 1 >= widest;
}"""


def test_queue_column_headings_keep_their_words_whole(live: Live, page: Any) -> None:
    # Seen on a laptop screen: "Refere / nce", "Langu / age", "Assigne / d to" while the cells had room to give.
    seeded = seed_people(live.hl)
    make_request(live.hl, senior_id=seeded.senior_id, transcript="x" * 200)
    log_in(page, live, *ADMIN)
    headings = page.locator("table thead th")
    assert headings.count() >= 8
    for index in range(headings.count()):
        heading = headings.nth(index)
        assert heading.evaluate(WIDEST_WORD_FITS), heading.inner_text()
