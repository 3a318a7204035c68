"""`flask people` and `flask requests`, run through Flask's CLI runner against the real app and database."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select
from werkzeug.security import check_password_hash

from care.models import FamilyLink, FamilyMember, Notification, RequestEvent, Senior, ServiceRequest, StaffMember
from tests.sms.people import ANN, MARY, SAM, add_people, text
from web.context import Hearthline


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def ok(app: Flask, *args: str, input: str | None = None) -> str:
    result = run(app, *args, input=input)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def fails(app: Flask, *args: str) -> str:
    result = run(app, *args)
    assert result.exit_code != 0, (args, result.output)
    return result.output


def test_people_add_link_list_unlink(app: Flask, hearthline: Hearthline) -> None:
    # Numbers as people write them are stored in E.164.
    ok(
        app,
        "people",
        "add-senior",
        "--phone",
        "(555) 000-1101",
        "--name",
        "Edith Brown",
        "--language",
        "en",
        "--area",
        "north",
    )
    ok(app, "people", "add-family", "--phone", "555.000.2101", "--name", "Tom Brown", "--language", "en")
    out = ok(
        app,
        "people",
        "link",
        "--senior",
        "5550001101",
        "--family",
        "+1 555 000 2101",
        "--consent-by",
        "Edith Brown",
        "--relationship",
        "son",
    )
    assert "consent by Edith Brown" in out
    with hearthline.db.sessions() as s:
        senior = s.scalar(select(Senior))
        member = s.scalar(select(FamilyMember))
        link = s.scalar(select(FamilyLink))
        assert senior is not None and senior.phone == "+15550001101" and senior.area == "north"
        assert member is not None and member.phone == "+15550002101"
        assert (
            link is not None and link.consent_given_by == "Edith Brown" and link.active and link.consent_at is not None
        )
    listing = ok(app, "people", "list")
    assert "Edith Brown" in listing and "Tom Brown son - consent by Edith Brown" in listing

    ok(app, "people", "unlink", "--senior", "+15550001101", "--family", "+15550002101")
    with hearthline.db.sessions() as s:
        link = s.scalar(select(FamilyLink))
        assert link is not None and not link.active  # the record of consent stays
    assert "(ended)" in ok(app, "people", "list")
    assert "not linked" in fails(app, "people", "unlink", "--senior", "+15550001101", "--family", "+15550002101")


def test_people_refuses_bad_input_with_a_clear_message(app: Flask, hearthline: Hearthline) -> None:
    assert "not a phone number" in fails(app, "people", "add-senior", "--phone", "hello", "--name", "X")
    assert "language must be one of" in fails(
        app, "people", "add-senior", "--phone", "5550001102", "--name", "X", "--language", "fr"
    )
    ok(app, "people", "add-senior", "--phone", "5550001102", "--name", "Edith")
    assert "already on file" in fails(app, "people", "add-senior", "--phone", "+15550001102", "--name", "Other")
    ok(app, "people", "add-family", "--phone", "5550002102", "--name", "Tom")
    # Consent is required: no link without naming who gave it.
    result = run(app, "people", "link", "--senior", "5550001102", "--family", "5550002102")
    assert result.exit_code != 0 and "consent-by" in result.output
    assert "no senior" in fails(
        app, "people", "link", "--senior", "5550009999", "--family", "5550002102", "--consent-by", "x"
    )
    with hearthline.db.sessions() as s:
        assert s.scalar(select(FamilyLink)) is None


def test_add_staff_hashes_password_and_pin(app: Flask, hearthline: Hearthline) -> None:
    ok(
        app, "people", "add-staff", "--username", "Olu", "--name", "Olu A", "--phone", "5550003101", "--role", "admin",
        "--team", "on_call", "--ask-password", "--pin", "4826", input="correct horse battery\ncorrect horse battery\n",
    )  # fmt: skip
    with hearthline.db.sessions() as s:
        staff = s.scalar(select(StaffMember))
        assert staff is not None and staff.username == "olu" and staff.role == "admin" and staff.phone == "+15550003101"
        assert "correct horse" not in staff.password_hash and check_password_hash(
            staff.password_hash, "correct horse battery"
        )
        assert staff.pin_hash and check_password_hash(staff.pin_hash, "4826")
    assert "at least 12" in fails(app, "people", "add-staff", "--username", "b", "--name", "B", "--password", "short")
    assert "taken" in fails(app, "people", "add-staff", "--username", "olu", "--name", "Again")


@pytest.fixture
def request_ref(app: Flask, hearthline: Hearthline) -> str:
    add_people(hearthline)
    text(app.test_client(), hearthline, ANN, "Mum's heating is broken")
    with hearthline.db.sessions() as s:
        found = s.scalar(select(ServiceRequest.reference))
        assert found is not None
        return found


def test_requests_move_through_the_life_cycle_with_history_and_notifications(
    app: Flask, hearthline: Hearthline, request_ref: str
) -> None:
    listing = ok(app, "requests", "list")
    assert request_ref in listing and "home_repair" in listing and "Mary Jones" in listing
    ok(app, "requests", "assign", request_ref, "--to", "rae", "--by", "admin", "--note", "Rae knows the boiler")
    ok(app, "requests", "start", request_ref, "--by", "rae")
    ok(app, "requests", "note", request_ref, "--by", "rae", "Part ordered, fitting Thursday")
    assert "in_progress -> resolved" in ok(
        app, "requests", "resolve", request_ref, "--by", "rae", "--note", "new valve"
    )
    # Staff cannot skip the requester's confirmation by mistake: close needs a note saying how it was given.
    assert "--note" in run(app, "requests", "close", request_ref, "--by", "rae").output
    ok(app, "requests", "close", request_ref, "--by", "rae", "--note", "Mary confirmed by phone")
    ok(app, "requests", "reopen", request_ref, "--by", "admin", "--note", "cold again")

    shown = ok(app, "requests", "show", request_ref)
    assert "said: Mum's heating is broken" in shown
    assert "urgent because: no heating" in shown
    with hearthline.db.sessions() as s:
        events = list(s.scalars(select(RequestEvent).order_by(RequestEvent.id)))
        row = s.scalar(select(ServiceRequest))
        assert row is not None and row.status == "reopened" and row.assignee == "rae"
        notes = list(s.scalars(select(Notification).where(Notification.kind.in_(["status", "confirm"]))))
    assert [(e.actor, e.kind, e.to_status) for e in events] == [
        (f"family:{ANN}", "created", "new"),
        ("system", "urgency", None),  # no heating (care.urgency)
        ("staff:admin", "status", "assigned"),
        ("staff:rae", "status", "in_progress"),
        ("staff:rae", "note", None),
        ("staff:rae", "status", "resolved"),
        ("staff:rae", "status", "closed"),
        ("staff:admin", "status", "reopened"),
    ]
    for event in events:
        assert event.note.split(":")[0] in shown or event.kind == "created"
    # Every one of the 5 status changes reached the requester (Ann) and the other linked family (Sam); the
    # senior, who did not ask by text, is not texted about it.
    assert sorted({n.to_phone for n in notes}) == sorted({ANN, SAM})
    assert len(notes) == 5 * 2
    # Only the requester is asked to confirm.
    assert [(n.to_phone, n.kind) for n in notes if "Reply 1 if it is fixed" in n.body] == [
        (ANN, "confirm"),
        (SAM, "status"),
    ]
    assert MARY not in {n.to_phone for n in notes}


def test_requests_commands_refuse_what_does_not_apply(app: Flask, hearthline: Hearthline, request_ref: str) -> None:
    assert "cannot close" in fails(app, "requests", "close", request_ref, "--by", "rae", "--note", "x")
    assert "no active staff member" in fails(app, "requests", "start", request_ref, "--by", "nobody")
    assert "no request" in fails(app, "requests", "show", "999999")
    assert "needs some text" in fails(app, "requests", "note", request_ref, "--by", "rae", "   ")
    with hearthline.db.sessions() as s:
        assert [e.kind for e in s.scalars(select(RequestEvent))] == ["created", "urgency"]


def test_requests_list_filters(app: Flask, hearthline: Hearthline, request_ref: str) -> None:
    assert request_ref in ok(app, "requests", "list", "--team", "repairs")
    assert "no requests" in ok(app, "requests", "list", "--team", "meals")
    assert "no requests" in ok(app, "requests", "list", "--status", "closed")


def test_people_unlock_lets_a_centres_only_admin_back_in(app: Flask, hearthline: Hearthline) -> None:
    from care.directory import MAX_FAILED_LOGINS
    from tests.console.support import csrf_of

    args = ["--username", "ada", "--name", "Ada Admin", "--role", "admin", "--password", "right horse 1"]
    ok(app, "people", "add-staff", *args)
    client = app.test_client()

    def log_in(password: str) -> int:
        token = csrf_of(client.get("/console/login"))
        form = {"csrf_token": token, "username": "ada", "password": password}
        return client.post("/console/login", data=form).status_code

    for _ in range(MAX_FAILED_LOGINS):
        assert log_in("wrong") != 303
    assert log_in("right horse 1") != 303  # locked: the right password does not help
    assert "ada can log in again" in ok(app, "people", "unlock", "ADA")
    with hearthline.db.sessions() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.username == "ada"))
        assert member is not None and member.failed_logins == 0 and member.locked_until is None
    assert log_in("right horse 1") == 303
    assert "no staff member named nobody" in fails(app, "people", "unlock", "nobody")


def test_operator_commands_print_times_on_the_centres_clock_with_its_zone(
    app: Flask, hearthline: Hearthline, request_ref: str
) -> None:
    with hearthline.db.transaction() as s:
        row = s.scalar(select(ServiceRequest))
        assert row is not None
        row.due_at = datetime(2026, 1, 6, 15, 30)  # stored UTC: 10:30 in New York (EST, UTC-5)
    assert hearthline.settings.timezone == "America/New_York"
    listing = ok(app, "requests", "list")
    assert request_ref in listing and "due 2026-01-06 10:30 EST" in listing
    assert "due 2026-01-06 10:30 EST" in ok(app, "requests", "show", request_ref)
