"""Console trust: separate PIN and password lockouts, no account enumeration, atomic counting, sessions that end,
ASVS level 1 passwords and cookies, and plain 400/404 answers to NUL bytes and huge ids on PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from care import directory
from care.directory import MAX_FAILED_LOGINS
from care.models import StaffMember
from tests.console.html import parse_html
from tests.console.support import ADMIN, STAFF, Seeded, csrf_of, login, seed_people
from tests.twiml import parse_twiml, signed_post
from web.context import EXTENSION_KEY, Hearthline

ADMIN_PIN = "4826"


def _wrong_pin_calls(client: FlaskClient, hl: Hearthline, staff_id: int, tries: int) -> None:
    """Call the staff line from an unknown number and enter the staff number with wrong PINs, as Twilio posts."""
    for n in range(tries):
        form = {"CallSid": f"CA{n // 3:032d}", "From": "+15550107777", "To": "+15550100001"}
        parse_twiml(signed_post(client, hl, "/prompts/phone/start", form))
        parse_twiml(signed_post(client, hl, "/prompts/phone/id", {**form, "Digits": str(staff_id)}))
        parse_twiml(signed_post(client, hl, "/prompts/phone/pin", {**form, "Digits": "0000"}))


def _login_status(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_of(client.get("/console/login"))
    response = client.post("/console/login", data={"csrf_token": token, "username": username, "password": password})
    page = response.get_data(as_text=True)
    error = parse_html(page).by_id("login-error").text if response.status_code != 303 else ""
    return response.status_code, error


# --- defect 6: lockout abuse ----------------------------------------------------------------------------------------
def test_wrong_pins_on_the_phone_do_not_lock_the_admin_out_of_the_console(
    app: Flask, hearthline: Hearthline, seeded: Seeded
) -> None:
    with hearthline.db.transaction() as db:
        admin = db.get(StaffMember, seeded.admin_id)
        assert admin is not None
        directory.set_pin(admin, ADMIN_PIN)
    _wrong_pin_calls(app.test_client(), hearthline, seeded.admin_id, MAX_FAILED_LOGINS + 1)
    with hearthline.db.sessions() as db:
        admin = db.get(StaffMember, seeded.admin_id)
        assert admin is not None and admin.failed_pins >= MAX_FAILED_LOGINS and admin.pin_locked_until is not None
    status, _ = _login_status(app.test_client(), *ADMIN)
    assert status == 303  # the console still opens


def test_wrong_passwords_do_not_lock_the_phone_line(app: Flask, hearthline: Hearthline, seeded: Seeded) -> None:
    with hearthline.db.transaction() as db:
        admin = db.get(StaffMember, seeded.admin_id)
        assert admin is not None
        directory.set_pin(admin, ADMIN_PIN)
    for _ in range(MAX_FAILED_LOGINS):
        _login_status(app.test_client(), ADMIN[0], "not the password")
    form = {"CallSid": "CA" + "3" * 32, "From": "+15550107777", "To": "+15550100001"}
    client = app.test_client()
    parse_twiml(signed_post(client, hearthline, "/prompts/phone/start", form))
    parse_twiml(signed_post(client, hearthline, "/prompts/phone/id", {**form, "Digits": str(seeded.admin_id)}))
    verbs = parse_twiml(signed_post(client, hearthline, "/prompts/phone/pin", {**form, "Digits": ADMIN_PIN}))
    assert [v.tag for v in verbs] == ["Redirect"] and verbs[0].text == "/prompts/phone/language"


def test_a_locked_real_account_and_an_unknown_name_get_the_same_answer(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    answers = [_login_status(client, STAFF[0], "wrong password here") for _ in range(MAX_FAILED_LOGINS + 2)]
    unknown = _login_status(client, "nobody-at-all", "wrong password here")
    locked_right_password = _login_status(client, *STAFF)
    assert set(answers) == {unknown} == {locked_right_password}
    status, message = unknown
    assert status == 401
    assert not re.search(r"\d{1,2}:\d{2}", message)  # no "locked until HH:MM" that reveals the account exists


def test_thirty_concurrent_wrong_passwords_are_all_counted_on_postgresql(
    pg_hearthline: tuple[Flask, Hearthline],
) -> None:
    app, hl = pg_hearthline
    seeded = seed_people(hl)
    clients = [app.test_client() for _ in range(30)]
    tokens = [csrf_of(c.get("/console/login")) for c in clients]
    start = threading.Barrier(30)
    statuses: list[int] = []

    def attempt(client: FlaskClient, token: str) -> None:
        start.wait()
        form = {"csrf_token": token, "username": STAFF[0], "password": "wrong password here"}
        statuses.append(client.post("/console/login", data=form).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [401] * 30
    with hl.db.sessions() as db:
        member = db.get(StaffMember, seeded.staff_id)
        assert member is not None and member.failed_logins == 30 and member.locked_until is not None


# --- defect 7: sessions end -----------------------------------------------------------------------------------------
def _session_cookie(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    return cookie.value


def test_logout_ends_the_session_on_the_server(app: Flask, seeded: Seeded) -> None:
    client = app.test_client()
    token = login(client, *STAFF)
    stolen = _session_cookie(client, app)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 303
    replay = app.test_client()
    replay.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), stolen)
    assert replay.get("/console/").location.startswith("/console/login")


def test_a_password_reset_ends_the_persons_other_sessions(app: Flask, seeded: Seeded) -> None:
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, *STAFF)
    login(phone, *STAFF)
    admin = app.test_client()
    admin_token = login(admin, *ADMIN)
    response = admin.post(
        f"/console/staff/{seeded.staff_id}/password",
        data={"csrf_token": admin_token, "password": "a brand new pass phrase"},
    )
    assert response.status_code == 303
    for client in (laptop, phone):
        assert client.get("/console/").location.startswith("/console/login")
    assert admin.get("/console/").status_code == 200  # the admin's own session is not the one reset
    assert _login_status(app.test_client(), STAFF[0], "a brand new pass phrase")[0] == 303


# --- ASVS level 1 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("password", ["elevenchars", "qwertyuiop12", "123qweasdzxc", "passwordpassword"])
def test_short_or_breached_passwords_are_refused(hearthline: Hearthline, seeded: Seeded, password: str) -> None:
    with hearthline.db.transaction() as db, pytest.raises(directory.DirectoryError):
        directory.add_staff(db, username="newbie", name="New Bie", password=password)
    with hearthline.db.transaction() as db:
        member = db.get(StaffMember, seeded.staff_id)
        assert member is not None
        with pytest.raises(directory.DirectoryError):
            directory.set_password(member, password)


def test_the_console_says_why_a_breached_password_was_refused(app: Flask, seeded: Seeded) -> None:
    admin = app.test_client()
    token = login(admin, *ADMIN)
    form = {"csrf_token": token, "username": "newbie", "name": "New Bie", "password": "1qaz2wsx3edc", "role": "staff"}
    page = parse_html(admin.post("/console/staff", data=form, follow_redirects=True).get_data(as_text=True))
    assert "breach" in page.text.lower()
    assert "newbie" not in [row.attrs.get("data-username") for row in page.find_all("tr")]


def test_production_uses_a_host_prefixed_secure_cookie_and_hsts(make_app: Callable[..., Flask]) -> None:
    app = make_app(
        environment="production",
        secret_key="k3N9s-2vQ8pL1xZ7rT4wY6uB0mC5dF8hJ",
        twilio_auth_token="0123456789abcdef0123456789abcdef",
        simulator_enabled=False,
    )
    hl: Hearthline = app.extensions[EXTENSION_KEY]
    seed_people(hl)
    client = app.test_client()
    page = client.get("/console/login", base_url="https://hotline.example.org")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    max_age = int(page.headers["Strict-Transport-Security"].split("=")[1].split(";")[0])
    assert max_age >= 31536000
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie and "HttpOnly" in cookie
    token = csrf_of(page)
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1]},
        base_url="https://hotline.example.org",
    )
    assert response.status_code == 303


def test_development_keeps_a_plain_cookie_and_no_hsts(client: FlaskClient) -> None:
    page = client.get("/console/login")
    assert "Strict-Transport-Security" not in page.headers
    assert page.headers["Set-Cookie"].startswith("session=")


# --- defect 8: no 500s from NUL bytes and huge ids on PostgreSQL ----------------------------------------------------
HUGE_ID = "9" * 20


def _probe_urls(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:[a-z_]+>", HUGE_ID, rule.rule)
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: {"what": "pin"}.get(m[1], "x"), url)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((method, url))
    return found


def test_huge_ids_and_nul_bytes_get_a_plain_400_or_404_on_postgresql(
    pg_hearthline: tuple[Flask, Hearthline],
) -> None:
    app, hl = pg_hearthline
    seeded = seed_people(hl)
    client = app.test_client()
    token = login(client, *ADMIN)
    probes = _probe_urls(app)
    assert len(probes) >= 5
    for method, url in probes:
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        assert response.status_code == 404, (method, url, response.status_code)
        assert parse_html(response.get_data(as_text=True)).by_id("error-message").text
    nul = "May\x00Lee"
    posts = [
        ("/console/seniors", {"name": nul, "phone": "+12025550188", "address": nul, "locale": "en"}),
        ("/console/family", {"name": nul, "phone": "+12025550189", "locale": "en"}),
        ("/console/staff", {"username": "x\x00y", "name": nul, "password": "a long pass phrase\x00", "role": "staff"}),
        (f"/console/staff/{seeded.staff_id}/password", {"password": "another long phrase\x00"}),
        (f"/console/staff/{seeded.staff_id}/phone", {"phone": "+1202555\x000190"}),
        (f"/console/seniors/{seeded.senior_id}/links", {"family_id": str(seeded.family_id), "consent_given_by": nul}),
    ]
    for url, form in posts:
        response = client.post(url, data={"csrf_token": token, **form})
        assert response.status_code == 400, (url, response.status_code)
        assert "NUL" in parse_html(response.get_data(as_text=True)).by_id("error-message").text
    for url in ("/console/?q=a%00b", "/console/requests/AB%00CD", "/console/prompts/en/voice.greeting%00"):
        assert client.get(url).status_code == 400, url
    # Ids in form fields as well as in paths: too big for the database is simply not found.
    key = "voice.greeting"
    for url, form in (
        (f"/console/seniors/{seeded.senior_id}/links", {"family_id": HUGE_ID, "consent_given_by": "May"}),
        (f"/console/prompts/en/{key}/approve", {"recording_id": HUGE_ID}),
        (f"/console/prompts/en/{key}/discard", {"recording_id": HUGE_ID}),
        (f"/console/prompts/en/{key}/rollback", {"to": HUGE_ID}),
    ):
        response = client.post(url, data={"csrf_token": token, **form})
        assert response.status_code in (303, 404), (url, response.status_code)
    other = app.test_client()
    form = {"csrf_token": csrf_of(other.get("/console/login")), "username": "ada\x00", "password": "x\x00"}
    response = other.post("/console/login", data=form)
    assert response.status_code == 400
    assert "NUL" in parse_html(response.get_data(as_text=True)).by_id("error-message").text


def test_superscript_and_other_non_ascii_digits_are_not_a_500(app: Flask, seeded: Seeded) -> None:
    # "²".isdigit() is true but int("²") raises: every place that reads a number must refuse it plainly.
    client = app.test_client()
    token = login(client, *ADMIN)
    assert client.get("/console/?q=%C2%B2").status_code == 200
    assert client.get("/console/summary?days=%C2%B2").status_code == 200
    key = "voice.greeting"
    for url, form in (
        (f"/console/prompts/en/{key}/approve", {"recording_id": "²"}),
        (f"/console/prompts/en/{key}/rollback", {"to": "²"}),
        (f"/console/seniors/{seeded.senior_id}/links", {"family_id": "²", "consent_given_by": "May"}),
    ):
        response = client.post(url, data={"csrf_token": token, **form})
        assert response.status_code in (303, 400, 404), (url, response.status_code)
