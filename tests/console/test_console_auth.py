"""Console login: every page behind it, hashed passwords, CSRF on every post, lockout, roles, session limits."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from care.directory import LOCKOUT, MAX_FAILED_LOGINS
from care.models import Senior, StaffMember, utcnow
from console.web import SESSION_MAX_AGE
from tests.console.html import parse_html
from tests.console.support import ADMIN, STAFF, Seeded, csrf_of, login
from web.context import Hearthline

PUBLIC = {"console.login", "console.static", "console.set_language"}


def _example_url(rule: str) -> str:
    """Fill a route's variables with plausible values (the gate must answer before they are looked up)."""
    url = re.sub(r"<int:[a-z_]+>", "1", rule)
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: {"locale": "en", "key": "voice.greeting"}.get(m[1], "x"), url)


def test_every_console_page_sends_a_logged_out_visitor_to_login(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("console.")]
    assert len(rules) >= 20  # the queue, requests, people, staff, prompts and summary pages are all here
    token = csrf_of(client.get("/console/login"))
    checked = 0
    for rule in rules:
        if rule.endpoint in PUBLIC:
            continue
        url = _example_url(rule.rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, "name": "X", "phone": "+12025550199"})
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/console/login"), (method, url, response.location)
            checked += 1
    assert checked >= 20
    # Nothing was created by the logged-out posts.
    hl: Hearthline = app.extensions["hearthline"]
    with hl.db.sessions() as db:
        assert db.query(Senior).count() == 1
        assert db.query(StaffMember).count() == 2


def test_login_with_the_right_password_opens_the_queue_and_the_hash_is_not_the_password(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    login(client, *STAFF)
    page = parse_html(client.get("/console/").get_data(as_text=True))
    assert page.find("h1").text == "Requests"
    assert page.find("nav").find("a", **{"aria-current": "page"}).text == "Requests"
    with hearthline.db.sessions() as db:
        stored = db.query(StaffMember).filter_by(username=STAFF[0]).one().password_hash
    assert STAFF[1] not in stored and stored.split(":", 1)[0] in {"scrypt", "pbkdf2"}


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: FlaskClient, seeded: Seeded) -> None:
    token = csrf_of(client.get("/console/login"))
    wrong_password = client.post("/console/login", data={"csrf_token": token, "username": STAFF[0], "password": "nope"})
    unknown_user = client.post("/console/login", data={"csrf_token": token, "username": "nobody", "password": "nope"})
    assert wrong_password.status_code == unknown_user.status_code == 401
    message = parse_html(wrong_password.get_data(as_text=True)).by_id("login-error").text
    assert message == parse_html(unknown_user.get_data(as_text=True)).by_id("login-error").text
    assert client.get("/console/").status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password_until_the_lock_expires(
    client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    token = csrf_of(client.get("/console/login"))
    form = {"csrf_token": token, "username": STAFF[0], "password": "guess"}
    statuses = [client.post("/console/login", data=form).status_code for _ in range(MAX_FAILED_LOGINS)]
    assert statuses == [401] * MAX_FAILED_LOGINS  # locked answers as a wrong password does (no enumeration)
    right = client.post("/console/login", data={**form, "password": STAFF[1]})
    assert right.status_code == 401
    assert client.get("/console/").status_code == 302
    with hearthline.db.transaction() as db:
        member = db.query(StaffMember).filter_by(username=STAFF[0]).one()
        assert member.locked_until is not None
        assert timedelta(minutes=14) < member.locked_until - utcnow() <= LOCKOUT
        member.locked_until = utcnow() - timedelta(seconds=1)  # the 15 minutes have passed
    assert client.post("/console/login", data={**form, "password": STAFF[1]}).status_code == 303


def test_an_admin_unlocks_a_locked_account(app: Flask, hearthline: Hearthline, seeded: Seeded) -> None:
    locked = app.test_client()
    token = csrf_of(locked.get("/console/login"))
    for _ in range(MAX_FAILED_LOGINS):
        locked.post("/console/login", data={"csrf_token": token, "username": STAFF[0], "password": "x"})
    admin = app.test_client()
    admin_token = login(admin, *ADMIN)
    staff_page = parse_html(admin.get("/console/staff").get_data(as_text=True))
    row = staff_page.find("tr", data_username=STAFF[0])
    assert "locked" in row.text
    response = admin.post(f"/console/staff/{seeded.staff_id}/unlock", data={"csrf_token": admin_token})
    assert response.status_code == 303
    assert (
        locked.post(
            "/console/login", data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1]}
        ).status_code
        == 303
    )


