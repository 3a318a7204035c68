"""The console while the database hangs or is down: a plain apology page, 503 with Retry-After, in the reader's
language, within the database's bounded waits (PostgreSQL reached through a proxy the test hangs or cuts)."""

from __future__ import annotations

import time

import pytest

from care.db import STATEMENT_TIMEOUT_MS, UNAVAILABLE_SECONDS
from i18n.messages import translate
from tests.conftest import ProxiedApp
from tests.console.html import parse_html
from tests.console.support import STAFF, csrf_of, login, seed_people

# The statement timeout bounds every wait on the database; the page must be back within it (and a little for
# rendering on a machine shared with other jobs).
WITHIN_SECONDS = STATEMENT_TIMEOUT_MS / 1000 + 1


@pytest.mark.parametrize(("fault", "lang"), [("hang", "ko"), ("cut", "es")])
def test_the_console_apologises_in_the_readers_language_while_the_database_does_not_answer(
    proxied_postgres: ProxiedApp, fault: str, lang: str
) -> None:
    app, hl, proxy = proxied_postgres.app, proxied_postgres.hl, proxied_postgres.proxy
    seed_people(hl)
    client = app.test_client()
    login(client, *STAFF)
    token = csrf_of(client.get("/console/"))
    client.post("/console/language", data={"csrf_token": token, "lang": lang, "next": "/console/"})

    getattr(proxy, fault)()  # the database hangs (connections accepted, never answered) or is down
    for path in ("/console/", "/console/people", "/console/"):
        started = time.monotonic()
        response = client.get(path)
        took = time.monotonic() - started
        assert took < WITHIN_SECONDS, (path, took)
        assert response.status_code == 503, response.get_data(as_text=True)[:300]
        assert int(response.headers["Retry-After"]) > 0
        html = parse_html(response.get_data(as_text=True))
        assert html.by_id("error-message").text == translate("web", "error.database_away", lang)
        assert html.find("html").attrs["lang"] == lang

    proxy.restore()
    time.sleep(UNAVAILABLE_SECONDS + 0.1)
    assert client.get("/console/").status_code == 200  # back by itself, still signed in
