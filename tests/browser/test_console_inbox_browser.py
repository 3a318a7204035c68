"""The inbox in headless Chromium (issue 12): a stranger's text shows with a count in the navigation, and staff
make a request of one and dismiss another with a reason, through the page's own forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_console_browser import log_in
from tests.console.support import SENIOR_NAME, STAFF, seed_people
from tests.sms.people import text

pytestmark = pytest.mark.slow

MR_BROWN = "Mr Brown (82) has had no heating for two days"


def test_staff_work_the_inbox_in_the_browser(live: Live, page: Any) -> None:
    seed_people(live.hl)
    client = live.app.test_client()
    text(client, live.hl, "+12025550199", MR_BROWN)
    text(client, live.hl, "+12025550198", "Win a free cruise, reply now")
    log_in(page, live, *STAFF)
    nav = page.locator("#nav-inbox")
    assert nav.locator(".badge-inbox").inner_text() == "2"
    assert nav.locator(".visually-hidden").inner_text() == "(2 texts waiting)"
    nav.click()
    page.wait_for_url("**/console/inbox")

    brown = page.locator("article.inbox-text", has_text=MR_BROWN)
    brown.get_by_text("Make a request of it").click()
    brown.get_by_label("Service").select_option(label="a home repair")
    brown.get_by_label("For", exact=True).select_option(label=f"{SENIOR_NAME} ((202) 555-0111)")
    brown.get_by_role("button", name="Make the request").click()
    page.wait_for_url("**/console/requests/*")
    assert MR_BROWN in page.locator("main").inner_text()

    page.goto(live.url + "/console/inbox")
    spam = page.locator("article.inbox-text", has_text="free cruise")
    spam.get_by_text("Dismiss", exact=True).click()
    spam.get_by_label("Why nothing needs doing").fill("Spam")
    spam.get_by_role("button", name="Dismiss with this reason").click()
    page.wait_for_url("**/console/inbox")
    assert page.locator("#inbox-empty").is_visible()
    assert page.locator("#nav-inbox .badge-inbox").count() == 0
    dealt = page.locator("article.handled", has_text="free cruise")
    dealt.get_by_text("History").click()
    assert "Dismissed" in dealt.inner_text() and "Spam" in dealt.inner_text()