def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, hearthline: Hearthline, seeded: Seeded
) -> None:
    login(client, *ADMIN)
    other = app.test_client()
    foreign_token = csrf_of(other.get("/console/login"))
    form = {"name": "Forged Person", "phone": "+12025550177"}
    for data in (form, {**form, "csrf_token": foreign_token}, {**form, "csrf_token": ""}):
        response = client.post("/console/seniors", data=data)
        assert response.status_code == 400
        assert parse_html(response.get_data(as_text=True)).by_id("error-message").text
    with hearthline.db.sessions() as db:
        assert db.query(Senior).filter_by(name="Forged Person").count() == 0


def test_the_login_form_itself_needs_the_csrf_token(client: FlaskClient, seeded: Seeded) -> None:
    client.get("/console/login")
    response = client.post("/console/login", data={"username": STAFF[0], "password": STAFF[1]})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302


def test_login_gives_a_new_csrf_token_and_logout_ends_the_session(client: FlaskClient, seeded: Seeded) -> None:
    before = csrf_of(client.get("/console/login"))
    after = login(client, *STAFF)
    assert before != after
    assert client.post("/console/logout", data={"csrf_token": after}).status_code == 303
    assert client.get("/console/").location.startswith("/console/login")


def test_a_login_never_redirects_to_another_site(client: FlaskClient, seeded: Seeded) -> None:
    token = csrf_of(client.get("/console/login"))
    for target in ("https://evil.example/", "//evil.example/console/", "/console/\\evil"):
        client.post("/console/logout", data={"csrf_token": token})
        token = csrf_of(client.get("/console/login"))
        response = client.post(
            "/console/login",
            data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1], "next": target},
        )
        assert response.location == "/console/", target
        token = csrf_of(client.get("/console/"))
    client.post("/console/logout", data={"csrf_token": token})
    token = csrf_of(client.get("/console/login"))
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1], "next": "/console/people"},
    )
    assert response.location == "/console/people"


def test_a_session_older_than_a_shift_must_log_in_again(client: FlaskClient, seeded: Seeded) -> None:
    login(client, *STAFF)
    assert client.get("/console/").status_code == 200
    with client.session_transaction() as session:
        session["logged_in_at"] = (utcnow() - SESSION_MAX_AGE - timedelta(minutes=1)).timestamp()
    assert client.get("/console/").location.startswith("/console/login")


def test_a_deactivated_account_is_logged_out_at_its_next_click(app: Flask, client: FlaskClient, seeded: Seeded) -> None:
    login(client, *STAFF)
    admin = app.test_client()
    token = login(admin, *ADMIN)
    assert admin.post(f"/console/staff/{seeded.staff_id}/deactivate", data={"csrf_token": token}).status_code == 303
    assert client.get("/console/").location.startswith("/console/login")


def test_staff_cannot_open_admin_pages(client: FlaskClient, seeded: Seeded) -> None:
    token = login(client, *STAFF)
    assert client.get("/console/staff").status_code == 403
    response = client.post(f"/console/staff/{seeded.admin_id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    nav = parse_html(client.get("/console/").get_data(as_text=True)).find("nav")
    assert "Staff" not in [a.text for a in nav.find_all("a")]


def test_pages_forbid_framing_and_caching(client: FlaskClient, seeded: Seeded) -> None:
    login(client, *STAFF)
    response = client.get("/console/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_site_root_opens_the_console(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/console/"


def test_staff_can_read_the_console_in_another_language_and_it_stays_after_logging_in(
    client: FlaskClient, seeded: Seeded
) -> None:
    token = csrf_of(client.get("/console/login"))
    client.post("/console/language", data={"csrf_token": token, "lang": "ko", "next": "/console/login"})
    login_page = parse_html(client.get("/console/login").get_data(as_text=True))
    assert login_page.find("html").attrs["lang"] == "ko" and login_page.find("h1").text == "직원 로그인"
    login(client, *STAFF)
    page = parse_html(client.get("/console/").get_data(as_text=True))
    assert page.find("h1").text == "요청"
    token = csrf_of(client.get("/console/"))
    response = client.post(
        "/console/language", data={"csrf_token": token, "lang": "xx", "next": "https://evil.example"}
    )
    assert response.location == "/console/"  # an unknown language is ignored, a foreign address refused
    assert parse_html(client.get("/console/").get_data(as_text=True)).find("h1").text == "요청"
